"""Home page and health check."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template
from flask.typing import ResponseReturnValue
from sqlalchemy import text

from kispub.core.highlights import highlight_blocks
from kispub.extensions import db
from kispub.themes.services import all_themes

bp = Blueprint("home", __name__)


@bp.get("/")
def index() -> str:
    """The front door: what is new in each channel, the channels and the themes."""
    return render_template("home.html", blocks=highlight_blocks(), themes=all_themes())


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    """Liveness and database reachability, for load balancers and monitoring."""
    db.session.execute(text("SELECT 1"))
    return jsonify(status="ok")
