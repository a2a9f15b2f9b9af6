"""8 concurrent writers x 300 posts into the same threads: nothing lost, numbers 1..N, exact
counters — on SQLite (one writer at a time, the rest wait) and PostgreSQL (the thread row's
lock orders replies; the theme's counters are one upsert)."""

from __future__ import annotations

import random
import threading

from flask import Flask
from sqlalchemy import func, select

from kispub.accounts.models import User
from kispub.community.models import Post, ThemeActivity, Thread
from kispub.community.services.posting import NewThread, reply, start_thread
from kispub.extensions import db
from tests.community.discussion_helpers import make_thread
from tests.community.helpers import make_member
from tests.factories import make_theme

WRITERS = 8
POSTS = 300  # per writer
NEW_THREAD_EVERY = 25  # a writer also opens threads now and then, in either theme


def test_eight_writers_lose_no_post_and_keep_every_counter_exact(app: Flask) -> None:
    themes = [make_theme("Participatie").id, make_theme("Onderwijs").id]
    members = [make_member(name=f"Schrijver {w}") for w in range(WRITERS)]
    shared = [
        make_thread(members[0], in_theme=make_theme("Participatie"), title="Gedeeld A").id,
        make_thread(members[1], in_theme=make_theme("Onderwijs"), title="Gedeeld B").id,
    ]
    made: list[tuple[int, int, int]] = []  # (thread, number, author) of every post stored
    errors: list[BaseException] = []
    lock = threading.Lock()
    barrier = threading.Barrier(WRITERS)

    def writer(w: int) -> None:
        rng = random.Random(w)  # noqa: S311 - reproducible load
        author = members[w]
        with app.app_context():
            try:
                user = db.session.get(User, author.id)
                assert user is not None
                barrier.wait(timeout=30)
                own: list[int] = []
                for n in range(POSTS):
                    if n % NEW_THREAD_EVERY == 0:
                        new = NewThread(rng.choice(themes), f"Schrijver {w} onderwerp {n}", "Begin")
                        thread = start_thread(user, new, limits=False)
                        own.append(thread.id)
                        result = (thread.id, 1, author.id)
                    else:
                        target = rng.choice(shared + own[-2:])
                        post = reply(user, target, f"w{w} n{n}", limits=False)
                        result = (target, post.number, author.id)
                    with lock:
                        made.append(result)
            except BaseException as error:
                with lock:
                    errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)  # a generous bound for a loaded machine: only a hang exceeds it
    assert not any(thread.is_alive() for thread in threads), "a writer did not finish"
    assert errors == []

    db.session.rollback()  # a fresh snapshot after the writers committed
    stored = db.session.execute(select(Post.thread_id, Post.number, Post.author_id)).all()
    initial = [(shared[0], 1, members[0].id), (shared[1], 1, members[1].id)]
    assert sorted(tuple(row) for row in stored) == sorted(made + initial)
    assert len(stored) == WRITERS * POSTS + 2
    for thread in db.session.scalars(select(Thread)):
        numbers = sorted(number for t, number, _ in stored if t == thread.id)
        assert numbers == list(range(1, thread.post_count + 1)), thread
        last = db.session.scalars(
            select(Post).where(Post.thread_id == thread.id, Post.number == thread.post_count)
        ).one()
        assert (thread.last_poster_id, thread.last_post_at) == (last.author_id, last.created_at)
    for theme_id in themes:
        counters = db.session.get(ThemeActivity, theme_id)
        assert counters is not None
        threads_in_theme = select(Thread.id).where(Thread.theme_id == theme_id)
        thread_count = db.session.scalar(
            select(func.count()).select_from(threads_in_theme.subquery())
        )
        post_count = db.session.scalar(
            select(func.count()).select_from(Post).where(Post.thread_id.in_(threads_in_theme))
        )
        latest = db.session.scalar(
            select(func.max(Post.created_at)).where(Post.thread_id.in_(threads_in_theme))
        )
        assert (counters.thread_count, counters.post_count) == (thread_count, post_count)
        assert counters.last_post_at == latest
        assert db.session.get(Thread, counters.last_thread_id).last_post_at == latest  # type: ignore[union-attr]
