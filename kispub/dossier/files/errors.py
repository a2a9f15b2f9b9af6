"""The refusal of an uploaded file, with the Dutch messages the upload forms show."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

MSG_EMPTY = _l("Het bestand is leeg.")
MSG_TOO_LARGE = _l("Het bestand is groter dan {limit}. Kies een kleiner bestand.")
MSG_TYPE = _l(
    "Dit bestandstype wordt niet geaccepteerd ({found}). "
    "Kies een PDF, of een afbeelding in PNG-, JPEG- of WebP-formaat."
)
MSG_SVG = _l(
    "SVG-bestanden worden niet geaccepteerd: ze kunnen scripts bevatten. "
    "Exporteer de afbeelding als PNG."
)
MSG_PDF_DAMAGED = _l("Het PDF-bestand is beschadigd en kan niet worden geopend.")
MSG_PDF_TRUNCATED = _l("Het PDF-bestand is onvolledig (afgekapt). Upload het volledige bestand.")
MSG_PDF_LOCKED = _l(
    "Het PDF-bestand is met een wachtwoord beveiligd. Upload een versie zonder wachtwoord."
)
MSG_PDF_NO_PAGES = _l("Het PDF-bestand bevat geen pagina's.")
MSG_PDF_PAGES = _l("Het PDF-bestand heeft {count} pagina's; het maximum is {limit}.")
MSG_PDF_PAGE_SIZE = _l(
    "Een pagina van het PDF-bestand is te groot (meer dan {limit} cm breed of hoog)."
)
MSG_IMAGE_DAMAGED = _l("De afbeelding is beschadigd of onvolledig en kan niet worden gelezen.")
MSG_IMAGE_PIXELS = _l("De afbeelding heeft te veel pixels: hoogstens {limit} megapixel.")
MSG_TIMEOUT = _l(
    "Het bestand kon niet binnen {seconds} seconden worden gecontroleerd. "
    "Het is te ingewikkeld of beschadigd; sla het opnieuw op en probeer het nog eens."
)
MSG_MEMORY = _l(
    "Het bestand vraagt te veel geheugen om te controleren. Kies een eenvoudiger bestand."
)
MSG_CRASHED = _l("De controle van het bestand liep vast: het bestand is waarschijnlijk beschadigd.")
MSG_UNREADABLE = _l(
    "Het bestand kon niet worden gelezen: het is beschadigd, of geen geldige PDF of afbeelding."
)
MSG_UNAVAILABLE = _l("Het bestand kon nu niet worden gecontroleerd. Probeer het later opnieuw.")
MSG_NOT_IMAGE = _l("Een infographic moet een afbeelding zijn (PNG, JPEG of WebP), geen PDF.")
MSG_NOT_PDF = _l("Bij een {kind} hoort een PDF-versie, geen afbeelding.")
MSG_NO_FILE_KIND = _l("Een {kind} heeft geen bestand.")
MSG_NEEDS_FILE = _l(
    "Een infographic heeft altijd een afbeelding: vervang het bestand in plaats van het te "
    "verwijderen."
)
MSG_NO_ITEM = _l("Dit item bestaat niet (meer).")
MSG_NO_DOSSIER = _l("Dit dossier bestaat niet (meer).")
MSG_ALT = _l("Beschrijf wat de afbeelding laat zien, of geef aan dat ze alleen ter decoratie is.")
MSG_ALT_LENGTH = _l("De beschrijving mag hoogstens 300 tekens lang zijn.")
MSG_NOTHING = _l("Kies een bestand.")


class FileError(ValueError):
    """A file (or a change to one) we refuse; ``str(error)`` is a Dutch message for the
    editor, ``field`` the form field it belongs to."""

    def __init__(self, message: str, field: str = "file") -> None:
        super().__init__(message)
        self.field = field


def megabytes(size: int) -> str:
    """ "50 MB", "2,5 MB": a limit in a message."""
    value = size / (1024 * 1024)
    text = f"{value:.0f}" if value >= 10 or value == int(value) else f"{value:.1f}"
    return f"{text.replace('.', ',')} MB"
