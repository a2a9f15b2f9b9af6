"""E-mail to attendees: confirmation, waiting list, promotion, changes and cancellation.

Messages go out after the transaction that caused them has committed; a mail server
that is down is logged and does not undo a registration.
"""

from __future__ import annotations

import logging
import smtplib

from flask import current_app, render_template
from sqlalchemy import select

from kispub.ateliers.calendar import atelier_ics
from kispub.ateliers.models import Atelier, AtelierStatus, Registration
from kispub.ateliers.tokens import make_registration_token
from kispub.core.mail import Attachment, send_mail
from kispub.core.urls import absolute_url
from kispub.extensions import db

log = logging.getLogger(__name__)


def manage_url(registration: Registration) -> str:
    """The signed link where an attendee sees or cancels their registration."""
    token = make_registration_token(registration.id, registration.atelier_id, registration.email)
    return absolute_url("ateliers.registration", token=token)


def ics_attachment(atelier: Atelier) -> Attachment:
    """The attendee's own .ics: with the meeting link, the same UID as every feed."""
    content = atelier_ics(atelier, with_conference=True)
    return Attachment(f"{atelier.slug}.ics", content, "text", "calendar", {"method": "PUBLISH"})


def _deliver(registration: Registration, subject: str, template: str, **context: object) -> None:
    atelier = registration.atelier
    attachments = (ics_attachment(atelier),) if registration.is_registered else ()
    body = render_template(
        f"ateliers/mail/{template}.txt",
        registration=registration,
        atelier=atelier,
        page_url=absolute_url("ateliers.show", slug=atelier.slug),
        manage_url=manage_url(registration),
        retention_days=current_app.config["ATELIER_ATTENDEE_RETENTION_DAYS"],
        **context,
    )
    try:
        send_mail(registration.email, subject, body, attachments)
    except (smtplib.SMTPException, OSError):
        log.exception("could not mail %s about atelier %s", template, atelier.id)


def send_registration_confirmation(registration: Registration) -> None:
    """Confirm a seat (with the .ics) or a place on the waiting list."""
    title = registration.atelier.title
    if registration.is_registered:
        _deliver(registration, f"Aanmelding bevestigd: {title}", "registered")
    else:
        _deliver(registration, f"U staat op de wachtlijst: {title}", "waitlisted")


def send_promotion(registration: Registration) -> None:
    """Tell someone from the waiting list that a seat is theirs."""
    _deliver(
        registration,
        f"Er is een plaats voor u vrijgekomen: {registration.atelier.title}",
        "promoted",
    )


def send_atelier_changed(atelier: Atelier) -> None:
    """Tell everyone registered or waiting that the time, place or status changed."""
    registrations = db.session.scalars(
        select(Registration).where(Registration.atelier_id == atelier.id).order_by(Registration.id)
    )
    if atelier.status is AtelierStatus.CANCELLED:
        subject, template = f"Geannuleerd: {atelier.title}", "cancelled"
    else:
        subject, template = f"Gewijzigd: {atelier.title}", "changed"
    for registration in registrations:
        _deliver(registration, subject, template)
