"""Placeholder: filled in by the profiles work (profiles, directory, avatars)."""

from kispub.community.views import bp


@bp.get("/leden")
def members() -> str:
    """The member directory."""
    return "leden"


@bp.get("/leden/<handle>")
def profile(handle: str) -> str:
    """A member's profile."""
    return handle
