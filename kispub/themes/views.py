"""Theme pages."""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from kispub.themes.registry import sections_for
from kispub.themes.services import all_themes, theme_by_slug

bp = Blueprint("themes", __name__, url_prefix="/themas")


@bp.get("/")
def index() -> str:
    """All themes."""
    return render_template("themes/index.html", themes=all_themes())


@bp.get("/<slug>")
def show(slug: str) -> str:
    """One theme, with each channel's content on it."""
    theme = theme_by_slug(slug)
    if theme is None:
        abort(404)
    return render_template("themes/show.html", theme=theme, sections=sections_for(theme))
