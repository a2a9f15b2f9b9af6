"""Login, logout, password reset, and user administration."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from kispub.accounts import data_export, devices, pending, second_factor, services
from kispub.accounts.decorators import admin_required, login_required
from kispub.accounts.forms import (
    ChangePasswordForm,
    InviteUserForm,
    LoginForm,
    NewPasswordForm,
    RequestExportForm,
    ResetRequestForm,
)
from kispub.accounts.models import Role, User
from kispub.accounts.sessions import end_session, start_session
from kispub.core.nonce import submit_once
from kispub.core.urls import safe_redirect_target
from kispub.extensions import db, limiter

bp = Blueprint("accounts", __name__)


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _reset_limit() -> str:
    return current_app.config["PASSWORD_RESET_RATE_LIMIT"]


def _submitted_email() -> str:
    return services.normalise_email(request.form.get("email", ""))[:254] or "-"


def _known_device() -> bool:
    return devices.is_known_device(_submitted_email())


def _failed(response: Response) -> bool:
    """A login or password check that did not succeed (success redirects)."""
    return response.status_code != 302


def _current_account() -> str:
    return f"account:{current_user.get_id()}"


@bp.route("/inloggen", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
# Per address, only failures from browsers that never logged in to the account count, so a
# stranger cannot lock a member out (see accounts/devices.py for why this way).
@limiter.limit(
    _login_limit,
    methods=["POST"],
    key_func=_submitted_email,
    exempt_when=_known_device,
    deduct_when=_failed,
)
def login() -> str | Response:
    """Log in with e-mail and password (throttled per IP, and per address for strangers)."""
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data)
        except services.AccountSuspended as error:
            form.password.errors.append(str(error))
            return render_template("accounts/login.html", form=form)
        if user is not None and user.needs_second_factor:
            # Not logged in yet: the second step completes the login (accounts/second_step.py).
            pending.begin(user, remember=form.remember.data, next_target=request.args.get("next"))
            return redirect(url_for("second_step.code"))
        if user is not None:
            response = redirect(landing(request.args.get("next")))
            return complete_login(user, form.remember.data, response)
        form.password.errors.append(_("Onbekend e-mailadres of onjuist wachtwoord."))
    return render_template("accounts/login.html", form=form)


def landing(next_target: str | None) -> str:
    """Where a completed login goes: the page asked for (if it is ours), else home."""
    return safe_redirect_target(next_target, url_for("home.index"))


def complete_login(user: User, remember: bool, response: Response) -> Response:
    """Log the user in and mark this browser as one of theirs (see accounts/devices.py)."""
    start_session(user, remember=remember)
    devices.remember_device(response, user.email)
    return response


@bp.post("/uitloggen")
def logout() -> Response:
    """Log out everywhere this session's cookie was copied to."""
    end_session()
    flash(_("U bent uitgelogd."), "info")
    return redirect(url_for("home.index"))


@bp.route("/wachtwoord-vergeten", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
# Per address as well: many IP addresses must not be able to flood one mailbox.
@limiter.limit(_reset_limit, methods=["POST"], key_func=_submitted_email)
def forgot_password() -> str | Response:
    """Ask for a reset link; the answer is the same whether the address exists or not."""
    form = ResetRequestForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        flash(
            _(
                "Als er een account bij dit e-mailadres hoort, hebt u een e-mail ontvangen "
                "met een link om een nieuw wachtwoord in te stellen."
            ),
            "info",
        )
        return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot.html", form=form)


@bp.route("/wachtwoord-instellen/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> ResponseReturnValue:
    """Set a new password through a single-use, expiring link."""
    try:
        services.user_for_reset_token(token)
    except services.AccountError as error:
        return render_template("accounts/reset_invalid.html", message=str(error)), 400
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(token, form.password.data)
        except services.AccountError as error:  # the link was used meanwhile, in another tab
            return render_template("accounts/reset_invalid.html", message=str(error)), 400
        flash(_("Uw wachtwoord is ingesteld. U kunt nu inloggen."), "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset.html", form=form)


@bp.route("/account", methods=["GET", "POST"])
@login_required
# The current-password check is a password oracle for whoever holds a session: throttled.
@limiter.limit(_login_limit, methods=["POST"], key_func=_current_account, deduct_when=_failed)
def account() -> str | Response:
    """The user's own account: details and a password change."""
    user = current_user._get_current_object()
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(user, form.current.data, form.password.data)
        except services.AccountError as error:
            form.current.errors.append(str(error))
        else:
            start_session(user, remember=False)  # this session goes on; all others end
            flash(_("Uw wachtwoord is gewijzigd. U bent overal elders uitgelogd."), "success")
            return redirect(url_for("accounts.account"))
    return render_template(
        "accounts/account.html",
        form=form,
        user=user,
        data=data_export.data_section(user.id),
        export_form=RequestExportForm(formdata=None),
    )


@bp.route("/beheer/gebruikers", methods=["GET", "POST"])
@admin_required
def users() -> str | Response:
    """List accounts and invite a new one."""
    form = InviteUserForm()
    if form.validate_on_submit():
        new = services.NewUser(
            email=form.email.data,
            name=form.name.data,
            organisation=form.organisation.data,
            role=Role(form.role.data),
            made_by_staff=True,
        )
        try:
            outcome = submit_once(form.nonce.data, lambda: _invite(new))
        except services.AccountError as error:
            form.email.errors.append(str(error))
        else:
            if not outcome.duplicate:
                flash(_("Uitnodiging verstuurd naar %(email)s.", email=new.email), "success")
            return redirect(outcome.result_url)
    accounts = db.session.scalars(select(User).order_by(User.name))
    factors = second_factor.factor_states()
    return render_template("accounts/users.html", form=form, users=accounts, factors=factors)


def _invite(new: services.NewUser) -> str:
    services.invite_user(new)
    return url_for("accounts.users")
