"""One moment, 23:30 UTC, is the next day in Amsterdam (in winter at 00:30, in summer at
01:30): every page, block and mail that shows it names that Amsterdam day, in one of the two
formats of ``kispub.core.dates``."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from kispub.core.links import set_links
from kispub.podcast.models import Episode
from tests.ateliers.helpers import make_atelier, register
from tests.clock import freeze
from tests.community.discussion_helpers import client_for, make_thread
from tests.community.helpers import make_member
from tests.dossier.helpers import make_dossier, make_item
from tests.jobs.helpers import queue

# The podcast's fixtures: a series, episodes from real audio files, a frozen clock.
from tests.podcast.conftest import clock, make_episode, series

__all__ = ["clock", "make_episode", "series"]

# (the moment in UTC, its Amsterdam day in the long and the short format, its Amsterdam time)
MOMENTS = [
    (datetime(2026, 1, 5, 23, 30, tzinfo=UTC), "dinsdag 6 januari 2026", "6 januari 2026", "00:30"),
    (datetime(2025, 7, 14, 23, 30, tzinfo=UTC), "dinsdag 15 juli 2025", "15 juli 2025", "01:30"),
]  # fmt: skip
LATER = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # the podcast fixtures' clock


def text(client: FlaskClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return html.unescape(response.get_data(as_text=True))


@pytest.mark.parametrize(("moment", "long", "short", "time"), MOMENTS)
def test_an_episode_has_one_day_on_its_page_and_under_luister_ook(
    app: Flask,
    client: FlaskClient,
    make_episode: Callable[..., Episode],
    moment: datetime,
    long: str,
    short: str,
    time: str,
) -> None:
    episode = make_episode(title="Late uitzending", publish_at=moment)
    page = text(client, f"/podcast/{episode.series.slug}/{episode.slug}")
    assert f">{long}</time>" in page
    offset = "+01:00" if moment.month == 1 else "+02:00"
    assert f'"datePublished": "{moment.date() + timedelta(days=1)}T{time}:00{offset}"' in page

    atelier = make_atelier(starts_at=LATER + timedelta(days=10))
    set_links("atelier", atelier.id, "episode", [episode.id])
    atelier_page = text(client, f"/kennisateliers/{atelier.slug}")
    assert "Luister ook" in atelier_page
    assert f"Podcast · {short}" in atelier_page
    assert moment.strftime("%d-%m-%Y") not in atelier_page  # the UTC day, as it used to be


@pytest.mark.parametrize(("moment", "long", "short", "time"), MOMENTS)
def test_an_atelier_its_mail_and_its_calendar_name_the_amsterdam_day(
    app: Flask, client: FlaskClient, outbox: Any, moment: datetime, long: str, short: str, time: str
) -> None:
    freeze(app, moment - timedelta(days=30))
    atelier = make_atelier(starts_at=moment, ends_at=moment + timedelta(hours=1))
    page = text(client, f"/kennisateliers/{atelier.slug}")
    assert re.search(rf"{long}, {time}</time>–<time[^>]*>\d\d:\d\d</time> uur", page)

    register(atelier, "anna@example.org")
    body = outbox()[-1].get_body(("plain",)).get_content()
    assert f"Wanneer: {long}, {time}–" in body

    ics = client.get(f"/kennisateliers/{atelier.slug}.ics").get_data(as_text=True)
    day = (moment + timedelta(days=1)).strftime("%Y%m%d")
    assert f"DTSTART;TZID=Europe/Amsterdam:{day}T{time.replace(':', '')}00" in ics


@pytest.mark.parametrize(("moment", "long", "short", "time"), MOMENTS)
def test_dossier_history_community_posts_and_the_outbox_name_the_amsterdam_day(
    app: Flask,
    client: FlaskClient,
    login_as: Callable[..., Any],
    moment: datetime,
    long: str,
    short: str,
    time: str,
) -> None:
    freeze(app, moment)
    dossier = make_dossier(published_at=moment - timedelta(days=1))
    make_item(dossier, published_at=moment)
    member = make_member()
    thread = make_thread(member, at=moment)
    queue("laat", subject="Laat verstuurd")
    freeze(app, moment + timedelta(days=2))

    dossier_page = text(client, f"/dossiers/{dossier.slug}")
    assert f"Laatst bijgewerkt: {short}" in dossier_page

    thread_page = text(client_for(app, member), f"/community/onderwerp/{thread.id}")
    assert f"{long} om {time}" in thread_page

    login_as(role="admin")
    outbox_page = text(client, "/beheer/outbox")
    assert f"{long} om {time}" in outbox_page
