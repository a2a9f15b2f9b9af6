"""Searching the community's posts (members only, like everything on ``bp``)."""

from __future__ import annotations

from flask import current_app, render_template, request

from kispub.community.search import search_posts
from kispub.community.views import bp
from kispub.core.bounds import clamped_int


@bp.get("/zoeken")
def search() -> str:
    """Posts matching the words in ``q``, best first, a page at a time."""
    results = search_posts(
        request.args.get("q", ""),
        request.args.get("pagina", 1, clamped_int),
        int(current_app.config["COMMUNITY_SEARCH_PAGE_SIZE"]),
    )
    return render_template("community/search.html", results=results)
