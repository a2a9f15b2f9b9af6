"""What a page shows about an attached file (GOV.UK's attachment pattern), built as data."""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import parseaddr
from urllib.parse import quote

from flask import current_app, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from kispub.core.formatting import file_size
from kispub.core.storage import parse_key
from kispub.dossier.files.sniff import BY_CONTENT_TYPE
from kispub.dossier.models import Dossier, DossierFile, DossierItem


@dataclass(frozen=True)
class Attachment:
    """A file as the list and the item page show it: a thumbnail, the title as the one
    link, what it is ("PDF, 1,2 MB, 12 pagina's") and where to ask for an accessible
    version."""

    title: str
    url: str
    thumbnail_url: str | None
    fallback_thumbnail_url: str | None
    type_label: str
    size_label: str
    pages_label: str | None
    request_url: str  # mailto: "Vraag een toegankelijke versie aan"
    is_image: bool
    width: int | None
    height: int | None

    @property
    def details(self) -> str:
        return ", ".join(
            part for part in (self.type_label, self.size_label, self.pages_label) if part
        )


class Attachments:
    """Builds the attachments of one dossier's items, with its addresses built once."""

    def __init__(self, dossier: Dossier) -> None:
        # One url_for per page, not per item: the slug and a safe name need no more quoting
        # than quote() gives them.
        sample = url_for("dossier_files.thumbnail", slug=dossier.slug, item_slug="x", ext="png")
        self._base = sample[: -len("x/miniatuur.png")]
        self._address = accessibility_address()

    def __call__(self, item: DossierItem, file: DossierFile | None) -> Attachment | None:
        if file is None:
            return None
        version = parse_key(file.key).sha256[:12]  # a new file is a new address for caches
        here = f"{self._base}{item.slug}"
        kind = BY_CONTENT_TYPE.get(file.content_type)
        pages = file.page_count
        return Attachment(
            title=item.title,
            url=f"{here}/download/{quote(file.filename)}",
            thumbnail_url=f"{here}/miniatuur.webp?v={version}" if file.thumbnail_key else None,
            fallback_thumbnail_url=(
                f"{here}/miniatuur.png?v={version}" if file.fallback_thumbnail_key else None
            ),
            type_label=kind.label if kind else file.content_type,
            size_label=file_size(file.size),
            pages_label=None
            if pages is None
            else ngettext("%(num)d pagina", "%(num)d pagina's", pages),
            request_url=_mailto(self._address, item.title),
            is_image=kind is not None and not kind.is_pdf,
            width=file.width,
            height=file.height,
        )


def image_url(item: DossierItem, file: DossierFile) -> str:
    """The address of an infographic's image itself, for its item page (not counted as a
    download: the view counts the page)."""
    version = parse_key(file.key).sha256[:12]
    return url_for("dossier_files.image", slug=item.dossier.slug, item_slug=item.slug, v=version)


def lead_image_url(dossier: Dossier) -> str | None:
    """The address of the dossier's lead image, or None."""
    if not dossier.lead_image_key:
        return None
    version = parse_key(dossier.lead_image_key).sha256[:12]
    return url_for("dossier_files.lead_image", slug=dossier.slug, v=version)


def accessibility_address() -> str:
    """Where readers ask for an accessible version of a file."""
    configured = current_app.config.get("DOSSIER_ACCESSIBILITY_EMAIL")
    return configured or parseaddr(current_app.config["MAIL_FROM"])[1]


def _mailto(address: str, title: str) -> str:
    subject = quote(_("Toegankelijke versie aangevraagd: %(title)s", title=title))
    return f"mailto:{address}?subject={subject}"
