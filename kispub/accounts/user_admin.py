"""The admins' pages for one account: change the role, suspend, reactivate, invite again.

Each change has a confirmation page of its own (a GET that shows what will happen, a POST
that does it); no JavaScript is needed and every form carries its CSRF token.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from kispub.accounts import administration
from kispub.accounts.decorators import admin_required
from kispub.accounts.forms import ChangeRoleForm, ConfirmForm, SuspendAccountForm
from kispub.accounts.models import Role, User
from kispub.accounts.services import AccountError
from kispub.core.forms import BaseForm
from kispub.core.http import not_stored
from kispub.extensions import db

bp = Blueprint("user_admin", __name__, url_prefix="/beheer/gebruikers/<int:user_id>")


@bp.after_request
def _personal(response: Response) -> Response:
    """Names and addresses: no cache keeps these pages."""
    not_stored(response)
    return response


def _account(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or user.erased_at is not None:
        abort(404)
    return user


def _confirm(
    template: str, user_id: int, form: BaseForm, change: Callable[[], User], done: str
) -> ResponseReturnValue:
    """Show the confirmation page, or make the change and go back to the users."""
    person = _account(user_id)
    if form.validate_on_submit():
        try:
            change()
        except AccountError as error:
            form.form_errors.append(str(error))
        else:
            flash(done, "success")
            return redirect(url_for("accounts.users"))
    status = 400 if form.errors or form.form_errors else 200
    return render_template(template, form=form, person=person), status


@bp.route("/rol", methods=["GET", "POST"])
@admin_required
def change_role(user_id: int) -> ResponseReturnValue:
    """Give the account another role, after confirming."""
    person = _account(user_id)
    form = ChangeRoleForm(data={"role": person.role.value})
    role = Role(form.role.data) if form.role.data in set(Role) else person.role
    return _confirm(
        "accounts/admin/change_role.html",
        user_id,
        form,
        lambda: administration.change_role(user_id, role, current_user._get_current_object()),
        _("%(name)s is nu %(role)s.", name=person.name, role=role.label),
    )


@bp.route("/schorsen", methods=["GET", "POST"])
@admin_required
def suspend(user_id: int) -> ResponseReturnValue:
    """Suspend the account, after confirming."""
    person = _account(user_id)
    form = SuspendAccountForm()
    return _confirm(
        "accounts/admin/suspend.html",
        user_id,
        form,
        lambda: administration.suspend(
            user_id, current_user._get_current_object(), form.reason.data or ""
        ),
        _("Het account van %(name)s is geschorst.", name=person.name),
    )


@bp.route("/heractiveren", methods=["GET", "POST"])
@admin_required
def reactivate(user_id: int) -> ResponseReturnValue:
    """Lift the suspension, after confirming."""
    person = _account(user_id)
    return _confirm(
        "accounts/admin/reactivate.html",
        user_id,
        ConfirmForm(),
        lambda: administration.reactivate(user_id, current_user._get_current_object()),
        _("Het account van %(name)s is weer actief.", name=person.name),
    )


@bp.route("/uitnodiging", methods=["GET", "POST"])
@admin_required
def resend_invitation(user_id: int) -> ResponseReturnValue:
    """Send the invitation again, after confirming."""
    person = _account(user_id)
    return _confirm(
        "accounts/admin/resend_invitation.html",
        user_id,
        ConfirmForm(),
        lambda: administration.resend_invitation(user_id, current_user._get_current_object()),
        _("Een nieuwe uitnodiging is verstuurd naar %(email)s.", email=person.email),
    )
