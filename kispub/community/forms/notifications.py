"""Forms of notifications and watch levels: the level of a thread or theme, marking read."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from kispub.community.models import WatchLevel
from kispub.community.watches import LEVELS
from kispub.core.forms import BaseForm


class WatchForm(BaseForm):
    """A member's level for a thread or a theme (the template draws the radio buttons from
    the page's ``WatchState``, with what each level means)."""

    level = RadioField(
        _l("Meldingen"),
        choices=[SelectChoice(level.value, level.label) for level in LEVELS],
        validators=[InputRequired(_l("Kies hoe u dit wilt volgen."))],
    )

    @property
    def chosen(self) -> WatchLevel:
        return WatchLevel(self.level.data)


class MarkReadForm(BaseForm):
    """A button that marks one notification, or all of them, read (only the CSRF token)."""
