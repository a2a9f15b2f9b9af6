"""Account forms."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from kispub.accounts.models import Role
from kispub.accounts.passwords import MIN_PASSWORD_LENGTH
from kispub.core.forms import BaseForm
from kispub.core.nonce import OnceForm

REQUIRED = _l("Dit veld is verplicht.")


def _checked_email_field() -> EmailField:
    """An e-mail field that checks the address's form (login only asks for it)."""
    return EmailField(
        _l("E-mailadres"),
        validators=[
            DataRequired(REQUIRED),
            Email(_l("Vul een geldig e-mailadres in.")),
            Length(max=254),
        ],
    )


class LoginForm(BaseForm):
    """E-mail and password."""

    email = EmailField(_l("E-mailadres"), validators=[DataRequired(REQUIRED), Length(max=254)])
    password = PasswordField(
        _l("Wachtwoord"), validators=[DataRequired(REQUIRED), Length(max=1024)]
    )
    remember = BooleanField(_l("Ingelogd blijven op dit apparaat (30 dagen)"))


class ResetRequestForm(BaseForm):
    """Ask for a password-reset link."""

    email = _checked_email_field()


class NewPasswordForm(BaseForm):
    """Choose a new password."""

    password = PasswordField(
        _l("Nieuw wachtwoord"),
        description=_l("Minstens %(n)d tekens.", n=MIN_PASSWORD_LENGTH),
        validators=[
            DataRequired(REQUIRED),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=1024,
                message=_l("Kies een wachtwoord van minstens %(n)d tekens.", n=MIN_PASSWORD_LENGTH),
            ),
        ],
    )
    confirm = PasswordField(
        _l("Herhaal het wachtwoord"),
        validators=[
            DataRequired(REQUIRED),
            EqualTo("password", _l("De wachtwoorden verschillen.")),
        ],
    )


class ChangePasswordForm(NewPasswordForm):
    """A logged-in user changes their password."""

    current = PasswordField(
        _l("Huidig wachtwoord"), validators=[DataRequired(REQUIRED), Length(max=1024)]
    )


class InviteUserForm(OnceForm):
    """An admin creates an account; the new user gets a link to set a password."""

    email = _checked_email_field()
    name = StringField(_l("Naam"), validators=[DataRequired(REQUIRED), Length(max=120)])
    organisation = StringField(_l("Organisatie"), validators=[Optional(), Length(max=160)])
    role = SelectField(
        _l("Rol"),
        choices=[SelectChoice(role.value, role.label) for role in Role],
        default=Role.MEMBER.value,
    )


class RequestExportForm(OnceForm):
    """Ask for a copy of one's data; the nonce makes a double click one request."""


POSTS_CHOICES = [
    SelectChoice("keep", _l("Berichten blijven leesbaar, onder de naam “Voormalig lid”")),
    SelectChoice("replace", _l("De tekst van de berichten wordt vervangen door “verwijderd”")),
]


def _posts_field() -> RadioField:
    return RadioField(
        _l("Berichten in de community"),
        choices=POSTS_CHOICES,
        default="keep",
        validators=[DataRequired(REQUIRED)],
    )


class EraseOwnAccountForm(BaseForm):
    """Delete one's own account: the password again, and what happens to the posts."""

    posts = _posts_field()
    password = PasswordField(
        _l("Uw wachtwoord"),
        description=_l("Ter bevestiging: het wachtwoord waarmee u inlogt."),
        validators=[DataRequired(REQUIRED), Length(max=1024)],
    )


class EraseAccountForm(BaseForm):
    """An admin deletes someone's account at their request."""

    reason = StringField(
        _l("Reden"),
        description=_l(
            "Bijvoorbeeld: verzoek per e-mail van 3 maart. Komt in het logboek: "
            "noem geen persoonsgegevens."
        ),
        validators=[DataRequired(REQUIRED), Length(max=200)],
    )
    posts = _posts_field()


def _app_code_field(label: Any) -> StringField:
    """Six digits from the authenticator app (spaces allowed, as some apps show them)."""
    return StringField(
        label,
        description=_l("De zes cijfers die uw authenticator-app nu toont."),
        validators=[DataRequired(REQUIRED), Length(max=20)],
        render_kw={"inputmode": "numeric", "spellcheck": "false"},
    )


class SecondStepForm(BaseForm):
    """The login's second step: a code from the app, or a recovery code."""

    code = StringField(
        _l("Code"),
        description=_l(
            "De zes cijfers die uw authenticator-app nu toont. Geen toegang tot de app? "
            "Vul dan een van uw herstelcodes in."
        ),
        validators=[DataRequired(REQUIRED), Length(max=40)],
        render_kw={"spellcheck": "false", "autocapitalize": "none"},
    )


class EnrolForm(BaseForm):
    """Confirm a newly added authenticator app with its first code."""

    code = _app_code_field(_l("Code uit de app"))


class NewRecoveryCodesForm(BaseForm):
    """Replace the recovery codes; a code from the app confirms it is the owner asking."""

    code = _app_code_field(_l("Code uit uw authenticator-app"))


class ResetSecondFactorForm(BaseForm):
    """An admin clears someone's lost second factor."""

    confirm = BooleanField(
        _l("Ik heb nagegaan dat dit verzoek van deze persoon zelf komt"),
        validators=[DataRequired(_l("Bevestig dat u dit hebt nagegaan."))],
    )


class ChangeRoleForm(BaseForm):
    """An admin gives an account another role."""

    role = SelectField(
        _l("Nieuwe rol"), choices=[SelectChoice(role.value, role.label) for role in Role]
    )


class SuspendAccountForm(BaseForm):
    """An admin suspends an account; the reason goes into the account's history."""

    reason = StringField(
        _l("Reden (voor de geschiedenis van het account, niet verplicht)"),
        validators=[Optional(), Length(max=300)],
    )


class ConfirmForm(BaseForm):
    """A confirmation with nothing to fill in: the button (and the CSRF token) is the form."""
