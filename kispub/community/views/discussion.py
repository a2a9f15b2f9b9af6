"""The discussion: themes, threads, posts, replies, quotes, edits, and what is unread.

Every page works without JavaScript: a quotation is a link (``?citeer=6``) that opens the
reply form filled in, pages are links, and each action is a plain form.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_limiter import RouteLimit
from flask_login import current_user
from werkzeug.wrappers import Response

from kispub.accounts.models import User
from kispub.community import pages
from kispub.community.access import current_member
from kispub.community.forms.discussion import (
    AcceptForm,
    ConfirmForm,
    EditForm,
    ReplyForm,
    ThreadForm,
)
from kispub.community.services import posting, reading
from kispub.community.views import bp
from kispub.core.bounds import clamped_int
from kispub.core.forms import BaseForm
from kispub.core.nonce import submit_once
from kispub.extensions import limiter
from kispub.themes.services import theme_by_slug


def _post_rate_limit() -> str:
    return str(current_app.config["COMMUNITY_POST_RATE_LIMIT"])


def _member_key() -> str:
    # The account, never the address: one member's posts cannot use up another's allowance
    # (many members share one office or municipal network), and a new address does not help.
    return f"community-member:{current_user.id}"


def _anonymous() -> bool:
    return not current_user.is_authenticated


def _posted(response: Response) -> bool:
    """Only what was stored counts against the limit (a refused form does not)."""
    return response.status_code == 302


def _throttled(scope: str) -> RouteLimit:
    """The per-member limit on writing, shared by the routes of one ``scope``."""
    return limiter.shared_limit(
        _post_rate_limit,
        scope=scope,
        methods=["POST"],
        key_func=_member_key,
        exempt_when=_anonymous,
        deduct_when=_posted,
    )


def _user() -> User:
    user: User = current_user._get_current_object()
    return user


def _page_number() -> int:
    return request.args.get("pagina", 1, clamped_int)


def _thread_url(thread_id: int, page: int = 1, anchor: str | None = None) -> str:
    return url_for(
        "community.thread", thread_id=thread_id, pagina=page if page > 1 else None, _anchor=anchor
    )


def _post_url(thread_id: int, number: int) -> str:
    return _thread_url(thread_id, pages.page_of(number), f"bericht-{number}")


def _field_error(form: BaseForm, error: posting.PostingError) -> None:
    field = getattr(form, error.field or "body", None) or form["body"]
    field.errors = [*field.errors, str(error)]


@bp.get("/")
def index() -> str:
    """The community's home: the themes, their activity, and what is unread in each."""
    return render_template("community/index.html", page=pages.index_page(current_member()))


@bp.get("/thema/<slug>")
def theme(slug: str) -> str:
    """A theme's threads, latest activity first, with what is unread."""
    try:
        page = pages.theme_page(current_member(), slug, _page_number())
    except pages.NotFound:
        abort(404)
    return render_template("community/theme.html", page=page, form=ConfirmForm())


@bp.post("/thema/<slug>/gelezen")
def mark_theme_read(slug: str) -> Response:
    """Count every thread of the theme as read."""
    found = theme_by_slug(slug)
    if found is None:
        abort(404)
    if ConfirmForm().validate_on_submit():
        reading.mark_theme_read(current_user.id, found.id)
        flash(_("Alle onderwerpen in %(theme)s zijn gemarkeerd als gelezen.", theme=found.name))
    return redirect(url_for("community.theme", slug=slug))


@bp.route("/thema/<slug>/nieuw", methods=["GET", "POST"])
@_throttled("community-post")
def new_thread(slug: str) -> ResponseReturnValue:
    """Start a thread in a theme."""
    found = theme_by_slug(slug)
    if found is None:
        abort(404)
    form = ThreadForm()
    if form.validate_on_submit():
        new = posting.NewThread(found.id, form.title.data, form.body.data, form.is_question.data)
        try:
            outcome = submit_once(
                form.nonce.data, lambda: _thread_url(posting.start_thread(_user(), new).id)
            )
        except posting.PostingError as error:
            _field_error(form, error)
        else:
            return redirect(outcome.result_url)
    return render_template(
        "community/compose.html", form=form, theme_name=found.name, theme_slug=found.slug
    )


@bp.get("/onderwerp/<int:thread_id>")
def thread(thread_id: int) -> str:
    """One page of a thread; ``?citeer=6`` fills the reply form with a quotation of post 6."""
    try:
        page = pages.thread_page(current_member(), _user(), thread_id, _page_number(), _reply())
    except pages.NotFound:
        abort(404)
    if page.read_up_to is not None:
        reading.record_read(current_user.id, thread_id, page.read_up_to)
    form = ReplyForm(data={"body": page.quote, "reply_to": page.reply_to})
    return render_template("community/thread.html", page=page, form=form, accept=AcceptForm())


def _reply() -> pages.Reply | None:
    quoted = request.args.get("citeer", None, clamped_int)
    if quoted is not None:
        return pages.Reply(quoted, quote=True)
    answered = request.args.get("reageer", None, clamped_int)
    return None if answered is None else pages.Reply(answered, quote=False)


@bp.post("/onderwerp/<int:thread_id>/reageren")
@_throttled("community-post")
def reply(thread_id: int) -> ResponseReturnValue:
    """Add a reply; a resubmitted form adds it once."""
    form = ReplyForm()
    if form.validate_on_submit():
        try:
            outcome = submit_once(form.nonce.data, lambda: _reply_url(thread_id, form))
        except posting.PostingError as error:
            _field_error(form, error)
        else:
            return redirect(outcome.result_url)
    try:
        heading = pages.thread_heading(thread_id)
    except pages.NotFound:
        abort(404)
    return render_template("community/compose.html", form=form, thread=heading), 400


def _reply_url(thread_id: int, form: ReplyForm) -> str:
    post = posting.reply(_user(), thread_id, form.body.data, reply_to_number=form.reply_to.data)
    return _post_url(thread_id, post.number)


@bp.get("/onderwerp/<int:thread_id>/ongelezen")
def first_unread(thread_id: int) -> Response:
    """Go to the first post the member has not read yet (or the last post)."""
    try:
        page, number = pages.first_unread_location(current_member(), thread_id)
    except pages.NotFound:
        abort(404)
    return redirect(_thread_url(thread_id, page, f"bericht-{number}"))


@bp.post("/onderwerp/<int:thread_id>/antwoord")
def accept_answer(thread_id: int) -> Response:
    """Mark a post as the question's accepted answer, or take that back."""
    form = AcceptForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        posting.accept_answer(_user(), thread_id, form.number.data)
    except posting.PostingError as error:
        flash(str(error), "error")
        return redirect(_thread_url(thread_id))
    if form.number.data is None:
        flash(_("Er is nu geen geaccepteerd antwoord."), "success")
        return redirect(_thread_url(thread_id))
    flash(_("Bericht %(n)d is het geaccepteerde antwoord.", n=form.number.data), "success")
    return redirect(_post_url(thread_id, form.number.data))


@bp.get("/bericht/<int:post_id>")
def post(post_id: int) -> Response:
    """A post's permalink: the thread page that holds it, at the post."""
    try:
        thread_id, page, number = pages.post_location(post_id)
    except pages.NotFound:
        abort(404)
    return redirect(_thread_url(thread_id, page, f"bericht-{number}"))


@bp.route("/bericht/<int:post_id>/bewerken", methods=["GET", "POST"])
@_throttled("community-edit")
def edit_post(post_id: int) -> ResponseReturnValue:
    """Change a post; the earlier text stays on its revisions page."""
    try:
        page = pages.editable_post(_user(), post_id)
    except pages.NotFound:
        abort(404)
    first = page.number == 1
    form = EditForm(data={"body": page.body, "title": page.thread.title if first else ""})
    if form.validate_on_submit():
        title = form.title.data if first else None
        try:
            reason = form.reason.data or ""
            posting.edit_post(_user(), post_id, form.body.data, title=title, reason=reason)
        except posting.PostingError as error:
            _field_error(form, error)
        else:
            flash(_("Bericht %(n)d is bewerkt.", n=page.number), "success")
            return redirect(_post_url(page.thread.id, page.number))
    return render_template("community/edit.html", page=page, form=form, first=first)


@bp.route("/bericht/<int:post_id>/verwijderen", methods=["GET", "POST"])
def delete_post(post_id: int) -> ResponseReturnValue:
    """Confirm, then delete one's own post (it keeps its place, without its text)."""
    try:
        page = pages.own_post(_user(), post_id)
    except pages.NotFound:
        abort(404)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            posting.delete_post(_user(), post_id)
        except posting.PostingError as error:
            flash(str(error), "error")
        else:
            flash(_("Bericht %(n)d is verwijderd.", n=page.number), "success")
        return redirect(_post_url(page.thread.id, page.number))
    return render_template("community/delete.html", page=page, form=form)


@bp.get("/bericht/<int:post_id>/versies")
def revisions(post_id: int) -> str:
    """A post's earlier texts."""
    try:
        page = pages.revisions_page(post_id)
    except pages.NotFound:
        abort(404)
    return render_template("community/revisions.html", page=page)
