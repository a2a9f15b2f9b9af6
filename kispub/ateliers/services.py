"""Finding, creating and changing kennisateliers."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from kispub.ateliers import notifications
from kispub.ateliers.models import Atelier, AtelierPerson, AtelierStatus, PersonRole, Registration
from kispub.ateliers.seats import locked_atelier, promote_waitlisted
from kispub.core import clock
from kispub.core.database import write_transaction
from kispub.core.links import linked_ids, linked_items, set_links
from kispub.core.text import slugify
from kispub.extensions import db
from kispub.themes.models import Theme
from kispub.themes.services import themes_by_slugs

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Paths under /kennisateliers/ that pages of the channel itself use.
RESERVED_SLUGS = frozenset({"mijn", "agenda", "aanmelding", "thema", "archief"})
# The kinds an atelier links to (core/links.py), with how an error names them.
RELATED_KINDS = {"episode": "Podcastaflevering", "dossier": "Dossieritem"}
EDITABLE = (
    "title", "slug", "description", "starts_at", "ends_at", "venue_name", "venue_address",
    "online", "online_url", "capacity", "registration_deadline_at", "status",
)  # fmt: skip
# A change to one of these raises SEQUENCE and is e-mailed to attendees (RFC 5546 3.2.2
# names time and status; the place and the meeting link are what attendees act on).
SIGNIFICANT = (
    "starts_at", "ends_at", "venue_name", "venue_address", "online", "online_url", "status",
)  # fmt: skip


class AtelierError(ValueError):
    """Data an atelier cannot have; the message is for the editor, ``field`` says where."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class PersonData:
    """A speaker or host as an editor enters them."""

    name: str
    affiliation: str = ""


def parse_people(lines: Iterable[str]) -> tuple[PersonData, ...]:
    """People from "Naam, organisatie" lines; blank lines are skipped."""
    people = []
    for line in lines:
        name, _, affiliation = str(line).partition(",")
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
    speakers: tuple[PersonData, ...] = ()
    hosts: tuple[PersonData, ...] = ()
    # None leaves the links as they are (content files); a tuple replaces them.
    related: dict[str, tuple[int, ...]] | None = None


@dataclass(frozen=True)
class AtelierChange:
    """What saving an atelier did."""

    atelier: Atelier
    created: bool
    changed: bool
    significant: bool  # time, place or status: SEQUENCE went up, attendees hear of it
    promoted: tuple[Registration, ...] = ()


# -- reading -------------------------------------------------------------------------------


def _listing(theme: Theme | None) -> Select[tuple[Atelier]]:
    statement = select(Atelier).options(selectinload(Atelier.themes))
    if theme is not None:
        statement = statement.where(Atelier.themes.any(Theme.id == theme.id))
    return statement


def upcoming_ateliers(theme: Theme | None = None, now: datetime | None = None) -> list[Atelier]:
    """Ateliers that have not ended, soonest first."""
    statement = _listing(theme).where(Atelier.ends_at >= (now or clock.now()))
    return list(db.session.scalars(statement.order_by(Atelier.starts_at, Atelier.id)))


def past_ateliers(
    theme: Theme | None = None, page: int = 1, per_page: int = 20, now: datetime | None = None
) -> tuple[list[Atelier], bool]:
    """One page of ended ateliers, latest first, and whether there is a next page."""
    statement = _listing(theme).where(Atelier.ends_at < (now or clock.now()))
    statement = statement.order_by(Atelier.starts_at.desc(), Atelier.id.desc())
    rows = list(db.session.scalars(statement.offset((page - 1) * per_page).limit(per_page + 1)))
    return rows[:per_page], len(rows) > per_page


def atelier_by_slug(slug: str) -> Atelier | None:
    """The atelier with this slug, with its themes and people."""
    statement = select(Atelier).where(Atelier.slug == slug)
    options = (selectinload(Atelier.themes), selectinload(Atelier.people))
    return db.session.scalars(statement.options(*options)).first()


def get_atelier(atelier_id: int) -> Atelier | None:
    """The atelier with this id."""
    return db.session.get(Atelier, atelier_id)


def ateliers_by_ids(ids: Sequence[int]) -> list[Atelier]:
    """The ateliers with these ids, in any order."""
    return list(db.session.scalars(select(Atelier).where(Atelier.id.in_(ids))))


def all_ateliers() -> list[Atelier]:
    """Every atelier, latest first (for editors)."""
    return list(db.session.scalars(select(Atelier).order_by(Atelier.starts_at.desc())))


def related_items(atelier: Atelier) -> dict[str, list]:
    """The podcast episodes and dossier items the atelier links to, as their channels show them."""
    return {kind: linked_items("atelier", atelier.id, kind) for kind in RELATED_KINDS}


def related_ids(atelier: Atelier) -> dict[str, list[int]]:
    """The ids the atelier links to, per kind (for the editor form)."""
    return {kind: linked_ids("atelier", atelier.id, kind) for kind in RELATED_KINDS}


# -- writing -------------------------------------------------------------------------------


def save_atelier(atelier_id: int | None, data: AtelierData) -> AtelierChange:
    """Create (no id) or update an atelier; no e-mail is sent (see ``update_atelier``)."""
    check_atelier_data(data)
    try:
        return _save(atelier_id, data)
    except IntegrityError as error:
        if "slug" not in str(error.orig):
            raise
        # A concurrent save took the slug between the check and the insert.
        raise AtelierError("Er is al een kennisatelier met deze korte naam.", "slug") from error


def _save(atelier_id: int | None, data: AtelierData) -> AtelierChange:
    with write_transaction() as session:
        atelier = _new_atelier() if atelier_id is None else locked_atelier(atelier_id)
        if atelier is None:
            raise AtelierError("Dit kennisatelier bestaat niet (meer).")
        before = None if atelier_id is None else _state(atelier)
        atelier.slug = data.slug or atelier.slug or slugify(data.title)
        _require_free_slug(atelier.slug, atelier.id)
        _apply(atelier, data)
        session.add(atelier)
        session.flush()
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


def create_atelier(data: AtelierData) -> Atelier:
    """Create an atelier."""
    return save_atelier(None, data).atelier


def update_atelier(atelier_id: int, data: AtelierData) -> AtelierChange:
    """Change an atelier; attendees hear of a new time, place or status, and of a freed seat."""
    change = save_atelier(atelier_id, data)
    if change.significant:
        notifications.send_atelier_changed(change.atelier)
    for registration in change.promoted:
        notifications.send_promotion(registration)
    return change


def check_atelier_data(data: AtelierData) -> None:
    """The rules every atelier keeps, whoever enters it (the form checks them too)."""
    if not data.title.strip():
        raise AtelierError("Vul een titel in.", "title")
    if data.slug is not None and not SLUG_PATTERN.match(data.slug):
        raise AtelierError(
            "Gebruik voor de korte naam alleen kleine letters, cijfers en streepjes.", "slug"
        )
    if data.ends_at <= data.starts_at:
        raise AtelierError("Het einde moet na het begin liggen.", "ends_at")
    if data.capacity is not None and data.capacity < 0:
        raise AtelierError("Het aantal plaatsen kan niet negatief zijn.", "capacity")
    deadline = data.registration_deadline_at
    if deadline is not None and deadline > data.starts_at:
        raise AtelierError(
            "De aanmelddeadline mag niet na het begin liggen.", "registration_deadline_at"
        )
    if not (data.venue_name or data.venue_address or data.online):
        raise AtelierError("Vul een locatie in, of kies voor online.", "venue_name")
    if data.online_url and not is_web_url(data.online_url):
        raise AtelierError("Vul een geldige link in die begint met https://.", "online_url")


def is_web_url(value: str) -> bool:
    """An absolute http(s) URL with a host."""
    parts = urlsplit(value.strip())
    return parts.scheme in {"http", "https"} and bool(parts.hostname) and " " not in value


def _new_atelier() -> Atelier:
    now = clock.now()
    return Atelier(sequence=0, created_at=now, updated_at=now, people=[], themes=[])


def _require_free_slug(slug: str, atelier_id: int | None) -> None:
    if not SLUG_PATTERN.match(slug) or slug in RESERVED_SLUGS:
        raise AtelierError("Kies een andere korte naam: deze is niet beschikbaar.", "slug")
    statement = select(Atelier.id).where(Atelier.slug == slug)
    if atelier_id is not None:
        statement = statement.where(Atelier.id != atelier_id)
    if db.session.scalars(statement).first() is not None:
        raise AtelierError("Er is al een kennisatelier met deze korte naam.", "slug")


def _apply(atelier: Atelier, data: AtelierData) -> None:
    atelier.title = data.title.strip()
    atelier.description = data.description.strip()
    atelier.starts_at, atelier.ends_at = data.starts_at, data.ends_at
    atelier.venue_name = (data.venue_name or "").strip() or None
    atelier.venue_address = (data.venue_address or "").strip() or None
    atelier.online = data.online
    atelier.online_url = (data.online_url or "").strip() or None
    atelier.capacity = data.capacity
    atelier.registration_deadline_at = data.registration_deadline_at
    atelier.status = data.status
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


def _set_related(atelier_id: int, related: dict[str, tuple[int, ...]] | None) -> bool:
    """Replace the links when given; every id must be content its channel shows."""
    if related is None:
        return False
    changed = False
    for kind, ids in related.items():
        if list(dict.fromkeys(ids)) == linked_ids("atelier", atelier_id, kind):
            continue
        set_links("atelier", atelier_id, kind, ids)
        found = {item.id for item in linked_items("atelier", atelier_id, kind)}
        missing = [str(i) for i in ids if i not in found]
        if missing:
            label = RELATED_KINDS[kind]
            raise AtelierError(f"{label} {', '.join(missing)} bestaat niet.", kind)
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
