"""A person's data (AVG): asking for a copy, downloading it, deleting an account.

The requests start from the account page ("Uw gegevens", ``accounts.account``) and, for an
admin deleting someone's account at their request, from the users page.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    send_file,
    url_for,
)
from flask import session as cookie_session
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, logout_user
from werkzeug.wrappers import Response

from kispub.accounts import data_export, erasure
from kispub.accounts.decorators import admin_required, login_required
from kispub.accounts.forms import EraseAccountForm, EraseOwnAccountForm, RequestExportForm
from kispub.accounts.services import AccountError
from kispub.core import clock
from kispub.core.nonce import submit_once
from kispub.extensions import limiter

bp = Blueprint("privacy", __name__)

DATA_SECTION = "uw-gegevens"


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _current_account() -> str:
    return f"account-erase:{current_user.get_id()}"


def _failed(response: Response) -> bool:
    return response.status_code != 302


def _private(response: Response) -> Response:
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/account/gegevens")
@login_required
def request_export() -> Response:
    """Ask for a copy of one's data; the worker builds it and mails a link."""
    form = RequestExportForm()
    back = url_for("accounts.account", _anchor=DATA_SECTION)
    if not form.validate_on_submit():
        flash(_("Het formulier is verlopen. Probeer het opnieuw."), "error")
        return redirect(back)
    user_id = current_user.id
    try:
        outcome = submit_once(form.nonce.data, lambda: _request(user_id, back))
    except data_export.ExportError as error:
        flash(str(error), "error")
        return redirect(back)
    if not outcome.duplicate:
        flash(_("Wij zetten uw gegevens klaar. U krijgt een e-mail met de link."), "success")
    return redirect(outcome.result_url)


def _request(user_id: int, back: str) -> str:
    data_export.request_data_export(user_id)
    return back


@bp.get("/account/gegevens/<token>")
@login_required
def download_export(token: str) -> ResponseReturnValue:
    """The ZIP of a ready export: only with a valid link, and only for its owner."""
    try:
        path, _export = data_export.export_for_download(token, current_user.id)
    except data_export.ExportUnavailable as error:
        if not error.expired:
            abort(404)
        page = render_template("accounts/export_unavailable.html")
        return _private(Response(page, status=410))
    name = f"kis-gegevens-{clock.now():%Y-%m-%d}.zip"
    response = send_file(
        path,
        mimetype="application/zip",
        as_attachment=True,
        download_name=name,
        conditional=False,
        etag=False,
        max_age=0,
    )
    return _private(response)


@bp.route("/account/verwijderen", methods=["GET", "POST"])
@login_required
# The password check is a password oracle for whoever holds a session: throttled.
@limiter.limit(_login_limit, methods=["POST"], key_func=_current_account, deduct_when=_failed)
def erase_account() -> str | Response:
    """Delete one's own account, after the password again and a choice about the posts."""
    form = EraseOwnAccountForm()
    if form.validate_on_submit():
        posts = erasure.PostsChoice(form.posts.data)
        try:
            erasure.erase_own_account(current_user.id, form.password.data, posts)
        except AccountError as error:
            form.password.errors.append(str(error))
        else:
            logout_user()
            cookie_session.clear()
            flash(_("Uw account is verwijderd. Bedankt dat u erbij was."), "success")
            return redirect(url_for("home.index"))
    return render_template("accounts/erase.html", form=form)


@bp.route("/beheer/gebruikers/<int:user_id>/verwijderen", methods=["GET", "POST"])
@admin_required
def erase_user(user_id: int) -> str | Response:
    """An admin deletes someone's account at their request, with a reason for the log."""
    user = erasure.account_to_erase(user_id)
    if user is None:
        abort(404)
    form = EraseAccountForm()
    if form.validate_on_submit():
        posts = erasure.PostsChoice(form.posts.data)
        admin = current_user._get_current_object()
        try:
            erasure.erase_account_by_admin(admin, user_id, form.reason.data, posts)
        except AccountError as error:
            form.reason.errors.append(str(error))
        else:
            flash(_("Het account is verwijderd."), "success")
            return redirect(url_for("accounts.users"))
    return render_template("accounts/erase_user.html", form=form, user=user)
