"""A member's personal feed: secret address, meeting links, revocation."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from kispub.accounts.services import set_active
from tests.ateliers.helpers import events_by_uid, make_atelier, parse_calendar, register


def feed_path(client: FlaskClient) -> str:
    """Ask for a new feed address on the member page and return its path."""
    assert client.post("/kennisateliers/mijn/agenda").status_code == 302
    page = client.get("/kennisateliers/mijn").get_data(as_text=True)
    match = re.search(r'value="https://kis\.example(/kennisateliers/agenda/\d+/[\w-]+\.ics)"', page)
    assert match, page
    assert f'href="webcal://kis.example{match[1]}"' in page
    return match[1]


def test_the_feed_holds_the_members_ateliers_with_the_meeting_link(
    client: FlaskClient, login_as
) -> None:
    member = login_as(email="anna@example.org")
    online = make_atelier(online=True, online_url="https://meet.example/mijn-atelier")
    on_site = make_atelier()
    full = make_atelier(capacity=1)
    not_mine = make_atelier(online=True, online_url="https://meet.example/andermans")
    register(online, "anna@example.org", user_id=member.id)
    register(on_site, "ANNA@example.org")  # registered while logged out, same address
    register(full, "iemand@example.org")
    register(full, "anna@example.org")  # waiting list: no seat, not in the calendar
    register(not_mine, "bob@example.org")
    path = feed_path(client)

    with client.get(path) as response:
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
        assert "private" in response.headers["Cache-Control"]
        assert "public" not in response.headers["Cache-Control"]
        assert response.headers["ETag"]
        calendar = parse_calendar(response.data)
        body = response.data.decode()
    events = events_by_uid(calendar)

    assert set(events) == {f"atelier-{a.id}@kis.example" for a in (online, on_site)}
    (conference,) = events[f"atelier-{online.id}@kis.example"].conferences
    assert conference.uri == "https://meet.example/mijn-atelier"
    assert "andermans" not in body and "bob@example.org" not in body
    with client.get(path, headers={"If-None-Match": response.headers["ETag"]}) as again:
        assert again.status_code == 304


def test_a_wrong_token_finds_nothing(client: FlaskClient, login_as) -> None:
    login_as()
    path = feed_path(client)
    user_id = path.split("/")[3]
    other = login_as()  # another member, logged in on the same client

    assert client.get(path[:-6] + "AAAA.ics").status_code == 404
    assert client.get(path.replace(f"/{user_id}/", f"/{other.id}/")).status_code == 404
    assert client.get(path.replace(f"/{user_id}/", "/" + "9" * 30 + "/")).status_code == 404


def test_renewing_revokes_the_old_address_and_revoking_switches_it_off(
    client: FlaskClient, login_as
) -> None:
    login_as()
    first = feed_path(client)
    second = feed_path(client)

    assert first != second
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200
    assert client.post("/kennisateliers/mijn/agenda/intrekken").status_code == 302
    assert client.get(second).status_code == 404
    assert "Agenda-adres maken" in client.get("/kennisateliers/mijn").get_data(as_text=True)


def test_a_suspended_members_feed_stops(client: FlaskClient, login_as) -> None:
    member = login_as()
    path = feed_path(client)
    set_active(member, False)

    assert client.get(path).status_code == 404


def test_the_member_page_needs_a_login(client: FlaskClient) -> None:
    response = client.get("/kennisateliers/mijn")

    assert response.status_code == 302
    assert "/inloggen" in response.headers["Location"]
    assert client.post("/kennisateliers/mijn/agenda").status_code == 302
