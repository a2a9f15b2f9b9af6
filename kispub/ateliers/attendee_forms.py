"""The editors' attendee forms: add someone, confirm an action, and a message to everyone."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, HiddenField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional

from kispub.ateliers.services.attendees import Audience
from kispub.ateliers.services.registration import RegistrationData
from kispub.core.forms import BaseForm
from kispub.core.nonce import OnceForm

REQUIRED = _l("Dit veld is verplicht.")


class AddAttendeeForm(OnceForm):
    """Name, e-mail and organisation of someone an editor adds; a double submit adds once."""

    name = StringField(_l("Naam"), validators=[DataRequired(REQUIRED), Length(max=120)])
    email = EmailField(
        _l("E-mailadres"),
        validators=[
            DataRequired(REQUIRED),
            Email(_l("Vul een geldig e-mailadres in.")),
            Length(max=254),
        ],
    )
    organisation = StringField(_l("Organisatie"), validators=[Optional(), Length(max=160)])

    def to_data(self) -> RegistrationData:
        """The form's values for the service."""
        return RegistrationData(
            name=self.name.data, email=self.email.data, organisation=self.organisation.data
        )


class ConfirmForm(BaseForm):
    """Only the CSRF token: a button that confirms what the page describes."""


class MessageForm(OnceForm):
    """A plain-text message to the attendees; the nonce makes a double submit send once."""

    subject = StringField(
        _l("Onderwerp"),
        validators=[
            DataRequired(REQUIRED),
            Length(max=150, message=_l("Gebruik ten hoogste %(max)d tekens.")),
        ],
    )
    text = TextAreaField(
        _l("Bericht"),
        description=_l("Platte tekst: opmaak zoals **vet** wordt niet omgezet."),
        validators=[
            DataRequired(REQUIRED),
            Length(max=10000, message=_l("Gebruik ten hoogste %(max)d tekens.")),
        ],
    )
    audience = RadioField(
        _l("Aan wie"),
        choices=[
            SelectChoice(Audience.REGISTERED.value, _l("Alleen wie een plaats heeft")),
            SelectChoice(Audience.EVERYONE.value, _l("Wie een plaats heeft en de wachtlijst")),
        ],
        default=Audience.REGISTERED.value,
        validators=[DataRequired(REQUIRED)],
    )
    # Set by the confirmation step's button: only then is the message sent.
    confirmed = HiddenField(default="")
