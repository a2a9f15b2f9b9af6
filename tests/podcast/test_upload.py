"""The editor's upload form: every accepted format, every refusal, and nothing left behind."""

from __future__ import annotations

import io
import shutil
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from mutagen.id3 import APIC, ID3, PictureType

from kispub.accounts.models import Role
from kispub.core.storage import get_storage
from kispub.podcast import queries
from kispub.podcast.models import EpisodeStatus, Series
from tests.podcast.conftest import (
    FIXTURES,
    MIME_TYPES,
    TRUE_SECONDS,
    Clock,
    episode_count,
    media_files,
)

UPLOAD = "/beheer/podcast/nieuw"


def upload(
    client: FlaskClient,
    series: Series,
    content: bytes | str,
    filename: str | None = None,
    **fields: Any,
) -> Any:
    """POST the upload form; ``content`` is a fixture name or raw bytes."""
    if isinstance(content, str):
        filename = filename or content
        content = (FIXTURES / content).read_bytes()
    data: dict[str, Any] = {
        "series": str(series.id),
        "status": "published",
        "episode_type": "full",
        "nonce": fields.pop("nonce", f"nonce-{id(content)}-{len(content)}-{filename}"),
        "audio": (io.BytesIO(content), filename or "aflevering.mp3"),
        **fields,
    }
    with client.post(UPLOAD, data=data, content_type="multipart/form-data") as response:
        response.get_data()
        return response


@pytest.mark.parametrize("fixture", list(TRUE_SECONDS))
def test_each_accepted_format_becomes_an_episode(
    app: Flask, client: FlaskClient, series: Series, editor: Any, fixture: str
) -> None:
    title = {"title": "Zonder tags"} if fixture == "vbr_noxing.mp3" else {}
    response = upload(client, series, fixture, **title)
    assert response.status_code == 303, response.get_data(as_text=True)
    [episode] = queries.editor_overview().episodes[series.id]
    assert response.headers["Location"] == f"/beheer/podcast/aflevering/{episode.id}"
    assert abs(episode.duration_ms / 1000 - TRUE_SECONDS[fixture]) < 1.0
    assert episode.audio_mime == MIME_TYPES[episode.audio_extension]
    data = (FIXTURES / fixture).read_bytes()
    assert episode.audio_size == len(data)
    assert get_storage().path(episode.audio_key).read_bytes() == data
    assert not any(name.startswith(".staging/") for name in media_files(app))
    if fixture != "vbr_noxing.mp3":
        assert episode.title == "Testaflevering met hoofdstukken"  # from the file's tags


def test_embedded_chapters_are_used_when_none_are_given(
    client: FlaskClient, series: Series, editor: Any
) -> None:
    upload(client, series, "cbr_tagged.mp3")
    [episode] = queries.editor_overview().episodes[series.id]
    assert [c["title"] for c in episode.chapters] == ["Opening", "Gesprek", "Afsluiting"]


def test_embedded_cover_art_is_used_when_it_meets_the_rules(
    client: FlaskClient, series: Series, editor: Any, tmp_path: Path
) -> None:
    audio = tmp_path / "met-cover.mp3"
    shutil.copy(FIXTURES / "cbr_tagged.mp3", audio)
    tags = ID3(audio)
    tags.delall("APIC")
    cover = (FIXTURES / "cover_1400.jpg").read_bytes()
    tags.add(APIC(encoding=3, mime="image/jpeg", type=PictureType.COVER_FRONT, data=cover))
    tags.save(audio)
    assert upload(client, series, audio.read_bytes(), "met-cover.mp3").status_code == 303
    [episode] = queries.editor_overview().episodes[series.id]
    assert episode.cover_key is not None
    assert get_storage().path(episode.cover_key).read_bytes() == cover


def test_a_too_small_embedded_cover_is_skipped_with_a_notice(
    client: FlaskClient, series: Series, editor: Any
) -> None:
    response = upload(client, series, "cbr_tagged.mp3")
    [episode] = queries.editor_overview().episodes[series.id]
    assert episode.cover_key is None
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "De coverafbeelding in het audiobestand is niet gebruikt" in page


def test_vbr_mp3_without_xing_header_gets_its_true_duration(
    client: FlaskClient, series: Series, editor: Any
) -> None:
    response = upload(client, series, "vbr_noxing.mp3", title="VBR zonder Xing")
    assert response.status_code == 303
    [episode] = queries.editor_overview().episodes[series.id]
    assert abs(episode.duration_ms - 6000) < 1000


REFUSED = {
    "truncated_xing.mp3": "afgekapt",
    "truncated.m4a": "afgekapt",
    "random.bin": "geen geldig MP3-, M4A- of Ogg-audiobestand",
    "png_named.mp3": "PNG-afbeelding",
    "wav_named.mp3": "WAV-bestand",
    "video.mp4": "bevat video",
    "alac.m4a": "geen AAC-audio",
    "flac.ogg": "geen Vorbis- of Opus-audio",
    "cover_1400.jpg": "JPEG-afbeelding",
}


@pytest.mark.parametrize(("fixture", "message"), REFUSED.items(), ids=REFUSED.keys())
def test_bad_files_are_refused_clearly_and_leave_nothing_behind(
    app: Flask, client: FlaskClient, series: Series, editor: Any, fixture: str, message: str
) -> None:
    before = media_files(app)
    response = upload(client, series, fixture, filename="aflevering.mp3")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert 'class="error-summary"' in html and 'id="audio-error"' in html
    assert media_files(app) == before
    assert episode_count() == 0


def test_an_empty_file_is_refused(
    app: Flask, client: FlaskClient, series: Series, editor: Any
) -> None:
    response = upload(client, series, b"", filename="leeg.mp3")
    assert response.status_code == 422
    assert episode_count() == 0


def test_a_file_without_a_title_needs_one_from_the_editor(
    app: Flask, client: FlaskClient, series: Series, editor: Any
) -> None:
    before = media_files(app)
    response = upload(client, series, "vbr_noxing.mp3")
    assert response.status_code == 422
    assert "Geef een titel op" in response.get_data(as_text=True)
    assert media_files(app) == before and episode_count() == 0


def test_a_request_over_max_content_length_gets_the_styled_413_page(
    app: Flask, client: FlaskClient, series: Series, editor: Any
) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 40_000
    before = media_files(app)
    response = upload(client, series, "cbr_tagged.mp3")  # 50,891 bytes
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "Bestand te groot" in html and "<main" in html
    assert media_files(app) == before and episode_count() == 0


def test_audio_over_the_podcast_limit_is_a_form_error(
    app: Flask, client: FlaskClient, series: Series, editor: Any
) -> None:
    app.config["PODCAST_MAX_AUDIO_BYTES"] = 20_000
    before = media_files(app)
    response = upload(client, series, "cbr_tagged.mp3")
    assert response.status_code == 422
    assert "Het audiobestand is groter dan" in response.get_data(as_text=True)
    assert media_files(app) == before and episode_count() == 0
    upload_page = client.get(UPLOAD).get_data(as_text=True)
    assert 'data-max-bytes="20000"' in upload_page


def test_a_double_submit_creates_one_episode(
    client: FlaskClient, series: Series, editor: Any
) -> None:
    first = upload(client, series, "cbr_tagged.mp3", nonce="dezelfde-nonce-1234")
    second = upload(client, series, "cbr_tagged.mp3", nonce="dezelfde-nonce-1234")
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert episode_count() == 1


def test_cover_art_and_transcript_with_the_upload(
    client: FlaskClient, series: Series, editor: Any
) -> None:
    response = upload(
        client,
        series,
        "aac.m4a",
        cover=(io.BytesIO((FIXTURES / "cover_3000.png").read_bytes()), "cover.png"),
        transcript=(io.BytesIO((FIXTURES / "gesprek.srt").read_bytes()), "gesprek.srt"),
    )
    assert response.status_code == 303
    [episode] = queries.editor_overview().episodes[series.id]
    assert episode.cover_key and episode.cover_key.endswith(".png")
    assert episode.transcript_type == "application/x-subrip"


@pytest.mark.parametrize(
    ("field", "fixture", "message"),
    [
        ("cover", "cover_nonsquare.jpg", "vierkant"),
        ("cover", "cover_small.jpg", "1400"),
        ("cover", "cover_1400.gif", "JPEG- of PNG"),
        ("transcript", "random.bin", "binair"),
        ("transcript", "cbr_tagged.mp3", "binair"),
    ],
)
def test_bad_cover_or_transcript_is_refused_and_nothing_is_stored(
    app: Flask,
    client: FlaskClient,
    series: Series,
    editor: Any,
    field: str,
    fixture: str,
    message: str,
) -> None:
    before = media_files(app)
    extra = {field: (io.BytesIO((FIXTURES / fixture).read_bytes()), fixture)}
    response = upload(client, series, "cbr_tagged.mp3", **extra)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html and f'id="{field}-error"' in html
    assert media_files(app) == before and episode_count() == 0


def test_a_scheduled_upload_stays_off_the_pages_until_due(
    client: FlaskClient, series: Series, editor: Any, clock: Clock
) -> None:
    later = (clock.now + timedelta(days=2)).astimezone(services_local()).strftime("%Y-%m-%dT%H:%M")
    response = upload(client, series, "cbr_tagged.mp3", publish_at=later)
    assert response.status_code == 303
    [episode] = queries.editor_overview().episodes[series.id]
    assert episode.status == EpisodeStatus.PUBLISHED
    assert episode.publish_at == clock.now + timedelta(days=2)
    assert client.get(f"/podcast/{series.slug}/{episode.slug}").status_code == 404
    clock.advance(days=2)
    assert client.get(f"/podcast/{series.slug}/{episode.slug}").status_code == 200


def services_local() -> Any:
    from kispub.podcast.forms import LOCAL

    return LOCAL


def test_only_editors_may_upload(
    client: FlaskClient, series: Series, login_as: Callable[..., Any]
) -> None:
    assert client.get(UPLOAD).status_code == 302
    login_as(role=Role.MEMBER)
    assert client.get(UPLOAD).status_code == 403
    assert upload(client, series, "cbr_tagged.mp3").status_code == 403
    assert episode_count() == 0


def test_the_upload_script_gets_201_and_the_address_instead_of_a_redirect(
    client: FlaskClient, series: Series, editor: Any
) -> None:
    data = {
        "series": str(series.id),
        "status": "draft",
        "episode_type": "full",
        "nonce": "xhr-nonce-123456789",
        "audio": (io.BytesIO((FIXTURES / "cbr_tagged.mp3").read_bytes()), "a.mp3"),
    }
    headers = {"X-Requested-With": "XMLHttpRequest"}
    with client.post(UPLOAD, data=data, headers=headers) as response:
        assert response.status_code == 201
        location = response.headers["Location"]
    # The flashed message waits for the page the script navigates to.
    assert "De aflevering is opgeslagen." in client.get(location).get_data(as_text=True)


def test_the_upload_page_works_without_javascript_and_loads_the_progress_script(
    client: FlaskClient, series: Series, editor: Any
) -> None:
    html = client.get(UPLOAD).get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in html and 'method="post"' in html
    assert '<progress max="100" value="0" hidden' in html
    assert "js/podcast-upload.js" in html and "<script>" not in html
