"""Attaching, replacing and removing an item's file, and a dossier's lead image."""

from __future__ import annotations

import io
import re

import pytest
from flask import Flask

from kispub.core.storage import get_storage, referenced_keys
from kispub.dossier.files import errors
from kispub.dossier.files.errors import FileError
from kispub.dossier.models import Dossier, ItemKind
from kispub.dossier.services.files import (
    attach_file,
    remove_file,
    remove_lead_image,
    set_lead_image,
)
from kispub.extensions import db
from tests.dossier import file_samples as samples
from tests.dossier.file_helpers import attach_pdf, attach_png
from tests.dossier.helpers import make_dossier, make_item


def revision(dossier_id: int) -> int:
    db.session.rollback()
    dossier = db.session.get(Dossier, dossier_id)
    assert dossier is not None
    return dossier.revision


def test_a_publication_gets_its_pdf_stored_thumbnailed_and_referenced(app: Flask) -> None:
    dossier = make_dossier()
    item = make_item(dossier, ItemKind.PUBLICATION)
    before = revision(dossier.id)
    file = attach_pdf(item, pages=5, filename="../../Eindrapport “corona”.pdf")
    assert (file.content_type, file.page_count, file.filename) == (
        "application/pdf",
        5,
        "Eindrapport “corona”.pdf",
    )
    storage = get_storage()
    for key in (file.key, file.thumbnail_key, file.fallback_thumbnail_key):
        assert key is not None and storage.exists(key)
        assert key in referenced_keys()
    assert storage.path(file.key).read_bytes() == samples.pdf(pages=5)
    assert revision(dossier.id) == before + 1


def test_the_same_file_again_changes_nothing(app: Flask) -> None:
    dossier = make_dossier()
    publication = make_item(dossier, ItemKind.PUBLICATION)
    infographic = make_item(dossier, ItemKind.INFOGRAPHIC)
    first_pdf, first_png = attach_pdf(publication), attach_png(infographic)
    before = revision(dossier.id)
    assert attach_pdf(publication).key == first_pdf.key
    assert attach_png(infographic).key == first_png.key
    assert revision(dossier.id) == before


def test_a_new_file_replaces_the_old_one_which_is_no_longer_referenced(app: Flask) -> None:
    item = make_item(make_dossier(), ItemKind.GUIDE)
    old = attach_pdf(item, pages=2).key
    new = attach_pdf(item, pages=7, filename="versie-2.pdf")
    assert new.key != old and new.page_count == 7 and new.filename == "versie-2.pdf"
    assert old not in referenced_keys()


@pytest.mark.parametrize(
    ("kind", "data", "message"),
    [
        (ItemKind.INFOGRAPHIC, samples.pdf(), re.escape(errors.MSG_NOT_IMAGE)),
        (ItemKind.PUBLICATION, samples.png(), "Bij een publicatie hoort een PDF-versie"),
        (ItemKind.GUIDE, samples.jpeg(), "Bij een handleiding hoort een PDF-versie"),
        (ItemKind.ARTICLE, samples.pdf(), "Een artikel heeft geen bestand."),
        (ItemKind.EXTERNAL, samples.pdf(), "Een externe link heeft geen bestand."),
    ],
)
def test_each_kind_takes_only_its_own_kind_of_file(
    app: Flask, kind: ItemKind, data: bytes, message: str
) -> None:
    dossier = make_dossier()
    item = make_item(dossier, kind)
    before = revision(dossier.id)
    with pytest.raises(FileError, match=message):
        attach_file(item.id, io.BytesIO(data), "bestand")
    assert revision(dossier.id) == before
    assert not list(get_storage().stored_keys())


def test_a_refused_upload_leaves_the_current_file(app: Flask) -> None:
    item = make_item(make_dossier(), ItemKind.PUBLICATION)
    current = attach_pdf(item)
    with pytest.raises(FileError, match="afgekapt"):
        attach_file(item.id, io.BytesIO(samples.pdf()[:400]), "kapot.pdf")
    db.session.rollback()
    assert item.file is not None and item.file.key == current.key


def test_a_publication_can_lose_its_pdf_an_infographic_not_its_image(app: Flask) -> None:
    dossier = make_dossier()
    publication = make_item(dossier, ItemKind.PUBLICATION)
    infographic = make_item(dossier, ItemKind.INFOGRAPHIC)
    attach_pdf(publication)
    attach_png(infographic)
    remove_file(publication.id)
    with pytest.raises(FileError, match="Een infographic heeft altijd een afbeelding"):
        remove_file(infographic.id)
    db.session.rollback()
    assert publication.file is None and infographic.file is not None
    with pytest.raises(FileError, match="bestaat niet"):
        remove_file(2**40)


def test_a_lead_image_needs_alt_text_unless_decorative(app: Flask) -> None:
    dossier = make_dossier()
    image = samples.jpeg((1200, 600), metadata=False)
    with pytest.raises(FileError) as missing:
        set_lead_image(dossier.id, io.BytesIO(image), "kop.jpg", "   ")
    assert missing.value.field == "alt"
    with pytest.raises(FileError, match="geen PDF"):
        set_lead_image(dossier.id, io.BytesIO(samples.pdf()), "kop.pdf", "Een kop")
    saved = set_lead_image(dossier.id, io.BytesIO(image), "kop.jpg", "Mensen in een wijk")
    key = saved.lead_image_key
    assert key is not None and key.endswith(".jpg") and key in referenced_keys()
    assert saved.lead_image_alt == "Mensen in een wijk"
    before = revision(dossier.id)
    set_lead_image(dossier.id, None, None, "", decorative=True)  # only the text changes
    db.session.rollback()
    assert (dossier.lead_image_key, dossier.lead_image_alt) == (key, "")
    assert revision(dossier.id) == before + 1
    remove_lead_image(dossier.id)
    db.session.rollback()
    assert dossier.lead_image_key is None


def test_the_media_collector_keeps_current_files_and_removes_replaced_ones(app: Flask) -> None:
    from kispub.core.media_gc import collect_media_garbage

    dossier = make_dossier()
    item = make_item(dossier, ItemKind.PUBLICATION)
    old = attach_pdf(item, pages=2).key
    current = attach_pdf(item, pages=3)
    set_lead_image(dossier.id, io.BytesIO(samples.png(metadata=False)), "kop.png", "Een kop")
    app.config["MEDIA_GC_GRACE_HOURS"] = -1  # everything counts as old enough
    removed = collect_media_garbage()
    storage = get_storage()
    assert old in removed and not storage.exists(old)
    db.session.rollback()
    lead = db.session.get(Dossier, dossier.id)
    assert lead is not None and lead.lead_image_key
    kept = [current.key, current.thumbnail_key, current.fallback_thumbnail_key, lead.lead_image_key]
    for key in kept:
        assert key is not None and storage.exists(key), key
