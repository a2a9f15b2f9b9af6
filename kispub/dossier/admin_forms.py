"""The editors' forms: a dossier, a group, an item (its fields depend on its kind)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from flask_babel.speaklater import LazyString
from wtforms import (
    DateField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
    Regexp,
    ValidationError,
)

from kispub.core import clock
from kispub.core.forms import AmsterdamDateTimeField, BaseForm, CheckboxesField
from kispub.core.links import LinkedItem
from kispub.core.nonce import OnceForm
from kispub.core.text import SLUG
from kispub.dossier.models import MAX_FEATURED, Dossier, DossierGroup, DossierItem, ItemKind
from kispub.dossier.services.editing import DossierData, GroupData, ItemData
from kispub.themes.models import Theme

REQUIRED = _l("Dit veld is verplicht.")
TOO_LONG = _l("Gebruik hoogstens %(max)d tekens.")
SLUG_FULL = rf"\A{SLUG.pattern}\Z"  # Regexp uses match(): the pattern must end the text
SLUG_MESSAGE = _l("Gebruik alleen kleine letters, cijfers en streepjes.")
DATE_MESSAGE = _l("Vul een datum in, zoals 01-06-2020.")
MARKDOWN_HINT = _l("Markdown: **vet**, *cursief*, [tekst](https://…), lijstjes met een -.")

DRAFT, PUBLISHED, SCHEDULED = "concept", "gepubliceerd", "ingepland"
PUBLICATION = [
    SelectChoice(DRAFT, _l("Niet gepubliceerd (alleen voor redacteuren, in het voorbeeld)")),
    SelectChoice(PUBLISHED, _l("Gepubliceerd (nu, of blijft gepubliceerd)")),
    SelectChoice(SCHEDULED, _l("Ingepland op het moment hieronder")),
]
# Field names of the services' errors (DossierError.field) that differ from the form's.
ERROR_FIELDS = {"url": "external_url", "featured": "featured_position"}


class EditorForm(BaseForm):
    """What every editors' form has: an error of the service shown at its field."""

    def field_for(self, name: str | None) -> Any:
        """The field an error about ``name`` (a service's field name) belongs to."""
        name = ERROR_FIELDS.get(name or "", name)
        if name == "published_at" and "publish_at" in self:
            name = "publish_at"
        return self[name] if name and name in self else self["title"]


class PublicationMixin:
    """A choice between draft, published and scheduled, with the moment for the last."""

    publication = RadioField(_l("Publicatie"), choices=PUBLICATION, default=DRAFT)
    publish_at = AmsterdamDateTimeField(
        _l("Publicatiemoment"),
        description=_l("Nederlandse tijd (Europe/Amsterdam); alleen bij inplannen."),
    )

    def validate_publish_at(self, field: AmsterdamDateTimeField) -> None:
        if self.publication.data != SCHEDULED or field.errors:
            return
        if field.data is None:
            raise ValidationError(_("Vul het moment in waarop het gepubliceerd wordt."))
        if field.data <= clock.now():
            raise ValidationError(_("Kies een moment in de toekomst, of publiceer meteen."))

    def published_at(self, current: datetime | None) -> datetime | None:
        """The moment for the service: published stays published at its first moment."""
        choice = self.publication.data
        if choice == SCHEDULED:
            return self.publish_at.data
        if choice == PUBLISHED:
            now = clock.now()
            return current if current is not None and current <= now else now
        return None


def publication_defaults(published_at: datetime | None) -> dict[str, Any]:
    """The publication fields of something stored."""
    if published_at is None:
        return {"publication": DRAFT}
    if published_at > clock.now():
        return {"publication": SCHEDULED, "publish_at": published_at}
    return {"publication": PUBLISHED}


CHANGE_NOTE = TextAreaField(
    _l("Wijziging voor bezoekers"),
    description=_l(
        "Een regel voor 'Wijzigingen op deze pagina', zoals 'Cijfers bijgewerkt'. "
        "Leeg laten bij een kleine correctie."
    ),
    validators=[Optional(), Length(max=500, message=TOO_LONG)],
)


def _title() -> StringField:
    return StringField(
        _l("Titel"), validators=[DataRequired(REQUIRED), Length(max=200, message=TOO_LONG)]
    )


SLUG_LABEL = _l("Korte naam in het webadres")


def _slug(max_length: int, label: str | LazyString = SLUG_LABEL) -> StringField:
    return StringField(
        label,
        description=_l("Kleine letters, cijfers en streepjes. Leeg: gemaakt uit de titel."),
        validators=[
            Optional(),
            Length(max=max_length, message=TOO_LONG),
            Regexp(SLUG_FULL, message=SLUG_MESSAGE),
        ],
    )


class DossierForm(PublicationMixin, EditorForm):
    """A dossier's title, address, texts, end date and publication."""

    title = _title()
    slug = _slug(max_length=80)
    summary = StringField(
        _l("Samenvatting"),
        description=_l("Eén zin, voor overzichten en feeds."),
        validators=[Optional(), Length(max=300, message=TOO_LONG)],
    )
    introduction = TextAreaField(
        _l("Inleiding"),
        description=MARKDOWN_HINT,
        validators=[Optional(), Length(max=20000, message=TOO_LONG)],
    )
    ends_on = DateField(
        _l("Einddatum"),
        description=_l("Na deze dag is het dossier een archief. Leeg: loopt door."),
        validators=[Optional()],
        invalid_value_message=DATE_MESSAGE,
    )
    change_note = CHANGE_NOTE

    def to_data(self, current: Dossier | None) -> DossierData:
        """The form's values for ``save_dossier``; the lead image's text stays as it is."""
        return DossierData(
            title=self.title.data or "",
            slug=self.slug.data or None,
            summary=self.summary.data or "",
            introduction=self.introduction.data or "",
            lead_image_alt=current.lead_image_alt if current else "",
            published_at=self.published_at(current.published_at if current else None),
            ends_on=self.ends_on.data,
            change_note=self.change_note.data or "",
        )


class NewDossierForm(DossierForm, OnceForm):
    """A new dossier: a double submit creates one."""


def dossier_defaults(dossier: Dossier) -> dict[str, Any]:
    """A dossier's values in the shape of its form."""
    values = {
        name: getattr(dossier, name)
        for name in ("title", "slug", "summary", "introduction", "ends_on")
    }
    return {**values, **publication_defaults(dossier.published_at)}


class GroupForm(EditorForm):
    """A group's title, anchor and short text."""

    title = _title()
    slug = _slug(max_length=80, label=_l("Anker op de pagina"))
    description = TextAreaField(
        _l("Toelichting"),
        description=MARKDOWN_HINT,
        validators=[Optional(), Length(max=5000, message=TOO_LONG)],
    )

    def to_data(self) -> GroupData:
        return GroupData(
            title=self.title.data or "",
            slug=self.slug.data or None,
            description=self.description.data or "",
        )


class NewGroupForm(GroupForm, OnceForm):
    """A new group: a double submit creates one."""


def group_defaults(group: DossierGroup) -> dict[str, Any]:
    return {"title": group.title, "slug": group.slug, "description": group.description}


NO_GROUP = 0  # the select's value for "Overig" (items in no group)
NOT_FEATURED = 0


class ItemForm(PublicationMixin, EditorForm):
    """An item; ``item_form`` removes the fields its kind does not have."""

    title = _title()
    slug = _slug(max_length=120)
    summary = TextAreaField(
        _l("Samenvatting"),
        description=_l("Een paar zinnen voor de lijst."),
        validators=[Optional(), Length(max=600, message=TOO_LONG)],
    )
    group_id = SelectField(_l("Groep"), coerce=int, default=NO_GROUP)
    themes = CheckboxesField(_l("Thema's"), coerce=str)
    dated_on = DateField(
        _l("Datum"),
        description=_l("De datum die lezers zien; de lijst staat op datum, nieuwste eerst."),
        validators=[InputRequired(REQUIRED)],
        invalid_value_message=DATE_MESSAGE,
    )
    body = TextAreaField(
        _l("Tekst (HTML-versie)"),
        description=MARKDOWN_HINT,
        validators=[Optional(), Length(max=200000, message=TOO_LONG)],
    )
    text_alternative = TextAreaField(
        _l("Tekstalternatief"),
        description=_l(
            "Beschrijf in woorden wat de infographic laat zien (verplicht). %(hint)s",
            hint=MARKDOWN_HINT,
        ),
        validators=[Optional(), Length(max=50000, message=TOO_LONG)],
    )
    external_url = URLField(
        _l("Webadres"),
        description=_l("Begint met https:// of http://."),
        validators=[Optional(), Length(max=500, message=TOO_LONG)],
    )
    link_id = RadioField(_l("Kies"), coerce=int, validate_choice=False, validators=[Optional()])
    featured_position = SelectField(
        _l("Uitgelicht"),
        coerce=int,
        choices=[SelectChoice(NOT_FEATURED, _l("Niet uitgelicht"))]
        + [SelectChoice(n, _l("Plaats %(number)s", number=n)) for n in range(1, MAX_FEATURED + 1)],
        default=NOT_FEATURED,
        description=lazy_ngettext(
            "Hoogstens %(num)d item staat uitgelicht; een ander item op dezelfde plaats gaat "
            "eruit.",
            "Hoogstens %(num)d items staan uitgelicht; een ander item op dezelfde plaats gaat "
            "eruit.",
            MAX_FEATURED,
        ),
    )
    change_note = CHANGE_NOTE

    kind: ItemKind

    def to_data(self, current: DossierItem | None) -> ItemData:
        """The form's values for the item services (the kind's missing fields empty)."""
        dated_on = self.dated_on.data
        if not isinstance(dated_on, date):
            raise ValueError("to_data() needs a form that validated")
        return ItemData(
            kind=self.kind,
            title=self.title.data or "",
            dated_on=dated_on,
            slug=self.slug.data or None,
            summary=self.summary.data or "",
            group_id=self.group_id.data or None,
            theme_slugs=tuple(self.themes.data or ()),
            body=self._text("body"),
            text_alternative=self._text("text_alternative"),
            external_url=self._text("external_url") or None,
            link_id=self.link_id.data if "link_id" in self else None,
            published_at=self.published_at(current.published_at if current else None),
            change_note=self.change_note.data or "",
        )

    def featured(self) -> int | None:
        return self.featured_position.data or None

    def _text(self, name: str) -> str:
        return str(self[name].data or "") if name in self else ""


class NewItemForm(ItemForm, OnceForm):
    """A new item: a double submit creates one."""


def item_form(
    kind: ItemKind,
    *,
    groups: Sequence[DossierGroup],
    themes: Sequence[Theme],
    choices: Sequence[LinkedItem],
    new: bool = False,
    data: dict[str, Any] | None = None,
) -> ItemForm:
    """The item form for ``kind``: only the fields that kind has; ``choices`` are the
    episodes or ateliers the picker found (and the one chosen)."""
    form = (NewItemForm if new else ItemForm)(data=data)
    form.kind = kind
    for name, wanted in (
        ("body", kind.has_body),
        ("text_alternative", kind is ItemKind.INFOGRAPHIC),
        ("external_url", kind is ItemKind.EXTERNAL),
        ("link_id", kind.link_kind is not None),
    ):
        if not wanted:
            delattr(form, name)
    form.group_id.choices = [SelectChoice(NO_GROUP, _("Overig (geen groep)"))] + [
        SelectChoice(group.id, group.title) for group in groups
    ]
    form.themes.choices = [SelectChoice(theme.slug, theme.name) for theme in themes]
    if "link_id" in form:
        form.link_id.label.text = _("Kies een %(kind)s", kind=kind.label.lower())
        form.link_id.choices = [
            SelectChoice(
                choice.id, f"{choice.title} ({choice.meta})" if choice.meta else choice.title
            )
            for choice in choices
        ]
    return form


def item_defaults(item: DossierItem) -> dict[str, Any]:
    """An item's values in the shape of its form."""
    names = (
        "title",
        "slug",
        "summary",
        "dated_on",
        "body",
        "text_alternative",
        "external_url",
        "link_id",
    )
    values: dict[str, Any] = {name: getattr(item, name) for name in names}
    values["group_id"] = item.group_id or NO_GROUP
    values["themes"] = [theme.slug for theme in item.themes]
    values["featured_position"] = item.featured_position or NOT_FEATURED
    return {**values, **publication_defaults(item.published_at)}
