"""The e-mail alert pages: ask for e-mail about new items, confirm it, and stop it.

Asking (``subscribe``) answers the same whatever the address's state ("Kijk in uw
mailbox"), and is throttled per IP address and, for the mail it sends, per address. The
confirmation link's GET only shows a button and the POST confirms: mail scanners open every
link. The unsubscribe link follows RFC 8058: its GET asks and changes nothing; its POST acts,
also the one-click POST a mail program sends for ``List-Unsubscribe-Post``, which carries no
session or CSRF token — so that view alone is exempt from CSRF; the signed token is the
proof (a forged or altered one gets 400), and the rate limit and headers all apply.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from kispub.accounts.services import normalise_email
from kispub.core.http import not_stored
from kispub.core.nonce import submit_once
from kispub.dossier.alert_forms import AlertForm, ConfirmForm
from kispub.dossier.alert_pages import alert_page
from kispub.dossier.links import dossier_path
from kispub.dossier.queries import Filters
from kispub.dossier.services import alerts
from kispub.dossier.services.alerts import AlertError, AlertRequest, LinkRefused
from kispub.dossier.views import filters_or_404
from kispub.extensions import csrf, limiter

bp = Blueprint("dossier_alerts", __name__)


@bp.after_request
def _personal(response: Response) -> Response:
    not_stored(response)  # an address, a personal link: no cache keeps these
    return response


def _form_limit() -> str:
    return current_app.config["DOSSIER_ALERT_RATE_LIMIT"]


def _mail_limit() -> str:
    return current_app.config["DOSSIER_ALERT_MAIL_RATE_LIMIT"]


def _stop_limit() -> str:
    return current_app.config["DOSSIER_UNSUBSCRIBE_RATE_LIMIT"]


def _submitted_email() -> str:
    return normalise_email(request.form.get("email", ""))[:254] or "-"


def _mailed(response: Response) -> bool:
    """A request that went through (and so mailed a link) redirects."""
    return response.status_code == 302


@bp.route("/dossiers/<slug>/e-mail", methods=["GET", "POST"])
@limiter.limit(_form_limit, methods=["POST"])
@limiter.limit(_mail_limit, methods=["POST"], key_func=_submitted_email, deduct_when=_mailed)
def subscribe(slug: str) -> ResponseReturnValue:
    """ "Ontvang e-mail bij nieuwe items" of the dossier, or of the list its filters choose."""
    filters = filters_or_404()
    page = alert_page(slug, filters)
    if page is None:
        abort(404)
    form = AlertForm()
    if not page.archived and form.validate_on_submit():
        asked = AlertRequest(form.email.data, form.chosen_frequency, filters)
        try:
            outcome = submit_once(form.nonce.data, lambda: _request(slug, asked))
        except AlertError as error:
            form.email.errors = [*form.email.errors, str(error)]
        else:
            return redirect(outcome.result_url)
    return render_template("dossier/alerts/subscribe.html", page=page, form=form)


def _request(slug: str, asked: AlertRequest) -> str:
    alerts.request_alert(slug, asked)
    return url_for("dossier_alerts.check_mail", slug=slug)


@bp.get("/dossiers/<slug>/e-mail/verstuurd")
def check_mail(slug: str) -> str:
    """After asking: look in your mailbox (the same page whatever the address's state)."""
    page = alert_page(slug, Filters())
    if page is None:
        abort(404)
    return render_template("dossier/alerts/check_mail.html", page=page)


@bp.route("/dossiers/e-mail/bevestigen/<token>", methods=["GET", "POST"])
@limiter.limit(_form_limit, methods=["POST"])
def confirm(token: str) -> ResponseReturnValue:
    """The link in the confirmation mail: a GET shows what it turns on, the POST does it."""
    form = ConfirmForm()
    try:
        if form.validate_on_submit():
            dossier = alerts.confirm_alert(token)
            flash(_("U krijgt voortaan e-mail over nieuwe items in dit dossier."), "success")
            return redirect(dossier_path(dossier.slug))
        pending = alerts.pending_alert(token)
    except LinkRefused as error:
        return _refused(error)
    return render_template("dossier/alerts/confirm.html", pending=pending, form=form)


@bp.route("/dossiers/e-mail/afmelden/<token>", methods=["GET", "POST"])
@limiter.limit(_stop_limit)
@csrf.exempt  # RFC 8058 one-click: no session, no CSRF token; the signed token is the proof
def unsubscribe(token: str) -> ResponseReturnValue:
    """Stop the alert: a GET asks, a POST (the button, or a mail program's one click) acts."""
    try:
        if request.method == "POST":
            alerts.stop_alert(token)
            return render_template("dossier/alerts/unsubscribe.html", done=True)
        alerts.check_stop_link(token)
    except LinkRefused as error:
        return _refused(error)
    return render_template("dossier/alerts/unsubscribe.html", done=False)


def _refused(error: LinkRefused) -> tuple[str, int]:
    page = render_template("dossier/alerts/refused.html", message=str(error), expired=error.expired)
    return page, 400
