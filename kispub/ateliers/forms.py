"""Forms: registering for an atelier, and the editors' atelier form."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from kispub.ateliers.links import RelatedChoices
from kispub.ateliers.models import Atelier, AtelierPublication, AtelierStatus
from kispub.ateliers.services.editing import (
    MAX_CAPACITY,
    MIN_CAPACITY,
    AtelierData,
    PersonData,
    is_web_url,
    parse_people,
)
from kispub.core.forms import AmsterdamDateTimeField, BaseForm, CheckboxesField
from kispub.core.links import LinkedItem
from kispub.core.nonce import OnceForm
from kispub.core.text import SLUG
from kispub.themes.models import Theme

REQUIRED = _l("Dit veld is verplicht.")
# WTForms' Regexp uses match(), so the pattern itself must end the text: \Z, never $.
SLUG_FULL = rf"\A{SLUG.pattern}\Z"
RELATED_PREFIX = "related_"


def _not_offered(values: list[str]) -> str:
    return _("Kies alleen uit de lijst: %(ids)s bestaat niet (meer).", ids=", ".join(values))


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class RegistrationForm(BaseForm):
    """Name, e-mail and organisation."""

    name = StringField(
        _l("Naam"), filters=[_strip], validators=[DataRequired(REQUIRED), Length(max=120)]
    )
    email = EmailField(
        _l("E-mailadres"),
        filters=[_strip],
        validators=[
            DataRequired(REQUIRED),
            Email(_l("Vul een geldig e-mailadres in.")),
            Length(max=254),
        ],
    )
    organisation = StringField(
        _l("Organisatie"), filters=[_strip], validators=[Optional(), Length(max=160)]
    )


class RelatedContentField(CheckboxesField):
    """Content of one other channel to link to, picked by title (never by typing an id).

    Its choices are the items that channel offers (``kispub.core.links.link_choices``);
    a submitted id that is not among them, or no number at all, is a form error.
    """

    data: list[int] | None

    def __init__(
        self, label: str, *, kind: str, items: Sequence[LinkedItem], **kwargs: Any
    ) -> None:
        choices = [SelectChoice(item.id, item.title) for item in items]
        super().__init__(label, coerce=int, choices=choices, **kwargs)
        self.kind = kind
        self.items = {item.id: item for item in items}

    def process_formdata(self, valuelist: list[Any]) -> None:
        ids: list[int] = []
        unreadable: list[str] = []
        for value in valuelist:
            try:
                ids.append(int(value))
            except ValueError:
                unreadable.append(str(value)[:40])  # echoed in the message, so kept short
        self.data = ids
        if unreadable:
            raise ValueError(_not_offered(unreadable))

    def pre_validate(self, form: Any) -> None:
        if self.process_errors:
            return
        unknown = [str(value) for value in self.data or () if value not in self.items]
        if unknown:
            raise ValidationError(_not_offered(unknown))


def related_field_name(kind: str) -> str:
    """The form field that holds the links to content of ``kind``."""
    return RELATED_PREFIX + kind


class AtelierForm(BaseForm):
    """What an editor enters about an atelier."""

    title = StringField(_l("Titel"), validators=[DataRequired(REQUIRED), Length(max=200)])
    slug = StringField(
        _l("Korte naam in het webadres"),
        description=_l("Kleine letters, cijfers en streepjes. Leeg: gemaakt uit de titel."),
        validators=[
            Optional(),
            Length(max=120),
            Regexp(SLUG_FULL, message=_l("Gebruik alleen kleine letters, cijfers en streepjes.")),
        ],
    )
    description = TextAreaField(
        _l("Beschrijving"),
        description=_l("Markdown: **vet**, *cursief*, [tekst](https://…), lijstjes met een -."),
        validators=[Optional(), Length(max=20000)],
    )
    themes = CheckboxesField(_l("Thema's"), coerce=str, validate_choice=True)
    # InputRequired, not DataRequired: the latter would replace "02:30 does not exist" by
    # "required" when a typed time could not be read.
    starts_at = AmsterdamDateTimeField(_l("Begin"), validators=[InputRequired(REQUIRED)])
    ends_at = AmsterdamDateTimeField(_l("Einde"), validators=[InputRequired(REQUIRED)])
    venue_name = StringField(_l("Locatie"), validators=[Optional(), Length(max=200)])
    venue_address = StringField(_l("Adres"), validators=[Optional(), Length(max=300)])
    online = BooleanField(_l("Ook (of alleen) online te volgen"))
    online_url = URLField(
        _l("Link naar de online bijeenkomst"),
        description=_l("Alleen aangemelde deelnemers krijgen deze link te zien."),
        validators=[Optional(), Length(max=500)],
    )
    capacity = IntegerField(
        _l("Aantal plaatsen"),
        description=_l("Leeg laten als er geen maximum is."),
        validators=[
            Optional(),
            NumberRange(
                min=MIN_CAPACITY,
                max=MAX_CAPACITY,
                message=_l(
                    "Vul een aantal plaatsen van 1 tot en met 10.000 in, of laat het veld leeg."
                ),
            ),
        ],
    )
    registration_deadline_at = AmsterdamDateTimeField(
        _l("Aanmelden kan tot"), description=_l("Leeg: tot het begin."), validators=[Optional()]
    )
    # Cancelling is not among the choices: it has a confirmation page of its own (see
    # ``atelier_form``; a cancelled atelier keeps its status as a choice).
    status = SelectField(_l("Status"), default=AtelierStatus.SCHEDULED.value)
    publication = RadioField(
        _l("Publicatie"),
        choices=[
            SelectChoice(AtelierPublication.DRAFT.value, _l("Concept (niet openbaar)")),
            SelectChoice(AtelierPublication.PUBLISHED.value, _l("Publiceren")),
        ],
        default=AtelierPublication.DRAFT.value,
    )
    publish_at = AmsterdamDateTimeField(
        _l("Publicatiemoment"),
        description=_l(
            "Nederlandse tijd. Leeg: direct bij publiceren. Een moment in de toekomst plant "
            "de publicatie in."
        ),
        validators=[Optional()],
    )
    speakers = TextAreaField(
        _l("Sprekers"),
        description=_l("Eén per regel: naam, organisatie."),
        validators=[Optional(), Length(max=5000)],
    )
    hosts = TextAreaField(
        _l("Gastheren en gastvrouwen"),
        description=_l("Eén per regel: naam, organisatie."),
        validators=[Optional(), Length(max=5000)],
    )
    # One RelatedContentField per kind an atelier can link to: see ``atelier_form``.

    def __init__(self, *args: Any, themes: list[Theme], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.themes.choices = [SelectChoice(theme.slug, theme.name) for theme in themes]

    def related_fields(self) -> Iterator[RelatedContentField]:
        """The fields of related content, in the order the kinds were registered."""
        for field in self:
            if isinstance(field, RelatedContentField):
                yield field

    def field_for(self, name: str | None) -> Any:
        """The field an error about ``name`` (a field or a content kind) belongs to."""
        for candidate in (name, related_field_name(name or "")):
            if candidate and candidate in self:
                return self[candidate]
        return self.title

    def validate_ends_at(self, field: AmsterdamDateTimeField) -> None:
        if field.data and self.starts_at.data and field.data <= self.starts_at.data:
            raise ValidationError(_("Het einde moet na het begin liggen."))

    def validate_registration_deadline_at(self, field: AmsterdamDateTimeField) -> None:
        if field.data and self.starts_at.data and field.data > self.starts_at.data:
            raise ValidationError(_("De aanmelddeadline mag niet na het begin liggen."))

    def validate_venue_name(self, field: StringField) -> None:
        if not (field.data or self.venue_address.data or self.online.data):
            raise ValidationError(_("Vul een locatie in, of kies voor online."))

    def validate_online_url(self, field: URLField) -> None:
        if field.data and not is_web_url(field.data):
            raise ValidationError(_("Vul een geldige link in die begint met https://."))

    def validate_speakers(self, field: TextAreaField) -> None:
        _people(field.data)

    validate_hosts = validate_speakers

    def to_data(self) -> AtelierData:
        """The form's values for the service; only a validated form has both times."""
        starts_at, ends_at = self.starts_at.data, self.ends_at.data
        if starts_at is None or ends_at is None:
            raise ValueError("to_data() needs a form that validated")
        return AtelierData(
            title=self.title.data,
            slug=self.slug.data or None,
            description=self.description.data or "",
            theme_slugs=tuple(self.themes.data or ()),
            starts_at=starts_at,
            ends_at=ends_at,
            venue_name=self.venue_name.data,
            venue_address=self.venue_address.data,
            online=self.online.data,
            online_url=self.online_url.data,
            capacity=self.capacity.data,
            registration_deadline_at=self.registration_deadline_at.data,
            status=AtelierStatus(self.status.data),
            publication=AtelierPublication(self.publication.data),
            publish_at=self.publish_at.data,
            speakers=_people(self.speakers.data),
            hosts=_people(self.hosts.data),
            related={field.kind: tuple(field.data or ()) for field in self.related_fields()},
        )


class NewAtelierForm(AtelierForm, OnceForm):
    """The atelier form for a new atelier: a double submit creates one."""


def atelier_form(
    themes: list[Theme],
    related: Sequence[RelatedChoices],
    *,
    new: bool = False,
    data: dict[str, Any] | None = None,
) -> AtelierForm:
    """The editors' form, with a group of checkboxes per kind of content to link to.

    The kinds are known only once the app is built (a channel that is not installed offers
    none), so the form class gets its related fields here, per request.
    """
    base = NewAtelierForm if new else AtelierForm
    fields = {
        related_field_name(choices.kind): RelatedContentField(
            choices.label, kind=choices.kind, items=choices.items
        )
        for choices in related
    }
    form_class = type(base.__name__, (base,), fields)
    form = form_class(data=data, themes=themes)
    current = AtelierStatus((data or {}).get("status", AtelierStatus.SCHEDULED.value))
    form.status.choices = status_choices(current)
    return form


def status_choices(current: AtelierStatus) -> list[SelectChoice]:
    """Planned and postponed; cancelled only for an atelier that already is."""
    offered = [AtelierStatus.SCHEDULED, AtelierStatus.POSTPONED]
    if current is AtelierStatus.CANCELLED:
        offered.append(current)
    return [SelectChoice(status.value, status.label) for status in offered]


def form_data(atelier: Atelier, related: dict[str, list[int]]) -> dict[str, Any]:
    """An atelier's values in the shape of the form, for editing."""
    data: dict[str, Any] = {
        name: getattr(atelier, name)
        for name in (
            "title", "slug", "description", "starts_at", "ends_at", "venue_name",
            "venue_address", "online", "online_url", "capacity", "registration_deadline_at",
        )
    }  # fmt: skip
    data["status"] = atelier.status.value
    data["publication"] = atelier.publication.value
    data["publish_at"] = atelier.publish_at
    data["themes"] = [theme.slug for theme in atelier.themes]
    data["speakers"] = "\n".join(_line(p.name, p.affiliation) for p in atelier.speakers)
    data["hosts"] = "\n".join(_line(p.name, p.affiliation) for p in atelier.hosts)
    for kind, ids in related.items():
        data[related_field_name(kind)] = ids
    return data


def _line(name: str, affiliation: str) -> str:
    return f"{name}, {affiliation}" if affiliation else name


def _people(text: str | None) -> tuple[PersonData, ...]:
    people = parse_people((text or "").splitlines())
    if any(len(p.name) > 160 or len(p.affiliation) > 200 for p in people):
        raise ValidationError(_("Een naam of organisatie is te lang."))
    return people
