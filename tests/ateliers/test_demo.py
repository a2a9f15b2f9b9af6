"""The demo content: the four ateliers of 2020 and upcoming ones, loaded idempotently."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime

from flask import Flask
from flask.testing import FlaskClient

from kispub.ateliers.queries import atelier_by_slug
from kispub.content import DEMO_FOLDER, load_content
from tests.ateliers.helpers import parse_calendar

FILES = (DEMO_FOLDER / "00-foundation.toml", DEMO_FOLDER / "20-ateliers.toml")
TITLES_2020 = {
    "Institutioneel racisme",
    "Inburgering en participatie van statushouders",
    "Segregatie op de woningmarkt",
    "Corona, maatschappelijke spanningen en lokaal bestuur",
}


def load_demo() -> int:
    return sum(load_content(path).changed.get("ateliers", 0) for path in FILES)


def test_demo_loads_once_and_then_changes_nothing(app: Flask, client: FlaskClient) -> None:
    assert load_demo() == 9
    assert load_demo() == 0

    titles = {atelier_by_slug(slug).title for slug in (
        "institutioneel-racisme", "inburgering-en-participatie-van-statushouders",
        "segregatie-op-de-woningmarkt", "corona-maatschappelijke-spanningen-en-lokaal-bestuur",
    )}  # fmt: skip
    assert titles == TITLES_2020
    migratie = atelier_by_slug("nieuwkomers-en-hun-eerste-jaar")
    assert "nieuwe-migratie" in [t.slug for t in migratie.themes]
    # 28 March 2027, 14:00 in Amsterdam, on the day summer time starts: 12:00 UTC.
    assert migratie.starts_at == datetime(2027, 3, 28, 12, tzinfo=UTC)
    with client.get("/kennisateliers.ics") as response:
        calendar = parse_calendar(response.data)
    future = [v for v in calendar.events if v["DTSTART"].dt > datetime.now(UTC)]
    assert len(future) >= 3


def test_demo_people_and_venues_have_natural_names(app: Flask, client: FlaskClient) -> None:
    load_demo()
    items = tomllib.loads(FILES[1].read_text())["ateliers"]
    shown = [str(i.get(k, "")) for i in items for k in ("venue_name", "venue_address")]
    shown += [p for i in items for p in (*i.get("speakers", ()), *i.get("hosts", ()))]
    assert len(shown) > 20
    for word in ("Test", "Proef", "Voorbeeld", "Fictief", "Casus", "Schets", "Lorem"):
        assert not [text for text in shown if word.lower() in text.lower()], word
    page = client.get("/kennisateliers/institutioneel-racisme").get_data(as_text=True)
    assert "Youssef Amrani" in page and "Testgeval" not in page


def test_a_few_ateliers_are_still_to_come(app: Flask, client: FlaskClient) -> None:
    load_demo()
    upcoming = [
        i for i in tomllib.loads(FILES[1].read_text())["ateliers"]
        if i["starts_at"].year >= 2027 and i.get("status", "scheduled") == "scheduled"
    ]  # fmt: skip
    assert len(upcoming) >= 4
