"""Every community page type in Chromium, at desktop and phone width: axe-core clean and
nothing wider than the screen."""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image

from kispub.community.models import FieldRole, Member, MemberStatus
from kispub.community.services.posting import edit_post
from kispub.community.services.profiles import ProfileChange, save_profile
from kispub.extensions import db
from tests.browser.conftest import assert_accessible, log_in
from tests.community.discussion_helpers import make_thread, post_numbered, theme
from tests.community.helpers import make_member, make_person


def photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (300, 200), (30, 110, 160)).save(out, "JPEG")
    return out.getvalue()


def fits_the_screen(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


@pytest.mark.parametrize("width", [1280, 390])
def test_every_members_page_type_is_accessible_and_fits(page: Any, width: int) -> None:
    where = theme()
    author = make_member(name="Fatima El Amrani-Verhoeven", organisation="Gemeente Heuvelstad")
    reader = make_member(name="Bram Visser")
    change = ProfileChange(
        name="Fatima El Amrani-Verhoeven",
        organisation="Gemeente Heuvelstad, afdeling Werk en Inkomen",
        field_role=FieldRole.BELEIDSMAKER,
        bio="Beleidsadviseur. Ik werk aan **de brede intake**.",
        theme_ids=(where.id,),
        avatar=photo(),
    )
    save_profile(author.id, change)
    thread = make_thread(author, posts=3, repliers=[author, reader], title="Een lange titel " * 6)
    edit_post(author, post_numbered(thread.id, 2).id, "Aangepast: @bram-visser")
    handle = db.session.get(Member, author.id).handle  # type: ignore[union-attr]
    page.set_viewport_size({"width": width, "height": 800})
    log_in(page, reader)

    for url in (
        "/community/",
        "/community/thema/participatie",
        f"/community/onderwerp/{thread.id}",
        f"/community/bericht/{post_numbered(thread.id, 2).id}/versies",
        "/community/leden",
        "/community/leden?q=heuvelstad",
        f"/community/leden/{handle}",
        "/community/profiel",
        "/community/zoeken",
        "/community/zoeken?q=taalcaf%C3%A9s",
    ):
        page.goto(url)
        assert_accessible(page)
        assert fits_the_screen(page), url


@pytest.mark.parametrize("width", [1280, 390])
def test_the_door_page_for_people_still_joining_is_accessible(page: Any, width: int) -> None:
    pending = make_person(MemberStatus.PENDING)
    page.set_viewport_size({"width": width, "height": 800})
    log_in(page, pending)
    answer = page.goto("/community/")
    assert answer is not None and answer.status == 403
    assert_accessible(page)
    assert fits_the_screen(page)
    page.goto("/community/lid-worden/")
    assert_accessible(page)
    assert fits_the_screen(page)
