"""Account forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from kispub.accounts.models import Role
from kispub.accounts.passwords import MIN_PASSWORD_LENGTH
from kispub.core.nonce import OnceForm

REQUIRED = "Dit veld is verplicht."


class LoginForm(FlaskForm):
    """E-mail and password."""

    email = EmailField("E-mailadres", validators=[DataRequired(REQUIRED), Length(max=254)])
    password = PasswordField("Wachtwoord", validators=[DataRequired(REQUIRED), Length(max=1024)])
    remember = BooleanField("Ingelogd blijven op dit apparaat (30 dagen)")


class ResetRequestForm(FlaskForm):
    """Ask for a password-reset link."""

    email = EmailField(
        "E-mailadres",
        validators=[
            DataRequired(REQUIRED),
            Email("Vul een geldig e-mailadres in."),
            Length(max=254),
        ],
    )


class NewPasswordForm(FlaskForm):
    """Choose a new password."""

    password = PasswordField(
        "Nieuw wachtwoord",
        description=f"Minstens {MIN_PASSWORD_LENGTH} tekens.",
        validators=[
            DataRequired(REQUIRED),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=1024,
                message=f"Kies een wachtwoord van minstens {MIN_PASSWORD_LENGTH} tekens.",
            ),
        ],
    )
    confirm = PasswordField(
        "Herhaal het wachtwoord",
        validators=[DataRequired(REQUIRED), EqualTo("password", "De wachtwoorden verschillen.")],
    )


class InviteUserForm(OnceForm):
    """An admin creates an account; the new user gets a link to set a password."""

    email = EmailField(
        "E-mailadres",
        validators=[
            DataRequired(REQUIRED),
            Email("Vul een geldig e-mailadres in."),
            Length(max=254),
        ],
    )
    name = StringField("Naam", validators=[DataRequired(REQUIRED), Length(max=120)])
    organisation = StringField("Organisatie", validators=[Optional(), Length(max=160)])
    role = SelectField(
        "Rol",
        choices=[SelectChoice(role.value, role.label) for role in Role],
        default=Role.MEMBER.value,
    )
