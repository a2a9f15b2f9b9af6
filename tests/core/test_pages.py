"""Home page, theme pages, error pages and the health check."""

from __future__ import annotations

from flask import Flask, abort
from flask.testing import FlaskClient

from kispub.themes.registry import ThemeItem, ThemeSection, register_theme_section
from kispub.themes.services import DEFAULT_THEMES, ensure_default_themes
from tests.factories import make_theme


def test_home_page_is_dutch_and_leads_to_the_channels(client: FlaskClient) -> None:
    ensure_default_themes()
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="nl">' in html
    assert 'href="#inhoud"' in html and '<main id="inhoud"' in html
    for title in ("Podcast", "Kennisateliers", "Community", "Coronadossier"):
        assert title in html
    assert "Nieuwe migratie" in html and "/themas/nieuwe-migratie" in html


def test_default_themes_are_kis_seven_plus_the_dossier_two(app: Flask) -> None:
    assert ensure_default_themes() == 9
    assert ensure_default_themes() == 0
    assert len(DEFAULT_THEMES) == 9 and "Emancipatie en zelfbeschikking" in DEFAULT_THEMES


def test_theme_page_gathers_registered_sections(app: Flask, client: FlaskClient) -> None:
    theme = make_theme("Arbeidsmarkt", "Over werk.")

    def podcast_section(t):  # what a channel registers in its init_app
        item = ThemeItem(title=f"Aflevering over {t.name}", url="/podcast/1", meta="12 min")
        return ThemeSection(title="Podcast", items=(item,))

    register_theme_section(app, podcast_section)
    register_theme_section(app, lambda t: ThemeSection(title="Leeg", items=()))
    html = client.get(f"/themas/{theme.slug}").get_data(as_text=True)
    assert "<h1>Arbeidsmarkt</h1>" in html
    assert "Aflevering over Arbeidsmarkt" in html
    assert "Leeg" not in html


def test_unknown_theme_is_a_styled_404(client: FlaskClient) -> None:
    response = client.get("/themas/bestaat-niet")
    assert response.status_code == 404
    assert "Pagina niet gevonden" in response.get_data(as_text=True)


def test_forbidden_and_server_errors_are_styled(app: Flask) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/test-403")
    def forbidden() -> str:
        abort(403)

    @app.get("/test-500")
    def broken() -> str:
        raise RuntimeError("boom")

    client = app.test_client()
    forbidden_page = client.get("/test-403")
    broken_page = client.get("/test-500")
    assert forbidden_page.status_code == 403 and "Geen toegang" in forbidden_page.text
    assert broken_page.status_code == 500 and "Er ging iets mis" in broken_page.text
    assert "boom" not in broken_page.text and 'lang="nl"' in broken_page.text


def test_healthz_reports_ok(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok"}
