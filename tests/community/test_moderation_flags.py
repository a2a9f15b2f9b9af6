"""Members report posts; three different members hide one; moderators decide in a queue.

Covers the report form ("Meld bericht 6"), one report per member per post, the threshold,
each decision of the review queue (approved, rejected, ignored) with its consequence, log
entry and notification, a new round after a decision, and the queue's pages.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from kispub.community.models import FlagReason, ModerationAction, ReviewStatus
from kispub.community.services.flagging import decide_review, flag_post
from kispub.community.services.modlog import ModerationError
from kispub.community.services.posting import delete_post, reply
from tests.community.discussion_helpers import client_for, make_thread, post_numbered
from tests.community.helpers import make_member
from tests.community.moderation_helpers import (
    Told,
    entries,
    indexed,
    moderator,
    reviews_of,
    told,
)

__all__ = ["told"]  # the fixture, used by name


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {**app_config, "COMMUNITY_FLAG_HIDE_THRESHOLD": 3}


def a_post(**kwargs: Any) -> tuple[int, int]:
    """A thread of two posts; returns (thread id, id of post 2, by its own author)."""
    author = make_member(name="Schrijver")
    thread = make_thread(make_member(), posts=1, **kwargs)
    post = reply(author, thread.id, "Koop nu goedkope horloges op https://spam.example")
    return thread.id, post.id


def test_three_different_members_hide_a_post_until_a_moderator_decides(app: Flask) -> None:
    thread_id, post_id = a_post()
    first, second, third = make_member(), make_member(), make_member()
    assert flag_post(first, post_id, FlagReason.SPAM).hid_post is False
    with pytest.raises(ModerationError, match="al gemeld"):
        flag_post(first, post_id, FlagReason.OFF_TOPIC)  # one report per member, ever
    assert flag_post(second, post_id, FlagReason.INAPPROPRIATE).hid_post is False
    assert post_numbered(thread_id, 2).hidden_at is None and indexed(post_id)

    outcome = flag_post(third, post_id, FlagReason.OTHER, "Reclame voor horloges")
    assert outcome.hid_post is True
    hidden = post_numbered(thread_id, 2)
    assert hidden.hidden_at is not None and not indexed(post_id)
    [review] = reviews_of(post_id)
    assert (review.status, review.flag_count, review.hid_post) == (ReviewStatus.OPEN, 3, True)
    [entry] = entries()
    assert (entry.action, entry.actor_id, entry.actor_name) == (
        ModerationAction.FLAGS_HID_POST, None, "Meldingen van leden",
    )  # fmt: skip
    assert (entry.target_kind.value, entry.target_id) == ("post", post_id)
    assert entry.subject_id == hidden.author_id
    assert entry.target_label == "Bericht 2 in “Taalcafés in de wijk”"


def test_what_cannot_be_reported(app: Flask) -> None:
    author = make_member()
    thread = make_thread(author, posts=2)
    own, other = post_numbered(thread.id, 1), post_numbered(thread.id, 2)
    with pytest.raises(ModerationError):
        flag_post(author, own.id, FlagReason.SPAM)  # one's own post
    with pytest.raises(ModerationError, match="Schrijf erbij"):
        flag_post(make_member(), own.id, FlagReason.OTHER, "   ")  # "anders" needs a text
    delete_post(author, other.id)
    with pytest.raises(ModerationError):
        flag_post(make_member(), other.id, FlagReason.SPAM)  # deleted
    assert reviews_of(own.id) == [] and entries() == []


@pytest.mark.parametrize(
    ("decision", "hidden_after", "action", "author_told"),
    [
        (ReviewStatus.APPROVED, True, ModerationAction.FLAG_APPROVED, "verborgen na meldingen"),
        (ReviewStatus.REJECTED, False, ModerationAction.FLAG_REJECTED, "teruggezet"),
        (ReviewStatus.IGNORED, True, ModerationAction.FLAG_IGNORED, None),
    ],
)
def test_each_decision_on_a_hidden_post(
    app: Flask,
    told: Told,
    decision: ReviewStatus,
    hidden_after: bool,
    action: ModerationAction,
    author_told: str | None,
) -> None:
    thread_id, post_id = a_post()
    for _n in range(3):
        flag_post(make_member(), post_id, FlagReason.SPAM)
    mod = moderator(name="Mo Derator")
    [review] = reviews_of(post_id)
    with pytest.raises(ModerationError, match="reden"):
        decide_review(mod, review.id, decision, "  ")
    decide_review(mod, review.id, decision, "Beoordeeld")

    post = post_numbered(thread_id, 2)
    assert (post.hidden_at is not None) is hidden_after
    assert indexed(post_id) is not hidden_after
    [decided] = reviews_of(post_id)
    assert (decided.status, decided.decided_by_id, decided.decision_reason) == (
        decision, mod.id, "Beoordeeld",
    )  # fmt: skip
    last = entries()[-1]
    assert (last.action, last.actor_id, last.actor_name, last.reason) == (
        action, mod.id, "Mo Derator", "Beoordeeld",
    )  # fmt: skip
    assert (last.target_kind.value, last.target_id, last.subject_id) == (
        "review", review.id, post.author_id,
    )  # fmt: skip
    messages = told.to(post.author_id or 0)
    if author_told is None:
        assert messages == []
    else:
        assert len(messages) == 1 and author_told in messages[0] and "Beoordeeld" in messages[0]
    with pytest.raises(ModerationError, match="al beslist"):  # a second decision (double submit)
        decide_review(mod, review.id, ReviewStatus.APPROVED, "Nogmaals")


def test_approving_hides_a_visible_post_and_rejecting_leaves_it(app: Flask) -> None:
    thread_id, post_id = a_post()
    reporter = make_member()
    flag_post(reporter, post_id, FlagReason.OFF_TOPIC)
    mod = moderator()
    decide_review(mod, reviews_of(post_id)[0].id, ReviewStatus.REJECTED, "Past prima")
    assert post_numbered(thread_id, 2).hidden_at is None
    # Reports after a decision open a new round; the same member cannot report again.
    with pytest.raises(ModerationError, match="al gemeld"):
        flag_post(reporter, post_id, FlagReason.SPAM)
    flag_post(make_member(), post_id, FlagReason.SPAM)
    first, second = reviews_of(post_id)
    assert (first.status, second.status, second.flag_count) == (
        ReviewStatus.REJECTED, ReviewStatus.OPEN, 1,
    )  # fmt: skip
    decide_review(mod, second.id, ReviewStatus.APPROVED, "Toch spam")
    assert post_numbered(thread_id, 2).hidden_at is not None and not indexed(post_id)


def test_the_report_form_and_the_queue(app: Flask) -> None:
    thread_id, post_id = a_post()
    reporter = make_member()
    member_client = client_for(app, reporter)
    thread_page = member_client.get(f"/community/onderwerp/{thread_id}").text
    assert f'href="/community/bericht/{post_id}/melden">Meld bericht 2<' in thread_page
    assert "Meld bericht 1" in thread_page  # someone else's too; never one's own
    form = member_client.get(f"/community/bericht/{post_id}/melden")
    assert form.status_code == 200 and "Wat is er mis met dit bericht?" in form.text
    refused = member_client.post(f"/community/bericht/{post_id}/melden", data={"reason": "anders"})
    assert refused.status_code == 200 and "Schrijf erbij wat er mis is" in refused.text
    sent = member_client.post(
        f"/community/bericht/{post_id}/melden", data={"reason": "spam", "note": "Horloges"}
    )
    assert sent.status_code == 302
    again = member_client.get(f"/community/bericht/{post_id}/melden").text
    assert "U hebt dit bericht al gemeld" in again

    staff = client_for(app, moderator())
    queue = staff.get("/beheer/community/meldingen-van-leden").text
    [review] = reviews_of(post_id)
    assert f'href="/beheer/community/meldingen-van-leden/{review.id}"' in queue
    assert "Spam of reclame (1)" in queue and "Koop nu goedkope horloges" in queue
    detail = staff.get(f"/beheer/community/meldingen-van-leden/{review.id}").text
    assert "Horloges" in detail and reporter.name in detail
    missing = staff.post(f"/beheer/community/meldingen-van-leden/{review.id}", data={})
    assert missing.status_code == 400 and "Kies een beslissing" in missing.text
    decided = staff.post(
        f"/beheer/community/meldingen-van-leden/{review.id}",
        data={"decision": "approved", "reason": "Spam"},
    )
    assert decided.status_code == 302
    assert (
        "Geen meldingen met deze status" in staff.get("/beheer/community/meldingen-van-leden").text
    )
    history = staff.get("/beheer/community/meldingen-van-leden?status=approved").text
    assert "Terecht (verborgen)" in history
    page = staff.get(f"/beheer/community/meldingen-van-leden/{review.id}").text
    assert "Meldingen terecht" in page and "Beslissing opslaan" not in page  # decided: no form
    assert member_client.get(f"/community/onderwerp/{thread_id}").text.count("Verborgen door") == 1


def test_members_cannot_reach_the_queue_or_decide(app: Flask) -> None:
    _thread_id, post_id = a_post()
    flag_post(make_member(), post_id, FlagReason.SPAM)
    [review] = reviews_of(post_id)
    member = client_for(app, make_member())
    assert member.get("/beheer/community/meldingen-van-leden").status_code == 403
    data = {"decision": "rejected", "reason": "Zelf beslissen"}
    url = f"/beheer/community/meldingen-van-leden/{review.id}"
    assert member.post(url, data=data).status_code == 403
    assert reviews_of(post_id)[0].status is ReviewStatus.OPEN
    with pytest.raises(ModerationError):
        decide_review(make_member(), review.id, ReviewStatus.REJECTED, "Zelf beslissen")
