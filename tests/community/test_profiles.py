"""A member's own profile: what can be changed, by whom, and how it is shown."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from kispub.accounts.models import User
from kispub.accounts.services import AccountError, update_profile
from kispub.community.models import FieldRole, MemberStatus
from kispub.community.services.profiles import BIO_MAX
from kispub.core import clock
from kispub.core.database import write_transaction
from tests.community.helpers import make_member, make_person, membership
from tests.community.test_search import write_thread
from tests.factories import make_theme

XSS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(2)">',
    '"><svg onload=alert(3)>',
    "javascript:alert(4)",
    "<iframe src=//evil.example>",
]


def profile_form(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "Fatima El Amrani",
        "organisation": "Gemeente Utrecht",
        "field_role": "beleidsmaker",
        "bio": "",
    }
    data.update(overrides)
    return data


def test_a_member_edits_their_own_profile_and_sees_it(
    client: FlaskClient, login_as: Callable[..., User]
) -> None:
    onderwijs, werk = make_theme("Onderwijs"), make_theme("Werk en inkomen")
    user = login_as(make_member(name="Fatima El Amrani"))
    handle = membership(user).handle

    response = client.post(
        "/community/profiel",
        data=profile_form(
            name="Fatima El-Amrani",
            bio="Ik werk aan **inburgering** in [Utrecht](https://utrecht.nl).",
            themes=[str(onderwijs.id), str(werk.id)],
        ),
    )

    assert response.status_code == 302
    assert response.headers["Location"] == f"/community/leden/{handle}"
    member = membership(user)
    assert member.handle == handle == "fatima-el-amrani"  # the handle never follows the name
    assert (member.user.name, member.user.organisation) == ("Fatima El-Amrani", "Gemeente Utrecht")
    assert member.field_role is FieldRole.BELEIDSMAKER
    assert [theme.slug for theme in member.themes] == [onderwijs.slug, werk.slug]
    page = client.get(f"/community/leden/{handle}").get_data(as_text=True)
    assert "<h1>Fatima El-Amrani</h1>" in page
    assert f"@{handle}" in page and "Gemeente Utrecht" in page and "Beleidsmaker" in page
    assert "<strong>inburgering</strong>" in page
    assert 'href="https://utrecht.nl" rel="noopener noreferrer nofollow"' in page
    assert f'href="/community/thema/{werk.slug}"' in page
    assert "Mijn profiel bewerken" in page


def test_the_form_shows_the_current_profile_and_the_fixed_handle(
    client: FlaskClient, login_as: Callable[..., User]
) -> None:
    user = login_as(make_member(name="Noor de Vries", organisation="Pharos"))

    page = client.get("/community/profiel").get_data(as_text=True)

    assert 'value="Noor de Vries"' in page and 'value="Pharos"' in page
    assert "@noor-de-vries" in page
    assert 'name="handle"' not in page
    # Sending a handle anyway changes nothing.
    client.post("/community/profiel", data=profile_form(name="Noor", handle="baas"))
    assert membership(user).handle == "noor-de-vries"


def test_a_profile_can_only_be_ones_own(client: FlaskClient, login_as: Callable[..., User]) -> None:
    other = make_member(name="Anna Jansen", organisation="Vluchtelingenwerk")
    login_as(make_member(name="Bram Bakker"))

    client.post(
        "/community/profiel",
        data=profile_form(name="Overgenomen", user_id=str(other.id), handle="anna-jansen"),
    )
    other_page = client.get("/community/leden/anna-jansen").get_data(as_text=True)

    assert membership(other).user.name == "Anna Jansen"
    assert "Mijn profiel bewerken" not in other_page
    assert client.post("/community/leden/anna-jansen", data={"name": "x"}).status_code == 405


@pytest.mark.parametrize("status", [MemberStatus.PENDING, MemberStatus.SUSPENDED])
def test_people_who_are_not_members_cannot_edit_a_profile(
    client: FlaskClient, login_as: Callable[..., User], status: MemberStatus
) -> None:
    person = login_as(make_person(status, name="Nog Niet"))

    assert client.get("/community/profiel").status_code == 403
    assert client.post("/community/profiel", data=profile_form()).status_code == 403
    assert membership(person).user.name == "Nog Niet"


def test_anonymous_visitors_are_sent_to_the_login_page(client: FlaskClient) -> None:
    make_member(name="Anna Jansen")
    for path in ("/community/profiel", "/community/leden/anna-jansen"):
        response = client.get(path)
        assert response.status_code == 302
        assert "/inloggen" in response.headers["Location"]


def test_hostile_profile_text_is_shown_inert(
    client: FlaskClient, login_as: Callable[..., User]
) -> None:
    login_as(make_member(name="Sam"))
    bio = "\n\n".join(XSS) + "\n\n[klik](javascript:alert(5))"
    client.post(
        "/community/profiel",
        data=profile_form(name=XSS[1], organisation=XSS[2], bio=bio),
    )

    pages = [
        client.get("/community/leden/sam").get_data(as_text=True),
        client.get("/community/leden").get_data(as_text=True),
        client.get("/community/profiel").get_data(as_text=True),
    ]

    for page in pages:
        assert "<script>alert" not in page
        assert "<img src=x" not in page and "<svg" not in page and "<iframe" not in page
        assert 'href="javascript' not in page.lower()
        assert "&lt;img src=x onerror=" in page


def test_a_bio_longer_than_the_limit_is_refused_with_a_linked_error(
    client: FlaskClient, login_as: Callable[..., User]
) -> None:
    user = login_as(make_member(name="Lang Verhaal"))

    response = client.post("/community/profiel", data=profile_form(bio="x" * (BIO_MAX + 1)))

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'aria-describedby="bio-hint bio-error"' in page and 'id="bio-error"' in page
    assert 'href="#bio"' in page  # the summary links to the field
    assert membership(user).bio == ""


def test_a_name_is_required_and_a_theme_must_exist(
    client: FlaskClient, login_as: Callable[..., User]
) -> None:
    user = login_as(make_member(name="Karin"))

    no_name = client.post("/community/profiel", data=profile_form(name="   "))
    no_theme = client.post("/community/profiel", data=profile_form(themes=["999"]))

    assert no_name.status_code == no_theme.status_code == 200
    assert 'id="name-error"' in no_name.get_data(as_text=True)
    assert 'id="themes-error"' in no_theme.get_data(as_text=True)
    assert membership(user).user.name == "Karin"


def test_update_profile_checks_name_and_lengths(app: object) -> None:
    user = make_member(name="Eva")
    with pytest.raises(AccountError):
        update_profile(user, "  ", None)
    with pytest.raises(AccountError):
        update_profile(user, "Eva", "o" * 161)
    update_profile(user, "  Eva Smit ", "  ")
    assert (membership(user).user.name, membership(user).user.organisation) == ("Eva Smit", None)


def test_the_profile_shows_membership_date_and_post_count(
    client: FlaskClient, login_as: Callable[..., User]
) -> None:
    login_as(make_member(name="Piet Post"))

    page = client.get("/community/leden/piet-post").get_data(as_text=True)

    assert "Lid sinds" in page
    assert "<dt>Berichten</dt><dd>0</dd>" in page


def test_the_profile_shows_visible_posts_only_in_its_count(
    client: FlaskClient, login_as: Callable[..., User]
) -> None:
    writer = make_member(name="Piet Post")
    posts = write_thread(writer, make_theme("Wonen"), "Kop", "Een", "Twee", "Drie")
    with write_transaction():
        posts[2].deleted_at = clock.now()
    login_as(make_member(name="Lezer"))

    page = client.get("/community/leden/piet-post").get_data(as_text=True)

    assert "<dt>Berichten</dt><dd>2</dd>" in page


def test_profile_forms_need_their_csrf_token(
    app: Flask, client: FlaskClient, login_as: Callable[..., User]
) -> None:
    user = login_as(make_member(name="Echte Naam"))
    saved_key = "aa/" + "a" * 64 + ".webp"
    with write_transaction():
        membership(user).avatar_key = saved_key
    app.config["WTF_CSRF_ENABLED"] = True

    forged = client.post("/community/profiel", data=profile_form(name="Vervalst"))
    removal = client.post("/community/profiel/foto-verwijderen")

    assert forged.status_code == removal.status_code == 400
    member = membership(user)
    assert (member.user.name, member.avatar_key) == ("Echte Naam", saved_key)
