"""The editors' pages under /beheer/ateliers: create, edit, attendees and their export."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from werkzeug.wrappers import Response

from kispub.accounts.decorators import editor_required
from kispub.ateliers import pages, queries
from kispub.ateliers.export import attendees_csv as attendees_csv_text
from kispub.ateliers.forms import AtelierForm, atelier_form, form_data
from kispub.ateliers.links import related_choices, related_ids
from kispub.ateliers.models import Atelier
from kispub.ateliers.services.editing import (
    AtelierChange,
    AtelierData,
    AtelierError,
    CapacityBelowRegistered,
    create_atelier,
    update_atelier,
)
from kispub.core.nonce import submit_once
from kispub.themes.services import all_themes

bp = Blueprint("ateliers_admin", __name__, url_prefix="/beheer/ateliers")


@bp.get("/")
@editor_required
def index() -> str:
    """Every atelier with its number of attendees and waiting list."""
    overview = pages.overview()
    return render_template(
        "ateliers/admin/index.html", ateliers=overview.ateliers, counts=overview.counts
    )


@bp.route("/nieuw", methods=["GET", "POST"])
@editor_required
def new() -> str | Response:
    """Create an atelier; submitting the same form twice creates one."""
    form = atelier_form(all_themes(), related_choices(), new=True)
    if form.validate_on_submit():
        data = form.to_data()
        try:
            outcome = submit_once(form["nonce"].data, lambda: _create(data))
        except AtelierError as error:
            _show_error(form, error)
        else:
            if not outcome.duplicate:
                flash(_("Het kennisatelier is aangemaakt."), "success")
            return redirect(outcome.result_url)
    return render_template("ateliers/admin/edit.html", form=form, atelier=None)


def _create(data: AtelierData) -> str:
    atelier = create_atelier(data)
    return url_for("ateliers_admin.edit", atelier_id=atelier.id)


@bp.route("/<int:atelier_id>/bewerken", methods=["GET", "POST"])
@editor_required
def edit(atelier_id: int) -> str | Response:
    """Change an atelier; a new time, place or status is mailed to its attendees."""
    atelier = atelier_or_404(atelier_id)
    defaults = form_data(atelier, related_ids(atelier))
    form = atelier_form(all_themes(), related_choices(), data=defaults)
    lower_url = None  # the confirmation page, when fewer places than taken were asked for
    if form.validate_on_submit():
        try:
            change = update_atelier(atelier_id, form.to_data())
        except CapacityBelowRegistered as error:
            _show_error(form, error)
            lower_url = url_for(
                "ateliers_admin.capacity", atelier_id=atelier_id, aantal=error.capacity
            )
        except AtelierError as error:
            _show_error(form, error)
        else:
            flash(_change_message(change), "success")
            return redirect(url_for("ateliers_admin.edit", atelier_id=atelier_id))
    return render_template(
        "ateliers/admin/edit.html",
        form=form,
        atelier=atelier,
        preview=pages.preview_link(atelier),
        lower_capacity_url=lower_url,
    )


def _change_message(change: AtelierChange) -> str:
    if not change.changed:
        return _("Er was niets gewijzigd.")
    message = _("De wijzigingen zijn opgeslagen.")
    if change.significant:
        message += " " + _("Aangemelde deelnemers en de wachtlijst hebben een e-mail gekregen.")
    if change.promoted:
        message += " " + ngettext(
            "%(num)d persoon van de wachtlijst kreeg een plaats.",
            "%(num)d personen van de wachtlijst kregen een plaats.",
            len(change.promoted),
        )
    return message


def _show_error(form: AtelierForm, error: AtelierError) -> None:
    field = form.field_for(error.field)
    field.errors = [*field.errors, str(error)]


@bp.get("/<int:atelier_id>/deelnemers")
@editor_required
def attendees(atelier_id: int) -> str:
    """Who is registered and who is waiting (personal data: editors only)."""
    atelier = atelier_or_404(atelier_id)
    people = queries.attendees(atelier_id)
    return render_template("ateliers/admin/attendees.html", atelier=atelier, attendees=people)


@bp.get("/<int:atelier_id>/deelnemers.csv")
@editor_required
def attendees_csv(atelier_id: int) -> Response:
    """The attendee list as CSV, safe to open in a spreadsheet."""
    atelier = atelier_or_404(atelier_id)
    response = Response(attendees_csv_text(atelier_id), mimetype="text/csv")
    filename = f"deelnemers-{atelier.slug}.csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def atelier_or_404(atelier_id: int) -> Atelier:
    """The atelier of a back-office URL, or a 404 (shared by the back office's modules)."""
    atelier = queries.get_atelier(atelier_id)
    if atelier is None:
        abort(404)
    return atelier
