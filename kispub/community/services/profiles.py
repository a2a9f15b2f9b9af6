"""A member's own profile: name and organisation (on the account), role, bio, themes, photo.

There is no way to name another member here: every function takes the user id of the
member making the change (the view passes the logged-in member's own).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from kispub.accounts.services import AccountError, update_profile
from kispub.community.avatars import EXTENSION, AvatarError, AvatarLimits, clean_avatar
from kispub.community.models import FieldRole, Member
from kispub.core.database import write_transaction
from kispub.core.storage import get_storage
from kispub.extensions import db
from kispub.themes.models import Theme

BIO_MAX = 2000  # characters of Markdown: a short introduction, not a page


class ProfileError(ValueError):
    """A change we refuse; ``field`` names the form field the Dutch message belongs to."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class ProfileChange:
    """Everything the profile form sends; ``avatar`` is a new photo as uploaded, or None."""

    name: str
    organisation: str
    field_role: FieldRole | None
    bio: str
    theme_ids: tuple[int, ...]
    avatar: bytes | None = None


def avatar_limits() -> AvatarLimits:
    """The configured limits for a profile photo."""
    config = current_app.config
    return AvatarLimits(
        max_bytes=int(config["COMMUNITY_AVATAR_MAX_BYTES"]),
        max_pixels=int(config["COMMUNITY_AVATAR_MAX_PIXELS"]),
    )


def save_profile(user_id: int, change: ProfileChange) -> Member:
    """Store a member's own profile; a new photo is cleaned before anything is written."""
    photo = _cleaned_photo(change.avatar)
    if len(change.bio) > BIO_MAX:
        raise ProfileError(_("Houd de introductie korter dan %(num)d tekens.", num=BIO_MAX), "bio")
    with write_transaction() as session:
        member = _approved_member(user_id)
        themes = list(session.scalars(select(Theme).where(Theme.id.in_(change.theme_ids))))
        if len(themes) != len(set(change.theme_ids)):
            raise ProfileError(_("Kies thema's uit de lijst."), "themes")
        try:
            update_profile(member.user, change.name, change.organisation)
        except AccountError as error:
            raise ProfileError(str(error), "name") from error
        member.field_role = change.field_role
        member.bio = change.bio.strip()
        member.themes = themes
        if photo is not None:
            # Content-addressed: an earlier photo is left to the media garbage collector,
            # which removes it once no row references it (another member may share it).
            member.avatar_key = get_storage().save_bytes(photo, EXTENSION).key
    return member


def remove_avatar(user_id: int) -> None:
    """Take a member's photo off their profile (the file goes with the media collector)."""
    with write_transaction():
        _approved_member(user_id).avatar_key = None


def _cleaned_photo(upload: bytes | None) -> bytes | None:
    if upload is None:
        return None
    try:
        return clean_avatar(upload, avatar_limits())
    except AvatarError as error:
        raise ProfileError(error.translated(), "avatar") from error


def _approved_member(user_id: int) -> Member:
    member = db.session.get(Member, user_id)
    if member is None or not member.is_approved:
        raise ProfileError(_("Alleen leden van de community hebben een profiel."), "name")
    return member
