"""Joining the community in a real browser: every joining and back-office page passes
axe-core (WCAG 2.1 AA), and an invitation is accepted with the keyboard alone (a personal
one: its mailed link proves the address, so the name and password are chosen on it)."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from kispub.accounts.models import Role
from kispub.accounts.services import find_user_by_email
from kispub.community.models import FieldRole, MemberStatus
from kispub.community.services.invitations import (
    InviteLink,
    PersonalInvitation,
    create_invite_link,
    invite_person,
)
from tests.browser.conftest import assert_accessible, log_in
from tests.community.helpers import make_member, make_person, membership
from tests.community.joining_helpers import link, mails_to, verify_link
from tests.factories import DEFAULT_PASSWORD, make_theme


def _path(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def test_the_joining_pages_are_accessible(page: Any, outbox) -> None:
    page.goto("/community/lid-worden/")
    assert_accessible(page)
    page.get_by_role("button", name="Lidmaatschap aanvragen").click()
    expect(page.get_by_role("alert")).to_be_visible()  # the errors, linked to their fields
    assert_accessible(page)
    page.get_by_label("Naam", exact=True).fill("Noor Bakker")
    page.get_by_label("E-mailadres").fill("noor@example.org")
    expect(page.get_by_label("Herhaal het wachtwoord")).to_have_count(0)  # chosen on confirming
    page.get_by_label("Uw rol in het veld").select_option("professional")
    page.get_by_label("Waarom wilt u lid worden?").fill("Ik werk met nieuwkomers.")
    page.get_by_role("button", name="Lidmaatschap aanvragen").click()
    expect(page.get_by_role("heading", name="Kijk in uw mailbox")).to_be_visible()
    assert_accessible(page)
    page.goto(verify_link(outbox()[0]))
    assert_accessible(page)
    page.get_by_role("button", name="Ja, dit is mijn e-mailadres").click()  # no password yet
    expect(page.get_by_role("alert")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Nieuw wachtwoord").fill(DEFAULT_PASSWORD)
    page.get_by_label("Herhaal het wachtwoord").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Ja, dit is mijn e-mailadres").click()
    expect(page.get_by_role("heading", name="Aanvraag ontvangen")).to_be_visible()
    assert_accessible(page)
    page.goto("/community/lid-worden/welkom")
    assert_accessible(page)
    page.goto("/community/lid-worden/uitnodiging/bestaat-niet")
    expect(page.get_by_role("heading", name="Deze link werkt niet")).to_be_visible()
    assert_accessible(page)
    _url, shared = create_invite_link(make_member(role=Role.MODERATOR), InviteLink(5, 7, "kis.nl"))
    page.goto(_path(shared))
    expect(page.get_by_text("@kis.nl")).to_be_visible()
    assert_accessible(page)


def test_the_back_office_pages_are_accessible(page: Any, outbox, tmp_path) -> None:
    admin = make_member(role=Role.ADMIN, name="Anna Admin")
    person = make_person(MemberStatus.PENDING, name="Piet Jansen")
    invite_person(admin, PersonalInvitation("sem@example.org", "Sem de Vries", "Pharos"))
    log_in(page, admin)
    page.get_by_role("link", name="Beheer", exact=True).click()
    page.get_by_role("link", name="1 aanvraag").click()
    expect(page.get_by_role("heading", name="Aanvragen voor de community")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Piet Jansen").click()
    expect(page.get_by_role("heading", name="Aanvraag van Piet Jansen")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Afwijzen").click()  # without the message it needs
    expect(page.get_by_role("alert")).to_be_visible()
    assert_accessible(page)
    assert person.id
    page.goto("/beheer/community/uitnodigingen")
    assert_accessible(page)
    page.get_by_role("button", name="Link maken").click()
    expect(page.get_by_role("heading", name="Uitnodigingslink gemaakt")).to_be_visible()
    assert_accessible(page)
    page.goto("/beheer/community/uitnodigingen/bestand")
    assert_accessible(page)
    csv = tmp_path / "leden.csv"
    csv.write_text("naam;e-mail\nJan;jan@example.org\n;zonder-naam@example.org\n")
    page.get_by_label("CSV-bestand").set_input_files(str(csv))
    page.get_by_role("button", name="Bekijk wat er gebeurt").click()
    expect(page.get_by_text("De naam ontbreekt.")).to_be_visible()
    assert_accessible(page)
    for path in ("/beheer/community/domeinen", "/beheer/community/logboek"):
        page.goto(path)
        assert_accessible(page)


def test_invite_join_post_and_reply_with_the_keyboard_alone(page: Any, app: Any, outbox) -> None:
    # A new member's first posts wait for a moderator (tests/community/test_moderation_
    # premoderation.py); here the newcomer's thread and reply appear at once.
    app.config["COMMUNITY_PREMODERATE_FIRST_POSTS"] = 0
    invite_person(make_member(role=Role.MODERATOR), PersonalInvitation("sem@example.org", "Sem"))
    page.goto(link(mails_to(outbox(), "sem@example.org")[0], "/community/lid-worden/uitnodiging/"))
    assert_accessible(page)
    for _ in range(40):  # the skip link, the header, then the form
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "name":
            break
    assert page.evaluate("document.activeElement.value") == "Sem"  # filled in from the invitation
    page.keyboard.press("End")  # tabbing in selects the text; keep it and add to it
    page.keyboard.type(" de Vries")
    page.keyboard.press("Tab")
    page.keyboard.type("Pharos")
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")  # the role: the first choice after "Kies uw rol"
    page.keyboard.press("Tab")
    page.keyboard.type(DEFAULT_PASSWORD)
    page.keyboard.press("Tab")
    page.keyboard.type(DEFAULT_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/community/$"))
    member = membership(find_user_by_email("sem@example.org"))
    assert member.is_approved and member.user.name == "Sem de Vries"
    assert (
        member.field_role is FieldRole.PRAKTIJKDESKUNDIGE and member.user.organisation == "Pharos"
    )

    # Then, still without a mouse: into a theme, start a thread, reply to it.
    make_theme("Participatie")
    page.reload()
    tab_to(page, "Participatie")
    follow(page)
    tab_to(page, "Nieuw onderwerp in Participatie")
    follow(page)
    tab_to(page, "", element_id="title")
    page.keyboard.type("Taalmaatjes gezocht")
    page.keyboard.press("Tab")
    page.keyboard.type("Wie heeft goede ervaringen met **taalmaatjes**?")
    tab_to(page, "Plaats onderwerp")
    follow(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Taalmaatjes gezocht")
    tab_to(page, "", element_id="body")
    page.keyboard.type("Aanvulling: het liefst in de avond.")
    tab_to(page, "Plaats reactie")
    follow(page)
    expect(
        page.get_by_role("heading", name=re.compile("^Bericht 2 van Sem de Vries"))
    ).to_be_visible()
    assert_accessible(page)


def follow(page: Any) -> None:
    """Press Enter on the focused link or button and wait for the page it leads to."""
    with page.expect_navigation():
        page.keyboard.press("Enter")


def tab_to(page: Any, text: str, *, element_id: str | None = None, presses: int = 80) -> None:
    """Press Tab until the focused element has this text (or id): the keyboard's way there."""
    script = "[document.activeElement.id, document.activeElement.innerText || '']"
    for _ in range(presses):
        page.keyboard.press("Tab")
        focused_id, focused_text = page.evaluate(script)
        if (element_id and focused_id == element_id) or (text and focused_text.strip() == text):
            return
    raise AssertionError(f"Tab never reached {text or element_id!r}")
