"""Dossier files in Chromium: an item page with an attachment and an infographic page pass
axe-core at desktop and phone width, the thumbnail loads, and the file opens."""

from __future__ import annotations

from typing import Any

import pytest

from kispub.dossier.models import ItemKind
from tests.browser.conftest import assert_accessible
from tests.dossier.file_helpers import attach_pdf, attach_png
from tests.dossier.helpers import make_dossier, make_item


@pytest.fixture
def dossier(app: Any, live_server: str) -> Any:
    dossier = make_dossier(slug="coronadossier", title="Coronadossier")
    publication = make_item(
        dossier,
        ItemKind.PUBLICATION,
        slug="tussen-verveling-en-vereenzaming",
        title="Tussen verveling en vereenzaming",
    )
    attach_pdf(publication, pages=12, filename="Tussen verveling en vereenzaming.pdf")
    infographic = make_item(
        dossier,
        ItemKind.INFOGRAPHIC,
        slug="inclusieve-communicatie",
        title="Hoe zorg je voor inclusieve communicatie tijdens de coronacrisis?",
    )
    attach_png(infographic)
    return dossier


@pytest.mark.parametrize("width", [1280, 390])
def test_pages_with_files_are_accessible(page: Any, dossier: Any, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    for path in (
        "/dossiers/coronadossier/tussen-verveling-en-vereenzaming",
        "/dossiers/coronadossier/inclusieve-communicatie",
        "/coronadossier",
    ):
        page.goto(path)
        assert_accessible(page)
        fits = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert fits, path


def test_the_thumbnail_loads_and_the_title_opens_the_file(page: Any, dossier: Any) -> None:
    page.goto("/dossiers/coronadossier/tussen-verveling-en-vereenzaming")
    thumbnail = page.locator(".attachment-thumbnail img")
    thumbnail.scroll_into_view_if_needed()
    page.wait_for_function(
        "() => { const i = document.querySelector('.attachment-thumbnail img');"
        " return i.complete && i.naturalWidth > 0; }"
    )
    assert page.evaluate("document.querySelector('.attachment-thumbnail img').currentSrc").count(
        "miniatuur.webp"
    )
    link = page.get_by_role("link", name="Tussen verveling en vereenzaming (PDF)")
    response = page.request.get(link.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    image = page.goto("/dossiers/coronadossier/inclusieve-communicatie")
    assert image is not None and image.status == 200
    page.wait_for_function("() => document.querySelector('.dossier-infographic img').naturalWidth")
