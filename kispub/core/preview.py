"""Shareable preview links for unpublished content (a draft or scheduled episode or atelier).

An editor hands the link to a speaker or a colleague without an account, as Castopod does
before publication. The link is a signed token naming the content kind and id; it expires
after PREVIEW_LINK_DAYS by the app's clock, and a page opened through it is never indexed.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from itsdangerous import BadSignature

from kispub.core import clock
from kispub.core.tokens import timed_serializer

_SALT = "kispub.preview"


def preview_token(kind: str, item_id: int) -> str:
    """A token that opens the preview of one item of ``kind`` until it expires."""
    return timed_serializer(_SALT).dumps([kind, item_id])


def previewed_id(kind: str, token: str) -> int | None:
    """The id the token opens for ``kind``, or None when it is forged, expired or another kind's."""
    try:
        data = timed_serializer(_SALT).loads(token, max_age=_max_age_seconds())
    except (BadSignature, ValueError, TypeError):
        return None
    match data:
        case [str(found_kind), int(item_id)] if found_kind == kind:
            return item_id
    return None


def preview_expires_at() -> datetime:
    """When a link made now stops working (shown to the editor next to the link)."""
    return clock.now() + timedelta(seconds=_max_age_seconds())


def _max_age_seconds() -> int:
    return int(current_app.config["PREVIEW_LINK_DAYS"]) * 86400
