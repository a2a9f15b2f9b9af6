"""Translations for templates, looked up once per request instead of once per string.

Flask-Babel's Jinja callables ask for the current translations object on every marked string,
through several context lookups each time; a community page with some 150 marked strings spent
a fifth of its time there. The locale does not change within one request (or one job), so the
object is kept on ``g`` and the callables use it directly. What they return is the same.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, g
from flask_babel import get_translations

_KEY = "_kispub_translations"


def _translations() -> Any:
    cached = g.get(_KEY)
    if cached is None:
        cached = get_translations()
        setattr(g, _KEY, cached)
    return cached


def init_app(app: Flask) -> None:
    """Replace Flask-Babel's template callables (call after ``babel.init_app``)."""
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
    )
