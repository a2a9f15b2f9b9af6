"""The home page with the demo content, in a real browser at desktop and phone widths."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import Flask
from playwright.sync_api import expect

from kispub.content import DEMO_FOLDER, load_content
from tests.browser.conftest import assert_accessible
from tests.clock import freeze


@pytest.mark.parametrize("width", [1280, 390])
def test_the_demo_home_page_is_accessible_and_leads_to_the_newest(
    app: Flask, page, width: int
) -> None:
    freeze(app, datetime(2027, 1, 10, 9, 0, tzinfo=UTC))
    for path in sorted(DEMO_FOLDER.glob("*.toml")):
        load_content(path)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/")
    for heading in ("Nieuwste podcastaflevering", "Komende kennisateliers", "Nieuw in de dossiers"):
        expect(page.get_by_role("heading", name=heading, level=2)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Nadia Haddou over gendergelijkheid", exact=False).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Nadia Haddou")
