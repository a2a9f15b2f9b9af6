"""The community's routes as the URL map has them, and URLs for them that resolve.

The access and CSRF tests read the routes from ``app.url_map`` rather than from a list, so a
route added later is tested without anyone editing a test.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from flask import Flask
from werkzeug.routing import AnyConverter, IntegerConverter, PathConverter, Rule, UUIDConverter

from kispub.accounts.models import User
from kispub.community.models import Member, Post, ThemeActivity, Thread
from kispub.core import clock
from kispub.core.database import write_transaction
from kispub.core.markdown import render_markdown
from kispub.extensions import db
from tests.factories import make_theme

MEMBERS = "community."  # the members' blueprint: require_member before every view
PUBLIC = "community_join."  # the joining pages outsiders reach
MAIL = "community_mail."  # the stop links in community mail: public, acting on a signed token
STAFF = "community_admin."  # moderators' pages under /beheer/community
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def rules(app: Flask, prefix: str) -> list[Rule]:
    """The app's rules whose endpoint starts with ``prefix``, in a stable order."""
    found = [r for r in app.url_map.iter_rules() if r.endpoint.startswith(prefix)]
    return sorted(found, key=lambda rule: (rule.rule, rule.endpoint))


def calls(app: Flask, prefix: str, methods: tuple[str, ...] = METHODS) -> list[tuple[Rule, str]]:
    """Every (rule, method) pair the routes with ``prefix`` allow, GETs first."""
    pairs = [(r, m) for r in rules(app, prefix) for m in methods if m in (r.methods or ())]
    return sorted(pairs, key=lambda pair: (methods.index(pair[1]), pair[0].rule))


@dataclass(frozen=True)
class Sample:
    """Rows that make a community URL resolve: a theme, a thread, its post, a member."""

    theme_id: int
    theme_slug: str
    thread_id: int
    post_id: int
    user_id: int
    handle: str

    def value(self, rule: Rule, name: str) -> object:
        """A value for argument ``name`` of ``rule`` that names something that exists."""
        converter = rule._converters[name]
        if isinstance(converter, AnyConverter):
            return sorted(converter.items)[0]
        if isinstance(converter, UUIDConverter):
            return uuid.uuid4()
        known: dict[str, object] = {
            "thread_id": self.thread_id, "post_id": self.post_id, "user_id": self.user_id,
            "member_id": self.user_id, "theme_id": self.theme_id, "slug": self.theme_slug,
            "theme": self.theme_slug, "handle": self.handle, "number": 1, "page": 1,
        }  # fmt: skip
        if name in known:
            return known[name]
        if isinstance(converter, IntegerConverter):
            return 1
        if isinstance(converter, PathConverter):
            return "x/y"
        return "x" * 24  # tokens and other strings: any text the route accepts

    def url(self, rule: Rule) -> str:
        """The rule's path with a sample value for every argument."""
        built = rule.build({name: self.value(rule, name) for name in rule.arguments})
        assert built is not None, rule.rule
        return built[1]


def make_sample(author: User, *, title: str = "Proefonderwerp", body: str = "Proeftekst") -> Sample:
    """A theme with one thread of one post by ``author``, written straight to the tables.

    Written through the models rather than the posting services, so the access tests do not
    depend on them.
    """
    theme = make_theme("Onderwijs")
    now = clock.now()
    with write_transaction() as session:
        thread = Thread(
            theme_id=theme.id, author_id=author.id, title=title, post_count=1,
            last_post_at=now, last_poster_id=author.id, created_at=now,
        )  # fmt: skip
        session.add(thread)
        session.flush()
        post = Post(
            thread_id=thread.id, number=1, author_id=author.id, body=body,
            html=str(render_markdown(body)), created_at=now,
        )  # fmt: skip
        session.add(post)
        activity = session.get(ThemeActivity, theme.id) or ThemeActivity(theme_id=theme.id)
        activity.thread_count = (activity.thread_count or 0) + 1
        activity.post_count = (activity.post_count or 0) + 1
        activity.last_post_at, activity.last_thread_id = now, thread.id
        session.add(activity)
        session.flush()
        member = session.get(Member, author.id)
        assert member is not None, "the author must be a member"
        return Sample(theme.id, theme.slug, thread.id, post.id, author.id, member.handle)


def table_counts() -> dict[str, int]:
    """The number of rows in every table (to prove a request wrote nothing)."""
    db.session.rollback()
    return {
        table.name: db.session.execute(db.select(db.func.count()).select_from(table)).scalar_one()
        for table in db.metadata.sorted_tables
    }


def iter_urls(sample: Sample, pairs: list[tuple[Rule, str]]) -> Iterator[tuple[str, str, str]]:
    """(endpoint, method, url) for each pair."""
    for rule, method in pairs:
        yield rule.endpoint, method, sample.url(rule)
