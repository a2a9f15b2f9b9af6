"""One-time form nonces: a double submit of a creating form creates one row."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import String, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column
from wtforms import HiddenField
from wtforms.validators import DataRequired, Length

from kispub.core import clock
from kispub.core.database import UTCDateTime, write_transaction
from kispub.core.forms import BaseForm
from kispub.extensions import Model, db


class FormSubmission(Model):
    """A form nonce that has been used, and where its result lives."""

    __tablename__ = "form_submission"

    id: Mapped[int] = mapped_column(primary_key=True)
    nonce: Mapped[str] = mapped_column(String(64), unique=True)
    result_url: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)


def new_nonce() -> str:
    """A fresh nonce for a form about to be shown."""
    return secrets.token_urlsafe(24)


class OnceForm(BaseForm):
    """A form that creates something; its hidden nonce makes a resubmission harmless."""

    nonce = HiddenField(default=new_nonce, validators=[DataRequired(), Length(min=16, max=64)])


@dataclass(frozen=True)
class Submitted:
    """The outcome of a once-only submission."""

    result_url: str
    duplicate: bool


def submit_once(nonce: str, create: Callable[[], str]) -> Submitted:
    """Run ``create`` (which returns the URL of what it made) unless the nonce was used."""
    try:
        with write_transaction() as session:
            earlier = _find(nonce)
            if earlier is not None:
                return Submitted(earlier.result_url, duplicate=True)
            # Claim the nonce before creating anything. On PostgreSQL a concurrent submit of
            # the same nonce waits here on the unique index until this one commits, and then
            # fails: it never runs ``create`` (whose own unique slug would refuse it instead).
            claim = FormSubmission(nonce=nonce, result_url="")
            session.add(claim)
            session.flush()
            url = create()
            claim.result_url = url
    except IntegrityError:
        # A concurrent submit of the same nonce won the race; report its result.
        earlier = _find(nonce)
        if earlier is None:
            raise
        return Submitted(earlier.result_url, duplicate=True)
    return Submitted(url, duplicate=False)


def _find(nonce: str) -> FormSubmission | None:
    return db.session.scalars(select(FormSubmission).where(FormSubmission.nonce == nonce)).first()
