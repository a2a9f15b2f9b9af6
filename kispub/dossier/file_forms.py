"""The editors' forms for an item's file and a dossier's lead image."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from kispub.core.forms import BaseForm

ACCEPT_ANY = "application/pdf,image/png,image/jpeg,image/webp"
ACCEPT_IMAGE = "image/png,image/jpeg,image/webp"


class FileUploadForm(BaseForm):
    """Upload or replace an item's file."""

    file = FileField(
        _l("Bestand"),
        validators=[FileRequired(_l("Kies een bestand."))],
        render_kw={"accept": ACCEPT_ANY},
    )
    submit = SubmitField(_l("Uploaden"))


class RemoveForm(BaseForm):
    """Remove a file, after saying so explicitly."""

    confirm = BooleanField(
        _l("Ja, verwijder het bestand"),
        validators=[DataRequired(_l("Vink aan dat u het bestand wilt verwijderen."))],
    )
    submit = SubmitField(_l("Verwijderen"))


class LeadImageForm(BaseForm):
    """A dossier's lead image and its text alternative."""

    image = FileField(
        _l("Afbeelding"),
        description=_l("PNG, JPEG of WebP. Leeg laten: alleen de beschrijving wijzigen."),
        render_kw={"accept": ACCEPT_IMAGE},
    )
    alt = StringField(
        _l("Beschrijving van de afbeelding (alt-tekst)"),
        description=_l("Wat de afbeelding laat zien, in één zin, voor wie haar niet ziet."),
        validators=[Length(max=300, message=_l("Hoogstens 300 tekens."))],
    )
    decorative = BooleanField(_l("De afbeelding is alleen decoratie (geen beschrijving nodig)"))
    submit = SubmitField(_l("Opslaan"))
