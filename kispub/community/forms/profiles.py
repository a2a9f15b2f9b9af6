"""The profile form, the form that removes a photo, and the directory's filter."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from kispub.accounts.services import NAME_MAX, ORGANISATION_MAX
from kispub.community.models import FieldRole
from kispub.community.services.profiles import BIO_MAX
from kispub.core.forms import BaseForm
from kispub.themes.models import Theme

AVATAR_ACCEPT = "image/jpeg,image/png,image/webp"


class CheckboxesField(SelectMultipleField):
    """A group of checkboxes (the template puts them in a fieldset with a legend)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ProfileForm(BaseForm):
    """A member's own profile; the handle is shown, never edited."""

    name = StringField(
        _l("Naam"), validators=[DataRequired(_l("Vul uw naam in.")), Length(max=NAME_MAX)]
    )
    organisation = StringField(
        _l("Organisatie"), validators=[Optional(), Length(max=ORGANISATION_MAX)]
    )
    field_role = SelectField(
        _l("Rol in het veld"),
        choices=[
            SelectChoice("", _l("Zeg ik liever niet")),
            *(SelectChoice(role.value, role.label) for role in FieldRole),
        ],
        validators=[Optional()],
    )
    bio = TextAreaField(
        _l("Over mij"),
        description=_l(
            "Een korte introductie, hoogstens %(max)s tekens. Markdown: **vet**, *cursief*, "
            "[link](https://…).",
            max=BIO_MAX,
        ),
        validators=[Length(max=BIO_MAX)],
    )
    themes = CheckboxesField(_l("Thema's die mij interesseren"), coerce=int, choices=[])
    avatar = FileField(
        _l("Nieuwe profielfoto (optioneel)"),
        description=_l(
            "JPEG, PNG of WebP. De foto wordt vierkant bijgesneden en zonder verborgen "
            "gegevens (zoals locatie) opgeslagen."
        ),
        render_kw={"accept": AVATAR_ACCEPT},
    )

    def set_theme_choices(self, themes: list[Theme]) -> None:
        """Offer every theme as a checkbox."""
        self.themes.choices = [SelectChoice(theme.id, theme.name) for theme in themes]

    @property
    def role(self) -> FieldRole | None:
        """The chosen role in the field, or None."""
        return FieldRole(self.field_role.data) if self.field_role.data else None


class RemoveAvatarForm(BaseForm):
    """A button that takes the member's photo off their profile (the form carries CSRF)."""
