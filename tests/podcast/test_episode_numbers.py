"""An episode number is unique within a season of a series: service, forms, loader, database."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from kispub.extensions import db
from kispub.podcast import services
from kispub.podcast.errors import DuplicateNumber
from kispub.podcast.loader import load_episodes
from kispub.podcast.models import Episode, Series
from kispub.podcast.services import EpisodeFiles
from tests.podcast.conftest import FIXTURES, make_data, make_series
from tests.podcast.test_editing import form_for, post
from tests.podcast.test_upload import upload


def test_the_same_number_in_the_same_season_is_refused(
    make_episode: Callable[..., Episode],
) -> None:
    make_episode(title="Eerste", number=3, season=1)
    with pytest.raises(DuplicateNumber, match="Nummer 3 is in seizoen 1 al gebruikt"):
        make_episode(title="Tweede", number=3, season=1)


def test_without_a_season_the_number_is_unique_among_those_without_one(
    make_episode: Callable[..., Episode],
) -> None:
    make_episode(title="Eerste", number=3)
    with pytest.raises(DuplicateNumber, match="Nummer 3 is in deze serie al gebruikt"):
        make_episode(title="Tweede", number=3)


def test_other_seasons_series_and_unnumbered_episodes_are_free(
    app: Flask, make_episode: Callable[..., Episode]
) -> None:
    other = make_series(app, "Een andere serie")
    make_episode(title="S1", number=3, season=1)
    make_episode(title="S2", number=3, season=2)
    make_episode(title="Zonder seizoen", number=3)
    make_episode(title="Andere serie", number=3, season=1, target=other)
    make_episode(title="Bonus zonder nummer")
    make_episode(title="Nog een zonder nummer")
    assert db.session.scalar(select(func.count(Episode.id))) == 6


def test_editing_keeps_its_own_number_but_cannot_take_another(
    app: Flask, make_episode: Callable[..., Episode]
) -> None:
    make_episode(title="Eerste", number=1, season=1)
    second = make_episode(title="Tweede", number=2, season=1)
    with app.test_request_context():
        services.update_episode(second.id, make_data(title="Tweede!", number=2, season=1))
        with pytest.raises(DuplicateNumber):
            services.update_episode(second.id, make_data(title="Tweede", number=1, season=1))
    db.session.rollback()
    assert db.session.get(Episode, second.id).number == 2  # type: ignore[union-attr]


def test_the_database_refuses_duplicates_with_and_without_a_season(
    make_episode: Callable[..., Episode],
) -> None:
    rows = [("A", 1, 1), ("B", 2, 1), ("C", 1, None), ("D", 2, None), ("E", None, None)]
    ids = [make_episode(title=t, number=n, season=s).id for t, n, s in rows]
    db.session.commit()
    table = Episode.__table__
    for moved in (ids[1], ids[3]):  # B to number 1 of season 1, D to number 1 without one
        with pytest.raises(IntegrityError), db.engine.begin() as connection:
            connection.execute(table.update().where(table.c.id == moved).values(number=1))
    with db.engine.begin() as connection:  # unnumbered episodes are never constrained
        connection.execute(table.update().where(table.c.id == ids[4]).values(season=1))


def test_the_upload_form_shows_a_field_error(
    client: FlaskClient, series: Series, make_episode: Callable[..., Episode], editor: Any
) -> None:
    make_episode(title="Eerste", number=7)
    response = upload(client, series, "cbr_tagged.mp3", title="Tweede", number="7")
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Nummer 7 is in deze serie al gebruikt" in text
    assert 'id="number-error"' in text


def test_the_edit_form_shows_a_field_error(
    client: FlaskClient, make_episode: Callable[..., Episode], editor: Any
) -> None:
    make_episode(title="Eerste", number=1, season=2)
    second = make_episode(title="Tweede", number=2, season=2)
    form = form_for(second, number="1", season="2")
    response = post(client, f"/beheer/podcast/aflevering/{second.id}", form)
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Nummer 1 is in seizoen 2 al gebruikt door &#39;Eerste&#39;." in text


def test_the_content_loader_names_the_episode(
    app: Flask, series: Series, make_episode: Callable[..., Episode]
) -> None:
    make_episode(title="Eerste", number=1)
    item = {"series": series.slug, "title": "Dubbel", "audio": "cbr_tagged.mp3", "number": 1}
    with app.test_request_context(), pytest.raises(ValueError, match="aflevering 'Dubbel'"):
        load_episodes([item], Path(FIXTURES))


def test_concurrent_uploads_of_one_number_end_with_one_winner(
    app: Flask, series: Series, make_episode: Callable[..., Episode]
) -> None:
    """Both pass the check at once (PostgreSQL runs writers side by side); the unique index
    refuses the later commit, which the service reports as the same field error."""
    make_episode(title="Al bestaand", number=1)  # the schema and series exist
    threads, barrier = 4, threading.Barrier(4)
    outcomes: list[str] = []
    lock = threading.Lock()
    series_id = series.id

    def attempt(n: int) -> None:
        with app.test_request_context():
            try:
                barrier.wait(timeout=10)
                with (FIXTURES / "cbr_tagged.mp3").open("rb") as stream:
                    data = make_data(title=f"Poging {n}", number=9, season=1)
                    services.create_episode(series_id, data, EpisodeFiles(stream))
                outcome = "saved"
            except DuplicateNumber:
                outcome = "refused"
            except Exception as error:  # anything else would be a 500
                outcome = f"error: {error!r}"
            finally:
                db.session.remove()
            with lock:
                outcomes.append(outcome)

    workers = [threading.Thread(target=attempt, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert sorted(outcomes) == ["refused"] * 3 + ["saved"]
    db.session.rollback()
    count = select(func.count(Episode.id)).where(Episode.number == 9)
    assert db.session.scalar(count) == 1


def test_the_index_alone_turns_a_lost_race_into_the_field_error(
    app: Flask, series: Series, make_episode: Callable[..., Episode], monkeypatch: Any
) -> None:
    """The race the check cannot see (it ran before the other commit), made certain: the
    check is skipped, so only the unique index can refuse."""
    make_episode(title="Eerste", number=5, season=1)
    monkeypatch.setattr(services, "check_number_free", lambda *args: None)
    with pytest.raises(DuplicateNumber, match="Nummer 5 is in seizoen 1 al gebruikt"):
        make_episode(title="Tweede", number=5, season=1)
