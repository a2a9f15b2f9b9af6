"""The back office hub (/beheer/) and the pages for admins that no feature owns: the outbox."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from kispub.accounts.decorators import admin_required, moderator_required
from kispub.core import backoffice, outbox
from kispub.core.bounds import clamped_int

bp = Blueprint("admin", __name__, url_prefix="/beheer")


@bp.get("/")
@moderator_required
def hub() -> str:
    """Every back office the user may use, each with what needs attention."""
    return render_template("admin/hub.html", sections=backoffice.hub_for(current_user))


@bp.get("/outbox")
@admin_required
def outbox_index() -> str:
    """Outgoing mail, newest first, with delivery status and errors."""
    number = request.args.get("pagina", 1, type=clamped_int)
    if number < 1:
        abort(404)
    page = outbox.outbox_page(number)
    if number > page.pages:
        abort(404)
    return render_template("admin/outbox.html", page=page, Status=outbox.OutboxStatus)


@bp.post("/outbox/<int:message_id>/opnieuw")
@admin_required
def outbox_retry(message_id: int) -> Response:
    """Queue a failed message again."""
    if outbox.retry_message(message_id):
        flash(_("Het bericht staat weer in de wachtrij."), "success")
    else:
        flash(_("Alleen mislukte berichten kunnen opnieuw worden verstuurd."), "error")
    number = request.args.get("pagina", 1, type=clamped_int)
    return redirect(url_for("admin.outbox_index", pagina=number))
