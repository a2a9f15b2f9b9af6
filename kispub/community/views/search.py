"""Placeholder: filled in by the search work."""

from kispub.community.views import bp


@bp.get("/zoeken")
def search() -> str:
    """Search the community."""
    return "zoeken"
