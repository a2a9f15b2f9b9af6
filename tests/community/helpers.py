"""Builders for community tests: people in every state of the joining rule."""

from __future__ import annotations

import itertools
from typing import Any

from kispub.accounts.models import Role, User
from kispub.accounts.services import NewUser, create_user
from kispub.community.models import JoinedVia, Member, MemberStatus
from kispub.community.services.members import create_member
from kispub.extensions import db
from tests.factories import DEFAULT_PASSWORD, make_user

__all__ = ["DEFAULT_PASSWORD", "make_member", "make_person", "membership"]
_counter = itertools.count(1)


def make_member(**overrides: Any) -> User:
    """An approved member (made as staff make accounts); ``role`` may raise them to staff."""
    return make_user(**overrides)


def make_person(status: MemberStatus, **overrides: Any) -> User:
    """A user with an account whose membership is ``status`` (as if they asked to join)."""
    n = overrides.pop("n", None)
    email = (
        overrides.pop("email", None) or f"persoon-{status.value}-{n or id(overrides)}@example.org"
    )
    new = NewUser(
        email=email,
        name=overrides.pop("name", f"Persoon {status.value}"),
        role=Role(overrides.pop("role", Role.MEMBER)),
        organisation=overrides.pop("organisation", "Stichting Voorbeeld"),
        password=overrides.pop("password", DEFAULT_PASSWORD),
        made_by_staff=False,
    )
    if overrides:
        raise TypeError(f"unknown overrides: {sorted(overrides)}")
    user = create_user(new)
    create_member(user, status, JoinedVia.REQUEST)
    return user


def membership(user: User) -> Member:
    """The membership row of ``user``, fresh from the database."""
    db.session.expire_all()
    member = db.session.get(Member, user.id)
    assert member is not None
    return member
