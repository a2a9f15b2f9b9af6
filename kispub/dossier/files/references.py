"""The storage keys the dossier channel references, for the media garbage collector."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select

from kispub.dossier.models import Dossier, DossierFile
from kispub.extensions import db


def media_keys() -> Iterator[str]:
    """Every attachment, thumbnail and lead image any dossier row references."""
    files = select(DossierFile.key, DossierFile.thumbnail_key, DossierFile.fallback_thumbnail_key)
    for row in db.session.execute(files):
        yield from (key for key in row if key)
    leads = select(Dossier.lead_image_key).where(Dossier.lead_image_key.is_not(None))
    yield from (key for key in db.session.scalars(leads) if key)
