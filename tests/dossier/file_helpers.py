"""Attaching real files to dossier items in tests, through the service."""

from __future__ import annotations

import io

from kispub.dossier.models import DossierFile, DossierItem
from kispub.dossier.services.files import attach_file
from tests.dossier import file_samples as samples


def attach_pdf(item: DossierItem, pages: int = 3, filename: str = "publicatie.pdf") -> DossierFile:
    return attach_file(item.id, io.BytesIO(samples.pdf(pages=pages)), filename)


def attach_png(item: DossierItem, filename: str = "infographic.png") -> DossierFile:
    return attach_file(item.id, io.BytesIO(samples.png((600, 900), metadata=False)), filename)
