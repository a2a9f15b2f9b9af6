"""The [[community_members]] and [[community_threads]] sections, and the demo community."""

from __future__ import annotations

import re
import tomllib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from kispub.community.models import Member, MemberStatus, Post, PostRevision, ThemeActivity, Thread
from kispub.community.services.posting import delete_post
from kispub.content import DEMO_FOLDER, ContentError, LoadReport, load_content
from kispub.extensions import db
from tests.community.helpers import make_member
from tests.factories import make_theme

DEMO = DEMO_FOLDER / "30-community.toml"
THREAD = """
[[community_threads]]
theme = "onderwijs"
title = "Huiswerkbegeleiding met vrijwilligers"
author = "bram@example.org"
created = 2026-11-03T09:30:00
question = true
accepted = 3
body = \"\"\"
Hoe houden jullie vrijwilligers vast?
\"\"\"

[[community_threads.replies]]
author = "esther@example.org"
created = 2026-11-03T11:00:00
body = "Met een vaste coördinator."

[[community_threads.replies]]
author = "fatima@example.org"
created = "2026-11-04T08:15:00+01:00"
body = "Met maatschappelijke stages."
"""


@pytest.fixture
def people(app: Flask) -> None:
    make_theme("Onderwijs")
    for name in ("bram", "esther", "fatima"):
        make_member(email=f"{name}@example.org", name=name.capitalize())


def load(tmp_path: Path, text: str) -> LoadReport:
    path = tmp_path / "inhoud.toml"
    path.write_text(text, encoding="utf-8")
    return load_content(path)


def posts() -> list[Post]:
    db.session.expire_all()
    return list(db.session.scalars(select(Post).order_by(Post.thread_id, Post.number)))


def test_a_thread_loads_with_its_replies_then_reloading_changes_nothing(
    tmp_path: Path, people: None
) -> None:
    assert load(tmp_path, THREAD).changed == {"community_threads": 1}

    thread = db.session.scalars(select(Thread)).one()
    assert thread.title == "Huiswerkbegeleiding met vrijwilligers"
    assert thread.is_question and thread.accepted_number == 3 and thread.post_count == 3
    loaded = posts()
    assert [p.number for p in loaded] == [1, 2, 3]
    assert [p.author.email for p in loaded if p.author] == [
        "bram@example.org", "esther@example.org", "fatima@example.org",
    ]  # fmt: skip
    assert loaded[0].body == "Hoe houden jullie vrijwilligers vast?"
    # Local times are Amsterdam time (CET in November); an offset is taken as written.
    assert loaded[0].created_at == datetime(2026, 11, 3, 8, 30, tzinfo=UTC)
    assert loaded[2].created_at == datetime(2026, 11, 4, 7, 15, tzinfo=UTC)
    assert thread.last_post_at == loaded[2].created_at
    activity = db.session.get(ThemeActivity, thread.theme_id)
    assert activity is not None and (activity.thread_count, activity.post_count) == (1, 3)

    assert load(tmp_path, THREAD).changed == {"community_threads": 0}
    assert len(posts()) == 3 and db.session.scalar(select(func.count(PostRevision.id))) == 0


def test_a_changed_reply_is_edited_and_a_new_one_appended(tmp_path: Path, people: None) -> None:
    load(tmp_path, THREAD)
    before = posts()
    changed = THREAD.replace(
        "Met een vaste coördinator.", "Met een vaste coördinator en intervisie."
    )
    changed += '\n[[community_threads.replies]]\nauthor = "bram@example.org"\nbody = "Dank!"\n'

    assert load(tmp_path, changed).changed == {"community_threads": 1}

    after = posts()
    assert [p.id for p in after[:3]] == [p.id for p in before]  # edited in place
    assert after[1].body == "Met een vaste coördinator en intervisie." and after[1].edited_at
    assert after[0].edited_at is None and after[2].edited_at is None
    revision = db.session.scalars(select(PostRevision)).one()
    assert revision.post_id == after[1].id and revision.body == "Met een vaste coördinator."
    assert after[3].number == 4 and after[3].body == "Dank!"
    assert db.session.scalars(select(Thread)).one().post_count == 4
    assert load(tmp_path, changed).changed == {"community_threads": 0}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('author = "bram@example.org"', 'author = "niemand@example.org"'),
         "onbekende auteur 'niemand@example.org'"),
        (('author = "fatima@example.org"', 'author = "niemand@example.org"'),
         "onbekende auteur 'niemand@example.org'"),
        (('theme = "onderwijs"', 'theme = "bestaat-niet"'), "onbekend thema 'bestaat-niet'"),
        (("accepted = 3", "accepted = 9"), "accepted = 9"),
        (("created = 2026-11-03T09:30:00", 'created = "gisteren"'), "created = 'gisteren'"),
        (('body = "Met een vaste coördinator."', ""), "veld 'body' ontbreekt"),
    ],
)  # fmt: skip
def test_a_bad_item_is_reported_with_its_thread_and_nothing_is_loaded(
    tmp_path: Path, people: None, change: tuple[str, str], message: str
) -> None:
    good = (
        THREAD.replace("Huiswerkbegeleiding", "Een goed onderwerp")
        .replace("accepted = 3\n", "")
        .replace("question = true\n", "")
    )
    text = good + THREAD.replace(*change)

    with pytest.raises(ContentError) as raised:
        load(tmp_path, text)

    assert "[[community_threads]]" in str(raised.value)
    assert "onderwerp 'Huiswerkbegeleiding met vrijwilligers'" in str(raised.value)
    assert message in str(raised.value)
    db.session.rollback()
    assert posts() == [] and db.session.scalars(select(Thread)).all() == []


def test_the_demo_community_is_alive_and_loads_once(app: Flask) -> None:
    load_content(DEMO_FOLDER / "00-foundation.toml")
    changed = load_content(DEMO).changed
    assert changed == {"users": 8, "community_members": 12, "community_threads": 11}

    members = db.session.scalars(select(Member).where(Member.status == MemberStatus.APPROVED))
    handles = {m.handle for m in members}
    assert len(handles) >= 12
    threads = list(db.session.scalars(select(Thread)))
    assert 8 <= len(threads) <= 12
    assert len({t.theme_id for t in threads}) >= 6  # spread over the report's themes
    assert all(3 <= t.post_count <= 7 for t in threads)  # 2 to 6 replies each
    assert any(t.is_question and t.accepted_number for t in threads)
    every = posts()
    assert all(p.created_at >= datetime(2026, 11, 1, tzinfo=UTC) for p in every)
    mentioned = {m for p in every for m in re.findall(r"@([a-z0-9-]+[a-z0-9])", p.body)}
    assert mentioned and mentioned <= handles  # every @mention names a demo member
    authors = {i["author"] for i in tomllib.loads(DEMO.read_text())["community_threads"]}
    assert len(authors) >= 8

    again = {"users": 0, "community_members": 0, "community_threads": 0}
    assert load_content(DEMO).changed == again


PROFILE = """
[[community_members]]
email = "bram@example.org"
field_role = "praktijkdeskundige"
bio = "Vrijwilliger bij het *taalcafé*."
themes = ["onderwijs"]
member_since = 2026-09-01T09:00:00
"""


def test_a_profile_loads_backdates_the_approval_then_reloading_changes_nothing(
    tmp_path: Path, people: None
) -> None:
    assert load(tmp_path, PROFILE).changed == {"community_members": 1}

    db.session.expire_all()
    member = db.session.scalars(select(Member).where(Member.handle == "bram")).one()
    assert member.field_role is not None and member.field_role.value == "praktijkdeskundige"
    assert member.bio == "Vrijwilliger bij het *taalcafé*."
    assert [theme.slug for theme in member.themes] == ["onderwijs"]
    assert member.approved_at == datetime(2026, 9, 1, 7, 0, tzinfo=UTC)  # Amsterdam summer time
    assert load(tmp_path, PROFILE).changed == {"community_members": 0}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('"bram@example.org"', '"niemand@example.org"'), "onbekende auteur"),
        (('"onderwijs"', '"geen-thema"'), "onbekend thema 'geen-thema'"),
        (('"praktijkdeskundige"', '"astronaut"'), "astronaut"),
    ],
)
def test_a_bad_profile_is_reported_with_its_address(
    tmp_path: Path, people: None, change: tuple[str, str], message: str
) -> None:
    with pytest.raises(ContentError) as raised:
        load(tmp_path, PROFILE.replace(*change))

    assert "[[community_members]]" in str(raised.value) and message in str(raised.value)


def test_a_title_with_odd_spacing_and_a_deleted_reply_load_once(
    tmp_path: Path, people: None
) -> None:
    spaced = THREAD.replace("Huiswerkbegeleiding met", "Huiswerkbegeleiding   met")
    assert load(tmp_path, spaced).changed == {"community_threads": 1}
    reply = posts()[1]
    delete_post(reply.author, reply.id)  # type: ignore[arg-type]

    assert load(tmp_path, spaced).changed == {"community_threads": 0}
    assert [p.number for p in posts()] == [1, 2, 3]
    assert posts()[1].deleted_at is not None
