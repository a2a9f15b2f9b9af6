"""Forms of the discussion: a new thread, a reply, an edit, a deletion, the accepted answer.

Lengths are checked by ``services.posting`` against the configuration (its message lands on
the field); the limits here only stop absurd input before it reaches the service.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import HiddenInput

from kispub.core.forms import BaseForm
from kispub.core.nonce import OnceForm

REQUIRED = _l("Dit veld is verplicht.")
MARKDOWN_HINT = _l(
    "Opmaak met Markdown: **vet**, *cursief*, [tekst](https://voorbeeld.nl), > citaat. "
    "Noem een lid met @naam. Afbeeldingen van andere sites worden niet getoond."
)
# Far above any configured limit: the service gives the real message.
ABSURD = 1_000_000


class ThreadForm(OnceForm):
    """A new thread: its title and first post."""

    title = StringField(_l("Titel"), validators=[DataRequired(REQUIRED), Length(max=1000)])
    body = TextAreaField(
        _l("Bericht"),
        description=MARKDOWN_HINT,
        validators=[DataRequired(REQUIRED), Length(max=ABSURD)],
    )
    is_question = BooleanField(_l("Dit is een vraag (u kunt later het beste antwoord kiezen)"))


class ReplyForm(OnceForm):
    """A reply at the bottom of a thread (filled with a quotation by ?citeer=)."""

    body = TextAreaField(
        _l("Uw reactie"),
        description=MARKDOWN_HINT,
        validators=[DataRequired(REQUIRED), Length(max=ABSURD)],
    )
    reply_to = IntegerField(widget=HiddenInput(), validators=[Optional()])


class EditForm(BaseForm):
    """A post's new text; the title too when it is the thread's first post; the reason
    when a moderator changes someone else's post."""

    title = StringField(_l("Titel"), validators=[Optional(), Length(max=1000)])
    body = TextAreaField(
        _l("Bericht"),
        description=MARKDOWN_HINT,
        validators=[DataRequired(REQUIRED), Length(max=ABSURD)],
    )
    reason = StringField(
        _l("Reden van de bewerking"),
        description=_l(
            "U bewerkt als moderator het bericht van een ander. De reden komt in "
            "het moderatielog en de auteur krijgt hem te zien."
        ),
        validators=[Optional(), Length(max=ABSURD)],
    )


class ConfirmForm(BaseForm):
    """A button that confirms an action (deleting a post); only the CSRF token inside."""


class AcceptForm(BaseForm):
    """Mark a post as the accepted answer (a number), or take that back (empty)."""

    number = IntegerField(widget=HiddenInput(), validators=[Optional()])
