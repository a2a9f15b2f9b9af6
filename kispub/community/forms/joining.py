"""Forms for joining the community and for the moderators' pages about it."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    EmailField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.fields.core import UnboundField
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)

from kispub.accounts.forms import NewPasswordForm
from kispub.accounts.services import NAME_MAX, ORGANISATION_MAX
from kispub.community.models import FieldRole
from kispub.community.services.invitations import (
    MAX_LINK_DAYS,
    MAX_LINK_USES,
    Acceptance,
    InviteLink,
    PersonalInvitation,
)
from kispub.community.services.joining import JoinRequest
from kispub.core.forms import BaseForm
from kispub.core.nonce import OnceForm

REQUIRED = _l("Dit veld is verplicht.")
MOTIVATION_MAX = 2000
MESSAGE_MAX = 2000


def _email_field() -> EmailField:
    return EmailField(
        _l("E-mailadres"),
        validators=[
            DataRequired(REQUIRED),
            Email(_l("Vul een geldig e-mailadres in.")),
            Length(max=254),
        ],
    )


def _name_field() -> StringField:
    return StringField(_l("Naam"), validators=[DataRequired(REQUIRED), Length(max=NAME_MAX)])


def _organisation_field() -> StringField:
    return StringField(
        _l("Organisatie"),
        description=_l("Waar u werkt of actief bent; laat leeg als dat niet van toepassing is."),
        validators=[Optional(), Length(max=ORGANISATION_MAX)],
    )


def _field_role_field(required: bool) -> SelectField:
    choices = [
        SelectChoice("", _l("Kies uw rol")),
        *(SelectChoice(role.value, role.label) for role in FieldRole),
    ]
    return SelectField(
        _l("Uw rol in het veld"),
        choices=choices,
        validators=[DataRequired(REQUIRED)] if required else [Optional()],
    )


def _in_place(field: UnboundField) -> UnboundField:
    """A field declared on another form, placed where this form declares it.

    WTForms orders a form's fields (and so its error summary) by when each was declared;
    the copy of the declaration keeps the field itself (label, hint, rules) in one place.
    """
    return UnboundField(field.field_class, *field.args, **field.kwargs)


def _role(value: str | None) -> FieldRole | None:
    return FieldRole(value) if value else None


class RequestForm(OnceForm):
    """Ask to join: who you are, where you work, your role and why.

    No password: it is chosen when the address is confirmed, by whoever reads the mail.
    """

    name = _name_field()
    email = _email_field()
    organisation = _organisation_field()
    field_role = _field_role_field(required=True)
    motivation = TextAreaField(
        _l("Waarom wilt u lid worden?"),
        description=_l("Een moderator leest dit voordat uw lidmaatschap begint."),
        validators=[DataRequired(REQUIRED), Length(max=MOTIVATION_MAX)],
    )

    def to_request(self) -> JoinRequest:
        field_role = _role(self.field_role.data)
        assert field_role is not None  # required
        return JoinRequest(
            name=self.name.data,
            email=self.email.data,
            organisation=self.organisation.data or "",
            field_role=field_role,
            motivation=self.motivation.data,
        )


class AcceptForm(OnceForm):
    """What both ways of accepting an invitation ask (each declares its fields in page
    order)."""

    def to_acceptance(self) -> Acceptance:
        return Acceptance(
            name=self.name.data,
            organisation=self.organisation.data or "",
            field_role=_role(self.field_role.data),
            password=self.password.data if "password" in self else "",
            email=self.email.data if "email" in self else "",
        )


class AcceptPersonalForm(AcceptForm):
    """Accept a personal invitation: the address is the invitation's, and the mail proved
    it, so the password is chosen here."""

    name = _name_field()
    organisation = _organisation_field()
    field_role = _field_role_field(required=False)
    password = _in_place(NewPasswordForm.password)
    confirm = _in_place(NewPasswordForm.confirm)


class AcceptLinkForm(AcceptForm):
    """Accept a shared invitation link: with the address to confirm (and no password: it
    is chosen when the address is confirmed)."""

    name = _name_field()
    email = _email_field()
    organisation = _organisation_field()
    field_role = _field_role_field(required=False)


class ConfirmAddressForm(NewPasswordForm):
    """Confirm the address and choose the password (a POST, so link scanners confirm
    nothing; the one who reads the mail chooses the password)."""


class DecisionForm(BaseForm):
    """A moderator's decision on a request, with the message the person receives."""

    message = TextAreaField(
        _l("Bericht aan de aanvrager"),
        description=_l("Verplicht bij afwijzen; bij goedkeuren staat het in de welkomstmail."),
        validators=[Length(max=MESSAGE_MAX)],
    )
    approve = SubmitField(_l("Goedkeuren"))
    decline = SubmitField(_l("Afwijzen"))


class PersonalInvitationForm(OnceForm):
    """Staff invite one person with a personal link."""

    email = _email_field()
    name = _name_field()
    organisation = StringField(
        _l("Organisatie"), validators=[Optional(), Length(max=ORGANISATION_MAX)]
    )
    note = StringField(_l("Notitie (alleen voor moderatoren)"), validators=[Length(max=200)])

    def to_invitation(self) -> PersonalInvitation:
        return PersonalInvitation(
            email=self.email.data,
            name=self.name.data,
            organisation=self.organisation.data or "",
            note=self.note.data or "",
        )


class InviteLinkForm(OnceForm):
    """Staff make a shared link."""

    max_uses = IntegerField(
        _l("Hoe vaak mag de link gebruikt worden?"),
        default=25,
        validators=[
            InputRequired(REQUIRED),
            NumberRange(1, MAX_LINK_USES, _l("Kies 1 tot %(n)d keer.", n=MAX_LINK_USES)),
        ],
    )
    days = IntegerField(
        _l("Hoeveel dagen is de link geldig?"),
        default=lambda: current_app.config["COMMUNITY_INVITATION_DAYS"],
        validators=[
            InputRequired(REQUIRED),
            NumberRange(1, MAX_LINK_DAYS, _l("Kies 1 tot %(n)d dagen.", n=MAX_LINK_DAYS)),
        ],
    )
    domain = StringField(
        _l("Alleen voor e-mailadressen van dit domein (optioneel)"),
        description=_l("Bijvoorbeeld gemeente.nl, zonder @. Leeg: elk adres."),
        validators=[Length(max=253)],
    )
    note = StringField(_l("Notitie (alleen voor moderatoren)"), validators=[Length(max=200)])

    def to_link(self) -> InviteLink:
        return InviteLink(
            max_uses=int(self.max_uses.data),
            days=int(self.days.data),
            domain=self.domain.data or "",
            note=self.note.data or "",
        )


class ActionForm(BaseForm):
    """A button that changes one thing (revoke, remove): only the CSRF token."""


class TrustedDomainForm(OnceForm):
    """Admins add a trusted domain."""

    domain = StringField(
        _l("Domein"),
        description=_l("Bijvoorbeeld gemeente.nl, zonder @."),
        validators=[DataRequired(REQUIRED), Length(max=253)],
    )
    note = StringField(_l("Notitie"), validators=[Length(max=200)])


class BulkUploadForm(BaseForm):
    """Staff upload a CSV file of people to invite."""

    file = FileField(
        _l("CSV-bestand"),
        description=_l(
            "Met een kopregel: name, email, organisation (of naam, e-mail, organisatie), "
            "gescheiden door ; of ,. UTF-8."
        ),
        validators=[FileRequired(REQUIRED)],
    )
    note = StringField(_l("Notitie (alleen voor moderatoren)"), validators=[Length(max=200)])


class BulkConfirmForm(OnceForm):
    """Confirm the previewed rows (carried, signed, in a hidden field)."""

    rows = HiddenField(validators=[DataRequired()])
