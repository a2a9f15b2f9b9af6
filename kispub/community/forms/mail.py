"""The member's e-mail settings form, and the button that resumes mail about a thread."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from kispub.community.models import EmailMode
from kispub.core.forms import BaseForm


class EmailSettingsForm(BaseForm):
    """How often a member hears from the community by e-mail."""

    email_mode = RadioField(
        _l("E-mail van de community"),
        choices=[SelectChoice(mode.value, mode.label) for mode in EmailMode],
        validators=[InputRequired(_l("Kies hoe vaak u e-mail wilt krijgen."))],
    )

    @property
    def mode(self) -> EmailMode:
        """The chosen mode (after validation)."""
        return EmailMode(self.email_mode.data)


class ResumeThreadForm(BaseForm):
    """A button that lets mail about one thread come again (the form carries CSRF)."""
