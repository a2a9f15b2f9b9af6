"""Public pages: the atelier list and pages, registration, and the calendar files."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from kispub.accounts.decorators import login_required
from kispub.ateliers import pages, queries
from kispub.ateliers.calendar import feeds, personal
from kispub.ateliers.calendar.publishing import FEED_MAX_AGE, FEED_PATH, theme_feed_path
from kispub.ateliers.forms import RegistrationForm
from kispub.ateliers.links import KIND
from kispub.ateliers.models import RegistrationStatus
from kispub.ateliers.services import feeds as feed_services
from kispub.ateliers.services import registration
from kispub.core import public
from kispub.core.bounds import clamped_int
from kispub.core.http import conditional_document, not_stored
from kispub.core.preview import previewed_id
from kispub.extensions import limiter
from kispub.themes.services import theme_by_slug

bp = Blueprint("ateliers", __name__)


@bp.get("/kennisateliers/")
def index() -> str:
    """Upcoming and past ateliers, optionally on one theme."""
    try:
        number = request.args.get("pagina", 1, clamped_int)
        listing = pages.listing(request.args.get("thema"), number)
    except pages.UnknownTheme:
        abort(404)
    return render_template("ateliers/index.html", listing=listing)


@bp.get("/kennisateliers/<slug>")
def show(slug: str) -> str:
    """One atelier: when, where, places left, add to calendar, register."""
    page = pages.atelier_page(slug)
    if page is None:
        abort(404)
    return render_template("ateliers/show.html", page=page, atelier=page.atelier)


@bp.get("/kennisateliers/voorbeeld/<token>")
def preview(token: str) -> Response:
    """An unpublished atelier's page for whoever holds a valid preview link; never indexed."""
    atelier_id = previewed_id(KIND, token)
    page = None if atelier_id is None else pages.preview_page(atelier_id)
    if page is None:
        abort(404)
    html = render_template("ateliers/show.html", page=page, atelier=page.atelier, preview=True)
    response = make_response(html)
    response.headers["X-Robots-Tag"] = "noindex"
    not_stored(response)  # the link is a secret of whoever holds it: no cache keeps a copy
    return response


@bp.route("/kennisateliers/<slug>/aanmelden", methods=["GET", "POST"])
@limiter.limit("20 per minute;100 per hour", methods=["POST"])
def register(slug: str) -> str | Response:
    """Register with name, e-mail and organisation (prefilled for a logged-in member)."""
    page = pages.atelier_page(slug)
    if page is None:
        abort(404)
    form = RegistrationForm(data=_member_defaults())
    if form.validate_on_submit():
        data = registration.RegistrationData(
            name=form.name.data,
            email=form.email.data,
            organisation=form.organisation.data,
            user_id=current_user.id if current_user.is_authenticated else None,
        )
        try:  # a repeated address gets the same page: see ``sign_up``
            made = registration.sign_up(page.atelier.id, data)
        except registration.RegistrationError as error:
            form.email.errors.append(str(error))
        else:
            flash(_confirmation(made.status, made.email), "success")
            return redirect(url_for("ateliers.show", slug=slug))
    return render_template("ateliers/register.html", page=page, atelier=page.atelier, form=form)


def _member_defaults() -> dict[str, str]:
    if not current_user.is_authenticated:
        return {}
    return {
        "name": current_user.name,
        "email": current_user.email,
        "organisation": current_user.organisation or "",
    }


def _confirmation(status: RegistrationStatus, email: str) -> str:
    if status is RegistrationStatus.REGISTERED:
        return _(
            "U bent aangemeld. We hebben een bevestiging gestuurd naar %(email)s.", email=email
        )
    return _(
        "Het kennisatelier is vol: u staat op de wachtlijst. Komt er een plaats vrij, "
        "dan krijgt u bericht op %(email)s.",
        email=email,
    )


@bp.route("/kennisateliers/aanmelding/<token>", methods=["GET", "POST"], endpoint="registration")
def registration_page(token: str) -> str | Response | tuple[str, int]:
    """An attendee's own registration, through the signed link in their e-mail; cancel here."""
    form = FlaskForm()
    if form.validate_on_submit():
        atelier = registration.cancel_registration(token)
        if atelier is not None:
            flash(_("Uw aanmelding is geannuleerd. Uw gegevens zijn verwijderd."), "success")
            return redirect(url_for("ateliers.show", slug=atelier.slug))
    found = queries.registration_for_token(token)
    if found is None:
        return render_template("ateliers/registration_gone.html"), 404
    return render_template("ateliers/registration.html", registration=found, form=form)


@bp.get("/kennisateliers/mijn")
@login_required
def mine() -> str:
    """The member's registrations and their personal calendar feed."""
    page = pages.member_page(current_user._get_current_object())
    return render_template(
        "ateliers/mine.html",
        registrations=page.registrations,
        feed_url=page.feed_url,
        feed_webcal=page.feed_webcal,
    )


@bp.post("/kennisateliers/mijn/agenda")
@login_required
def renew_feed() -> Response:
    """Make a new secret feed address (the old one stops working)."""
    if FlaskForm().validate_on_submit():
        feed_services.renew_feed(current_user._get_current_object())
        flash(_("U hebt een nieuw agenda-adres. Een eerder adres werkt niet meer."), "success")
    return redirect(url_for("ateliers.mine"))


@bp.post("/kennisateliers/mijn/agenda/intrekken")
@login_required
def revoke_feed() -> Response:
    """Switch the personal feed off."""
    if FlaskForm().validate_on_submit():
        feed_services.revoke_feed(current_user._get_current_object())
        flash(_("Uw agenda-adres is ingetrokken."), "success")
    return redirect(url_for("ateliers.mine"))


@bp.get("/kennisateliers.ics")
def feed() -> Response:
    """Every upcoming atelier and the recent past, to subscribe to: the published file."""
    published = public.send(FEED_PATH, feeds.MIMETYPE, FEED_MAX_AGE)
    return published or conditional_document(feeds.public_feed(), max_age=0)


@bp.get("/kennisateliers/thema/<slug>.ics")
def theme_feed(slug: str) -> Response:
    """The ateliers on one theme, to subscribe to: the published file."""
    try:
        published = public.send(theme_feed_path(slug), feeds.MIMETYPE, FEED_MAX_AGE)
    except public.UnsafePath:
        abort(404)
    if published is not None:
        return published
    theme = theme_by_slug(slug) or abort(404)  # a theme the worker has not published yet
    return conditional_document(feeds.theme_feed(theme), max_age=0)


@bp.get("/kennisateliers/<slug>.ics")
def atelier_ics(slug: str) -> Response:
    """One atelier's .ics, without the meeting link."""
    atelier = queries.public_atelier_by_slug(slug)
    if atelier is None:
        abort(404)
    response = conditional_document(feeds.atelier_document(atelier))
    response.headers["Content-Disposition"] = f'attachment; filename="{atelier.slug}.ics"'
    return response


@bp.get("/kennisateliers/agenda/<int:user_id>/<token>.ics", endpoint="personal_feed")
def personal_feed_ics(user_id: int, token: str) -> Response:
    """A member's own feed, with meeting links; the address is the only key."""
    document = personal.personal_feed_document(user_id, token)
    if document is None:
        abort(404)
    response = conditional_document(document)
    # Personal: no shared cache may keep it.
    response.cache_control.public = False
    response.cache_control.private = True
    return response
