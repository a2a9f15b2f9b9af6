"""The refusal of an uploaded file, with the Dutch messages the upload forms show."""

from __future__ import annotations

from kispub.core.refusals import N_, Param, Refusal, Text

# Message ids (Dutch), translated where the editor sees them (see kispub.core.refusals).
MSG_EMPTY = N_("Het bestand is leeg.")
MSG_TOO_LARGE = N_("Het bestand is groter dan %(limit)s. Kies een kleiner bestand.")
MSG_TYPE = N_(
    "Dit bestandstype wordt niet geaccepteerd (%(found)s). "
    "Kies een PDF, of een afbeelding in PNG-, JPEG- of WebP-formaat."
)
MSG_SVG = N_(
    "SVG-bestanden worden niet geaccepteerd: ze kunnen scripts bevatten. "
    "Exporteer de afbeelding als PNG."
)
MSG_PDF_DAMAGED = N_("Het PDF-bestand is beschadigd en kan niet worden geopend.")
MSG_PDF_TRUNCATED = N_("Het PDF-bestand is onvolledig (afgekapt). Upload het volledige bestand.")
MSG_PDF_LOCKED = N_(
    "Het PDF-bestand is met een wachtwoord beveiligd. Upload een versie zonder wachtwoord."
)
MSG_PDF_NO_PAGES = N_("Het PDF-bestand bevat geen pagina's.")
MSG_PDF_PAGES = N_("Het PDF-bestand heeft %(count)s pagina's; het maximum is %(limit)s.")
MSG_PDF_PAGE_SIZE = N_(
    "Een pagina van het PDF-bestand is te groot (meer dan %(limit)s cm breed of hoog)."
)
MSG_IMAGE_DAMAGED = N_("De afbeelding is beschadigd of onvolledig en kan niet worden gelezen.")
MSG_IMAGE_PIXELS = N_("De afbeelding heeft te veel pixels: hoogstens %(limit)s megapixel.")
MSG_TIMEOUT = N_(
    "Het bestand kon niet binnen %(seconds)s seconden worden gecontroleerd. "
    "Het is te ingewikkeld of beschadigd; sla het opnieuw op en probeer het nog eens."
)
MSG_MEMORY = N_(
    "Het bestand vraagt te veel geheugen om te controleren. Kies een eenvoudiger bestand."
)
MSG_CRASHED = N_("De controle van het bestand liep vast: het bestand is waarschijnlijk beschadigd.")
MSG_UNREADABLE = N_(
    "Het bestand kon niet worden gelezen: het is beschadigd, of geen geldige PDF of afbeelding."
)
MSG_UNAVAILABLE = N_("Het bestand kon nu niet worden gecontroleerd. Probeer het later opnieuw.")
MSG_NOT_IMAGE = N_("Een infographic moet een afbeelding zijn (PNG, JPEG of WebP), geen PDF.")
MSG_NOT_PDF = N_("Bij een %(kind)s hoort een PDF-versie, geen afbeelding.")
MSG_NO_FILE_KIND = N_("Een %(kind)s heeft geen bestand.")
MSG_NEEDS_FILE = N_(
    "Een infographic heeft altijd een afbeelding: vervang het bestand in plaats van het te "
    "verwijderen."
)
MSG_NO_ITEM = N_("Dit item bestaat niet (meer).")
MSG_NO_DOSSIER = N_("Dit dossier bestaat niet (meer).")
MSG_ALT = N_("Beschrijf wat de afbeelding laat zien, of geef aan dat ze alleen ter decoratie is.")
MSG_ALT_LENGTH = N_("De beschrijving mag hoogstens 300 tekens lang zijn.")
MSG_NOTHING = N_("Kies een bestand.")


class FileError(Refusal):
    """A file (or a change to one) we refuse; ``str(error)`` is a Dutch message for the
    editor, :meth:`translated` the same in the request's locale, ``field`` the form field
    it belongs to."""

    def __init__(self, text: Text | str, field: str = "file", **params: Param) -> None:
        super().__init__(text, **params)
        self.field = field


def megabytes(size: int) -> str:
    """ "50 MB", "2,5 MB": a limit in a message."""
    value = size / (1024 * 1024)
    text = f"{value:.0f}" if value >= 10 or value == int(value) else f"{value:.1f}"
    return f"{text.replace('.', ',')} MB"
