"""The podcast's public files: a feed per series and a link per published episode's audio."""

from __future__ import annotations

import dataclasses
import gzip
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update

from kispub.core import public
from kispub.core.database import write_transaction
from kispub.core.storage import get_storage
from kispub.podcast import queries, services
from kispub.podcast.models import Episode, EpisodeStatus, Series
from tests.clock import Clock
from tests.podcast.conftest import FIXTURES, make_data, make_series
from tests.queries import count_queries


def audio_link(episode: Episode) -> Path:
    return public.root() / "podcast" / "audio" / f"{episode.guid}{episode.audio_extension}"


def feed_file(series: Series) -> Path:
    return public.root() / "podcast" / series.slug / "feed.xml"


def edit(episode: Episode, **changes: object) -> None:
    fresh = queries.episode_for_editing(episode.id)
    assert fresh is not None
    data = make_data(title=fresh.title, status=fresh.status, publish_at=fresh.publish_at)
    services.update_episode(episode.id, dataclasses.replace(data, **changes))


def test_the_feed_file_is_what_the_app_serves_and_its_twin_the_same_gzipped(
    client: FlaskClient, series: Series, make_episode: Callable[..., Episode]
) -> None:
    make_episode()
    served = client.get(f"/podcast/{series.slug}/feed.xml")
    assert served.status_code == 200
    assert feed_file(series).read_bytes() == served.data
    twin = feed_file(series).with_name("feed.xml.gz").read_bytes()
    assert gzip.decompress(twin) == served.data


def test_only_published_due_audio_is_linked_and_it_goes_when_unpublished(
    app: Flask, make_episode: Callable[..., Episode], clock: Clock
) -> None:
    published = make_episode()
    draft = make_episode(status=EpisodeStatus.DRAFT)
    scheduled = make_episode(publish_at=clock.now + timedelta(hours=1))
    assert audio_link(published).resolve() == get_storage().path(published.audio_key).resolve()
    assert not audio_link(draft).exists() and not audio_link(scheduled).exists()

    clock.advance(hours=1)
    public.publish()  # the worker's run every minute
    assert audio_link(scheduled).exists()

    clock.advance(seconds=1)
    edit(published, status=EpisodeStatus.DRAFT)
    assert not audio_link(published).exists() and not audio_link(published).is_symlink()
    services.delete_episode(scheduled.id)
    assert not audio_link(scheduled).is_symlink()
    assert get_storage().path(scheduled.audio_key).exists()  # media stay; only the link goes


def test_new_audio_moves_the_link_to_the_new_file(
    app: Flask, make_episode: Callable[..., Episode]
) -> None:
    episode = make_episode("cbr_tagged.mp3")
    before = audio_link(episode).resolve()
    with app.test_request_context(), (FIXTURES / "vbr_xing.mp3").open("rb") as stream:
        services.update_episode(episode.id, None, services.EpisodeFiles(stream))
    fresh = queries.episode_for_editing(episode.id)
    assert fresh is not None
    assert audio_link(fresh).resolve() == get_storage().path(fresh.audio_key).resolve() != before


def test_a_moved_feed_leaves_the_folder_and_the_app_answers_301(
    client: FlaskClient, series: Series, make_episode: Callable[..., Episode]
) -> None:
    make_episode()
    assert feed_file(series).exists()
    new = "https://podcasts.example.org/kis/feed.xml"
    data = services.SeriesData(
        title=series.title,
        author=series.author,
        owner_name=series.owner_name,
        owner_email=series.owner_email,
        new_feed_url=new,
    )
    services.update_series(series.id, data)
    assert not feed_file(series).exists()
    assert not feed_file(series).with_name("feed.xml.gz").exists()
    response = client.get(f"/podcast/{series.slug}/feed.xml")
    assert response.status_code == 301 and response.headers["Location"] == new


def test_a_renamed_series_takes_its_old_feed_along(
    app: Flask, series: Series, make_episode: Callable[..., Episode]
) -> None:
    make_episode()
    old = feed_file(series)
    with write_transaction() as session:
        session.execute(update(Series).where(Series.id == series.id).values(slug="nieuwe-naam"))
    public.publish()
    assert not old.exists()
    assert (public.root() / "podcast" / "nieuwe-naam" / "feed.xml").exists()


def test_a_run_with_nothing_new_rewrites_nothing_and_costs_two_queries(
    app: Flask, make_episode: Callable[..., Episode]
) -> None:
    episode = make_episode()
    for _ in range(3):
        make_episode()
    make_series(app, "Tweede serie")
    feed = feed_file(episode.series)
    modified = feed.stat().st_mtime_ns
    with count_queries() as queries_run:
        public.publish("podcast")
    assert len(queries_run) == 2  # every series' state, every published audio file
    public.publish("podcast", rebuild=True)  # rendered again, the same bytes: left alone
    assert feed.stat().st_mtime_ns == modified
