"""Creating and changing dossiers, their groups and items: the rules every item keeps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlsplit

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from kispub.core import clock
from kispub.core.bounds import check_year
from kispub.core.database import write_transaction
from kispub.core.links import content_kinds, link_choices, set_links
from kispub.core.text import SLUG, clean_line, clean_text, slugify
from kispub.dossier.models import (
    MAX_FEATURED,
    Dossier,
    DossierChange,
    DossierGroup,
    DossierItem,
    ItemKind,
)
from kispub.extensions import db
from kispub.themes.models import Theme
from kispub.themes.services import themes_by_slugs

KIND = "dossier"  # the content kind of dossier items (kispub.core.links)
# Paths under /dossiers/<slug>/ that the channel's own pages use.
RESERVED_ITEM_SLUGS = frozenset({"feed", "atom", "alerts", "e-mail", "bestanden", "voorbeeld"})


class DossierError(ValueError):
    """Data a dossier or item cannot have; the message is for the editor, ``field`` says
    where."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class DossierData:
    """Everything an editor or a content file says about a dossier."""

    title: str
    slug: str | None = None
    summary: str = ""
    introduction: str = ""
    lead_image_alt: str = ""
    published_at: datetime | None = None
    ends_on: date | None = None
    change_note: str = ""  # a line for "Wijzigingen op deze pagina"; empty: a minor edit


@dataclass(frozen=True)
class GroupData:
    """A group of a dossier."""

    title: str
    slug: str | None = None
    description: str = ""


@dataclass(frozen=True)
class ItemData:
    """Everything an editor or a content file says about an item."""

    kind: ItemKind
    title: str
    dated_on: date
    slug: str | None = None
    summary: str = ""
    group_id: int | None = None
    theme_slugs: tuple[str, ...] = ()
    body: str = ""
    text_alternative: str = ""
    external_url: str | None = None
    link_id: int | None = None
    published_at: datetime | None = None
    change_note: str = ""


def save_dossier(dossier_id: int | None, data: DossierData) -> Dossier:
    """Create (no id) or update a dossier."""
    title = clean_line(data.title)
    if not title:
        raise DossierError(_("Geef het dossier een titel."), "title")
    slug = data.slug or slugify(title)
    _check_moments({"published_at": data.published_at, "ends_on": data.ends_on})
    with write_transaction() as session:
        _require_free_dossier_slug(slug, dossier_id)
        dossier = _dossier(dossier_id) if dossier_id else Dossier(created_at=clock.now())
        before = item_state(dossier)
        dossier.title, dossier.slug = title, slug
        dossier.summary = clean_line(data.summary)[:300]
        dossier.introduction = clean_text(data.introduction).strip()
        dossier.lead_image_alt = clean_line(data.lead_image_alt)[:300]
        dossier.published_at, dossier.ends_on = data.published_at, data.ends_on
        if item_state(dossier) != before:
            dossier.updated_at = clock.now()
            dossier.revision = (dossier.revision or 0) + 1
        session.add(dossier)
        session.flush()
        note_change(dossier.id, data.change_note)
    return dossier


def save_group(dossier_id: int, group_id: int | None, data: GroupData) -> DossierGroup:
    """Create (no id, placed last) or update a group of a dossier."""
    title = clean_line(data.title)
    if not title:
        raise DossierError(_("Geef de groep een titel."), "title")
    slug = data.slug or slugify(title)
    if not SLUG.fullmatch(slug):
        raise DossierError(
            _("Kies een korte naam van kleine letters, cijfers en streepjes."), "slug"
        )
    with write_transaction() as session:
        taken = select(DossierGroup.id).where(
            DossierGroup.dossier_id == dossier_id, DossierGroup.slug == slug
        )
        if group_id is not None:
            taken = taken.where(DossierGroup.id != group_id)
        if db.session.scalars(taken).first() is not None:
            raise DossierError(_("Dit dossier heeft al een groep met deze korte naam."), "slug")
        group = _group(dossier_id, group_id) if group_id else _new_group(dossier_id)
        group.title, group.slug = title, slug
        group.description = clean_text(data.description).strip()
        session.add(group)
        session.flush()  # the id, also when an outer transaction (a content file) holds on
        touch_dossier(dossier_id)
    return group


def save_item(dossier_id: int, item_id: int | None, data: ItemData) -> DossierItem:
    """Create (no id, placed first in its group) or update an item, its themes and link."""
    check_item_data(data)
    slug = data.slug or slugify(data.title)
    with write_transaction() as session:
        _require_free_item_slug(dossier_id, slug, item_id)
        if data.group_id is not None:
            _group(dossier_id, data.group_id)
        themes = _themes(data.theme_slugs)
        item = _item(dossier_id, item_id) if item_id else _new_item(dossier_id, data.group_id)
        if item_id and item.group_id != data.group_id:  # moved: first in its new group
            item.position = _first_position(dossier_id, data.group_id)
        before = item_state(item)
        _apply(item, data, slug)
        item.themes = themes
        if item_state(item) != before:  # a feed's <updated> moves only on a real change
            item.updated_at = clock.now()
            touch_dossier(dossier_id)
        session.add(item)
        session.flush()
        link_kind = data.kind.link_kind
        for kind in ("episode", "atelier"):
            targets = [data.link_id] if kind == link_kind and data.link_id else []
            set_links(KIND, item.id, kind, targets)
        note_change(dossier_id, data.change_note)
    return item


def item_state(thing: Dossier | DossierGroup | DossierItem) -> tuple[object, ...]:
    """What an editor can change of a dossier, group or item (its column values and
    themes), to tell a real change from a save that changed nothing."""
    columns = [c.key for c in thing.__table__.columns if c.key not in ("created_at", "updated_at")]
    themes = tuple(sorted(t.id for t in getattr(thing, "themes", ())))
    return (*(getattr(thing, name) for name in columns), themes)


def check_item_data(data: ItemData) -> None:
    """The rules of each kind of item; raises DossierError naming the field."""
    if not clean_line(data.title):
        raise DossierError(_("Geef het item een titel."), "title")
    _check_moments({"dated_on": data.dated_on, "published_at": data.published_at})
    kind = data.kind
    if kind.has_body and not clean_text(data.body).strip():
        raise DossierError(
            _(
                "Een %(kind)s heeft altijd een HTML-versie: vul de tekst in.",
                kind=kind.label.lower(),
            ),
            "body",
        )
    if kind is ItemKind.INFOGRAPHIC and not clean_text(data.text_alternative).strip():
        raise DossierError(
            _("Een infographic heeft een tekstalternatief nodig: beschrijf wat erop staat."),
            "text_alternative",
        )
    if kind is ItemKind.EXTERNAL and not is_web_url(data.external_url or ""):
        raise DossierError(_("Vul een webadres in dat begint met https:// of http://."), "url")
    if kind.link_kind is not None:
        _check_link(kind, data.link_id)


def _check_link(kind: ItemKind, link_id: int | None) -> None:
    assert kind.link_kind is not None
    if kind.link_kind not in content_kinds():
        raise DossierError(
            _("%(kinds)s kunnen hier niet worden gekozen.", kinds=kind.plural), "link_id"
        )
    if link_id is None or link_id not in {c.id for c in link_choices(kind.link_kind)}:
        raise DossierError(_("Kies een bestaande %(kind)s.", kind=kind.label.lower()), "link_id")


def is_web_url(value: str) -> bool:
    """An absolute http(s) URL with a host and no spaces."""
    parts = urlsplit(value.strip())
    return parts.scheme in {"http", "https"} and bool(parts.hostname) and " " not in value


def _check_moments(moments: dict[str, date | None]) -> None:
    for name, moment in moments.items():
        try:
            check_year(moment)
        except ValueError as error:
            raise DossierError(str(error), name) from error


def _apply(item: DossierItem, data: ItemData, slug: str) -> None:
    # The text rule once more, for content files and the CLI (forms applied it already).
    item.kind, item.slug = data.kind, slug
    item.title = clean_line(data.title)[:200]
    item.summary = clean_line(data.summary)[:600]
    item.dated_on, item.group_id = data.dated_on, data.group_id
    item.body = clean_text(data.body).strip()
    item.text_alternative = clean_text(data.text_alternative).strip()
    external = data.kind is ItemKind.EXTERNAL
    item.external_url = clean_line(data.external_url or "") if external else None
    item.link_id = data.link_id if data.kind.link_kind else None
    item.published_at = data.published_at


def feature_item(item_id: int, position: int | None) -> None:
    """Show an item among the dossier's featured cards (1 to 3), or no longer (None).

    An item already at that position moves out of the featured cards.
    """
    if position is not None and not 1 <= position <= MAX_FEATURED:
        raise DossierError(
            _("Kies een plaats van 1 tot en met %(max)s.", max=MAX_FEATURED), "featured"
        )
    with write_transaction():
        item = db.session.get(DossierItem, item_id)
        if item is None:
            raise DossierError(_("Dit item bestaat niet (meer)."))
        if position is not None:
            for other in db.session.scalars(
                select(DossierItem).where(
                    DossierItem.dossier_id == item.dossier_id,
                    DossierItem.featured_position == position,
                    DossierItem.id != item.id,
                )
            ):
                other.featured_position = None
        item.featured_position = position
        touch_dossier(item.dossier_id)


def touch_dossier(dossier_id: int) -> None:
    """Count a change of the dossier: its public list is rebuilt (kispub.core.fragments
    keys on ``revision``). Every service that changes a group, an item or a file calls this."""
    db.session.execute(
        update(Dossier)
        .where(Dossier.id == dossier_id)
        .values(revision=Dossier.revision + 1, updated_at=clock.now())
    )


def note_change(dossier_id: int, note: str) -> None:
    """Add a line to the public "Wijzigingen op deze pagina" (an empty note: a minor edit)."""
    line = clean_line(note)[:500]
    if line:
        db.session.add(DossierChange(dossier_id=dossier_id, note=line, changed_at=clock.now()))
        touch_dossier(dossier_id)


def _themes(slugs: tuple[str, ...]) -> list[Theme]:
    try:
        return themes_by_slugs(slugs)
    except ValueError as error:
        raise DossierError(str(error), "themes") from error


def _require_free_dossier_slug(slug: str, dossier_id: int | None) -> None:
    if not SLUG.fullmatch(slug):
        raise DossierError(
            _("Kies een korte naam van kleine letters, cijfers en streepjes."), "slug"
        )
    statement = select(Dossier.id).where(Dossier.slug == slug)
    if dossier_id is not None:
        statement = statement.where(Dossier.id != dossier_id)
    if db.session.scalars(statement).first() is not None:
        raise DossierError(_("Er is al een dossier met deze korte naam."), "slug")


def _require_free_item_slug(dossier_id: int, slug: str, item_id: int | None) -> None:
    if not SLUG.fullmatch(slug) or slug in RESERVED_ITEM_SLUGS:
        raise DossierError(_("Kies een andere korte naam: deze is niet beschikbaar."), "slug")
    statement = select(DossierItem.id).where(
        DossierItem.dossier_id == dossier_id, DossierItem.slug == slug
    )
    if item_id is not None:
        statement = statement.where(DossierItem.id != item_id)
    if db.session.scalars(statement).first() is not None:
        raise DossierError(_("Dit dossier heeft al een item met deze korte naam."), "slug")


def _dossier(dossier_id: int) -> Dossier:
    dossier = db.session.get(Dossier, dossier_id)
    if dossier is None:
        raise DossierError(_("Dit dossier bestaat niet (meer)."))
    return dossier


def _group(dossier_id: int, group_id: int) -> DossierGroup:
    group = db.session.get(DossierGroup, group_id)
    if group is None or group.dossier_id != dossier_id:
        raise DossierError(_("Deze groep hoort niet bij dit dossier."), "group_id")
    return group


def _item(dossier_id: int, item_id: int) -> DossierItem:
    item = db.session.get(DossierItem, item_id)
    if item is None or item.dossier_id != dossier_id:
        raise DossierError(_("Dit item bestaat niet (meer)."))
    return item


def _new_group(dossier_id: int) -> DossierGroup:
    last = db.session.scalar(
        select(func.max(DossierGroup.position)).where(DossierGroup.dossier_id == dossier_id)
    )
    return DossierGroup(dossier_id=dossier_id, position=(last or 0) + 1)


def _new_item(dossier_id: int, group_id: int | None) -> DossierItem:
    """A new item goes first in its group: a group reads newest first until reordered."""
    position = _first_position(dossier_id, group_id)
    now = clock.now()
    return DossierItem(dossier_id=dossier_id, position=position, created_at=now, themes=[])


def _first_position(dossier_id: int, group_id: int | None) -> int:
    """A position before every item of the group (or of the items in no group)."""
    in_group = (
        DossierItem.group_id.is_(None) if group_id is None else DossierItem.group_id == group_id
    )
    first = db.session.scalar(
        select(func.min(DossierItem.position)).where(DossierItem.dossier_id == dossier_id, in_group)
    )
    return (first or 0) - 1
