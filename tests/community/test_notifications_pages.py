"""The notifications as members see them: the count in the header, the notifications page,
marking read, opening one (only one's own), and the page's fixed cost."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from kispub.accounts.models import Role, User
from kispub.community.models import MemberStatus
from kispub.community.services.notifying import notify_moderation
from kispub.community.services.posting import reply
from kispub.core.database import write_transaction
from tests.community.discussion_helpers import client_for, make_thread
from tests.community.helpers import make_member, make_person
from tests.community.notification_helpers import mention, notifications_of
from tests.queries import count_queries

HEADER_LINK = re.compile(r'<li><a href="/community/meldingen">Meldingen(.*?)</a></li>')


def header(page: str) -> str | None:
    """What follows "Meldingen" in the header's link (None: no link)."""
    found = HEADER_LINK.search(page)
    return None if found is None else found.group(1)


def counted(unread: int) -> str:
    """The header link's text after "Meldingen": "(2)" to see, "(2 ongelezen)" to hear."""
    hidden = '<span class="visually-hidden"> ongelezen)</span>'
    return f' ({unread}{hidden}<span aria-hidden="true">)</span>'


def replies_to(reader: User, count: int, *, title: str = "Taalcafés in de wijk") -> int:
    """A thread by ``reader`` with ``count`` replies to its first post; its id."""
    author = make_member(name="Ahmed Actor")
    thread = make_thread(reader, title=title)
    for n in range(count):
        reply(author, thread.id, f"Reactie {n}", reply_to_number=1)
    return thread.id


def test_the_header_counts_a_members_unread_notifications_everywhere(app: Flask) -> None:
    reader = make_member()
    replies_to(reader, 2)
    client = client_for(app, reader)
    for url in ("/", "/community/", "/community/leden"):
        assert header(client.get(url).text) == counted(2)


def test_the_header_names_no_count_when_all_is_read_and_no_link_for_others(
    app: Flask, client: FlaskClient
) -> None:
    member, pending = make_member(), make_person(MemberStatus.PENDING)
    assert header(client_for(app, member).get("/").text) == ""
    assert header(client_for(app, pending).get("/").text) is None
    assert header(client.get("/").text) is None  # anonymous


def test_the_header_costs_one_statement_outside_the_community_and_none_inside(app: Flask) -> None:
    reader = make_member()
    replies_to(reader, 1)
    client = client_for(app, reader)
    for url, expected in (("/", 1), ("/community/", 1)):
        with count_queries() as sent:
            assert client.get(url).status_code == 200
        # Inside the community the count comes with the membership the door reads anyway.
        assert sum("community_notification" in s for s in sent) == expected, sent


def test_the_page_lists_newest_first_with_their_snapshots(app: Flask) -> None:
    reader, moderator = make_member(), make_member(role=Role.MODERATOR, name="Mo Derator")
    thread_id = replies_to(reader, 1, title="Taalcafés")
    reply(make_member(name="Noor Noemer"), thread_id, f"Hoi {mention(reader)}")
    with write_transaction():
        notify_moderation(reader.id, moderator, "Uw profielfoto is verwijderd: een logo.")
    page = client_for(app, reader).get("/community/meldingen").text
    items = re.findall(r'<li class="community-notification[^"]*">(.*?)</li>', page, re.S)
    texts = [" ".join(re.sub(r"<[^>]+>", " ", item).split()).split(" , ")[0] for item in items]
    assert texts == [
        "ongelezen Een moderator besliste over uw lidmaatschap",
        "ongelezen Noor Noemer noemde u in bericht 3 van “Taalcafés”",
        "ongelezen Ahmed Actor reageerde op uw bericht in “Taalcafés” (bericht 2)",
    ]
    assert "Toelichting: Uw profielfoto is verwijderd: een logo." in items[0]
    assert "U hebt 3 ongelezen meldingen." in page


def test_opening_a_notification_marks_it_read_and_goes_to_the_post(app: Flask) -> None:
    reader = make_member()
    replies_to(reader, 2)
    client = client_for(app, reader)
    first = notifications_of(reader)[0]
    answer = client.get(f"/community/meldingen/{first.id}")
    assert answer.status_code == 302
    assert answer.headers["Location"] == f"/community/bericht/{first.post_id}"
    assert client.get(answer.headers["Location"]).status_code == 302  # the permalink works
    assert [n.read_at is not None for n in notifications_of(reader)] == [True, False]
    assert header(client.get("/").text) == counted(1)


def test_only_the_owner_opens_or_marks_a_notification(app: Flask) -> None:
    reader, other = make_member(), make_member()
    replies_to(reader, 1)
    (mine,) = notifications_of(reader)
    client = client_for(app, other)
    assert client.get(f"/community/meldingen/{mine.id}").status_code == 404
    assert client.post(f"/community/meldingen/{mine.id}/gelezen").status_code == 404
    assert client.post("/community/meldingen/gelezen").status_code == 302  # their own: none
    assert client.get("/community/meldingen/999999").status_code == 404
    assert [n.read_at for n in notifications_of(reader)] == [None]


def test_a_decision_about_the_account_opens_the_notifications_page(app: Flask) -> None:
    reader, moderator = make_member(), make_member(role=Role.MODERATOR)
    with write_transaction():
        notification = notify_moderation(reader.id, moderator, "Een waarschuwing.")
    assert notification is not None
    answer = client_for(app, reader).get(f"/community/meldingen/{notification.id}")
    assert answer.headers["Location"] == "/community/meldingen"


def test_marking_one_then_all_read(app: Flask) -> None:
    reader = make_member()
    replies_to(reader, 3)
    client = client_for(app, reader)
    first = notifications_of(reader)[0]
    answer = client.post(f"/community/meldingen/{first.id}/gelezen")
    assert answer.status_code == 302 and answer.headers["Location"] == "/community/meldingen"
    page = client.get("/community/meldingen").text
    assert "De melding is gemarkeerd als gelezen." in page
    assert page.count(">ongelezen</span>") == 2
    assert page.count('<button type="submit" class="link-button">Gelezen') == 2
    answer = client.post("/community/meldingen/gelezen")
    page = client.get(answer.headers["Location"]).text
    assert "Alle meldingen zijn gemarkeerd als gelezen." in page
    assert "U hebt geen ongelezen meldingen." in page and ">ongelezen</span>" not in page
    assert "Markeer alles als gelezen" not in page
    assert header(page) == ""


def test_reading_the_thread_counts_its_notifications_read_on_that_very_page(app: Flask) -> None:
    reader = make_member()
    thread_id = replies_to(reader, 2)
    client = client_for(app, reader)
    assert header(client.get("/community/").text) != ""
    assert header(client.get(f"/community/onderwerp/{thread_id}").text) == ""


def test_pages_of_notifications(make_app: Callable[..., Flask]) -> None:
    app = make_app(COMMUNITY_NOTIFICATIONS_PER_PAGE=2)
    with app.app_context():
        reader = make_member()
        replies_to(reader, 3)
        client = client_for(app, reader)
        assert client.get("/community/meldingen").text.count("community-notification-unread") == 2
        second = client.get("/community/meldingen?pagina=2").text
        assert "(bericht 2)" in second and 'aria-label="Pagina\'s met meldingen"' in second
        assert client.get("/community/meldingen?pagina=3").status_code == 404


def test_the_page_costs_the_same_for_1_and_25_notifications(app: Flask) -> None:
    few, many = make_member(), make_member()
    replies_to(few, 1)
    replies_to(many, 25)
    counts = []
    for reader in (few, many):
        client = client_for(app, reader)
        with count_queries() as sent:
            page = client.get("/community/meldingen").text
        counts.append(len(sent))
        assert page.count('class="community-notification ') >= 1
    assert counts[0] == counts[1] <= 5, counts
