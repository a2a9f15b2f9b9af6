"""The pages of staff's second factor: enrolment and the code step of a login, the recovery
codes on the account page, and an admin's reset.

After the right password a staff member's session is not logged in; it holds a pending
login (accounts/pending.py) that these pages complete with ``start_session``.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask import Response as FlaskResponse
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.wrappers import Response

from kispub.accounts import pending, second_factor
from kispub.accounts.decorators import admin_required, moderator_required
from kispub.accounts.forms import (
    EnrolForm,
    NewRecoveryCodesForm,
    ResetSecondFactorForm,
    SecondStepForm,
)
from kispub.accounts.models import User
from kispub.accounts.services import AccountError
from kispub.accounts.views import complete_login, landing
from kispub.core.http import not_stored
from kispub.extensions import db, limiter

bp = Blueprint("second_step", __name__)


def _code_limit() -> str:
    return current_app.config["TOTP_RATE_LIMIT"]


def _code_owner() -> str:
    """Whose codes are being tried: one allowance per account, whatever the address or browser.

    On the login's pages that is the account half-way through logging in, never the one the
    browser may already be logged in to (whose allowance a guesser would otherwise spend).
    """
    if request.endpoint == "second_step.recovery_codes":
        user_id = current_user.id if current_user.is_authenticated else "-"
        return f"second-step:{user_id}"
    return f"second-step:{pending.pending_user_id() or '-'}"


def _failed(_response: Response) -> bool:
    """Only a refused code counts (a success redirects or shows the recovery codes)."""
    return bool(g.get("code_refused"))


def _page(html: str) -> FlaskResponse:
    return FlaskResponse(html, mimetype="text/html")


def _refused(page: str) -> FlaskResponse:
    g.code_refused = True
    return _page(page)


# Codes per account: a wrong code counts, from the login, the enrolment and the account page
# alike (one shared allowance), so the six digits cannot be guessed by spreading the tries
# over those forms, over addresses or over browsers.
throttled = limiter.shared_limit(
    _code_limit, scope="second-step", methods=["POST"], key_func=_code_owner, deduct_when=_failed
)


def _start_again() -> Response:
    flash(_("Uw inlogpoging is verlopen. Log opnieuw in."), "info")
    return redirect(url_for("accounts.login"))


@bp.route("/inloggen/tweede-stap", methods=["GET", "POST"])
@throttled
def code() -> Response:
    """The login's second step: a code from the app or a recovery code."""
    login = pending.current()
    if login is None:
        return _start_again()
    if not second_factor.is_enrolled(login.user):
        return redirect(url_for("second_step.enrol"))
    form = SecondStepForm()
    if form.validate_on_submit():
        try:
            outcome = second_factor.verify_second_step(login.user, form.code.data)
        except AccountError as error:
            form.code.errors.append(str(error))
            return _refused(render_template("accounts/second_step.html", form=form))
        response = complete_login(login.user, login.remember, redirect(landing(login.next_target)))
        if outcome.recovery_codes_left is not None:  # after the login, which starts a new session
            _flash_codes_left(outcome.recovery_codes_left)
        return response
    return _page(render_template("accounts/second_step.html", form=form))


def _flash_codes_left(left: int) -> None:
    message = ngettext(
        "U hebt een herstelcode gebruikt; u hebt er nog %(num)d. Maak op uw accountpagina "
        "een nieuwe set als u uw authenticator-app kwijt bent.",
        "U hebt een herstelcode gebruikt; u hebt er nog %(num)d. Maak op uw accountpagina "
        "een nieuwe set als u uw authenticator-app kwijt bent.",
        left,
    )
    flash(message, "info")


@bp.route("/inloggen/tweede-stap/instellen", methods=["GET", "POST"])
@throttled
def enrol() -> Response:
    """Add an authenticator app: scan or type the secret, confirm with its first code."""
    login = pending.current()
    if login is None:
        return _start_again()
    if second_factor.is_enrolled(login.user):
        return redirect(url_for("second_step.code"))
    form = EnrolForm()
    if form.validate_on_submit():
        try:
            codes = second_factor.confirm_enrolment(login.user, form.code.data)
        except AccountError as error:
            form.code.errors.append(str(error))
        else:
            page = render_template(
                "accounts/recovery_codes.html", codes=codes, next_url=landing(login.next_target)
            )
            return complete_login(login.user, login.remember, _codes_response(page))
    enrolment = second_factor.start_enrolment(login.user)
    page = render_template("accounts/enrol.html", form=form, enrolment=enrolment)
    response = _refused(page) if form.errors else _page(page)
    not_stored(response)  # it shows the secret
    return response


def _codes_response(page: str) -> FlaskResponse:
    response = _page(page)
    not_stored(response)
    return response


@bp.route("/account/tweede-stap", methods=["GET", "POST"])
@moderator_required
@throttled
def recovery_codes() -> Response:
    """A staff member's second factor: recovery codes left, and a new set."""
    user = current_user._get_current_object()
    form = NewRecoveryCodesForm()
    if form.validate_on_submit():
        try:
            codes = second_factor.renew_recovery_codes(user, form.code.data)
        except AccountError as error:
            form.code.errors.append(str(error))
        else:
            page = render_template(
                "accounts/recovery_codes.html", codes=codes, next_url=url_for(".recovery_codes")
            )
            return _codes_response(page)
    page = render_template(
        "accounts/second_factor.html", form=form, factor=second_factor.overview(user)
    )
    return _refused(page) if form.errors else _page(page)


@bp.route("/beheer/gebruikers/<int:user_id>/tweede-stap", methods=["GET", "POST"])
@admin_required
def reset(user_id: int) -> Response:
    """An admin clears a user's lost second factor, after confirming."""
    user = db.session.get(User, user_id) or abort(404)
    form = ResetSecondFactorForm()
    if form.validate_on_submit():
        try:
            second_factor.reset_second_factor(user, current_user._get_current_object())
        except AccountError as error:
            form.confirm.errors.append(str(error))
        else:
            flash(
                _("De tweede stap van %(name)s is gewist; bij de volgende keer inloggen "
                  "stelt %(name)s een nieuwe in.", name=user.name),
                "success",
            )  # fmt: skip
            return redirect(url_for("accounts.users"))
    page = render_template("accounts/reset_second_factor.html", form=form, person=user)
    return _page(page)
