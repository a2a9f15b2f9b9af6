"""The coronadossier in Chromium: filtering by theme and type with JavaScript switched off,
and axe-core on the dossier, a filtered list and an item page, at desktop and phone width."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from kispub.dossier.models import ItemKind
from kispub.dossier.services.editing import feature_item
from tests.browser.conftest import assert_accessible
from tests.dossier.helpers import make_dossier, make_group, make_item
from tests.factories import make_theme


@pytest.fixture
def dossier(app: Any, live_server: str) -> Any:
    migration, participation = make_theme("Nieuwe migratie"), make_theme("Participatie")
    dossier = make_dossier(slug="coronadossier", title="Coronadossier")
    group = make_group(dossier, "Nieuwe migratie")
    helpdesk = make_item(
        dossier,
        title="Corona helpdesk voor statushouders gestart",
        group_id=group.id,
        theme_slugs=(migration.slug,),
    )
    make_item(
        dossier,
        ItemKind.INFOGRAPHIC,
        title="Hoe zorg je voor inclusieve communicatie tijdens de coronacrisis?",
        theme_slugs=(participation.slug,),
    )
    make_item(
        dossier,
        ItemKind.PUBLICATION,
        title="Tussen verveling en vereenzaming",
        theme_slugs=(participation.slug, migration.slug),
    )
    feature_item(helpdesk.id, 1)
    return dossier


@pytest.fixture
def no_script_page(browser: Any, live_server: str) -> Iterator[Any]:
    context = browser.new_context(base_url=live_server, locale="nl-NL", java_script_enabled=False)
    yield context.new_page()
    context.close()


def results(page: Any) -> Any:
    return page.locator("section[aria-labelledby=resultaten] .dossier-entry h3")


def test_filtering_works_without_javascript(no_script_page: Any, dossier: Any) -> None:
    page = no_script_page
    page.goto("/coronadossier")
    filters = page.locator(".dossier-filters")
    filters.get_by_role("link", name="Participatie (2)").click()
    page.wait_for_url("**/coronadossier?thema=participatie")
    expect(results(page)).to_have_count(2)
    page.locator(".dossier-filters").get_by_role("link", name="Infographics (1)").click()
    page.wait_for_url("**/coronadossier?thema=participatie&type=infographic")
    expect(results(page)).to_have_text(
        ["Hoe zorg je voor inclusieve communicatie tijdens de coronacrisis?"]
    )
    page.get_by_role("link", name="Alle filters wissen").click()
    page.wait_for_url("**/coronadossier")
    expect(page.get_by_role("heading", name="Uitgelicht")).to_be_visible()


@pytest.mark.parametrize("width", [1280, 390])
def test_dossier_filter_and_item_pages_are_accessible(page: Any, dossier: Any, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    for path in (
        "/coronadossier",
        "/coronadossier?thema=participatie&type=publicatie",
        "/dossiers/coronadossier/tussen-verveling-en-vereenzaming",
        "/dossiers/",
    ):
        page.goto(path)
        assert_accessible(page)
        fits = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert fits, path
