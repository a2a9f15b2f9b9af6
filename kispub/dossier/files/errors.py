"""The refusal of an uploaded file, with the Dutch messages the upload forms show."""

from __future__ import annotations

MSG_EMPTY = "Het bestand is leeg."
MSG_TOO_LARGE = "Het bestand is groter dan {limit}. Kies een kleiner bestand."
MSG_TYPE = (
    "Dit bestandstype wordt niet geaccepteerd ({found}). "
    "Kies een PDF, of een afbeelding in PNG-, JPEG- of WebP-formaat."
)
MSG_SVG = (
    "SVG-bestanden worden niet geaccepteerd: ze kunnen scripts bevatten. "
    "Exporteer de afbeelding als PNG."
)
MSG_PDF_DAMAGED = "Het PDF-bestand is beschadigd en kan niet worden geopend."
MSG_PDF_TRUNCATED = "Het PDF-bestand is onvolledig (afgekapt). Upload het volledige bestand."
MSG_PDF_LOCKED = (
    "Het PDF-bestand is met een wachtwoord beveiligd. Upload een versie zonder wachtwoord."
)
MSG_PDF_NO_PAGES = "Het PDF-bestand bevat geen pagina's."
MSG_PDF_PAGES = "Het PDF-bestand heeft {count} pagina's; het maximum is {limit}."
MSG_PDF_PAGE_SIZE = (
    "Een pagina van het PDF-bestand is te groot (meer dan {limit} cm breed of hoog)."
)
MSG_IMAGE_DAMAGED = "De afbeelding is beschadigd of onvolledig en kan niet worden gelezen."
MSG_IMAGE_PIXELS = "De afbeelding heeft te veel pixels: hoogstens {limit} megapixel."
MSG_TIMEOUT = (
    "Het bestand kon niet binnen {seconds} seconden worden gecontroleerd. "
    "Het is te ingewikkeld of beschadigd; sla het opnieuw op en probeer het nog eens."
)
MSG_MEMORY = "Het bestand vraagt te veel geheugen om te controleren. Kies een eenvoudiger bestand."
MSG_CRASHED = "De controle van het bestand liep vast: het bestand is waarschijnlijk beschadigd."
MSG_UNREADABLE = (
    "Het bestand kon niet worden gelezen: het is beschadigd, of geen geldige PDF of afbeelding."
)
MSG_UNAVAILABLE = "Het bestand kon nu niet worden gecontroleerd. Probeer het later opnieuw."
MSG_NOT_IMAGE = "Een infographic moet een afbeelding zijn (PNG, JPEG of WebP), geen PDF."
MSG_NOT_PDF = "Bij een {kind} hoort een PDF-versie, geen afbeelding."
MSG_NO_FILE_KIND = "Een {kind} heeft geen bestand."
MSG_NEEDS_FILE = (
    "Een infographic heeft altijd een afbeelding: vervang het bestand in plaats van het te "
    "verwijderen."
)
MSG_NO_ITEM = "Dit item bestaat niet (meer)."
MSG_NO_DOSSIER = "Dit dossier bestaat niet (meer)."
MSG_ALT = "Beschrijf wat de afbeelding laat zien, of geef aan dat ze alleen ter decoratie is."
MSG_ALT_LENGTH = "De beschrijving mag hoogstens 300 tekens lang zijn."
MSG_NOTHING = "Kies een bestand."


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
