"""The editors' confirmation pages: cancelling an atelier and lowering its places.

Each GET shows what will happen and who gets an e-mail; only the POST of its form (with
CSRF) does it. No JavaScript: the page itself is the confirmation. The routes join the
back office's blueprint (``admin.bp``).
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from kispub.accounts.decorators import editor_required
from kispub.ateliers import pages
from kispub.ateliers.admin import atelier_or_404, bp
from kispub.ateliers.services.editing import MAX_CAPACITY, MIN_CAPACITY, AtelierError
from kispub.ateliers.services.lifecycle import cancel_atelier, lower_capacity
from kispub.core.bounds import clamped_int


@bp.route("/<int:atelier_id>/annuleren", methods=["GET", "POST"])
@editor_required
def cancel(atelier_id: int) -> str | Response:
    """Cancel an atelier after seeing who will be told."""
    atelier = atelier_or_404(atelier_id)
    form = FlaskForm()
    if not atelier.is_cancelled and form.validate_on_submit():
        try:
            _, mailed = cancel_atelier(atelier_id)
        except AtelierError as error:
            flash(str(error), "error")
        else:
            flash(_cancelled_message(mailed), "success")
        return redirect(url_for("ateliers_admin.edit", atelier_id=atelier_id))
    page = pages.cancel_page(atelier)
    return render_template("ateliers/admin/cancel.html", page=page, atelier=atelier, form=form)


def _cancelled_message(mailed: int) -> str:
    message = _("Het kennisatelier is geannuleerd.")
    if mailed:
        message += " " + ngettext(
            "%(num)d persoon krijgt een e-mail.", "%(num)d personen krijgen een e-mail.", mailed
        )
    return message


@bp.route("/<int:atelier_id>/plaatsen", methods=["GET", "POST"])
@editor_required
def capacity(atelier_id: int) -> str | Response:
    """Set fewer places than are taken, after seeing who goes back to the waiting list."""
    atelier = atelier_or_404(atelier_id)
    source = request.form if request.method == "POST" else request.args
    wanted = source.get("aantal", 0, clamped_int)
    if not MIN_CAPACITY <= wanted <= MAX_CAPACITY:
        abort(404)
    form = FlaskForm()
    if form.validate_on_submit():
        try:
            moved = lower_capacity(atelier_id, wanted)
        except AtelierError as error:
            flash(str(error), "error")
        else:
            flash(_capacity_message(wanted, len(moved)), "success")
        return redirect(url_for("ateliers_admin.edit", atelier_id=atelier_id))
    page = pages.capacity_page(atelier, wanted)
    return render_template("ateliers/admin/capacity.html", page=page, atelier=atelier, form=form)


def _capacity_message(capacity: int, moved: int) -> str:
    message = ngettext(
        "Het kennisatelier heeft nu %(num)d plaats.",
        "Het kennisatelier heeft nu %(num)d plaatsen.",
        capacity,
    )
    if moved:
        message += " " + ngettext(
            "%(num)d aanmelding staat weer op de wachtlijst en kreeg een e-mail.",
            "%(num)d aanmeldingen staan weer op de wachtlijst en kregen een e-mail.",
            moved,
        )
    return message
