"""Back-office forms for series and episodes, and the small parsers behind their fields."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from werkzeug.datastructures import FileStorage
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    EmailField,
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
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
from kispub.podcast.models import PERSON_ROLES, TYPE_LABELS, EpisodeType
from kispub.podcast.services import ChapterData

REQUIRED = _l("Dit veld is verplicht.")
INVALID_EMAIL = _l("Vul een geldig e-mailadres in.")
COUNT = _l("Vul een getal van 1 tot en met 99999 in.")
FULL_URL = _l("Vul een volledig webadres in.")
COVER_HINT = _l("Vierkant, JPEG of PNG, 1400 tot 3000 pixels.")
TRANSCRIPT_HINT = _l("WebVTT (.vtt) of SRT (.srt).")
MAX_GUESTS = 50  # people in one episode; rows beyond it are refused with a message
LOCAL = ZoneInfo("Europe/Amsterdam")
AUDIO_ACCEPT = ".mp3,.m4a,.ogg,.opus,audio/mpeg,audio/mp4,audio/ogg"
IMAGE_ACCEPT = ".jpg,.jpeg,.png,image/jpeg,image/png"
TRANSCRIPT_ACCEPT = ".vtt,.srt,text/vtt"
_CHAPTER_LINE = re.compile(r"(?:(\d+):)?(\d{1,2}):(\d{2})(?:[.,](\d{1,3}))?\s+(.+)")

EPISODE_TYPES = [SelectChoice(t.value, TYPE_LABELS[t.value]) for t in EpisodeType]
PUBLICATION = [
    SelectChoice("draft", _l("Concept (niet openbaar)")),
    SelectChoice("published", _l("Publiceren")),
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
            raise ValueError(
                _("Regel %(number)s: schrijf een tijd en een titel, zoals '12:30 Titel'.",
                  number=number)
            )  # fmt: skip
        hours, minutes, seconds, fraction, title = match.groups()
        if int(seconds) >= 60 or (hours and int(minutes) >= 60):
            raise ValueError(_("Regel %(number)s: ongeldige tijd.", number=number))
        start = ((int(hours or 0) * 60 + int(minutes)) * 60 + int(seconds)) * 1000
        start += int((fraction or "0").ljust(3, "0"))
        chapters.append(ChapterData(start, title.strip()))
    starts = [c.start_ms for c in chapters]
    if len(set(starts)) != len(starts):
        raise ValueError(_("Twee hoofdstukken beginnen op hetzelfde moment."))
    return tuple(sorted(chapters, key=lambda c: c.start_ms))


def format_chapter_lines(chapters: list[dict[str, Any]]) -> str:
    """The chapters field's text for stored chapters."""
    return "\n".join(f"{clock(int(c['start_ms']))} {c['title']}" for c in chapters)


class GuestForm(SubForm):
    """One person in the episode."""

    name = StringField(_l("Naam"), validators=[Optional(), Length(max=120)])
    description = StringField(
        _l("Functie of organisatie"), validators=[Optional(), Length(max=200)]
    )
    role = SelectField(
        _l("Rol"), choices=[SelectChoice(k, v) for k, v in PERSON_ROLES.items()], default="guest"
    )
    url = URLField(
        _l("Webadres (optioneel)"),
        validators=[Optional(), URL(message=FULL_URL), Length(max=500)],
    )


class EpisodeFields(BaseForm):
    """The metadata an editor sets on an episode, on the upload and the edit form alike."""

    title = StringField(_l("Titel"), validators=[Optional(), Length(max=300)])
    number = IntegerField(
        _l("Afleveringnummer"), validators=[Optional(), NumberRange(1, 99999, COUNT)]
    )
    season = IntegerField(_l("Seizoen"), validators=[Optional(), NumberRange(1, 99999, COUNT)])
    episode_type = SelectField(_l("Soort"), choices=EPISODE_TYPES, default="full")
    show_notes = TextAreaField(
        _l("Shownotes"),
        description=_l("Markdown: **vet**, *cursief*, [link](https://…), lijstjes."),
    )
    themes = SelectMultipleField(_l("Thema's"), choices=[], validate_choice=True)
    # One row more than allowed is read, so that too many rows get a message, not a cut.
    guests = FieldList(FormField(GuestForm), min_entries=1, max_entries=MAX_GUESTS + 1)
    # "Nog een gast toevoegen": posts the form to get it back with one more empty row.
    add_guest = SubmitField(_l("Nog een gast toevoegen"))
    status = RadioField(_l("Publicatie"), choices=PUBLICATION, default="draft")
    publish_at = DateTimeLocalField(
        _l("Publicatiemoment"),
        format="%Y-%m-%dT%H:%M",
        description=_l(
            "Nederlandse tijd. Leeg: direct bij publiceren. Een moment in de "
            "toekomst plant de aflevering in."
        ),
        validators=[Optional()],
    )
    explicit = BooleanField(_l("Expliciete inhoud"))
    # An audio file received with an earlier post of this form (see uploads.keep_audio).
    kept_audio = HiddenField()

    def validate_publish_at(self, field: DateTimeLocalField) -> None:
        # BaseForm refuses years after 2100 (and before 1900) on every date field.
        if field.data is not None and MIN_YEAR <= field.data.year < 2000:
            raise ValidationError(_("Kies een moment na 2000."))

    def validate_add_guest(self, field: SubmitField) -> None:
        named = [e for e in self.guests.entries if (e.form.name.data or "").strip()]
        if len(named) > MAX_GUESTS:
            raise ValidationError(too_many_guests())

    def add_guest_row(self) -> bool:
        """One more empty guest row; False (and a message) when the form holds the most."""
        if len(self.guests.entries) >= MAX_GUESTS:
            self.add_guest.errors = [too_many_guests()]
            return False
        self.guests.append_entry()
        return True


def too_many_guests() -> str:
    return _("Een aflevering heeft ten hoogste %(max)s personen.", max=MAX_GUESTS)


class UploadForm(OnceForm, EpisodeFields):
    """A new episode from an audio file."""

    series = SelectField(_l("Serie"), coerce=int, validators=[DataRequired(REQUIRED)])
    audio = FileField(
        _l("Audiobestand"),
        description=_l(
            "MP3, M4A (AAC) of Ogg (Vorbis of Opus). Titel, hoofdstukken en cover "
            "uit het bestand worden gebruikt als u ze hier niet invult."
        ),
        render_kw={"accept": AUDIO_ACCEPT},
    )
    title = StringField(
        _l("Titel"),
        description=_l("Leeg: de titel uit het audiobestand."),
        validators=[Optional(), Length(max=300)],
    )
    cover = FileField(
        _l("Coverafbeelding (optioneel)"),
        description=COVER_HINT,
        render_kw={"accept": IMAGE_ACCEPT},
    )
    transcript = FileField(
        _l("Transcript (optioneel)"),
        description=TRANSCRIPT_HINT,
        render_kw={"accept": TRANSCRIPT_ACCEPT},
    )

    def validate_audio(self, field: FileField) -> None:
        # Required, unless an earlier post of this form brought the file (kept_audio).
        if not has_file(field.data) and not self.kept_audio.data:
            raise ValidationError(_("Kies een audiobestand."))


def has_file(data: Any) -> bool:
    """Whether a file field received a file."""
    return isinstance(data, FileStorage) and bool(data.filename)


class EpisodeForm(EpisodeFields):
    """Edit an episode."""

    title = StringField(_l("Titel"), validators=[DataRequired(REQUIRED), Length(max=300)])
    chapters = TextAreaField(
        _l("Hoofdstukken"),
        description=_l("Eén per regel: tijd en titel, bijvoorbeeld '12:30 Over de nieuwe wet'."),
    )
    audio = FileField(
        _l("Nieuw audiobestand (optioneel)"),
        description=_l("Vervangt de audio; de GUID en het adres van de aflevering blijven."),
        render_kw={"accept": AUDIO_ACCEPT},
    )
    cover = FileField(
        _l("Nieuwe coverafbeelding (optioneel)"),
        description=COVER_HINT,
        render_kw={"accept": IMAGE_ACCEPT},
    )
    transcript = FileField(
        _l("Nieuw transcript (optioneel)"),
        description=TRANSCRIPT_HINT,
        render_kw={"accept": TRANSCRIPT_ACCEPT},
    )

    def validate_chapters(self, field: TextAreaField) -> None:
        try:
            parse_chapter_lines(field.data or "")
        except ValueError as error:
            raise ValidationError(str(error)) from error


class SeriesForm(BaseForm):
    """Edit a series."""

    title = StringField(_l("Titel"), validators=[DataRequired(REQUIRED), Length(max=200)])
    description = TextAreaField(_l("Beschrijving"), description=_l("Markdown."))
    author = StringField(
        _l("Maker"), validators=[DataRequired(REQUIRED), Length(max=200)],
        default="Kennisplatform Integratie & Samenleving",
    )  # fmt: skip
    owner_name = StringField(
        _l("Naam eigenaar"), validators=[DataRequired(REQUIRED), Length(max=120)]
    )
    owner_email = EmailField(
        _l("E-mailadres eigenaar"),
        description=_l("Apple Podcasts en andere directories mailen hierheen."),
        validators=[DataRequired(REQUIRED), Email(INVALID_EMAIL), Length(max=254)],
    )
    category = SelectField(
        _l("Categorie"), choices=category_choices(), default="Society & Culture|"
    )
    language = StringField(
        _l("Taal"), default="nl", validators=[DataRequired(REQUIRED), Length(max=10)]
    )
    explicit = BooleanField(_l("Expliciete inhoud"))
    copyright = StringField(_l("Copyright"), validators=[Optional(), Length(max=200)])
    new_feed_url = URLField(
        _l("Nieuw feedadres (alleen bij verhuizen)"),
        description=_l("Ingevuld: de feed hier verwijst podcastapps met een 301 naar dit adres."),
        validators=[Optional(), URL(message=FULL_URL), Length(max=500)],
    )
    cover = FileField(
        _l("Coverafbeelding"),
        description=COVER_HINT,
        render_kw={"accept": IMAGE_ACCEPT},
    )


class NewSeriesForm(OnceForm, SeriesForm):
    """Create a series; a double submit creates one."""
