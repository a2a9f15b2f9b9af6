"""Public pages come from a cache for logged-out visitors, keyed by the content version.

The version is read from the database on each request, so a change made through any
process (here: a second app on the same database) shows at once in every other one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from kispub.accounts.models import Role, User
from kispub.ateliers.models import Atelier
from kispub.ateliers.services.editing import update_atelier
from kispub.core.clock import set_clock
from kispub.core.database import write_transaction
from kispub.extensions import db
from kispub.podcast import services
from kispub.podcast.models import Episode, Series
from kispub.themes.models import Theme
from tests.ateliers.helpers import atelier_data, make_atelier, register
from tests.clock import Clock
from tests.factories import make_theme
from tests.queries import count_queries


@pytest.fixture
def site(
    app: Flask, clock: Clock, series: Series, make_episode: Callable[..., Episode]
) -> dict[str, str]:
    """An episode and an atelier on one theme; the addresses of the six shared pages."""
    theme = make_theme("Participatie")
    episode = make_episode(title="Over meedoen", theme_slugs=(theme.slug,))
    atelier = make_atelier(title="Samen in de wijk", theme_slugs=(theme.slug,))
    return {
        "home": "/",
        "series": f"/podcast/{series.slug}/",
        "episode": f"/podcast/{series.slug}/{episode.slug}",
        "ateliers": "/kennisateliers/",
        "atelier": f"/kennisateliers/{atelier.slug}",
        "theme": f"/themas/{theme.slug}",
    }


@pytest.mark.parametrize("page", ["home", "series", "episode", "ateliers", "atelier", "theme"])
def test_a_repeated_anonymous_request_costs_one_query(
    app: Flask, site: dict[str, str], page: str
) -> None:
    client = app.test_client()
    first = client.get(site[page])
    assert first.status_code == 200
    with count_queries() as queries:
        again = client.get(site[page])
    assert again.status_code == 200
    assert again.get_data() == first.get_data()
    assert again.headers["Content-Type"] == first.headers["Content-Type"]
    assert len(queries) == 1, queries  # the content version, and nothing else


def test_an_edit_through_another_process_shows_at_once(
    app: Flask, make_app: Callable[..., Flask], clock: Clock, site: dict[str, str]
) -> None:
    other = make_app()  # another process on the same database, with a cache of its own
    set_clock(other, clock)
    reader = other.test_client()
    assert "Over meedoen" in reader.get(site["episode"]).get_data(as_text=True)
    with app.test_request_context():  # the edit goes through the first "process"
        found = _episode("Over meedoen")
        data = services.EpisodeData(title="Over meedoen en meepraten", status=found.status,
                                    publish_at=found.publish_at)  # fmt: skip
        services.update_episode(found.id, data)
    page = reader.get(site["episode"]).get_data(as_text=True)
    assert "Over meedoen en meepraten" in page
    assert "Over meedoen en meepraten" in reader.get(site["series"]).get_data(as_text=True)
    assert "Over meedoen en meepraten" in reader.get(site["home"]).get_data(as_text=True)


def test_changing_only_an_episodes_themes_shows_at_once(
    app: Flask, clock: Clock, site: dict[str, str]
) -> None:
    """No service touched the episode: the ORM marks it changed (its themes collection)."""
    onderwijs = make_theme("Onderwijs")
    client = app.test_client()
    assert "Onderwijs" not in client.get(site["episode"]).get_data(as_text=True)
    clock.advance(seconds=1)
    with write_transaction() as session:
        episode = session.scalars(select(Episode)).one()
        episode.themes = [session.get(Theme, onderwijs.id)]  # type: ignore[list-item]
    assert _episode("Over meedoen").updated_at == clock.now
    assert "Onderwijs" in client.get(site["episode"]).get_data(as_text=True)


def test_a_scheduled_episode_appears_at_its_time(
    app: Flask, clock: Clock, site: dict[str, str], make_episode: Callable[..., Episode]
) -> None:
    client = app.test_client()
    make_episode(title="Straks te horen", publish_at=clock.now + timedelta(seconds=1))
    assert "Straks te horen" not in client.get(site["series"]).get_data(as_text=True)
    assert "Straks te horen" not in client.get(site["series"]).get_data(as_text=True)
    clock.advance(seconds=2)  # far within the cache's time limit: the version moved
    assert "Straks te horen" in client.get(site["series"]).get_data(as_text=True)
    assert "Straks te horen" in client.get(site["home"]).get_data(as_text=True)


def test_a_registration_and_an_atelier_edit_show_at_once(app: Flask, site: dict[str, str]) -> None:
    client = app.test_client()
    assert "Nog 10 plaatsen vrij" in client.get(site["atelier"]).get_data(as_text=True)
    atelier = _atelier("Samen in de wijk")
    register(atelier.id)
    assert "Nog 9 plaatsen vrij" in client.get(site["atelier"]).get_data(as_text=True)
    update_atelier(atelier.id, atelier_data(title="Samen in de buurt", starts_at=atelier.starts_at))
    assert "Samen in de buurt" in client.get(site["ateliers"]).get_data(as_text=True)


def test_logged_in_visitors_get_pages_of_their_own(
    app: Flask, site: dict[str, str], login_as: Callable[..., User], client: FlaskClient
) -> None:
    anonymous = app.test_client()
    assert "Bewerken" not in anonymous.get(site["episode"]).get_data(as_text=True)
    login_as(role=Role.EDITOR)
    assert "Bewerken" in client.get(site["episode"]).get_data(as_text=True)
    assert "Bewerken" not in anonymous.get(site["episode"]).get_data(as_text=True)


def _episode(title: str) -> Episode:
    db.session.rollback()
    return db.session.scalars(select(Episode).where(Episode.title == title)).one()


def _atelier(title: str) -> Atelier:
    db.session.rollback()
    return db.session.scalars(select(Atelier).where(Atelier.title == title)).one()
