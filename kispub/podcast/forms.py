"""Back-office forms for series and episodes, and the small parsers behind their fields."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    EmailField,
    FieldList,
    FormField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    URLField,
    ValidationError,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import URL, DataRequired, Email, Length, NumberRange, Optional

from kispub.core.bounds import MIN_YEAR
from kispub.core.durations import clock
from kispub.core.forms import BaseForm, SubForm
from kispub.core.nonce import OnceForm
from kispub.podcast.feed.rss import APPLE_CATEGORIES
from kispub.podcast.models import PERSON_ROLES, EpisodeType
from kispub.podcast.services import ChapterData

REQUIRED = "Dit veld is verplicht."
INVALID_EMAIL = "Vul een geldig e-mailadres in."
COUNT = "Vul een getal van 1 tot en met 99999 in."
LOCAL = ZoneInfo("Europe/Amsterdam")
AUDIO_ACCEPT = ".mp3,.m4a,.ogg,.opus,audio/mpeg,audio/mp4,audio/ogg"
IMAGE_ACCEPT = ".jpg,.jpeg,.png,image/jpeg,image/png"
TRANSCRIPT_ACCEPT = ".vtt,.srt,text/vtt"
_CHAPTER_LINE = re.compile(r"(?:(\d+):)?(\d{1,2}):(\d{2})(?:[.,](\d{1,3}))?\s+(.+)")

EPISODE_TYPES = [SelectChoice(t.value, t.label) for t in EpisodeType]
PUBLICATION = [
    SelectChoice("draft", "Concept (niet openbaar)"),
    SelectChoice("published", "Publiceren"),
]


def category_choices() -> list[SelectChoice]:
    """Apple's categories, each with its subcategories, as "Cat|Sub" values in groups."""
    choices = []
    for category, subcategories in APPLE_CATEGORIES.items():
        choices.append(SelectChoice(f"{category}|", category, optgroup=category))
        choices.extend(
            SelectChoice(f"{category}|{sub}", f"{category} › {sub}", optgroup=category)
            for sub in subcategories
        )
    return choices


def to_utc(local: datetime | None) -> datetime | None:
    """A datetime-local value (Amsterdam time) as aware UTC."""
    return None if local is None else local.replace(tzinfo=LOCAL).astimezone(UTC)


def to_local(value: datetime | None) -> datetime | None:
    """An aware UTC datetime as a naive Amsterdam time for a datetime-local field."""
    return None if value is None else value.astimezone(LOCAL).replace(tzinfo=None)


def parse_chapter_lines(text: str) -> tuple[ChapterData, ...]:
    """Lines like "12:30 Titel" or "1:02:03 Titel" as chapters; ValueError names the line."""
    chapters = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        match = _CHAPTER_LINE.fullmatch(line.strip())
        if match is None:
            raise ValueError(f"Regel {number}: schrijf een tijd en een titel, zoals '12:30 Titel'.")
        hours, minutes, seconds, fraction, title = match.groups()
        if int(seconds) >= 60 or (hours and int(minutes) >= 60):
            raise ValueError(f"Regel {number}: ongeldige tijd.")
        start = ((int(hours or 0) * 60 + int(minutes)) * 60 + int(seconds)) * 1000
        start += int((fraction or "0").ljust(3, "0"))
        chapters.append(ChapterData(start, title.strip()))
    starts = [c.start_ms for c in chapters]
    if len(set(starts)) != len(starts):
        raise ValueError("Twee hoofdstukken beginnen op hetzelfde moment.")
    return tuple(sorted(chapters, key=lambda c: c.start_ms))


def format_chapter_lines(chapters: list[dict[str, Any]]) -> str:
    """The chapters field's text for stored chapters."""
    return "\n".join(f"{clock(int(c['start_ms']))} {c['title']}" for c in chapters)


class GuestForm(SubForm):
    """One person in the episode."""

    name = StringField("Naam", validators=[Optional(), Length(max=120)])
    description = StringField("Functie of organisatie", validators=[Optional(), Length(max=200)])
    role = SelectField(
        "Rol", choices=[SelectChoice(k, v) for k, v in PERSON_ROLES.items()], default="guest"
    )
    url = URLField(
        "Webadres (optioneel)",
        validators=[Optional(), URL(message="Vul een volledig webadres in."), Length(max=500)],
    )


class EpisodeFields(BaseForm):
    """The metadata an editor sets on an episode."""

    title = StringField("Titel", validators=[Optional(), Length(max=300)])
    number = IntegerField("Afleveringnummer", validators=[Optional(), NumberRange(1, 99999, COUNT)])
    season = IntegerField("Seizoen", validators=[Optional(), NumberRange(1, 99999, COUNT)])
    episode_type = SelectField("Soort", choices=EPISODE_TYPES, default="full")
    status = RadioField("Publicatie", choices=PUBLICATION, default="draft")
    publish_at = DateTimeLocalField(
        "Publicatiemoment",
        format="%Y-%m-%dT%H:%M",
        description="Nederlandse tijd. Leeg: direct bij publiceren. Een moment in de "
        "toekomst plant de aflevering in.",
        validators=[Optional()],
    )
    explicit = BooleanField("Expliciete inhoud")

    def validate_publish_at(self, field: DateTimeLocalField) -> None:
        # BaseForm refuses years after 2100 (and before 1900) on every date field.
        if field.data is not None and MIN_YEAR <= field.data.year < 2000:
            raise ValidationError("Kies een moment na 2000.")


class UploadForm(OnceForm, EpisodeFields):
    """A new episode from an audio file."""

    series = SelectField("Serie", coerce=int, validators=[DataRequired(REQUIRED)])
    audio = FileField(
        "Audiobestand",
        description="MP3, M4A (AAC) of Ogg (Vorbis of Opus). Titel, hoofdstukken en cover "
        "uit het bestand worden gebruikt als u ze hier niet invult.",
        validators=[FileRequired("Kies een audiobestand.")],
        render_kw={"accept": AUDIO_ACCEPT},
    )
    title = StringField(
        "Titel",
        description="Leeg: de titel uit het audiobestand.",
        validators=[Optional(), Length(max=300)],
    )
    cover = FileField(
        "Coverafbeelding (optioneel)",
        description="Vierkant, JPEG of PNG, 1400 tot 3000 pixels.",
        render_kw={"accept": IMAGE_ACCEPT},
    )
    transcript = FileField(
        "Transcript (optioneel)",
        description="WebVTT (.vtt) of SRT (.srt).",
        render_kw={"accept": TRANSCRIPT_ACCEPT},
    )


class EpisodeForm(EpisodeFields):
    """Edit an episode."""

    title = StringField("Titel", validators=[DataRequired(REQUIRED), Length(max=300)])
    show_notes = TextAreaField(
        "Shownotes", description="Markdown: **vet**, *cursief*, [link](https://…), lijstjes."
    )
    themes = SelectMultipleField("Thema's", choices=[], validate_choice=True)
    guests = FieldList(FormField(GuestForm), min_entries=2, max_entries=20)
    chapters = TextAreaField(
        "Hoofdstukken",
        description="Eén per regel: tijd en titel, bijvoorbeeld '12:30 Over de nieuwe wet'.",
    )
    audio = FileField(
        "Nieuw audiobestand (optioneel)",
        description="Vervangt de audio; de GUID en het adres van de aflevering blijven.",
        render_kw={"accept": AUDIO_ACCEPT},
    )
    cover = FileField(
        "Nieuwe coverafbeelding (optioneel)",
        description="Vierkant, JPEG of PNG, 1400 tot 3000 pixels.",
        render_kw={"accept": IMAGE_ACCEPT},
    )
    transcript = FileField(
        "Nieuw transcript (optioneel)",
        description="WebVTT (.vtt) of SRT (.srt).",
        render_kw={"accept": TRANSCRIPT_ACCEPT},
    )

    def validate_chapters(self, field: TextAreaField) -> None:
        try:
            parse_chapter_lines(field.data or "")
        except ValueError as error:
            raise ValidationError(str(error)) from error


class SeriesForm(BaseForm):
    """Edit a series."""

    title = StringField("Titel", validators=[DataRequired(REQUIRED), Length(max=200)])
    description = TextAreaField("Beschrijving", description="Markdown.")
    author = StringField(
        "Maker", validators=[DataRequired(REQUIRED), Length(max=200)],
        default="Kennisplatform Integratie & Samenleving",
    )  # fmt: skip
    owner_name = StringField("Naam eigenaar", validators=[DataRequired(REQUIRED), Length(max=120)])
    owner_email = EmailField(
        "E-mailadres eigenaar",
        description="Apple Podcasts en andere directories mailen hierheen.",
        validators=[DataRequired(REQUIRED), Email(INVALID_EMAIL), Length(max=254)],
    )
    category = SelectField("Categorie", choices=category_choices(), default="Society & Culture|")
    language = StringField(
        "Taal", default="nl", validators=[DataRequired(REQUIRED), Length(max=10)]
    )
    explicit = BooleanField("Expliciete inhoud")
    copyright = StringField("Copyright", validators=[Optional(), Length(max=200)])
    new_feed_url = URLField(
        "Nieuw feedadres (alleen bij verhuizen)",
        description="Ingevuld: de feed hier verwijst podcastapps met een 301 naar dit adres.",
        validators=[Optional(), URL(message="Vul een volledig webadres in."), Length(max=500)],
    )
    cover = FileField(
        "Coverafbeelding",
        description="Vierkant, JPEG of PNG, 1400 tot 3000 pixels.",
        render_kw={"accept": IMAGE_ACCEPT},
    )


class NewSeriesForm(OnceForm, SeriesForm):
    """Create a series; a double submit creates one."""
