"""Placeholder: filled in by the discussion work."""

from kispub.community.views import bp


@bp.get("/")
def index() -> str:
    """The community's home: the themes (filled in by the discussion work)."""
    return "community"
