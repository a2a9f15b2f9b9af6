"""The moderators' pages about members under /beheer/community/leden: finding a member,
silencing and suspending them and lifting either, each with a reason, on the
``community_admin`` blueprint (moderators, editors and admins only).
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from kispub.community import moderation_pages
from kispub.community.admin import bp
from kispub.community.admin_moderation import current_moderator, fresh_form, show_refusal
from kispub.community.forms.moderation import ReasonForm, SilenceForm
from kispub.community.pages import NotFound
from kispub.community.services import sanctions
from kispub.community.services.modlog import ModerationError
from kispub.core.forms import BaseForm

# -- members ---------------------------------------------------------------------------------


@bp.get("/leden")
def members() -> str:
    """Members who are silenced or suspended, and a search for any member."""
    page = moderation_pages.members_page(request.args.get("q", ""))
    return render_template("community/admin/members.html", page=page)


MEMBER_FORMS = {
    "silence": SilenceForm,
    "unsilence": ReasonForm,
    "suspend": ReasonForm,
    "unsuspend": ReasonForm,
}


def _member_page(user_id: int, **submitted: BaseForm) -> ResponseReturnValue:
    try:
        page = moderation_pages.member_moderation(user_id)
    except NotFound:
        abort(404)
    forms = {
        name: submitted.get(name) or fresh_form(form_class, name)
        for name, form_class in MEMBER_FORMS.items()
    }
    status = 400 if any(form.errors for form in submitted.values()) else 200
    return render_template("community/admin/member.html", page=page, forms=forms), status


@bp.get("/leden/<int:user_id>")
def member(user_id: int) -> ResponseReturnValue:
    """A member's restrictions, the actions, and every moderation decision about them."""
    return _member_page(user_id)


@bp.post("/leden/<int:user_id>/schrijfverbod")
def silence(user_id: int) -> ResponseReturnValue:
    """Let a member read but not write until a date."""
    form = SilenceForm(prefix="silence")
    if not form.validate_on_submit():
        return _member_page(user_id, silence=form)
    try:
        sanctions.silence_member(current_moderator(), user_id, form.until.data, form.reason.data)
    except ModerationError as error:
        return _member_refused(user_id, "silence", form, error)
    return _member_done(user_id, _("Het lid heeft een schrijfverbod."))


@bp.post("/leden/<int:user_id>/schrijfverbod-opheffen")
def lift_silence(user_id: int) -> ResponseReturnValue:
    """End a member's silence."""
    form = ReasonForm(prefix="unsilence")
    if not form.validate_on_submit():
        return _member_page(user_id, unsilence=form)
    try:
        sanctions.lift_silence(current_moderator(), user_id, form.reason.data)
    except ModerationError as error:
        return _member_refused(user_id, "unsilence", form, error)
    return _member_done(user_id, _("Het schrijfverbod is opgeheven."))


@bp.post("/leden/<int:user_id>/schorsen")
def suspend(user_id: int) -> ResponseReturnValue:
    """Suspend a member: logged out everywhere, and no way back in until it is lifted."""
    form = ReasonForm(prefix="suspend")
    if not form.validate_on_submit():
        return _member_page(user_id, suspend=form)
    try:
        sanctions.suspend_member(current_moderator(), user_id, form.reason.data)
    except ModerationError as error:
        return _member_refused(user_id, "suspend", form, error)
    return _member_done(user_id, _("Het lid is geschorst en overal uitgelogd."))


@bp.post("/leden/<int:user_id>/schorsing-opheffen")
def lift_suspension(user_id: int) -> ResponseReturnValue:
    """Reinstate a suspended member."""
    form = ReasonForm(prefix="unsuspend")
    if not form.validate_on_submit():
        return _member_page(user_id, unsuspend=form)
    try:
        sanctions.lift_suspension(current_moderator(), user_id, form.reason.data)
    except ModerationError as error:
        return _member_refused(user_id, "unsuspend", form, error)
    return _member_done(user_id, _("De schorsing is opgeheven."))


def _member_refused(
    user_id: int, name: str, form: BaseForm, error: ModerationError
) -> ResponseReturnValue:
    if show_refusal(form, error):
        return _member_page(user_id, **{name: form})
    return redirect(url_for("community_admin.member", user_id=user_id))


def _member_done(user_id: int, done: str) -> Response:
    flash(done, "success")
    flash(_("Het lid heeft een e-mail gekregen."), "info")
    return redirect(url_for("community_admin.member", user_id=user_id))
