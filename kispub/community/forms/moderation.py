"""Forms of moderation: a member's report, and the moderators' decisions (each with a reason).

The services check everything again (the reason's length, the note an "anders" report
needs) and their message lands on the field; these validators only stop absurd input.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from kispub.community.models import FlagReason, ReviewStatus
from kispub.core.forms import BaseForm

REQUIRED = _l("Dit veld is verplicht.")
REASON_HINT = _l("Komt in het moderatielog; het lid om wie het gaat krijgt de reden te zien.")
TOO_LONG = 10_000  # far above the services' limits: they give the real message


class FlagForm(BaseForm):
    """A member reports a post."""

    reason = RadioField(
        _l("Wat is er mis met dit bericht?"),
        choices=[SelectChoice(reason.value, reason.label) for reason in FlagReason],
        validators=[InputRequired(_l("Kies een reden."))],
    )
    note = TextAreaField(
        _l("Toelichting"),
        description=_l("Verplicht bij ‘Anders’. Alleen moderatoren lezen dit."),
        validators=[Optional(), Length(max=TOO_LONG)],
    )


class ReasonForm(BaseForm):
    """A moderator's action with the reason for it."""

    reason = StringField(
        _l("Reden"),
        description=REASON_HINT,
        validators=[DataRequired(REQUIRED), Length(max=TOO_LONG)],
    )


class OptionalReasonForm(BaseForm):
    """An action whose reason may be left out (approving a held post)."""

    reason = StringField(
        _l("Toelichting (niet verplicht)"), validators=[Optional(), Length(max=TOO_LONG)]
    )


class MoveForm(ReasonForm):
    """Move a thread to another theme (the view fills in the themes)."""

    theme = SelectField(_l("Naar thema"), coerce=int, validators=[InputRequired(REQUIRED)])


DECISIONS = {
    ReviewStatus.APPROVED: _l("Terecht: het bericht wordt (of blijft) verborgen"),
    ReviewStatus.REJECTED: _l(
        "Onterecht: het bericht is in orde; verborgen de meldingen het, dan komt het terug"
    ),
    ReviewStatus.IGNORED: _l("Negeren: geen oordeel; het bericht blijft zoals het nu is"),
}


class DecisionForm(ReasonForm):
    """A moderator's verdict on a round of reports."""

    decision = RadioField(
        _l("Beslissing"),
        choices=[SelectChoice(status.value, label) for status, label in DECISIONS.items()],
        validators=[InputRequired(_l("Kies een beslissing."))],
    )


class SilenceForm(ReasonForm):
    """A writing ban up to and including a day."""

    until = DateField(
        _l("Schrijfverbod tot en met"),
        description=_l("De dag zelf telt mee (Nederlandse tijd)."),
        validators=[InputRequired(_l("Kies een datum."))],
    )
