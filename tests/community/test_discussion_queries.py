"""The theme page and the thread page send the same SQL whatever their size (no N+1)."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from kispub.accounts.models import User
from kispub.community.services.posting import delete_post, edit_post, reply
from kispub.community.services.reading import record_read
from tests.community.discussion_helpers import client_for, make_thread, post_numbered, theme
from tests.community.helpers import make_member, membership
from tests.factories import make_theme
from tests.queries import count_queries

# A page of either size holds everything: each row's author must come in the same query.
BIG_PAGES = {"COMMUNITY_THREADS_PER_PAGE": 100, "COMMUNITY_POSTS_PER_PAGE": 100}


def statements(client: FlaskClient, url: str) -> list[str]:
    with count_queries() as sent:
        answer = client.get(url)
    assert answer.status_code == 200, answer.get_data(as_text=True)[:500]
    return sent


def theme_with_threads(count: int, authors: list[User], reader: User) -> str:
    chosen = make_theme(f"Thema met {count}")
    for n in range(count):
        thread = make_thread(
            authors[n % len(authors)],
            posts=1 + n % 3,
            in_theme=chosen,
            repliers=authors,
            title=f"Onderwerp {n}",
        )
        if n % 4 == 0:
            record_read(reader.id, thread.id, 1)
    return chosen.slug


def test_the_theme_page_costs_the_same_for_1_and_60_threads(make_app: Callable[..., Flask]) -> None:
    app = make_app(**BIG_PAGES)
    with app.app_context():
        authors = [make_member(name=f"Auteur {n}") for n in range(6)]
        reader = make_member()
        small, large = (
            theme_with_threads(1, authors, reader),
            theme_with_threads(60, authors, reader),
        )
        client = client_for(app, reader)
        few = statements(client, f"/community/thema/{small}")
        many = statements(client, f"/community/thema/{large}")
        assert many[-1].count("community_thread") and "Onderwerp 59" in client.get(
            f"/community/thema/{large}"
        ).get_data(as_text=True)
    assert len(few) == len(many), "\n\n".join(many)
    assert len(many) <= 8, "\n\n".join(many)


def thread_with_posts(count: int, authors: list[User]) -> int:
    """A question with ``count`` posts by several authors; the long one has an edited post
    with a mention, a deleted post and a reply to another."""
    thread = make_thread(authors[0], posts=count, repliers=authors, question=True)
    if count > 5:
        third, fourth = post_numbered(thread.id, 3), post_numbered(thread.id, 4)
        edit_post(authors[3], third.id, f"Zie @{membership(authors[1]).handle}")
        delete_post(authors[4], fourth.id)
        reply(authors[1], thread.id, "Een reactie op twee", reply_to_number=2)
    return thread.id


def test_the_thread_page_costs_the_same_for_1_and_45_posts(make_app: Callable[..., Flask]) -> None:
    app = make_app(**BIG_PAGES)
    with app.app_context():
        authors = [make_member(name=f"Auteur {n}") for n in range(6)]
        reader = make_member()
        short, long = thread_with_posts(1, authors), thread_with_posts(44, authors)
        client = client_for(app, reader)
        # The first visit also records what was read; later visits only read.
        first_few = statements(client, f"/community/onderwerp/{short}?citeer=1")
        first_many = statements(client, f"/community/onderwerp/{long}?citeer=45")
        again_few = statements(client, f"/community/onderwerp/{short}")
        again_many = statements(client, f"/community/onderwerp/{long}")
        page = client.get(f"/community/onderwerp/{long}").get_data(as_text=True)
        assert page.count("<article") == 45
    assert len(first_few) == len(first_many), "\n\n".join(first_many)
    assert len(again_few) == len(again_many), "\n\n".join(again_many)
    assert len(again_many) < len(first_many) <= 10, "\n\n".join(first_many)


def test_the_index_costs_the_same_for_any_number_of_themes_and_threads(app: Flask) -> None:
    author, reader = make_member(), make_member()
    make_thread(author, in_theme=theme())
    client = client_for(app, reader)
    few = statements(client, "/community/")
    for n in range(8):
        make_thread(author, in_theme=make_theme(f"Extra thema {n}"), posts=2)
    assert len(statements(client, "/community/")) == len(few)
