"""Editor links on public pages, and preview links for drafts and scheduled episodes."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from kispub.accounts.models import Role
from kispub.core.preview import preview_token
from kispub.extensions import db
from kispub.podcast.models import Download, Episode, EpisodeStatus, Series
from kispub.podcast.services import RESERVED_SLUGS, ChapterData
from tests.accesslog import log_path
from tests.clock import Clock
from tests.podcast.conftest import START


def preview_link(client: FlaskClient, episode: Episode) -> str:
    """The preview link as an editor finds it on the episode's back-office page."""
    page = client.get(f"/beheer/podcast/aflevering/{episode.id}").get_data(as_text=True)
    found = re.search(r'<a href="([^"]+)" class="preview-link">', page)
    assert found is not None, "no preview link"
    assert "Geldig tot" in page
    return found[1].replace("https://localhost", "").replace("http://localhost", "")


def test_a_draft_opens_through_its_preview_link_for_anyone(
    app: Flask, client: FlaskClient, make_episode: Callable[..., Episode], editor: Any
) -> None:
    episode = make_episode(
        title="Nog geheim",
        status=EpisodeStatus.DRAFT,
        transcript="gesprek.vtt",
        chapters=(ChapterData(0, "Begin"),),
    )
    link = preview_link(client, episode)
    visitor = app.test_client()
    assert visitor.get(f"/podcast/{episode.series.slug}/{episode.slug}").status_code == 404
    response = visitor.get(link)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["X-Robots-Tag"] == "noindex"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert '<meta name="robots" content="noindex">' in page
    assert "Voorbeeld — nog niet gepubliceerd" in page
    assert "Nog geheim" in page and "Transcript" in page and "Begin" in page
    assert "og:url" not in page and "application/ld+json" not in page
    audio = re.search(r'<audio id="speler"[^>]* src="([^"]+)"', page)
    assert audio is not None and audio[1] == f"{link}/audio"
    assert f"/podcast/audio/{episode.guid}" not in page  # the enclosure stays closed


def test_the_preview_audio_plays_with_ranges_and_is_never_counted(
    app: Flask, make_episode: Callable[..., Episode]
) -> None:
    episode = make_episode(status=EpisodeStatus.DRAFT)
    with app.test_request_context():
        token = preview_token("episode", episode.id)
    visitor = app.test_client()
    with visitor.get(f"/podcast/voorbeeld/{token}/audio") as whole:
        assert whole.status_code == 200
        assert whole.headers["Content-Type"] == "audio/mpeg"
        assert "no-store" in whole.headers["Cache-Control"]
        assert len(whole.get_data()) == episode.audio_size
    ranged = {"Range": "bytes=0-99"}
    with visitor.get(f"/podcast/voorbeeld/{token}/audio", headers=ranged) as part:
        assert part.status_code == 206 and len(part.get_data()) == 100
    assert visitor.get(f"/podcast/audio/{episode.guid}.mp3").status_code == 404
    assert not log_path(app).exists()  # nothing for the download counting to read
    db.session.rollback()
    assert db.session.scalar(select(func.count(Download.id))) == 0


def test_expired_forged_and_other_kind_tokens_are_404(
    app: Flask, clock: Clock, make_episode: Callable[..., Episode]
) -> None:
    episode = make_episode(status=EpisodeStatus.DRAFT)
    with app.test_request_context():
        token = preview_token("episode", episode.id)
        atelier_token = preview_token("atelier", episode.id)
    visitor = app.test_client()
    assert visitor.get(f"/podcast/voorbeeld/{token}").status_code == 200
    for bad in (token[:-2] + "xx", atelier_token, "niets"):
        assert visitor.get(f"/podcast/voorbeeld/{bad}").status_code == 404
        assert visitor.get(f"/podcast/voorbeeld/{bad}/audio").status_code == 404
    clock.advance(days=app.config["PREVIEW_LINK_DAYS"], seconds=1)
    assert visitor.get(f"/podcast/voorbeeld/{token}").status_code == 404
    assert visitor.get(f"/podcast/voorbeeld/{token}/audio").status_code == 404


def test_a_deleted_episode_is_404_through_its_link(
    app: Flask, make_episode: Callable[..., Episode], client: FlaskClient, editor: Any
) -> None:
    episode = make_episode(status=EpisodeStatus.DRAFT)
    link = preview_link(client, episode)
    client.post(f"/beheer/podcast/aflevering/{episode.id}/verwijderen")
    assert app.test_client().get(link).status_code == 404


def test_a_scheduled_episode_has_a_link_and_a_public_one_none(
    client: FlaskClient, make_episode: Callable[..., Episode], editor: Any
) -> None:
    scheduled = make_episode(title="Later", publish_at=START + timedelta(days=3))
    assert client.get(preview_link(client, scheduled)).status_code == 200
    public = make_episode(title="Nu")
    page = client.get(f"/beheer/podcast/aflevering/{public.id}").get_data(as_text=True)
    assert "preview-link" not in page and "Voorbeeldlink" not in page


def links(series: Series, episode: Episode) -> tuple[str, str, str, str]:
    """The public pages and the editor links they may show."""
    return (
        f"/podcast/{series.slug}/{episode.slug}",
        f"/podcast/{series.slug}/",
        f'href="/beheer/podcast/aflevering/{episode.id}">Bewerken</a>',
        f'href="/beheer/podcast/serie/{series.id}">Beheer</a>',
    )


def test_editors_find_edit_links_on_public_pages(
    client: FlaskClient, make_episode: Callable[..., Episode], series: Series, editor: Any
) -> None:
    episode_page, series_page, edit, manage = links(series, make_episode())
    assert edit in client.get(episode_page).get_data(as_text=True)
    assert manage in client.get(series_page).get_data(as_text=True)


def test_visitors_and_members_find_no_edit_links(
    client: FlaskClient,
    make_episode: Callable[..., Episode],
    series: Series,
    login_as: Callable[..., Any],
) -> None:
    episode_page, series_page, edit, manage = links(series, make_episode())
    for _ in ("anonymous", "member"):
        assert edit not in client.get(episode_page).get_data(as_text=True)
        assert manage not in client.get(series_page).get_data(as_text=True)
        login_as(role=Role.MEMBER)


def test_voorbeeld_is_no_series_address() -> None:
    assert "voorbeeld" in RESERVED_SLUGS
