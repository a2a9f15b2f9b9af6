"""The demo community's people have natural names: nothing reads like test data."""

from __future__ import annotations

import re

from flask import Flask
from sqlalchemy import select

from kispub.accounts.models import User
from kispub.content import DEMO_FOLDER, load_content
from kispub.extensions import db

TEST_LIKE = re.compile(
    r"\b(Test|Proef|Voorbeeld|Fictief|Verzonnen|Bedacht|Denkbeeld|Verzinsel|Modelman|Schets"
    r"|Ontwerp|Concept|Moderator|Lorem)",
    re.IGNORECASE,
)


def test_demo_members_and_their_organisations_have_natural_names(app: Flask) -> None:
    load_content(DEMO_FOLDER / "00-foundation.toml")
    load_content(DEMO_FOLDER / "30-community.toml")
    users = list(db.session.scalars(select(User)))
    assert len(users) >= 14
    shown = [(u.name, u.organisation or "") for u in users]
    assert not [pair for pair in shown if TEST_LIKE.search(" ".join(pair))]
    assert ("Fatima Ouali", "Gemeente Amersfoort") in shown
