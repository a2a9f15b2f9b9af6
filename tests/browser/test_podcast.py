"""The podcast pages in Chromium: the player, chapter seeking, the upload form, axe-core."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from kispub.accounts.models import Role
from kispub.podcast import services
from kispub.podcast.models import Episode, EpisodeStatus, Series
from kispub.podcast.services import EpisodeData, EpisodeFiles
from tests.browser.conftest import assert_accessible, log_in
from tests.factories import make_theme, make_user
from tests.podcast.conftest import FIXTURES, make_series

# Remembers what the progress bar showed, across the navigation that follows the upload.
WATCH_PROGRESS = """() => {
  const bar = document.querySelector("progress");
  sessionStorage.progress = JSON.stringify([false, 0, 0]);
  new MutationObserver(() => {
    sessionStorage.progress = JSON.stringify([!bar.hidden, bar.value, bar.max]);
  }).observe(bar, { attributes: true });
}"""
DURATION = """() => new Promise(resolve => {
  const audio = document.querySelector("audio[data-podcast-player]");
  if (audio.readyState >= 1) { resolve(audio.duration); return; }
  audio.addEventListener("loadedmetadata", () => resolve(audio.duration), { once: true });
})"""


@pytest.fixture
def episode(app: Flask, live_server: str) -> Episode:
    """A published episode with chapters and a transcript, served at the live server's URL."""
    theme = make_theme("Nieuwe migratie")
    series = make_series(app)
    data = EpisodeData(
        status=EpisodeStatus.PUBLISHED,
        theme_slugs=(theme.slug,),
        show_notes="Een gesprek over *inburgering*.",
        number=1,
    )
    transcript = (FIXTURES / "gesprek.vtt").read_bytes()
    with app.test_request_context(), (FIXTURES / "cbr_tagged.mp3").open("rb") as stream:
        created = services.create_episode(series.id, data, EpisodeFiles(stream, None, transcript))
    assert created.item is not None
    return created.item


def episode_path(episode: Episode) -> str:
    return f"/podcast/{episode.series.slug}/{episode.slug}"


def test_the_player_loads_the_duration_and_chapters_seek(page: Any, episode: Episode) -> None:
    page.goto(episode_path(episode))
    assert abs(page.evaluate(DURATION) - 6.0) < 0.5
    page.get_by_role("link", name=re.compile("Gesprek")).click()
    page.wait_for_function(
        "() => document.querySelector('audio[data-podcast-player]').currentTime >= 2"
    )
    position = page.evaluate(
        "() => document.querySelector('audio[data-podcast-player]').currentTime"
    )
    assert 2.0 <= position < 4.0
    assert page.url.endswith(episode_path(episode))  # seeking did not navigate away
    page.locator(".transcript a[data-start='0']").click()
    page.wait_for_function(
        "() => document.querySelector('audio[data-podcast-player]').currentTime < 1.5"
    )


def test_episode_and_series_pages_are_accessible(page: Any, episode: Episode) -> None:
    page.goto(episode_path(episode))
    assert page.get_by_role("heading", name="Hoofdstukken", exact=True).is_visible()
    assert_accessible(page)
    page.goto(f"/podcast/{episode.series.slug}/")
    assert page.get_by_role("link", name=episode.title).is_visible()
    assert_accessible(page)
    page.goto("/podcast/")
    assert_accessible(page)


def log_in_as_editor(page: Any) -> None:
    user = make_user(role=Role.EDITOR)
    log_in(page, user)


@pytest.fixture
def series(app: Flask, live_server: str) -> Series:
    return make_series(app)


def test_upload_with_progress_then_edit(page: Any, series: Series, tmp_path: Path) -> None:
    log_in_as_editor(page)
    page.goto("/beheer/podcast/nieuw")
    assert_accessible(page)
    page.get_by_label("Audiobestand").set_input_files(str(FIXTURES / "aac.m4a"))
    page.evaluate(WATCH_PROGRESS)
    page.get_by_role("button", name="Uploaden en opslaan").click()
    page.wait_for_url(re.compile(r"/beheer/podcast/aflevering/\d+$"))
    shown, value, maximum = page.evaluate("() => JSON.parse(sessionStorage.progress)")
    assert shown and value == maximum > 17_000  # the whole file, as the upload reported it
    assert page.get_by_text("De aflevering is opgeslagen.").is_visible()
    assert page.get_by_role("heading", name="Testaflevering met hoofdstukken").is_visible()
    assert_accessible(page)


def test_a_refused_upload_shows_the_reason_in_place(page: Any, series: Series) -> None:
    log_in_as_editor(page)
    page.goto("/beheer/podcast/nieuw")
    page.get_by_label("Audiobestand").set_input_files(str(FIXTURES / "png_named.mp3"))
    page.get_by_label("Titel").fill("Geen audio")
    page.get_by_role("button", name="Uploaden en opslaan").click()
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert "PNG-afbeelding" in alert.inner_text()
    assert page.url.endswith("/beheer/podcast/nieuw")
    assert page.get_by_label("Titel").input_value() == "Geen audio"
    assert_accessible(page)


def assert_accessible_wide_and_narrow(page: Any) -> None:
    """axe-core at a desktop width and at a phone's."""
    for width, height in ((1280, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        assert_accessible(page)


def test_deleting_asks_first_on_a_page_of_its_own(page: Any, episode: Episode) -> None:
    log_in_as_editor(page)
    page.goto(f"/beheer/podcast/aflevering/{episode.id}")
    page.get_by_role("link", name="Aflevering verwijderen").click()
    page.wait_for_url(re.compile(r"/verwijderen$"))
    assert page.get_by_role("heading", name="Aflevering verwijderen?").is_visible()
    assert page.get_by_text("Het transcript").is_visible()
    assert_accessible_wide_and_narrow(page)
    page.get_by_role("button", name="Ja, definitief verwijderen").click()
    page.wait_for_url(re.compile(r"/beheer/podcast/$"))
    assert page.get_by_text("is verwijderd").is_visible()


def test_adding_a_guest_row_without_javascript_keeps_the_form(
    browser: Any, live_server: str, page: Any, series: Series
) -> None:
    context = browser.new_context(base_url=live_server, locale="nl-NL", java_script_enabled=False)
    tab = context.new_page()
    try:
        log_in(tab, make_user(role=Role.EDITOR))
        tab.goto("/beheer/podcast/nieuw")
        tab.get_by_label("Audiobestand").set_input_files(str(FIXTURES / "cbr_tagged.mp3"))
        tab.get_by_label("Titel").fill("Met drie gasten")
        tab.locator("#guests-0-name").fill("Fatima")
        tab.get_by_role("button", name="Nog een gast toevoegen").click()
        tab.locator("#guests-1-name").fill("Joost")
        tab.get_by_role("button", name="Nog een gast toevoegen").click()
        tab.locator("#guests-2-name").fill("Ayse")
        assert tab.get_by_label("Titel").input_value() == "Met drie gasten"
        assert tab.locator("#guests-0-name").input_value() == "Fatima"
        assert tab.get_by_text("Ontvangen: cbr_tagged.mp3").is_visible()
        tab.get_by_role("button", name="Uploaden en opslaan").click()
        tab.wait_for_url(re.compile(r"/beheer/podcast/aflevering/\d+$"))
        assert tab.locator("#guests-2-name").input_value() == "Ayse"
    finally:
        context.close()
    # The same form with its script: the button still only adds a row.
    log_in_as_editor(page)
    page.goto("/beheer/podcast/nieuw")
    page.get_by_role("button", name="Nog een gast toevoegen").click()
    page.locator("#guests-1-name").wait_for()
    assert_accessible_wide_and_narrow(page)


def test_the_preview_page_plays_the_draft_for_a_visitor(
    app: Flask, browser: Any, live_server: str, page: Any, series: Series
) -> None:
    data = EpisodeData(title="Nog niet uit", status=EpisodeStatus.DRAFT)
    transcript = (FIXTURES / "gesprek.vtt").read_bytes()
    with app.test_request_context(), (FIXTURES / "cbr_tagged.mp3").open("rb") as stream:
        created = services.create_episode(series.id, data, EpisodeFiles(stream, None, transcript))
    assert created.item is not None
    log_in_as_editor(page)
    page.goto(f"/beheer/podcast/aflevering/{created.item.id}")
    link = page.locator("a.preview-link").get_attribute("href")
    context = browser.new_context(base_url=live_server, locale="nl-NL")
    visitor = context.new_page()
    try:
        visitor.goto(link)
        assert visitor.get_by_text("Voorbeeld — nog niet gepubliceerd").is_visible()
        assert abs(visitor.evaluate(DURATION) - 6.0) < 0.5  # the draft's audio plays
        assert_accessible_wide_and_narrow(visitor)
    finally:
        context.close()
