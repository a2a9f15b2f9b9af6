"""Placeholder: filled in by the joining work."""

from kispub.community.views import join_bp


@join_bp.get("/")
def request_membership() -> str:
    """Ask to join (filled in by the joining work)."""
    return "lid worden"
