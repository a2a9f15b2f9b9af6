"""Notifications and watch levels: the notifications page, marking read, choosing a level.

Opening a notification is a link (``/meldingen/<id>``) that marks it read and goes on to the
post; every other change is a plain form, so nothing needs JavaScript.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from kispub.accounts.models import User
from kispub.community import notices
from kispub.community.forms.notifications import MarkReadForm, WatchForm
from kispub.community.pages import NotFound
from kispub.community.services import notifying, watching
from kispub.community.views import bp
from kispub.core.bounds import clamped_int
from kispub.themes.services import theme_by_slug


def _user() -> User:
    user: User = current_user._get_current_object()
    return user


@bp.get("/meldingen")
def notifications() -> str:
    """The member's notifications, newest first, unread ones marked."""
    try:
        page = notices.notifications_page(
            current_user.id, request.args.get("pagina", 1, clamped_int)
        )
    except NotFound:
        abort(404)
    return render_template("community/notifications.html", page=page)


@bp.get("/meldingen/<int:notification_id>")
def open_notification(notification_id: int) -> Response:
    """Mark one of the member's notifications read and go to what it is about."""
    target = notifying.open_notification(current_user.id, notification_id)
    if target is None:
        abort(404)
    post_id, thread_id = target
    if post_id is not None:
        return redirect(url_for("community.post", post_id=post_id))
    if thread_id is not None:
        return redirect(url_for("community.thread", thread_id=thread_id))
    return redirect(url_for("community.notifications"))


@bp.post("/meldingen/<int:notification_id>/gelezen")
def mark_notification_read(notification_id: int) -> Response:
    """Mark one notification read without opening it."""
    if not MarkReadForm().validate_on_submit():
        abort(400)
    if not notifying.mark_read(current_user.id, notification_id):
        abort(404)
    flash(_("De melding is gemarkeerd als gelezen."), "success")
    return redirect(url_for("community.notifications", pagina=_page_to_return_to()))


@bp.post("/meldingen/gelezen")
def mark_all_notifications_read() -> Response:
    """Mark every notification of the member read."""
    if not MarkReadForm().validate_on_submit():
        abort(400)
    notifying.mark_all_read(current_user.id)
    flash(_("Alle meldingen zijn gemarkeerd als gelezen."), "success")
    return redirect(url_for("community.notifications"))


def _page_to_return_to() -> int | None:
    page = request.args.get("pagina", 1, clamped_int)
    return page if page > 1 else None


@bp.post("/onderwerp/<int:thread_id>/volgen")
def watch_thread(thread_id: int) -> Response:
    """Choose how closely to follow a thread."""
    form = WatchForm()
    back = url_for("community.thread", thread_id=thread_id, _anchor="volgen")
    if not form.validate_on_submit():
        flash(_("Kies hoe u dit onderwerp wilt volgen."), "error")
        return redirect(back)
    try:
        watching.set_thread_level(_user(), thread_id, form.chosen)
    except watching.WatchError:
        abort(404)
    flash(_("U volgt dit onderwerp nu op niveau %(level)s.", level=form.chosen.label), "success")
    return redirect(back)


@bp.post("/thema/<slug>/volgen")
def watch_theme(slug: str) -> Response:
    """Choose how closely to follow a theme (its threads inherit it)."""
    found = theme_by_slug(slug)
    if found is None:
        abort(404)
    form = WatchForm()
    back = url_for("community.theme", slug=slug, _anchor="volgen")
    if not form.validate_on_submit():
        flash(_("Kies hoe u dit thema wilt volgen."), "error")
        return redirect(back)
    try:
        watching.set_theme_level(_user(), found.id, form.chosen)
    except watching.WatchError:
        abort(404)
    flash(
        _("U volgt %(theme)s nu op niveau %(level)s.", theme=found.name, level=form.chosen.label),
        "success",
    )
    return redirect(back)
