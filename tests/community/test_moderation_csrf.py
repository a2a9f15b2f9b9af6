"""Every moderation form carries its CSRF token (the URL-map test in test_csrf.py proves a
POST without one is refused; this proves the pages send one with every form)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from kispub.community.models import FlagReason, FlagReview
from kispub.community.services.flagging import flag_post
from kispub.community.services.posting import reply
from kispub.extensions import db
from tests.community.discussion_helpers import make_thread, post_numbered
from tests.community.helpers import make_member
from tests.community.moderation_helpers import moderator, newcomer
from tests.community.test_csrf import _client, log_in_with_token

# A form with a prefix (several forms on one page) names its token "<prefix>-csrf_token".
TOKEN = re.compile(r'name="((?:[\w-]+-)?csrf_token)" type="hidden" value="([^"]+)"')


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    """CSRF on, as in production."""
    return {**app_config, "WTF_CSRF_ENABLED": True}


def test_every_moderation_form_carries_its_token(app: Flask) -> None:
    author, reader = make_member(), make_member()
    thread = make_thread(author, posts=2)
    second = post_numbered(thread.id, 2)
    flag_post(make_member(), second.id, FlagReason.SPAM)
    held = reply(newcomer(), thread.id, "Wacht op goedkeuring")
    review_id = db.session.scalar(select(FlagReview.id))
    staff, member = _client(app), _client(app)
    log_in_with_token(staff, moderator())
    log_in_with_token(member, reader)
    pages = [
        (member, f"/community/bericht/{second.id}/melden", 1),
        (staff, f"/beheer/community/meldingen-van-leden/{review_id}", 1),
        (staff, f"/beheer/community/ter-goedkeuring/{held.id}", 2),
        (staff, f"/beheer/community/onderwerp/{thread.id}", 3),
        (staff, f"/beheer/community/bericht/{second.id}", 1),
        (staff, f"/beheer/community/leden/{author.id}", 2),
        (staff, f"/community/bericht/{second.id}/bewerken", 1),
    ]
    for client, url, count in pages:
        page = client.get(url).text
        forms = re.findall(r'<form method="post".*?</form>', page, flags=re.S)
        assert len(forms) == count, url
        assert all(TOKEN.search(form) for form in forms), url
    # A prefixed token is accepted (Flask-WTF finds any field ending in csrf_token).
    page = staff.get(f"/beheer/community/ter-goedkeuring/{held.id}").text
    approve = re.search(r'<form method="post" action="([^"]+goedkeuren)".*?</form>', page, re.S)
    assert approve is not None
    found = TOKEN.search(approve.group(0))
    assert found is not None
    answer = staff.post(approve.group(1), data={found.group(1): found.group(2)})
    assert answer.status_code == 302
    assert post_numbered(thread.id, held.number).held_at is None
