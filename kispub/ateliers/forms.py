"""Forms: registering for an atelier, and the editors' atelier form."""

from __future__ import annotations

import re
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.fields import DateTimeLocalField
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
from wtforms.widgets import CheckboxInput, ListWidget

from kispub.ateliers.localtime import NonExistentLocalTime, from_amsterdam, to_amsterdam
from kispub.ateliers.models import Atelier, AtelierStatus
from kispub.ateliers.services import (
    RELATED_KINDS,
    SLUG_PATTERN,
    AtelierData,
    PersonData,
    is_web_url,
    parse_people,
)
from kispub.core.nonce import OnceForm
from kispub.themes.models import Theme

REQUIRED = "Dit veld is verplicht."
INPUT_FORMAT = "%Y-%m-%dT%H:%M"


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class RegistrationForm(FlaskForm):
    """Name, e-mail and organisation."""

    name = StringField(
        "Naam", filters=[_strip], validators=[DataRequired(REQUIRED), Length(max=120)]
    )
    email = EmailField(
        "E-mailadres",
        filters=[_strip],
        validators=[
            DataRequired(REQUIRED),
            Email("Vul een geldig e-mailadres in."),
            Length(max=254),
        ],
    )
    organisation = StringField(
        "Organisatie", filters=[_strip], validators=[Optional(), Length(max=160)]
    )


class AmsterdamDateTimeField(DateTimeLocalField):
    """A datetime-local input read as Amsterdam wall-clock time; holds aware UTC."""

    def __init__(self, label: str, validators: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(
            label,
            validators,
            format=[INPUT_FORMAT, "%Y-%m-%dT%H:%M:%S"],
            invalid_value_message="Vul een datum en tijd in, zoals 28-03-2027 14:00.",
            **kwargs,
        )

    def process_formdata(self, valuelist: list[Any]) -> None:
        super().process_formdata(valuelist)
        if self.data is not None:
            try:
                self.data = from_amsterdam(self.data)
            except NonExistentLocalTime as error:
                self.data = None
                raise ValueError(str(error)) from error

    def _value(self) -> str:
        if self.raw_data:
            return " ".join(self.raw_data)
        return to_amsterdam(self.data).strftime(INPUT_FORMAT) if self.data else ""


class CheckboxesField(SelectMultipleField):
    """A group of checkboxes (the template puts them in a fieldset with a legend)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class AtelierForm(FlaskForm):
    """What an editor enters about an atelier."""

    title = StringField("Titel", validators=[DataRequired(REQUIRED), Length(max=200)])
    slug = StringField(
        "Korte naam in het webadres",
        description="Kleine letters, cijfers en streepjes. Leeg: gemaakt uit de titel.",
        validators=[
            Optional(),
            Length(max=120),
            Regexp(SLUG_PATTERN, message="Gebruik alleen kleine letters, cijfers en streepjes."),
        ],
    )
    description = TextAreaField(
        "Beschrijving",
        description="Markdown: **vet**, *cursief*, [tekst](https://…), lijstjes met een -.",
        validators=[Optional(), Length(max=20000)],
    )
    themes = CheckboxesField("Thema's", coerce=str, validate_choice=True)
    # InputRequired, not DataRequired: the latter would replace "02:30 does not exist" by
    # "required" when a typed time could not be read.
    starts_at = AmsterdamDateTimeField("Begin", validators=[InputRequired(REQUIRED)])
    ends_at = AmsterdamDateTimeField("Einde", validators=[InputRequired(REQUIRED)])
    venue_name = StringField("Locatie", validators=[Optional(), Length(max=200)])
    venue_address = StringField("Adres", validators=[Optional(), Length(max=300)])
    online = BooleanField("Ook (of alleen) online te volgen")
    online_url = URLField(
        "Link naar de online bijeenkomst",
        description="Alleen aangemelde deelnemers krijgen deze link te zien.",
        validators=[Optional(), Length(max=500)],
    )
    capacity = IntegerField(
        "Aantal plaatsen",
        description="Leeg laten als er geen maximum is.",
        validators=[
            Optional(),
            NumberRange(min=0, message="Het aantal plaatsen kan niet negatief zijn."),
        ],
    )
    registration_deadline_at = AmsterdamDateTimeField(
        "Aanmelden kan tot", description="Leeg: tot het begin.", validators=[Optional()]
    )
    status = SelectField(
        "Status",
        choices=[SelectChoice(status.value, status.label) for status in AtelierStatus],
        default=AtelierStatus.SCHEDULED.value,
    )
    speakers = TextAreaField(
        "Sprekers",
        description="Eén per regel: naam, organisatie.",
        validators=[Optional(), Length(max=5000)],
    )
    hosts = TextAreaField(
        "Gastheren en gastvrouwen",
        description="Eén per regel: naam, organisatie.",
        validators=[Optional(), Length(max=5000)],
    )
    episode = StringField(
        "Podcastafleveringen",
        description="Nummers van de afleveringen, gescheiden door komma's.",
        validators=[Optional(), Length(max=500)],
    )
    dossier = StringField(
        "Dossieritems",
        description="Nummers van de items in het coronadossier, gescheiden door komma's.",
        validators=[Optional(), Length(max=500)],
    )

    def __init__(self, *args: Any, themes: list[Theme], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.themes.choices = [SelectChoice(theme.slug, theme.name) for theme in themes]

    def validate_ends_at(self, field: AmsterdamDateTimeField) -> None:
        if field.data and self.starts_at.data and field.data <= self.starts_at.data:
            raise ValidationError("Het einde moet na het begin liggen.")

    def validate_registration_deadline_at(self, field: AmsterdamDateTimeField) -> None:
        if field.data and self.starts_at.data and field.data > self.starts_at.data:
            raise ValidationError("De aanmelddeadline mag niet na het begin liggen.")

    def validate_venue_name(self, field: StringField) -> None:
        if not (field.data or self.venue_address.data or self.online.data):
            raise ValidationError("Vul een locatie in, of kies voor online.")

    def validate_online_url(self, field: URLField) -> None:
        if field.data and not is_web_url(field.data):
            raise ValidationError("Vul een geldige link in die begint met https://.")

    def validate_speakers(self, field: TextAreaField) -> None:
        _people(field.data)

    validate_hosts = validate_speakers

    def validate_episode(self, field: StringField) -> None:
        _ids(field.data)

    validate_dossier = validate_episode

    def to_data(self) -> AtelierData:
        """The form's values for the service."""
        return AtelierData(
            title=self.title.data,
            slug=self.slug.data or None,
            description=self.description.data or "",
            theme_slugs=tuple(self.themes.data or ()),
            starts_at=self.starts_at.data,
            ends_at=self.ends_at.data,
            venue_name=self.venue_name.data,
            venue_address=self.venue_address.data,
            online=self.online.data,
            online_url=self.online_url.data,
            capacity=self.capacity.data,
            registration_deadline_at=self.registration_deadline_at.data,
            status=AtelierStatus(self.status.data),
            speakers=_people(self.speakers.data),
            hosts=_people(self.hosts.data),
            related={kind: _ids(getattr(self, kind).data) for kind in RELATED_KINDS},
        )


class NewAtelierForm(AtelierForm, OnceForm):
    """The atelier form for a new atelier: a double submit creates one."""


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
    data["themes"] = [theme.slug for theme in atelier.themes]
    data["speakers"] = "\n".join(_line(p.name, p.affiliation) for p in atelier.speakers)
    data["hosts"] = "\n".join(_line(p.name, p.affiliation) for p in atelier.hosts)
    for kind in RELATED_KINDS:
        data[kind] = ", ".join(str(i) for i in related.get(kind, []))
    return data


def _line(name: str, affiliation: str) -> str:
    return f"{name}, {affiliation}" if affiliation else name


def _people(text: str | None) -> tuple[PersonData, ...]:
    people = parse_people((text or "").splitlines())
    if any(len(p.name) > 160 or len(p.affiliation) > 200 for p in people):
        raise ValidationError("Een naam of organisatie is te lang.")
    return people


def _ids(text: str | None) -> tuple[int, ...]:
    parts = [part.strip() for part in (text or "").replace(";", ",").split(",")]
    # At most nine digits: the number has to fit the database's integer column.
    if not all(re.fullmatch(r"[0-9]{1,9}", part) for part in parts if part):
        raise ValidationError("Vul nummers in, gescheiden door komma's.")
    return tuple(int(part) for part in parts if part)
