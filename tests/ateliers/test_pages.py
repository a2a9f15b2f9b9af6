"""The public pages: list with theme filter, atelier page, JSON-LD, links to other channels."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from kispub.ateliers.models import AtelierStatus
from kispub.core.links import LinkedItem, linking_items, register_content_kind
from kispub.core.links import set_links as link
from tests.ateliers.helpers import AMSTERDAM, make_atelier, move_to, register, soon
from tests.factories import make_theme
from tests.queries import count_queries


def html(client: FlaskClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def jsonld(page: str) -> dict:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert match
    return json.loads(match[1])


def make_ateliers(count: int, theme_slugs: tuple[str, ...]) -> None:
    for n in range(count):
        atelier = make_atelier(theme_slugs=theme_slugs, starts_at=soon(days=5 + n))
        register(atelier)
        if n % 2:
            move_to(atelier, soon(days=-10 - n))


def test_list_page_queries_do_not_grow_with_the_ateliers(client: FlaskClient) -> None:
    themes = tuple(make_theme(name).slug for name in ("Onderwijs", "Arbeidsmarkt"))
    make_ateliers(2, themes)
    with count_queries() as few:
        html(client, "/kennisateliers/")
    make_ateliers(10, themes)
    with count_queries() as many:
        page = html(client, "/kennisateliers/")

    assert page.count('class="card atelier-card"') == 12
    assert len(many) == len(few)
    assert len(many) <= 7, many  # six, and the content version that keys the cached page


def test_list_page_shows_upcoming_and_past_and_filters_by_theme(client: FlaskClient) -> None:
    onderwijs, arbeid = make_theme("Onderwijs"), make_theme("Arbeidsmarkt")
    make_atelier(title="Over onderwijs", theme_slugs=(onderwijs.slug,))
    make_atelier(title="Over werk", theme_slugs=(arbeid.slug,))
    past = make_atelier(title="Vroeger", theme_slugs=(onderwijs.slug,))
    move_to(past, soon(days=-60))
    everything = html(client, "/kennisateliers/")
    filtered = html(client, "/kennisateliers/?thema=onderwijs")

    assert everything.index("Over onderwijs") < everything.index("Eerdere kennisateliers")
    assert everything.index("Eerdere kennisateliers") < everything.index("Vroeger")
    assert "Over werk" in everything and "Over werk" not in filtered
    assert "Over onderwijs" in filtered and "Vroeger" in filtered
    assert 'href="/kennisateliers/?thema=onderwijs" aria-current="page"' in filtered
    assert (
        '<link rel="alternate" type="text/calendar" title="Kennisateliers over Onderwijs (agenda)"'
        ' href="https://kis.example/kennisateliers/thema/onderwijs.ics">'
    ) in filtered
    assert 'href="webcal://kis.example/kennisateliers/thema/onderwijs.ics"' in filtered
    assert client.get("/kennisateliers/?thema=bestaat-niet").status_code == 404
    assert client.get("/kennisateliers/?pagina=" + "9" * 30).status_code == 200


def test_atelier_page_shows_dutch_times_places_and_the_calendar_menu(
    client: FlaskClient,
) -> None:
    starts_at = datetime(2027, 3, 28, 14, tzinfo=AMSTERDAM)
    atelier = make_atelier(starts_at=starts_at, ends_at=starts_at + timedelta(hours=2), capacity=3)
    register(atelier)
    page = html(client, f"/kennisateliers/{atelier.slug}")

    assert "zondag 28 maart 2027, 14:00</time>–<time" in page
    assert '<time datetime="2027-03-28T14:00:00+02:00">' in page
    assert "Nog 2 plaatsen vrij" in page
    assert '<link rel="alternate" type="text/calendar"' in page
    assert '<details class="calendar-menu">' in page and "<summary>" in page
    assert f'href="https://kis.example/kennisateliers/{atelier.slug}.ics" download' in page
    assert 'href="webcal://kis.example/kennisateliers.ics"' in page
    google = re.search(r'href="(https://calendar\.google\.com/[^"]+)"', page)[1]
    dates = parse_qs(urlsplit(google.replace("&amp;", "&")).query)["dates"]
    assert dates == ["20270328T120000Z/20270328T140000Z"]
    assert "https://outlook.live.com/calendar/0/action/compose?" in page


def test_jsonld_describes_the_event(client: FlaskClient) -> None:
    theme = make_theme("Nieuwe migratie")
    atelier = make_atelier(
        capacity=2,
        online=True,
        online_url="https://meet.example/geheim",
        theme_slugs=(theme.slug,),
        speakers=(),
    )
    register(atelier)
    register(atelier)
    page = html(client, f"/kennisateliers/{atelier.slug}")
    data = jsonld(page)

    assert data["@type"] == "Event"
    assert data["name"] == atelier.title
    assert datetime.fromisoformat(data["startDate"]) == atelier.starts_at
    assert data["eventStatus"] == "https://schema.org/EventScheduled"
    assert data["eventAttendanceMode"] == "https://schema.org/MixedEventAttendanceMode"
    place, virtual = data["location"]
    assert place["name"] == "Zaal De Populier"
    assert place["address"]["streetAddress"] == "Stationsplein 1, Utrecht"
    assert virtual == {"@type": "VirtualLocation", "url": data["url"]}
    assert data["maximumAttendeeCapacity"] == 2
    assert data["remainingAttendeeCapacity"] == 0
    assert data["offers"]["availability"] == "https://schema.org/SoldOut"
    assert data["offers"]["price"] == 0
    assert data["keywords"] == "Nieuwe migratie"
    assert "geheim" not in page  # the meeting link is for registered attendees only
    assert "Aanmelden voor de wachtlijst" in page


def test_jsonld_cannot_break_out_of_its_script(client: FlaskClient) -> None:
    atelier = make_atelier(title="</script><script>alert(1)</script>")
    page = html(client, f"/kennisateliers/{atelier.slug}")

    assert "<script>alert(1)" not in page
    assert jsonld(page)["name"] == "</script><script>alert(1)</script>"


@pytest.mark.parametrize(
    ("status", "schema", "notice"),
    [
        (AtelierStatus.CANCELLED, "EventCancelled", "Dit kennisatelier gaat niet door."),
        (AtelierStatus.POSTPONED, "EventPostponed", "Een nieuwe datum volgt."),
    ],
)
def test_cancelled_and_postponed_pages(
    client: FlaskClient, status: AtelierStatus, schema: str, notice: str
) -> None:
    atelier = make_atelier(status=status, online=True, venue_name=None, venue_address=None)
    page = html(client, f"/kennisateliers/{atelier.slug}")
    register_page = html(client, f"/kennisateliers/{atelier.slug}/aanmelden")

    assert notice in page
    assert jsonld(page)["eventStatus"] == f"https://schema.org/{schema}"
    assert jsonld(page)["eventAttendanceMode"] == "https://schema.org/OnlineEventAttendanceMode"
    assert 'href="/kennisateliers/' + atelier.slug + '/aanmelden"' not in page
    assert "<form" not in register_page.split("<main", 1)[1]


def test_the_meeting_link_is_shown_to_registered_members_only(
    client: FlaskClient, login_as
) -> None:
    atelier = make_atelier(capacity=1, online=True, online_url="https://meet.example/alleen-voor-u")
    seated = login_as(email="zit@example.org")
    register(atelier, "zit@example.org", user_id=seated.id)

    assert "https://meet.example/alleen-voor-u" in html(client, f"/kennisateliers/{atelier.slug}")
    login_as(email="wacht@example.org")
    register(atelier, "wacht@example.org")
    page = html(client, f"/kennisateliers/{atelier.slug}")
    assert "U staat op de wachtlijst." in page
    assert "alleen-voor-u" not in page


def test_theme_page_lists_the_ateliers_on_the_theme(client: FlaskClient) -> None:
    theme = make_theme("Onderwijs")
    make_atelier(title="Gelijke kansen op school", theme_slugs=(theme.slug,))
    make_atelier(title="Ander onderwerp")
    page = html(client, "/themas/onderwijs")

    assert "Kennisateliers" in page
    assert "Gelijke kansen op school" in page and "Ander onderwerp" not in page
    assert 'href="/kennisateliers/?thema=onderwijs"' in page


def test_home_page_opens_the_channel_and_advertises_the_feed(client: FlaskClient) -> None:
    page = html(client, "/")

    assert 'href="/kennisateliers/"' in page
    assert 'type="text/calendar" title="Kennisateliers (agenda)"' in page


def test_related_episodes_link_both_ways(app: Flask, client: FlaskClient) -> None:
    def episodes(ids: Sequence[int]) -> list[LinkedItem]:
        return [LinkedItem("episode", i, f"Aflevering {i}", f"/podcast/{i}") for i in ids if i < 9]

    register_content_kind(app, "episode", episodes)
    atelier = make_atelier()
    link("atelier", atelier.id, "episode", [4])
    page = html(client, f"/kennisateliers/{atelier.slug}")

    assert '<a href="/podcast/4">Aflevering 4</a>' in page
    (item,) = linking_items("episode", 4, "atelier")
    assert (item.kind, item.id, item.title) == ("atelier", atelier.id, atelier.title)
    assert item.url == f"https://kis.example/kennisateliers/{atelier.slug}"
