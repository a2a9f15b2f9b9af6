"""The moderators' moderation pages under /beheer/community, on the ``community_admin``
blueprint (whose ``require_staff`` lets in moderators, editors and admins only).

Reports (``meldingen-van-leden``), held posts (``ter-goedkeuring``), a page per thread
and post with its actions, and the moderation log (also as CSV); members' restrictions are
in ``admin_sanctions``. Each action is a
plain form with a reason; each view calls one service and redirects, or shows the page
again with the form's errors.
"""

from __future__ import annotations

from typing import Any, TypeVar

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from kispub.accounts.models import User
from kispub.community import moderation_pages, moderation_queries
from kispub.community.admin import bp
from kispub.community.forms.moderation import (
    DecisionForm,
    MoveForm,
    OptionalReasonForm,
    ReasonForm,
)
from kispub.community.models import ModerationAction, ReviewStatus
from kispub.community.moderation_export import moderation_log_csv
from kispub.community.pages import NotFound
from kispub.community.services import flagging, moderating, premoderation
from kispub.community.services.moderating import PostAction, ThreadAction
from kispub.community.services.modlog import ModerationError
from kispub.core.bounds import clamped_int
from kispub.core.forms import BaseForm

# One form per pair of opposite actions; its prefix keeps the page's field ids apart.
THREAD_FORM = {
    ThreadAction.PIN: "pin",
    ThreadAction.UNPIN: "pin",
    ThreadAction.LOCK: "lock",
    ThreadAction.UNLOCK: "lock",
    ThreadAction.HIDE: "hide",
    ThreadAction.RESTORE: "hide",
}
ALL = "alle"
Action = TypeVar("Action", ThreadAction, PostAction)


def current_moderator() -> User:
    """The logged-in moderator (the blueprint's guard let them in)."""
    user: User = current_user._get_current_object()
    return user


def _page_number() -> int:
    return request.args.get("pagina", 1, clamped_int)


def show_refusal(form: BaseForm, error: ModerationError) -> bool:
    """Put the error on its field and say so (the page is shown again), or flash it."""
    if error.field and error.field in form:
        field = form[error.field]
        field.errors = [*field.errors, str(error)]
        return True
    flash(str(error), "error")
    return False


def _chosen(kind: type[Action], word: str) -> Action:
    """The action a URL's last word names (a plain string in the rule, so that every
    back-office URL resolves to the blueprint's guard first); 404 for any other word."""
    try:
        return kind(word)
    except ValueError:
        abort(404)


def fresh_form(form_class: type[BaseForm], prefix: str) -> Any:
    """A form shown empty next to one that was submitted (not filled from its POST)."""
    return form_class(prefix=prefix, formdata=None)


# -- reports ---------------------------------------------------------------------------------


@bp.get("/meldingen-van-leden")
def reviews() -> str:
    """The reports of members per post: open ones first-come first-served, or by status."""
    wanted = request.args.get("status", ReviewStatus.OPEN.value)
    status = None if wanted == ALL else _status(wanted)
    try:
        queue = moderation_queries.review_queue(status, _page_number())
    except NotFound:
        abort(404)
    return render_template(
        "community/admin/reviews.html", queue=queue, statuses=list(ReviewStatus), all=ALL
    )


def _status(value: str) -> ReviewStatus:
    try:
        return ReviewStatus(value)
    except ValueError:
        abort(404)


@bp.route("/meldingen-van-leden/<int:review_id>", methods=["GET", "POST"])
def review(review_id: int) -> ResponseReturnValue:
    """One post's reports, its history, and the decision on them."""
    form = DecisionForm()
    if form.validate_on_submit():
        decision = ReviewStatus(form.decision.data)
        try:
            flagging.decide_review(current_moderator(), review_id, decision, form.reason.data)
        except ModerationError as error:
            if not show_refusal(form, error):
                return redirect(url_for("community_admin.review", review_id=review_id))
        else:
            flash(_("Beslist: %(status)s.", status=decision.label), "success")
            return redirect(url_for("community_admin.reviews"))
    try:
        page = moderation_queries.review_page(review_id)
    except NotFound:
        abort(404)
    status = 400 if form.errors else 200
    return render_template("community/admin/review.html", page=page, form=form), status


# -- held posts (pre-moderation) -------------------------------------------------------------


@bp.get("/ter-goedkeuring")
def held() -> str:
    """New members' posts waiting for a moderator, the longest-waiting first."""
    return render_template("community/admin/held.html", posts=moderation_queries.held_posts())


def _held_page(
    post_id: int, approve: BaseForm | None = None, reject: BaseForm | None = None
) -> ResponseReturnValue:
    try:
        post = moderation_queries.held_post(post_id)
    except NotFound:
        abort(404)
    return render_template(
        "community/admin/held_post.html",
        post=post,
        approve=approve or fresh_form(OptionalReasonForm, "approve"),
        reject=reject or fresh_form(ReasonForm, "reject"),
    ), (400 if (approve and approve.errors) or (reject and reject.errors) else 200)


@bp.get("/ter-goedkeuring/<int:post_id>")
def held_post(post_id: int) -> ResponseReturnValue:
    """A held post in full, to approve or reject."""
    return _held_page(post_id)


@bp.post("/ter-goedkeuring/<int:post_id>/goedkeuren")
def approve_post(post_id: int) -> ResponseReturnValue:
    """Publish a held post."""
    form = OptionalReasonForm(prefix="approve")
    if form.validate_on_submit():
        try:
            premoderation.approve_post(current_moderator(), post_id, form.reason.data or "")
        except ModerationError as error:
            if show_refusal(form, error):
                return _held_page(post_id, approve=form)
        else:
            flash(_("Het bericht is goedgekeurd en voor iedereen zichtbaar."), "success")
        return redirect(url_for("community_admin.held"))
    return _held_page(post_id, approve=form)


@bp.post("/ter-goedkeuring/<int:post_id>/afwijzen")
def reject_post(post_id: int) -> ResponseReturnValue:
    """Refuse a held post, with a reason for its author."""
    form = ReasonForm(prefix="reject")
    if form.validate_on_submit():
        try:
            premoderation.reject_post(current_moderator(), post_id, form.reason.data)
        except ModerationError as error:
            if show_refusal(form, error):
                return _held_page(post_id, reject=form)
        else:
            flash(_("Het bericht is afgewezen; de auteur krijgt de reden te zien."), "success")
        return redirect(url_for("community_admin.held"))
    return _held_page(post_id, reject=form)


# -- a thread --------------------------------------------------------------------------------


def _thread_page(thread_id: int, **submitted: BaseForm) -> ResponseReturnValue:
    try:
        page = moderation_pages.thread_moderation(thread_id)
    except NotFound:
        abort(404)
    forms = {
        name: submitted.get(name) or fresh_form(ReasonForm, name)
        for name in ("pin", "lock", "hide")
    }
    move = submitted.get("move") or fresh_form(MoveForm, "move")
    move.theme.choices = [SelectChoice(theme.id, theme.name) for theme in page.themes]
    status = 400 if any(form.errors for form in submitted.values()) else 200
    return render_template("community/admin/thread.html", page=page, forms=forms, move=move), status


@bp.get("/onderwerp/<int:thread_id>")
def moderate_thread(thread_id: int) -> ResponseReturnValue:
    """A thread's state, the actions on it, and its moderation history."""
    return _thread_page(thread_id)


@bp.post("/onderwerp/<int:thread_id>/<action>")
def thread_action(thread_id: int, action: str) -> ResponseReturnValue:
    """Pin, unpin, lock, unlock, hide or restore a thread."""
    chosen = _chosen(ThreadAction, action)
    name = THREAD_FORM[chosen]
    form = ReasonForm(prefix=name)
    if form.validate_on_submit():
        try:
            moderating.thread_action(current_moderator(), thread_id, chosen, form.reason.data)
        except ModerationError as error:
            if show_refusal(form, error):
                return _thread_page(thread_id, **{name: form})
        else:
            flash(_("Gedaan: %(what)s.", what=_done(chosen)), "success")
        return redirect(url_for("community_admin.moderate_thread", thread_id=thread_id))
    return _thread_page(thread_id, **{name: form})


def _done(action: ThreadAction) -> str:
    return {
        ThreadAction.PIN: _("het onderwerp is vastgezet"),
        ThreadAction.UNPIN: _("het onderwerp is losgemaakt"),
        ThreadAction.LOCK: _("het onderwerp is gesloten"),
        ThreadAction.UNLOCK: _("het onderwerp is heropend"),
        ThreadAction.HIDE: _("het onderwerp is verborgen"),
        ThreadAction.RESTORE: _("het onderwerp is teruggezet"),
    }[action]


@bp.post("/onderwerp/<int:thread_id>/verplaatsen")
def move_thread(thread_id: int) -> ResponseReturnValue:
    """Move a thread to another theme."""
    form = MoveForm(prefix="move")
    form.theme.choices = _theme_choices(thread_id)
    if form.validate_on_submit():
        try:
            moderating.move_thread(
                current_moderator(), thread_id, form.theme.data, form.reason.data
            )
        except ModerationError as error:
            if show_refusal(form, error):
                return _thread_page(thread_id, move=form)
        else:
            flash(_("Het onderwerp is verplaatst."), "success")
        return redirect(url_for("community_admin.moderate_thread", thread_id=thread_id))
    return _thread_page(thread_id, move=form)


def _theme_choices(thread_id: int) -> list[SelectChoice]:
    try:
        page = moderation_pages.thread_moderation(thread_id)
    except NotFound:
        abort(404)
    return [SelectChoice(theme.id, theme.name) for theme in page.themes]


# -- a post ----------------------------------------------------------------------------------


def _post_page(post_id: int, form: BaseForm | None = None) -> ResponseReturnValue:
    try:
        page = moderation_pages.post_moderation(post_id)
    except NotFound:
        abort(404)
    shown = form or fresh_form(ReasonForm, "post")
    status = 400 if form is not None and form.errors else 200
    return render_template("community/admin/post.html", page=page, form=shown), status


@bp.get("/bericht/<int:post_id>")
def moderate_post(post_id: int) -> ResponseReturnValue:
    """A post's state, hiding or restoring it, and its moderation history."""
    return _post_page(post_id)


@bp.post("/bericht/<int:post_id>/<action>")
def post_action(post_id: int, action: str) -> ResponseReturnValue:
    """Hide or restore a post."""
    chosen = _chosen(PostAction, action)
    form = ReasonForm(prefix="post")
    if form.validate_on_submit():
        try:
            moderating.post_action(current_moderator(), post_id, chosen, form.reason.data)
        except ModerationError as error:
            if show_refusal(form, error):
                return _post_page(post_id, form)
        else:
            done = _("verborgen") if chosen is PostAction.HIDE else _("teruggezet")
            flash(_("Het bericht is %(done)s.", done=done), "success")
        return redirect(url_for("community_admin.moderate_post", post_id=post_id))
    return _post_page(post_id, form)


# -- the moderation log ----------------------------------------------------------------------


def _action_filter() -> ModerationAction | None:
    wanted = request.args.get("actie", "")
    if not wanted:
        return None
    try:
        return ModerationAction(wanted)
    except ValueError:
        abort(404)


@bp.get("/moderatielog")
def moderation_log() -> str:
    """Every moderation decision, newest first, perhaps of one kind only."""
    per_page = int(current_app.config["COMMUNITY_MODERATION_LOG_PAGE_SIZE"])
    try:
        page = moderation_queries.log_page(_action_filter(), _page_number(), per_page)
    except NotFound:
        abort(404)
    return render_template(
        "community/admin/moderation_log.html", page=page, actions=list(ModerationAction)
    )


@bp.get("/moderatielog.csv")
def moderation_log_export() -> Response:
    """The log (or one kind of decision) as a CSV file for a spreadsheet."""
    action = _action_filter()
    name = f"moderatielog-{action.value}.csv" if action else "moderatielog.csv"
    return Response(
        moderation_log_csv(action),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
