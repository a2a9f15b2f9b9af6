"""E-mail to attendees: confirmation, waiting list, promotion, changes and cancellation.

The builders (``registration_confirmation``, ``promotion``, ``atelier_changed``) return
``AtelierMail`` values — recipient, subject, body, attachments and a ``key`` naming the
message — from the state a service just wrote. ``queue`` puts them in the outbox in that
same write transaction: the worker delivers them after the commit, with retries, and a
rolled-back change sends nothing.

The ``key`` is stable for one message and unique across messages (ids plus a timestamp,
never an address): the outbox refuses a key twice, and it gives the stable Message-ID.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from flask import current_app, render_template
from flask_babel import gettext as _

from kispub.ateliers.calendar.feeds import atelier_ics
from kispub.ateliers.models import Atelier, AtelierStatus, Registration
from kispub.ateliers.tokens import make_registration_token
from kispub.core import clock
from kispub.core.mail import Attachment, build_message
from kispub.core.outbox import queue_mail
from kispub.core.urls import absolute_url


@dataclass(frozen=True)
class AtelierMail:
    """One composed message to one attendee."""

    key: str
    to: str
    subject: str
    body: str
    attachments: tuple[Attachment, ...] = ()


def registration_confirmation(registration: Registration) -> AtelierMail:
    """Confirm a seat (with the .ics) or a place on the waiting list."""
    title = registration.atelier.title
    if registration.is_registered:
        return _compose(registration, f"Aanmelding bevestigd: {title}", "registered")
    return _compose(registration, f"U staat op de wachtlijst: {title}", "waitlisted")


def promotion(registration: Registration) -> AtelierMail:
    """Tell someone from the waiting list that a seat is theirs."""
    subject = f"Er is een plaats voor u vrijgekomen: {registration.atelier.title}"
    return _compose(registration, subject, "promoted")


def already_registered(registration: Registration) -> AtelierMail:
    """Tell an address that registered again that it already has a seat or a place in line.

    One such message per registration per hour at most (the hour is in the key, and the
    outbox refuses a key twice): the form cannot be used to flood someone's mailbox.
    """
    hour = clock.now().strftime("%Y%m%dT%H")
    subject = _("U was al aangemeld: %(title)s", title=registration.atelier.title)
    return _compose(registration, subject, "already_registered", f"repeat-{hour}", ics=False)


def removal(registration: Registration) -> AtelierMail:
    """Tell someone an editor took them off the list; composed before the row goes."""
    subject = _("Afgemeld: %(title)s", title=registration.atelier.title)
    return _compose(registration, subject, "removed", ics=False)


def editor_message(registration: Registration, subject: str, text: str, batch: str) -> AtelierMail:
    """An editor's own plain-text message to one attendee; ``batch`` names the sending."""
    return _compose(registration, subject, "message", f"message-{batch}", ics=False, text=text)


def moved_back(registration: Registration) -> AtelierMail:
    """Tell someone their seat went back to the waiting list (fewer places), at its front."""
    subject = _("U staat weer op de wachtlijst: %(title)s", title=registration.atelier.title)
    # Moved back more than once is possible: each time is its own message.
    occasion = "moved-" + clock.now().strftime("%Y%m%dT%H%M%S%f")
    return _compose(registration, subject, "moved_back", occasion)


def atelier_changed(atelier: Atelier, registrations: Iterable[Registration]) -> list[AtelierMail]:
    """Tell everyone registered or waiting that the time, place or status changed."""
    if atelier.status is AtelierStatus.CANCELLED:
        subject, template = f"Geannuleerd: {atelier.title}", "cancelled"
    else:
        subject, template = f"Gewijzigd: {atelier.title}", "changed"
    # SEQUENCE goes up with every significant change: one message per change per person.
    return [
        _compose(registration, subject, template, f"sequence-{atelier.sequence}")
        for registration in registrations
    ]


def queue(mails: Sequence[AtelierMail]) -> None:
    """Put composed messages in the outbox; call inside the write transaction that caused them."""
    for mail in mails:
        message = build_message(mail.to, mail.subject, mail.body, mail.attachments, key=mail.key)
        queue_mail(message, mail.key)


def manage_url(registration: Registration) -> str:
    """The signed link where an attendee sees or cancels their registration."""
    token = make_registration_token(registration.id, registration.atelier_id, registration.email)
    return absolute_url("ateliers.registration", token=token)


def ics_attachment(atelier: Atelier) -> Attachment:
    """The attendee's own .ics: with the meeting link, the same UID as every feed."""
    content = atelier_ics(atelier, with_conference=True)
    return Attachment(f"{atelier.slug}.ics", content, "text", "calendar", {"method": "PUBLISH"})


def _compose(
    registration: Registration,
    subject: str,
    template: str,
    occasion: str = "",
    *,
    ics: bool = True,
    **context: Any,
) -> AtelierMail:
    atelier = registration.atelier
    attachments = (ics_attachment(atelier),) if ics and registration.is_registered else ()
    body = render_template(
        f"ateliers/mail/{template}.txt",
        registration=registration,
        atelier=atelier,
        page_url=absolute_url("ateliers.show", slug=atelier.slug),
        manage_url=manage_url(registration),
        retention_days=current_app.config["ATELIER_ATTENDEE_RETENTION_DAYS"],
        **context,
    )
    key = _key(registration, template, occasion)
    return AtelierMail(key, registration.email, subject, body, attachments)


def key_prefix(atelier_id: int) -> str:
    """What the key of every mail to an atelier's attendees starts with."""
    return f"atelier:{atelier_id}:registration:"


def _key(registration: Registration, template: str, occasion: str) -> str:
    # A registration id can come back after a deletion (SQLite reuses the highest rowid);
    # its creation time cannot.
    created = registration.created_at.strftime("%Y%m%dT%H%M%S%f")
    parts = [str(registration.id), created, template, *([occasion] if occasion else [])]
    return key_prefix(registration.atelier_id) + ":".join(parts)
