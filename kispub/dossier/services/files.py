"""Attaching a file to an item, removing it, and a dossier's lead image.

Each function checks the upload first (staged, sniffed and inspected in the sandbox by
:mod:`kispub.dossier.files.prepare`), then stores the files and references them in one
write transaction, and raises the dossier's revision so its cached list is rebuilt. Replaced
files are left to the media garbage collector (kispub/core/media_gc.py), which removes what no
row references once its grace period is over.
"""

from __future__ import annotations

from typing import BinaryIO

from flask_babel import gettext as _

from kispub.core import clock
from kispub.core.database import write_transaction
from kispub.core.storage import FileSystemStorage, Staged, content_hash, get_storage, parse_key
from kispub.core.text import clean_line
from kispub.dossier.files.errors import (
    MSG_ALT,
    MSG_ALT_LENGTH,
    MSG_NEEDS_FILE,
    MSG_NO_DOSSIER,
    MSG_NO_FILE_KIND,
    MSG_NO_ITEM,
    MSG_NOT_IMAGE,
    MSG_NOT_PDF,
    MSG_NOTHING,
    FileError,
)
from kispub.dossier.files.prepare import LEAD_IMAGE_MAX_SIDE, Prepared, prepared_upload
from kispub.dossier.models import Dossier, DossierFile, DossierItem, ItemKind
from kispub.dossier.services.editing import touch_dossier
from kispub.extensions import db

MAX_ALT = 300


def attach_file(item_id: int, stream: BinaryIO, filename: str | None) -> DossierFile:
    """Attach (or replace) an item's file: a PDF for a publication or guide (beside its
    HTML version), an image for an infographic. Uploading the file it already has changes
    nothing."""
    item = _item(item_id)
    _require_kind_takes_files(item.kind)
    if item.file is not None and _same_as_stored(stream, item.file):
        return item.file
    with prepared_upload(stream, filename) as prepared:
        _require_fitting_type(item.kind, prepared)
        storage = get_storage()
        with write_transaction():
            item = _item(item_id)
            current = item.file
            if current is not None and _unchanged(current, prepared):
                return current
            file = current or DossierFile(item_id=item.id)
            _store(storage, file, prepared)
            db.session.add(file)
            item.updated_at = clock.now()
            touch_dossier(item.dossier_id)
    return file


def remove_file(item_id: int) -> None:
    """Remove an item's file; an infographic keeps its image (it can only be replaced)."""
    with write_transaction():
        item = _item(item_id)
        if item.kind.needs_file:
            raise FileError(MSG_NEEDS_FILE)
        if item.file is None:
            return
        db.session.delete(item.file)
        item.updated_at = clock.now()
        touch_dossier(item.dossier_id)


def set_lead_image(
    dossier_id: int,
    stream: BinaryIO | None,
    filename: str | None,
    alt: str,
    *,
    decorative: bool = False,
) -> Dossier:
    """Give the dossier a lead image (or, with no ``stream``, new alt text for the one it
    has). The alt text is required unless the image is explicitly decorative."""
    alt = "" if decorative else clean_line(alt)
    if not decorative and not alt:
        raise FileError(MSG_ALT, "alt")
    if len(alt) > MAX_ALT:
        raise FileError(MSG_ALT_LENGTH, "alt")
    dossier = _dossier(dossier_id)
    if stream is None:
        if dossier.lead_image_key is None:
            raise FileError(MSG_NOTHING)
        with write_transaction():
            return _apply_lead(_dossier(dossier_id), dossier.lead_image_key, alt)
    with prepared_upload(stream, filename, max_side=LEAD_IMAGE_MAX_SIDE) as prepared:
        if prepared.type.is_pdf:
            raise FileError(_("Kies een afbeelding (PNG, JPEG of WebP), geen PDF."))
        storage = get_storage()
        with write_transaction():
            key = storage.commit(prepared.main, prepared.type.extension).key
            return _apply_lead(_dossier(dossier_id), key, alt)


def remove_lead_image(dossier_id: int) -> None:
    """The dossier shows no lead image."""
    with write_transaction():
        dossier = _dossier(dossier_id)
        if dossier.lead_image_key is not None:
            _apply_lead(dossier, None, "")


def _apply_lead(dossier: Dossier, key: str | None, alt: str) -> Dossier:
    if (dossier.lead_image_key, dossier.lead_image_alt) != (key, alt):
        dossier.lead_image_key, dossier.lead_image_alt = key, alt
        touch_dossier(dossier.id)
    return dossier


def _store(storage: FileSystemStorage, file: DossierFile, prepared: Prepared) -> None:
    """Move the staged files to their keys and describe them on the row."""
    file.key = _commit(storage, prepared.main, prepared.type.extension)
    file.thumbnail_key = _commit(storage, prepared.thumbnail, ".webp")
    file.fallback_thumbnail_key = _commit(storage, prepared.fallback_thumbnail, ".png")
    file.filename = prepared.filename
    file.content_type = prepared.type.content_type
    file.size = prepared.main.size
    file.page_count = prepared.page_count
    file.width, file.height = prepared.width, prepared.height
    file.uploaded_at = clock.now()


def _commit(storage: FileSystemStorage, staged: Staged, extension: str) -> str:
    return storage.commit(staged, extension).key


def _same_as_stored(stream: BinaryIO, file: DossierFile) -> bool:
    """Whether the upload is byte for byte the stored PDF (no need to check it again).

    Images are stored re-encoded, so they are compared after re-encoding (``_unchanged``).
    """
    if not stream.seekable() or file.content_type != "application/pdf":
        return False
    start = stream.tell()
    digest = content_hash(stream)
    stream.seek(start)
    return parse_key(file.key).sha256 == digest


def _unchanged(file: DossierFile, prepared: Prepared) -> bool:
    return parse_key(file.key).sha256 == prepared.main.sha256 and file.filename == prepared.filename


def _require_kind_takes_files(kind: ItemKind) -> None:
    if not kind.may_have_file:
        raise FileError(MSG_NO_FILE_KIND, kind=kind.label.lower())


def _require_fitting_type(kind: ItemKind, prepared: Prepared) -> None:
    if kind is ItemKind.INFOGRAPHIC and prepared.type.is_pdf:
        raise FileError(MSG_NOT_IMAGE)
    if kind in (ItemKind.PUBLICATION, ItemKind.GUIDE) and not prepared.type.is_pdf:
        raise FileError(MSG_NOT_PDF, kind=kind.label.lower())


def _item(item_id: int) -> DossierItem:
    item = db.session.get(DossierItem, item_id) if 0 < item_id < 2**31 else None
    if item is None:
        raise FileError(MSG_NO_ITEM)
    return item


def _dossier(dossier_id: int) -> Dossier:
    dossier = db.session.get(Dossier, dossier_id) if 0 < dossier_id < 2**31 else None
    if dossier is None:
        raise FileError(MSG_NO_DOSSIER)
    return dossier
