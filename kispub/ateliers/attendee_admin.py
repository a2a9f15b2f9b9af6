"""The editors' attendee management under /beheer/ateliers/<id>/deelnemers/.

Add someone by hand, remove someone (on a page of its own), give someone on the waiting
list a seat ahead of the queue, and mail everyone. Every action is a POST with CSRF that
works without JavaScript; one that cannot be undone, or that takes the atelier above its
capacity, is confirmed on a page that says what will happen.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from werkzeug.wrappers import Response

from kispub.accounts.decorators import editor_required
from kispub.ateliers import queries
from kispub.ateliers.admin import atelier_or_404
from kispub.ateliers.attendee_forms import AddAttendeeForm, ConfirmForm, MessageForm
from kispub.ateliers.models import Registration
from kispub.ateliers.seats import waiting_list
from kispub.ateliers.services import attendees as service
from kispub.ateliers.services.registration import RegistrationData
from kispub.core.nonce import submit_once

bp = Blueprint("ateliers_attendees", __name__, url_prefix="/beheer/ateliers")


@bp.route("/<int:atelier_id>/deelnemers/toevoegen", methods=["GET", "POST"])
@editor_required
def add(atelier_id: int) -> str | Response:
    """Add someone: a seat if one is free, else the waiting list; they get the usual e-mail."""
    atelier = atelier_or_404(atelier_id)
    form = AddAttendeeForm()
    if form.validate_on_submit():
        data = form.to_data()
        try:
            outcome = submit_once(form.nonce.data, lambda: _add(atelier_id, data))
        except service.AttendeeError as error:
            field = form[error.field] if error.field in ("name", "email") else form.email
            field.errors = [*field.errors, str(error)]
        else:
            return redirect(outcome.result_url)
    return render_template("ateliers/admin/attendee_add.html", atelier=atelier, form=form)


def _add(atelier_id: int, data: RegistrationData) -> str:
    registration = service.add_attendee(atelier_id, data)
    if registration.is_registered:
        flash(_("%(name)s heeft een plaats gekregen en een bevestiging per e-mail.",
                name=registration.name), "success")  # fmt: skip
    else:
        flash(_("Het kennisatelier is vol: %(name)s staat op de wachtlijst en heeft een "
                "e-mail gekregen.", name=registration.name), "success")  # fmt: skip
    return _list_url(atelier_id)


@bp.route("/<int:atelier_id>/deelnemers/<int:registration_id>/verwijderen", methods=["GET", "POST"])
@editor_required
def remove(atelier_id: int, registration_id: int) -> str | Response:
    """Show who is removed and what follows; remove on POST."""
    atelier = atelier_or_404(atelier_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            removal = service.remove_attendee(atelier_id, registration_id)
        except service.AttendeeError as error:
            flash(str(error), "error")
        else:
            flash(_removed_message(removal), "success")
        return redirect(_list_url(atelier_id))
    registration = _registration_or_404(atelier_id, registration_id)
    return render_template(
        "ateliers/admin/attendee_remove.html",
        atelier=atelier,
        registration=registration,
        first_waiting=_first_waiting(atelier_id) if registration.is_registered else None,
        form=form,
    )


def _removed_message(removal: service.Removal) -> str:
    message = _("%(name)s is afgemeld en heeft een e-mail gekregen.", name=removal.name)
    if removal.promoted:
        names = ", ".join(r.name for r in removal.promoted)
        message += " " + _("De vrije plaats ging naar %(names)s.", names=names)
    return message


@bp.route("/<int:atelier_id>/deelnemers/<int:registration_id>/plaats", methods=["GET", "POST"])
@editor_required
def promote(atelier_id: int, registration_id: int) -> str | Response:
    """Give someone on the waiting list a seat; above capacity only after confirming."""
    atelier = atelier_or_404(atelier_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        confirmed = request.form.get("boven_maximum") == "1"
        try:
            made = service.promote_attendee(atelier_id, registration_id, over_capacity=confirmed)
        except service.OverCapacity:
            return redirect(url_for(".promote", atelier_id=atelier_id,
                                    registration_id=registration_id))  # fmt: skip
        except service.AttendeeError as error:
            flash(str(error), "error")
        else:
            flash(_("%(name)s heeft een plaats gekregen en een e-mail.", name=made.name),
                  "success")  # fmt: skip
        return redirect(_list_url(atelier_id))
    registration = _registration_or_404(atelier_id, registration_id)
    taken = queries.attendance_counts([atelier_id])[atelier_id].registered
    return render_template(
        "ateliers/admin/attendee_promote.html",
        atelier=atelier,
        registration=registration,
        taken=taken,
        form=form,
    )


@bp.route("/<int:atelier_id>/deelnemers/bericht", methods=["GET", "POST"])
@editor_required
def message(atelier_id: int) -> str | Response:
    """Write a message, see how many get it, then send it: one e-mail per person."""
    atelier = atelier_or_404(atelier_id)
    form = MessageForm()
    if form.validate_on_submit():
        audience = service.Audience(form.audience.data)
        if request.form.get("aanpassen"):  # back from the confirmation, with what was typed
            return render_template(
                "ateliers/admin/attendee_message.html", atelier=atelier, form=form
            )
        if form.confirmed.data != "1":
            count = len(service.recipients(atelier_id, audience))
            return render_template(
                "ateliers/admin/attendee_message_confirm.html",
                atelier=atelier,
                form=form,
                count=count,
            )
        subject, text, nonce = form.subject.data, form.text.data, form.nonce.data
        outcome = submit_once(nonce, lambda: _send(atelier_id, audience, subject, text, nonce))
        return redirect(outcome.result_url)
    return render_template("ateliers/admin/attendee_message.html", atelier=atelier, form=form)


def _send(atelier_id: int, audience: service.Audience, subject: str, text: str, nonce: str) -> str:
    sent = service.mail_attendees(atelier_id, audience, subject, text, nonce)
    flash(ngettext("Het bericht gaat naar %(num)d persoon.",
                   "Het bericht gaat naar %(num)d personen.", sent), "success")  # fmt: skip
    return _list_url(atelier_id)


def _list_url(atelier_id: int) -> str:
    return url_for("ateliers_admin.attendees", atelier_id=atelier_id)


def _registration_or_404(atelier_id: int, registration_id: int) -> Registration:
    registration = queries.registration_of(atelier_id, registration_id)
    if registration is None:
        abort(404)
    return registration


def _first_waiting(atelier_id: int) -> Registration | None:
    waiting = waiting_list(atelier_id)
    return waiting[0] if waiting else None
