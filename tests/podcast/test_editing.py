"""Editing episodes and series in the back office; GUIDs never change."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from kispub.podcast import queries, services
from kispub.podcast.models import Episode, EpisodeStatus, Series
from tests.clock import Clock
from tests.factories import make_theme
from tests.podcast.conftest import FIXTURES, media_files


def form_for(episode: Episode, **changes: Any) -> dict[str, Any]:
    """The edit form as a browser would submit it, with changes."""
    data: dict[str, Any] = {
        "title": episode.title,
        "number": str(episode.number or ""),
        "season": "",
        "episode_type": episode.episode_type.value,
        "show_notes": episode.show_notes,
        "status": episode.status.value,
        "publish_at": "",
        "chapters": "",
        "guests-0-name": "",
        "guests-0-role": "guest",
        "guests-1-name": "",
        "guests-1-role": "guest",
    }
    data.update(changes)
    return data


def post(client: FlaskClient, path: str, data: dict[str, Any]) -> Any:
    with client.post(path, data=data, content_type="multipart/form-data") as response:
        response.get_data()
        return response


def test_editing_keeps_the_guid_and_the_address(
    client: FlaskClient, make_episode: Callable[..., Episode], editor: Any, clock: Clock
) -> None:
    episode = make_episode()
    guid, slug = episode.guid, episode.slug
    theme = make_theme("Arbeidsmarkt")
    clock.advance(minutes=5)
    response = post(
        client,
        f"/beheer/podcast/aflevering/{episode.id}",
        form_for(
            episode,
            title="Een heel andere titel",
            number="7",
            show_notes="Met **vet**.",
            themes=[theme.slug],
            chapters="0:00 Begin\n0:03 Midden",
            **{
                "guests-0-name": "Jaco Dagevos",
                "guests-0-description": "onderzoeker",
                "guests-0-url": "https://example.org/jaco",
                "guests-1-name": "Anna",
                "guests-1-role": "host",
            },
        ),
    )
    assert response.status_code == 303
    saved = queries.episode_for_editing(episode.id)
    assert saved is not None
    assert (saved.guid, saved.slug) == (guid, slug)
    assert saved.title == "Een heel andere titel" and saved.number == 7
    assert [t.slug for t in saved.themes] == [theme.slug]
    assert [(g.name, g.role, g.url) for g in saved.guests] == [
        ("Jaco Dagevos", "guest", "https://example.org/jaco"),
        ("Anna", "host", None),
    ]
    assert saved.chapters == [
        {"start_ms": 0, "title": "Begin"},
        {"start_ms": 3000, "title": "Midden"},
    ]
    assert saved.updated_at == clock.now
    page = client.get(f"/podcast/{saved.series.slug}/{slug}").get_data(as_text=True)
    assert (
        "Een heel andere titel" in page
        and "Jaco Dagevos" in page
        and "<strong>vet</strong>" in page
    )


def test_the_edit_form_shows_what_is_saved(
    client: FlaskClient, make_episode: Callable[..., Episode], editor: Any
) -> None:
    episode = make_episode(number=3)
    html = client.get(f"/beheer/podcast/aflevering/{episode.id}").get_data(as_text=True)
    assert episode.guid in html
    assert 'value="3"' in html
    assert "0:00 Opening\n0:02 Gesprek\n0:04 Afsluiting" in html


def test_replacing_the_audio_keeps_the_guid(
    app: Flask, client: FlaskClient, make_episode: Callable[..., Episode], editor: Any
) -> None:
    episode = make_episode("cbr_tagged.mp3", chapters=())
    guid, old_key = episode.guid, episode.audio_key
    data = form_for(episode, audio=(io.BytesIO((FIXTURES / "vorbis.ogg").read_bytes()), "n.ogg"))
    assert post(client, f"/beheer/podcast/aflevering/{episode.id}", data).status_code == 303
    saved = queries.episode_for_editing(episode.id)
    assert saved is not None
    assert saved.guid == guid and saved.audio_key != old_key
    assert saved.audio_mime == "audio/ogg" and abs(saved.duration_ms - 4000) < 1000
    assert [c["title"] for c in saved.chapters] == ["Opening", "Gesprek"]  # from the new file


def test_bad_input_in_the_edit_form_is_a_clear_422(
    app: Flask, client: FlaskClient, make_episode: Callable[..., Episode], editor: Any
) -> None:
    episode = make_episode()
    path = f"/beheer/podcast/aflevering/{episode.id}"
    bad_chapters = post(client, path, form_for(episode, chapters="0:00 Begin\nzomaar tekst"))
    assert bad_chapters.status_code == 422
    assert "Regel 2" in bad_chapters.get_data(as_text=True)
    bad_url = post(client, path, form_for(episode, **{"guests-0-name": "X", "guests-0-url": "nee"}))
    assert bad_url.status_code == 422 and "volledig webadres" in bad_url.get_data(as_text=True)
    before = media_files(app)
    bad_audio = post(
        client, path, form_for(episode, audio=(io.BytesIO(b"\x00" * 4000), "stilte.mp3"))
    )
    assert bad_audio.status_code == 422
    assert "geen geldig MP3" in bad_audio.get_data(as_text=True)
    bad_transcript = post(
        client, path, form_for(episode, transcript=(io.BytesIO(b"hallo"), "t.vtt"))
    )
    assert bad_transcript.status_code == 422 and "Onbekend formaat" in bad_transcript.get_data(
        as_text=True
    )
    assert media_files(app) == before
    saved = queries.episode_for_editing(episode.id)
    assert saved is not None and saved.audio_key == episode.audio_key


def test_a_transcript_added_later_appears_on_the_page(
    client: FlaskClient, make_episode: Callable[..., Episode], editor: Any
) -> None:
    episode = make_episode()
    vtt = (io.BytesIO((FIXTURES / "gesprek.vtt").read_bytes()), "gesprek.vtt")
    response = post(
        client, f"/beheer/podcast/aflevering/{episode.id}", form_for(episode, transcript=vtt)
    )
    assert response.status_code == 303
    page = client.get(f"/podcast/{episode.series.slug}/{episode.slug}").get_data(as_text=True)
    assert "Anna de Vries:" in page and "Goede vraag!" in page


def test_unpublishing_takes_it_off_the_feed(
    client: FlaskClient, make_episode: Callable[..., Episode], editor: Any, clock: Clock
) -> None:
    keep = make_episode(title="Blijft")
    gone = make_episode(title="Gaat weg")
    feed = f"/podcast/{keep.series.slug}/feed.xml"
    assert gone.guid.encode() in client.get(feed).data
    clock.advance(minutes=1)
    form = form_for(gone, status=EpisodeStatus.DRAFT.value)
    assert post(client, f"/beheer/podcast/aflevering/{gone.id}", form).status_code == 303
    body = client.get(feed).data
    assert gone.guid.encode() not in body and keep.guid.encode() in body
    assert client.get(f"/podcast/{gone.series.slug}/{gone.slug}").status_code == 404


def test_deleting_an_episode(
    client: FlaskClient, make_episode: Callable[..., Episode], editor: Any
) -> None:
    episode_id = make_episode().id
    response = client.post(f"/beheer/podcast/aflevering/{episode_id}/verwijderen")
    assert response.status_code == 303
    assert queries.episode_for_editing(episode_id) is None


def test_creating_and_moving_a_series(
    app: Flask, client: FlaskClient, editor: Any, clock: Clock
) -> None:
    fields = {
        "title": "Nieuwe serie",
        "author": "KIS",
        "owner_name": "Redactie",
        "owner_email": "redactie@kis.example",
        "category": "Society & Culture|Documentary",
        "language": "nl",
    }
    no_cover = post(client, "/beheer/podcast/serie/nieuw", fields)
    assert no_cover.status_code == 422 and "Kies een coverafbeelding" in no_cover.get_data(
        as_text=True
    )
    cover = (io.BytesIO((FIXTURES / "cover_1400.jpg").read_bytes()), "c.jpg")
    assert (
        post(client, "/beheer/podcast/serie/nieuw", {**fields, "cover": cover}).status_code == 303
    )
    series = queries.series_by_slug("nieuwe-serie")
    assert series is not None and series.subcategory == "Documentary"
    guid = series.podcast_guid
    moved = {**fields, "title": "Andere naam", "new_feed_url": "https://elders.example/feed.xml"}
    assert post(client, f"/beheer/podcast/serie/{series.id}", moved).status_code == 303
    again = queries.series_by_slug("nieuwe-serie")
    assert again is not None and again.podcast_guid == guid and again.title == "Andere naam"
    assert client.get("/podcast/nieuwe-serie/feed.xml").status_code == 301


def test_series_guid_is_fixed_at_creation(app: Flask, series: Series) -> None:
    before = series.podcast_guid
    app.config["BASE_URL"] = "https://nieuw-domein.example"
    services.update_series(
        series.id,
        services.SeriesData(title="Ander", author="A", owner_name="B", owner_email="b@example.org"),
    )
    assert series.podcast_guid == before


def test_a_double_submitted_new_series_is_created_once(client: FlaskClient, editor: Any) -> None:
    def submit() -> Any:
        cover = (io.BytesIO((FIXTURES / "cover_1400.jpg").read_bytes()), "c.jpg")
        fields = {
            "title": "Dubbel",
            "author": "KIS",
            "owner_name": "Redactie",
            "owner_email": "redactie@kis.example",
            "category": "Society & Culture|",
            "language": "nl",
            "nonce": "series-nonce-0123456789",
            "cover": cover,
        }
        return post(client, "/beheer/podcast/serie/nieuw", fields)

    first, second = submit(), submit()
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert len(queries.all_series()) == 1


def test_out_of_range_numbers_and_dates_are_form_errors(
    client: FlaskClient, make_episode: Callable[..., Episode], editor: Any
) -> None:
    episode = make_episode()
    path = f"/beheer/podcast/aflevering/{episode.id}"
    huge = post(client, path, form_for(episode, number="99999999999"))
    assert huge.status_code == 422 and "1 tot en met 99999" in huge.get_data(as_text=True)
    ancient = post(client, path, form_for(episode, publish_at="0001-01-01T00:00"))
    assert ancient.status_code == 422 and "tussen 1900 en 2100" in ancient.get_data(as_text=True)
