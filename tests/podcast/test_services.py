"""Each back-office change is one service call: a refused file changes nothing at all.

And "published and due" is one condition: a scheduled episode appears on its page, in the
feed, as audio and in other channels' links at the same moment.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import inspect

from kispub.core import public
from kispub.core.database import write_transaction
from kispub.core.media_gc import collect_media_garbage
from kispub.core.storage import get_storage
from kispub.extensions import db
from kispub.podcast import links, queries, services, uploads
from kispub.podcast.models import Episode, EpisodeStatus, Series
from kispub.podcast.uploads import UploadError
from tests.clock import Clock
from tests.conftest import POSTGRES
from tests.podcast.conftest import FIXTURES, episode_count, media_files
from tests.podcast.test_editing import form_for, post
from tests.podcast.test_upload import upload


def row(model: Any) -> dict[str, Any]:
    """Every column of a row as the database holds it now."""
    db.session.rollback()
    db.session.refresh(model)
    return {column.key: getattr(model, column.key) for column in inspect(model).mapper.columns}


def feed(client: FlaskClient, series: Series) -> tuple[bytes, str]:
    with client.get(f"/podcast/{series.slug}/feed.xml") as response:
        return response.get_data(), response.headers["ETag"]


def status(client: FlaskClient, path: str) -> int:
    with client.get(path) as response:
        response.get_data()
        return response.status_code


def upload_of(name: str) -> tuple[io.BytesIO, str]:
    return io.BytesIO((FIXTURES / name).read_bytes()), name


@pytest.mark.parametrize(
    ("field", "fixture", "message"),
    [
        ("cover", "cover_small.jpg", "1400"),
        ("transcript", "random.bin", "binair"),
    ],
)
def test_an_edit_with_new_audio_and_a_bad_file_changes_nothing(
    app: Flask,
    client: FlaskClient,
    make_episode: Callable[..., Episode],
    editor: Any,
    clock: Clock,
    field: str,
    fixture: str,
    message: str,
) -> None:
    episode = make_episode("cbr_tagged.mp3", transcript="gesprek.vtt")
    before_row, before_series = row(episode), row(episode.series)
    before_files, before_feed = media_files(app), feed(client, episode.series)
    clock.advance(minutes=5)
    form = form_for(
        episode, title="Nieuw", audio=upload_of("vorbis.ogg"), **{field: upload_of(fixture)}
    )
    response = post(client, f"/beheer/podcast/aflevering/{episode.id}", form)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert row(episode) == before_row  # audio key, size, duration, chapters, title, times
    assert row(episode.series) == before_series
    assert media_files(app) == before_files  # the new audio was never stored
    assert feed(client, episode.series) == before_feed  # same bytes, same ETag


def test_an_upload_with_a_bad_cover_or_transcript_stores_nothing(
    app: Flask, client: FlaskClient, make_episode: Callable[..., Episode], editor: Any
) -> None:
    series = make_episode().series
    before_files, before_feed = media_files(app), feed(client, series)
    for field, fixture in (("cover", "cover_small.jpg"), ("transcript", "random.bin")):
        response = upload(client, series, "vorbis.ogg", **{field: upload_of(fixture)})
        assert response.status_code == 422
    assert episode_count() == 1
    assert media_files(app) == before_files
    assert feed(client, series) == before_feed


def test_series_create_and_edit_with_a_bad_cover_change_nothing(
    app: Flask, client: FlaskClient, series: Series, editor: Any
) -> None:
    fields = {
        "title": "Andere titel",
        "author": "KIS",
        "owner_name": "Redactie",
        "owner_email": "redactie@kis.example",
        "category": "Society & Culture|",
        "language": "nl",
    }
    before_row, before_files = row(series), media_files(app)
    bad = {**fields, "cover": upload_of("cover_small.jpg")}
    assert post(client, f"/beheer/podcast/serie/{series.id}", bad).status_code == 422
    assert row(series) == before_row
    bad_new = {**fields, "cover": upload_of("cover_small.jpg"), "nonce": "n" * 20}
    assert post(client, "/beheer/podcast/serie/nieuw", bad_new).status_code == 422
    assert [s.id for s in queries.all_series()] == [series.id]
    assert media_files(app) == before_files


def test_a_refused_change_in_the_transaction_removes_the_files_it_placed(
    app: Flask, make_episode: Callable[..., Episode]
) -> None:
    episode = make_episode()
    before_row, before_files = row(episode), media_files(app)
    data = services.EpisodeData(title="Ander", theme_slugs=("bestaat-niet",))
    with app.test_request_context(), (FIXTURES / "vorbis.ogg").open("rb") as stream:
        with pytest.raises(services.PodcastError, match="Onbekend thema"):
            services.update_episode(episode.id, data, services.EpisodeFiles(stream))
        with pytest.raises(UploadError, match="audiobestand"):
            services.create_episode(episode.series_id, data, services.EpisodeFiles())
    assert row(episode) == before_row
    assert media_files(app) == before_files


def test_a_failure_after_placing_undoes_on_sqlite_and_leaves_postgresql_to_media_gc(
    app: Flask, clock: Clock
) -> None:
    cover = (FIXTURES / "cover_1400.jpg").read_bytes()
    with app.test_request_context(), uploads.staged_cover_art(cover) as staged:
        with pytest.raises(RuntimeError), write_transaction(), uploads.placing() as place:
            key = place(staged)
            raise RuntimeError("the flush failed")
        storage = get_storage()
        # On PostgreSQL another writer may have committed a row using this very file.
        assert storage.exists(key) is POSTGRES
        if POSTGRES:  # unreferenced: the collector takes it after the grace period
            clock.now = storage.modified_at(key) + timedelta(hours=25)
            assert collect_media_garbage() == [key]
        assert not storage.exists(key)


def test_a_scheduled_episode_appears_everywhere_at_the_same_moment(
    app: Flask, client: FlaskClient, make_episode: Callable[..., Episode], clock: Clock
) -> None:
    due = clock.now + timedelta(hours=1)
    episode = make_episode(title="Gepland", status=EpisodeStatus.PUBLISHED, publish_at=due)
    series = episode.series
    make_episode(
        title="Al zichtbaar"
    )  # a visible neighbour: the feed and the series page exist before and after

    def seen() -> dict[str, bool]:
        with app.test_request_context():
            linked = [item.id for item in links.resolve_episodes([episode.id])]
        return {
            "page": status(client, f"/podcast/{series.slug}/{episode.slug}") == 200,
            "series": episode.slug in client.get(f"/podcast/{series.slug}/").get_data(as_text=True),
            "feed": episode.guid.encode() in feed(client, series)[0],
            "audio": status(client, f"/podcast/audio/{episode.guid}{episode.audio_extension}")
            == 200,
            "links": linked == [episode.id],
            "latest": episode.id in [e.id for e in queries.latest_episodes()],
        }

    clock.now = due - timedelta(seconds=1)
    assert not any(seen().values()), seen()
    clock.now = due
    public.publish()  # the feed and the audio file follow at the worker's run, each minute
    assert all(seen().values()), seen()
    assert episode.is_visible(due) and not episode.is_visible(due - timedelta(seconds=1))
