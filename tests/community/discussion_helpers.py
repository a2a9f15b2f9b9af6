"""Builders for the discussion tests: themes, threads with many posts, logged-in clients."""

from __future__ import annotations

import secrets
from datetime import datetime

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from kispub.accounts.models import User
from kispub.community.models import Post, Thread
from kispub.community.services.posting import NewThread, reply, start_thread
from kispub.extensions import db
from kispub.themes.models import Theme
from tests.factories import DEFAULT_PASSWORD, make_theme
from tests.second_factor import log_in

__all__ = ["client_for", "make_thread", "nonce", "post_numbered", "theme"]


def theme(name: str = "Participatie") -> Theme:
    """A theme (every theme is a community category)."""
    return make_theme(name)


def make_thread(
    author: User,
    posts: int = 1,
    *,
    title: str = "Taalcafés in de wijk",
    in_theme: Theme | None = None,
    repliers: list[User] | None = None,
    question: bool = False,
    at: datetime | None = None,
) -> Thread:
    """A thread with ``posts`` posts; replies come from ``repliers`` in turn (else the author)."""
    chosen = in_theme or theme()
    thread = start_thread(
        author,
        NewThread(chosen.id, title, "Wie heeft ervaring met taalcafés?", question),
        at=at,
    )
    people = repliers or [author]
    for n in range(2, posts + 1):
        reply(people[n % len(people)], thread.id, f"Reactie nummer {n}.", at=at)
    return thread


def client_for(app: Flask, user: User) -> FlaskClient:
    """A client of its own, logged in as ``user`` through the real login form (and, for staff,
    the second step with a real code)."""
    client = app.test_client()
    answer = log_in(client, user, DEFAULT_PASSWORD)
    assert answer.status_code == 302, answer.get_data(as_text=True)
    return client


def nonce() -> str:
    """A fresh form nonce, as a form shown in a browser carries."""
    return secrets.token_urlsafe(24)


def post_numbered(thread_id: int, number: int) -> Post:
    """A post by its number, fresh from the database."""
    db.session.expire_all()
    statement = select(Post).where(Post.thread_id == thread_id, Post.number == number)
    return db.session.scalars(statement).one()
