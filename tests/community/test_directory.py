"""The member directory: approved members only, found by words and theme, a page at a time."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from kispub.accounts.models import User
from kispub.accounts.services import set_active
from kispub.community.models import MemberStatus
from kispub.core.database import write_transaction
from kispub.themes.models import Theme
from tests.community.helpers import make_member, make_person, membership
from tests.factories import make_theme
from tests.queries import count_queries

PAGE_SIZE = 4


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    app_config["COMMUNITY_DIRECTORY_PAGE_SIZE"] = PAGE_SIZE
    return app_config


def html(client: FlaskClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def listed(page: str) -> list[str]:
    """The handles of the member cards on a directory page, in order."""
    cards = page.split('<ul class="member-list">', 1)[-1].split("</ul>", 1)[0]
    return [part.split('"', 1)[0] for part in cards.split('href="/community/leden/')[1:]]


def interested_in(user: User, *themes: Theme) -> None:
    with write_transaction():
        membership(user).themes = list(themes)


def test_only_approved_members_with_an_active_account_are_listed(
    client: FlaskClient, login_as: Callable[..., User]
) -> None:
    viewer = login_as(make_member(name="Anna Kijker"))
    make_member(name="Bert Lid")
    for status in (
        MemberStatus.UNVERIFIED,
        MemberStatus.PENDING,
        MemberStatus.DECLINED,
        MemberStatus.SUSPENDED,
    ):
        make_person(status, name=f"Verborgen {status.value}")
    set_active(make_member(name="Verborgen gedeactiveerd"), False)

    page = html(client, "/community/leden")
    found = html(client, "/community/leden?q=verborgen")
    mentions = client.get("/community/leden.json?q=verborgen").get_json()

    assert listed(page) == [membership(viewer).handle, "bert-lid"]
    assert "Verborgen" not in page and "2 leden gevonden" in page
    assert listed(found) == [] and "0 leden gevonden" in found
    assert mentions == {"members": []}
    for handle in ("verborgen-pending", "verborgen-declined", "verborgen-gedeactiveerd"):
        assert client.get(f"/community/leden/{handle}").status_code == 404


def test_members_are_found_by_name_organisation_and_theme(
    client: FlaskClient, login_as: Callable[..., User]
) -> None:
    onderwijs, zorg = make_theme("Onderwijs"), make_theme("Gezondheid")
    login_as(make_member(name="Kijker", organisation="KIS"))
    fatima = make_member(name="Fatima El Amrani", organisation="Gemeente Utrecht")
    joost = make_member(name="Joost de Boer", organisation="Pharos")
    make_member(name="Sanne Visser", organisation="Vluchtelingenwerk Nederland")
    interested_in(fatima, onderwijs)
    interested_in(joost, onderwijs, zorg)

    assert listed(html(client, "/community/leden?q=fatima")) == ["fatima-el-amrani"]
    assert listed(html(client, "/community/leden?q=PHAROS")) == ["joost-de-boer"]
    assert listed(html(client, "/community/leden?q=gemeente+fatima")) == ["fatima-el-amrani"]
    assert listed(html(client, "/community/leden?q=gemeente+joost")) == []
    assert listed(html(client, "/community/leden?thema=onderwijs")) == [
        "fatima-el-amrani",
        "joost-de-boer",
    ]
    by_both = html(client, "/community/leden?q=boer&thema=gezondheid")
    assert listed(by_both) == ["joost-de-boer"]
    assert '<option value="gezondheid" selected>' in by_both
    assert 'value="boer"' in by_both
    assert "Thema's: Gezondheid, Onderwijs" in by_both
    assert client.get("/community/leden?thema=bestaat-niet").status_code == 404


@pytest.mark.parametrize("query", ["%", "_", "\\", "'", '"', "\x00", "a" * 5000, "🙂", "%%__"])
def test_odd_words_are_searched_for_literally(
    client: FlaskClient, login_as: Callable[..., User], query: str
) -> None:
    login_as(make_member(name="Gewone Naam"))
    make_member(name="Procent 100% Zeker")

    response = client.get("/community/leden", query_string={"q": query})
    mentions = client.get("/community/leden.json", query_string={"q": query})

    assert response.status_code == mentions.status_code == 200
    # "%" is in one name; a NUL is removed, leaving no words: everyone.
    expected = {"%": ["procent-100-zeker"], "\x00": ["gewone-naam", "procent-100-zeker"]}
    expected_handles = expected.get(query, [])
    assert listed(response.get_data(as_text=True)) == expected_handles


def test_the_directory_is_paginated_and_keeps_its_filters(
    client: FlaskClient, login_as: Callable[..., User]
) -> None:
    login_as(make_member(name="Aad Kijker", organisation="Elders"))
    for n in range(1, 7):
        make_member(name=f"Lid {n:02d}", organisation="Gemeente Zwolle")

    first = html(client, "/community/leden?q=zwolle")
    second = html(client, "/community/leden?q=zwolle&pagina=2")
    beyond = html(client, "/community/leden?q=zwolle&pagina=" + "9" * 30)

    assert listed(first) == [f"lid-{n:02d}" for n in range(1, 5)]
    assert listed(second) == ["lid-05", "lid-06"]
    assert 'href="/community/leden?q=zwolle&amp;pagina=2">Volgende pagina' in first
    assert 'href="/community/leden?q=zwolle&amp;pagina=1">Vorige pagina' in second
    assert "Volgende pagina" not in second
    assert listed(beyond) == []


def test_the_directory_runs_the_same_queries_whatever_the_number_of_members(
    client: FlaskClient, login_as: Callable[..., User]
) -> None:
    themes = [make_theme(name) for name in ("Onderwijs", "Werk", "Wonen")]
    login_as(make_member(name="Kijker"))
    interested_in(make_member(name="Eerste"), *themes)
    with count_queries() as few:
        html(client, "/community/leden?q=e")
    for n in range(12):
        interested_in(make_member(name=f"Lid {n}"), *themes[: n % 3 + 1])
    with count_queries() as many:
        page = html(client, "/community/leden?q=e&pagina=2")

    assert len(listed(page)) == PAGE_SIZE
    assert len(many) == len(few) <= 6, many


def test_mention_lookup_gives_handles_and_names_as_json(
    client: FlaskClient, login_as: Callable[..., User]
) -> None:
    login_as(make_member(name="Kijker"))
    make_member(name="Fatima El Amrani")
    make_member(name="Faas Jansen")
    make_member(name="Ans <script>")

    response = client.get("/community/leden.json?q=@fa")
    by_name = client.get("/community/leden.json?q=jansen").get_json()
    empty = client.get("/community/leden.json?q=").get_json()
    hostile = client.get("/community/leden.json?q=script").get_json()

    assert response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert json.loads(response.data) == {
        "members": [
            {"handle": "faas-jansen", "name": "Faas Jansen"},
            {"handle": "fatima-el-amrani", "name": "Fatima El Amrani"},
        ]
    }
    assert by_name == {"members": [{"handle": "faas-jansen", "name": "Faas Jansen"}]}
    assert empty == {"members": []}
    assert hostile == {"members": [{"handle": "ans-script", "name": "Ans <script>"}]}


@pytest.mark.parametrize(
    "path", ["/community/leden", "/community/leden.json?q=a", "/community/leden/lid-a"]
)
def test_the_directory_is_closed_to_outsiders(
    client: FlaskClient, login_as: Callable[..., User], path: str
) -> None:
    make_member(name="Lid A")

    anonymous = client.get(path)
    login_as(make_person(MemberStatus.PENDING, name="Wacht Nog"))
    pending = client.get(path)

    assert anonymous.status_code == 302 and "/inloggen" in anonymous.headers["Location"]
    assert pending.status_code == 403
    assert "Lid A" not in pending.get_data(as_text=True)


def test_profile_handles_are_matched_in_any_letter_case(
    client: FlaskClient, login_as: Callable[..., User]
) -> None:
    login_as(make_member(name="Kijker"))
    make_member(name="Mila Smit")

    assert "<h1>Mila Smit</h1>" in html(client, "/community/leden/Mila-SMIT")
