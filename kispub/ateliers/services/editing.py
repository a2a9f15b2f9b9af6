"""Creating and changing kennisateliers: the rules every atelier keeps, and its links."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from kispub.ateliers import notifications
from kispub.ateliers.links import KIND, related_kinds
from kispub.ateliers.models import (
    Atelier,
    AtelierPerson,
    AtelierPublication,
    AtelierStatus,
    PersonRole,
    Registration,
)
from kispub.ateliers.queries import attendees
from kispub.ateliers.seats import locked_atelier, promote_waitlisted, registered_counts
from kispub.core import clock
from kispub.core.bounds import check_year
from kispub.core.database import write_transaction
from kispub.core.links import link_choices, linked_ids, set_links
from kispub.core.text import SLUG, clean_line, clean_text, slugify
from kispub.extensions import db
from kispub.themes.services import themes_by_slugs

SLUG_PATTERN = SLUG  # matched whole (fullmatch): "slug\n" is not a slug
MAX_CAPACITY = 10_000
# An atelier without seats is no atelier; "no maximum" is an empty field (None).
MIN_CAPACITY = 1
# Paths under /kennisateliers/ that pages of the channel itself use.
RESERVED_SLUGS = frozenset({"mijn", "agenda", "aanmelding", "thema", "archief", "voorbeeld"})
EDITABLE = (
    "title", "slug", "description", "starts_at", "ends_at", "venue_name", "venue_address",
    "online", "online_url", "capacity", "registration_deadline_at", "status", "publication",
    "publish_at",
)  # fmt: skip
# A change to one of these raises SEQUENCE and is e-mailed to attendees (RFC 5546 3.2.2
# names time and status; the place and the meeting link are what attendees act on).
SIGNIFICANT = (
    "starts_at", "ends_at", "venue_name", "venue_address", "online", "online_url", "status",
)  # fmt: skip


def capacity_message() -> str:
    """The rule for the number of places, in the editor's words."""
    return _("Vul een aantal plaatsen van 1 tot en met 10.000 in, of laat het veld leeg.")


class AtelierError(ValueError):
    """Data an atelier cannot have; the message is for the editor, ``field`` says where."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class CapacityBelowRegistered(AtelierError):
    """Fewer places than people holding a seat: only the confirmation page may do that."""

    def __init__(self, capacity: int, registered: int) -> None:
        message = ngettext(
            "Er is al %(num)d aanmelding; minder plaatsen kan alleen als u bevestigt dat de "
            "laatste aanmeldingen terug naar de wachtlijst gaan.",
            "Er zijn al %(num)d aanmeldingen; minder plaatsen kan alleen als u bevestigt dat "
            "de laatste aanmeldingen terug naar de wachtlijst gaan.",
            registered,
        )
        super().__init__(message, "capacity")
        self.capacity = capacity
        self.registered = registered


@dataclass(frozen=True)
class PersonData:
    """A speaker or host as an editor enters them."""

    name: str
    affiliation: str = ""


def parse_people(lines: Iterable[str]) -> tuple[PersonData, ...]:
    """People from "Naam, organisatie" lines; blank lines are skipped."""
    people = []
    for line in lines:
        name, _, affiliation = clean_line(str(line)).partition(",")
        if name.strip():
            people.append(PersonData(name.strip(), affiliation.strip()))
    return tuple(people)


@dataclass(frozen=True)
class AtelierData:
    """Everything an editor or a content file says about an atelier."""

    title: str
    starts_at: datetime
    ends_at: datetime
    slug: str | None = None
    description: str = ""
    theme_slugs: tuple[str, ...] = ()
    venue_name: str | None = None
    venue_address: str | None = None
    online: bool = False
    online_url: str | None = None
    capacity: int | None = None
    registration_deadline_at: datetime | None = None
    status: AtelierStatus = AtelierStatus.SCHEDULED
    # Content files publish unless they say otherwise; the editors' form starts as a draft.
    publication: AtelierPublication = AtelierPublication.PUBLISHED
    publish_at: datetime | None = None  # None: now (or, once published, when it was)
    speakers: tuple[PersonData, ...] = ()
    hosts: tuple[PersonData, ...] = ()
    # Ids per content kind ("episode": (4, 2)); a kind given replaces its links, a kind
    # left out (or None: content files) leaves them as they are.
    related: Mapping[str, tuple[int, ...]] | None = None


@dataclass(frozen=True)
class AtelierChange:
    """What saving an atelier did."""

    atelier: Atelier
    created: bool
    changed: bool
    significant: bool  # time, place or status: SEQUENCE went up, attendees hear of it
    promoted: tuple[Registration, ...] = ()


def save_atelier(
    atelier_id: int | None, data: AtelierData, *, notify: bool = False
) -> AtelierChange:
    """Create (no id) or update an atelier and its links in one transaction.

    With ``notify``, attendees hear of a new time, place or status, and of a freed seat;
    content files save without it (see ``update_atelier``).
    """
    check_atelier_data(data)
    check_related(data.related)
    try:
        with write_transaction():
            change = _save(atelier_id, data, notify)
            if notify:
                notifications.queue(_mails(change))
    except IntegrityError as error:
        if "slug" not in str(error.orig):
            raise
        # A concurrent save took the slug between the check and the insert.
        raise AtelierError(_("Er is al een kennisatelier met deze korte naam."), "slug") from error
    return change


def create_atelier(data: AtelierData) -> Atelier:
    """Create an atelier."""
    return save_atelier(None, data).atelier


def update_atelier(atelier_id: int, data: AtelierData) -> AtelierChange:
    """Change an atelier; attendees hear of a new time, place or status, and of a freed seat.

    Cancelling is not a change of the form: it has its own confirmation page
    (``lifecycle.cancel_atelier``), so that one mis-click mails nobody.
    """
    return save_atelier(atelier_id, data, notify=True)


def _save(atelier_id: int | None, data: AtelierData, notify: bool = False) -> AtelierChange:
    atelier = _new_atelier() if atelier_id is None else locked_atelier(atelier_id)
    if atelier is None:
        raise AtelierError(_("Dit kennisatelier bestaat niet (meer)."))
    before = None if atelier_id is None else _state(atelier)
    if before is not None and notify:
        _check_editor_change(atelier, data)
    atelier.slug = data.slug or atelier.slug or slugify(data.title)
    _require_free_slug(atelier.slug, atelier.id)
    _apply(atelier, data)
    db.session.add(atelier)
    db.session.flush()
    links_changed = _set_related(atelier.id, data.related)
    if before is None:
        return AtelierChange(atelier, created=True, changed=True, significant=False)
    after = _state(atelier)
    significant = _significant(before) != _significant(after)
    changed = before != after or links_changed
    if changed:
        atelier.updated_at = clock.now()
    if significant:
        atelier.sequence += 1
    # A larger capacity (or a new date) can free seats for the waiting list.
    promoted = tuple(promote_waitlisted(atelier))
    return AtelierChange(atelier, False, changed, significant, promoted)


def _check_editor_change(atelier: Atelier, data: AtelierData) -> None:
    """What the edit form may not do: cancel, or take seats from people who hold one."""
    if data.status is AtelierStatus.CANCELLED and not atelier.is_cancelled:
        raise AtelierError(_("Annuleren gaat via de knop ‘Kennisatelier annuleren’."), "status")
    if data.capacity is not None and data.capacity != atelier.capacity:
        registered = registered_counts([atelier.id])[atelier.id]
        if data.capacity < registered:
            raise CapacityBelowRegistered(data.capacity, registered)


def _mails(change: AtelierChange) -> list[notifications.AtelierMail]:
    """Everyone concerned hears of a significant change; the promoted of their seat too."""
    mails: list[notifications.AtelierMail] = []
    if change.significant:
        mails += notifications.atelier_changed(change.atelier, attendees(change.atelier.id))
    mails += [notifications.promotion(registration) for registration in change.promoted]
    return mails


def check_atelier_data(data: AtelierData) -> None:
    """The rules every atelier keeps, whoever enters it (the form checks them too)."""
    if not clean_line(data.title):
        raise AtelierError(_("Vul een titel in."), "title")
    if data.slug is not None and not SLUG_PATTERN.fullmatch(data.slug):
        raise AtelierError(
            _("Gebruik voor de korte naam alleen kleine letters, cijfers en streepjes."), "slug"
        )
    if data.ends_at <= data.starts_at:
        raise AtelierError(_("Het einde moet na het begin liggen."), "ends_at")
    if data.capacity is not None and not MIN_CAPACITY <= data.capacity <= MAX_CAPACITY:
        raise AtelierError(capacity_message(), "capacity")
    _check_years(data)
    deadline = data.registration_deadline_at
    if deadline is not None and deadline > data.starts_at:
        raise AtelierError(
            _("De aanmelddeadline mag niet na het begin liggen."), "registration_deadline_at"
        )
    if not (data.venue_name or data.venue_address or data.online):
        raise AtelierError(_("Vul een locatie in, of kies voor online."), "venue_name")
    if data.online_url and not is_web_url(data.online_url):
        raise AtelierError(_("Vul een geldige link in die begint met https://."), "online_url")


def _check_years(data: AtelierData) -> None:
    """Every moment between 1900 and 2100 (a content file is checked like a form)."""
    moments = {
        "starts_at": data.starts_at,
        "ends_at": data.ends_at,
        "registration_deadline_at": data.registration_deadline_at,
    }
    for name, moment in moments.items():
        try:
            check_year(moment)
        except ValueError as error:
            raise AtelierError(str(error), name) from error


def is_web_url(value: str) -> bool:
    """An absolute http(s) URL with a host."""
    parts = urlsplit(value.strip())
    return parts.scheme in {"http", "https"} and bool(parts.hostname) and " " not in value


def _new_atelier() -> Atelier:
    now = clock.now()
    return Atelier(sequence=0, created_at=now, updated_at=now, people=[], themes=[])


def _require_free_slug(slug: str, atelier_id: int | None) -> None:
    if not SLUG_PATTERN.fullmatch(slug) or slug in RESERVED_SLUGS:
        raise AtelierError(_("Kies een andere korte naam: deze is niet beschikbaar."), "slug")
    statement = select(Atelier.id).where(Atelier.slug == slug)
    if atelier_id is not None:
        statement = statement.where(Atelier.id != atelier_id)
    if db.session.scalars(statement).first() is not None:
        raise AtelierError(_("Er is al een kennisatelier met deze korte naam."), "slug")


def _apply(atelier: Atelier, data: AtelierData) -> None:
    # The text rule once more, for content files and the CLI (forms applied it already).
    atelier.title = clean_line(data.title)
    atelier.description = clean_text(data.description).strip()
    atelier.starts_at, atelier.ends_at = data.starts_at, data.ends_at
    atelier.venue_name = clean_line(data.venue_name or "") or None
    atelier.venue_address = clean_line(data.venue_address or "") or None
    atelier.online = data.online
    atelier.online_url = clean_line(data.online_url or "") or None
    atelier.capacity = data.capacity
    atelier.registration_deadline_at = data.registration_deadline_at
    atelier.status = data.status
    _apply_publication(atelier, data)
    try:
        themes = themes_by_slugs(data.theme_slugs)
    except ValueError as error:
        raise AtelierError(str(error), "themes") from error
    if {t.id for t in atelier.themes} != {t.id for t in themes}:  # shown in theme order
        atelier.themes = themes
    people = [(PersonRole.SPEAKER, p) for p in data.speakers] + [
        (PersonRole.HOST, p) for p in data.hosts
    ]
    if _people_state(atelier) != tuple((r, p.name, p.affiliation) for r, p in people):
        atelier.people = [
            AtelierPerson(role=role, name=p.name, affiliation=p.affiliation, position=n)
            for n, (role, p) in enumerate(people)
        ]


def _apply_publication(atelier: Atelier, data: AtelierData) -> None:
    """Draft, or published from a moment (now when none is given; kept once it was set)."""
    was_published = atelier.publication is AtelierPublication.PUBLISHED
    atelier.publication = data.publication
    if data.publish_at is not None:
        atelier.publish_at = data.publish_at
    elif data.publication is AtelierPublication.PUBLISHED:
        if not (was_published and atelier.publish_at is not None):
            atelier.publish_at = clock.now()
    else:
        atelier.publish_at = None


def check_related(related: Mapping[str, Sequence[int]] | None) -> None:
    """Every linked item must be one its channel offers to pick (drafts count too)."""
    kinds = related_kinds()
    for kind, ids in (related or {}).items():
        entry = kinds.get(kind)
        if entry is None:
            raise AtelierError(
                _("Een kennisatelier kan niet naar %(kind)r verwijzen.", kind=kind), kind
            )
        offered = {item.id for item in link_choices(kind)}
        missing = [str(i) for i in dict.fromkeys(ids) if i not in offered]
        if missing:
            raise AtelierError(
                _(
                    "%(label)s: %(ids)s bestaat niet (meer). Kies uit de lijst.",
                    label=entry.label,
                    ids=", ".join(missing),
                ),
                kind,
            )


def _set_related(atelier_id: int, related: Mapping[str, Sequence[int]] | None) -> bool:
    """Replace the links of the given kinds, in the caller's transaction."""
    changed = False
    for kind, ids in (related or {}).items():
        if list(dict.fromkeys(ids)) != linked_ids(KIND, atelier_id, kind):
            set_links(KIND, atelier_id, kind, ids)  # joins the write transaction
            changed = True
    return changed


def _people_state(atelier: Atelier) -> tuple[tuple[PersonRole, str, str], ...]:
    return tuple((p.role, p.name, p.affiliation) for p in atelier.people)


def _state(atelier: Atelier) -> dict[str, object]:
    """Everything an editor can change, to tell whether anything did."""
    state: dict[str, object] = {name: getattr(atelier, name) for name in EDITABLE}
    state["themes"] = frozenset(t.id for t in atelier.themes)
    state["people"] = _people_state(atelier)
    return state


def _significant(state: dict[str, object]) -> dict[str, object]:
    """Time, place and status: what calendars and attendees must follow."""
    return {name: state[name] for name in SIGNIFICANT}
