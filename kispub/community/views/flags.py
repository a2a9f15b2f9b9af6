"""Reporting a post to the moderators: a plain form reached by "Meld bericht 6"."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from kispub.accounts.models import User
from kispub.community import moderation_pages, pages
from kispub.community.forms.moderation import FlagForm
from kispub.community.models import FlagReason
from kispub.community.services import flagging
from kispub.community.services.modlog import ModerationError
from kispub.community.views import bp


@bp.route("/bericht/<int:post_id>/melden", methods=["GET", "POST"])
def flag_post(post_id: int) -> ResponseReturnValue:
    """Report someone else's post, once, with a reason."""
    user: User = current_user._get_current_object()
    try:
        page = moderation_pages.flag_page(user, post_id)
    except pages.NotFound:
        abort(404)
    form = FlagForm()
    if not page.already_flagged and form.validate_on_submit():
        try:
            flagging.flag_post(user, post_id, FlagReason(form.reason.data), form.note.data or "")
        except ModerationError as error:
            target = form[error.field] if error.field else form.reason
            target.errors = [*target.errors, str(error)]
        else:
            flash(_("Dank u. Een moderator bekijkt uw melding."), "success")
            return redirect(url_for("community.post", post_id=post_id))
    return render_template("community/flag.html", page=page, form=form)
