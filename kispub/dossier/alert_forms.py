"""The public form that asks for e-mail about a dossier's new items, and the confirm button."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length

from kispub.core.forms import BaseForm
from kispub.core.nonce import OnceForm
from kispub.dossier.models import AlertFrequency


class AlertForm(OnceForm):
    """An address and how often; the filters come with the page's address."""

    email = EmailField(
        _l("E-mailadres"),
        validators=[
            DataRequired(_l("Vul uw e-mailadres in.")),
            Email(_l("Vul een geldig e-mailadres in, zoals naam@voorbeeld.nl.")),
            Length(max=254, message=_l("Dit e-mailadres is te lang.")),
        ],
    )
    frequency = RadioField(
        _l("Hoe vaak?"),
        choices=[SelectChoice(f.value, f.label) for f in AlertFrequency],
        default=AlertFrequency.IMMEDIATELY.value,
        validators=[InputRequired(_l("Kies hoe vaak u e-mail wilt krijgen."))],
    )

    @property
    def chosen_frequency(self) -> AlertFrequency:
        """The chosen frequency (after validation)."""
        return AlertFrequency(self.frequency.data)


class ConfirmForm(BaseForm):
    """The button that confirms an alert (a GET of the link changes nothing)."""
