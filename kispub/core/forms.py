"""The base of every form: the text rule on every text field, bounds on numbers and dates.

Every form in kispub derives from ``BaseForm`` (a FlaskForm) or, for a form nested with
``FormField``, from ``SubForm``. Their ``Meta.bind_field`` adds, to each field as it is
bound, what the field's kind needs — so a new field or a new form is covered without
anyone remembering to:

- text fields (``StringField`` and its kinds: e-mail, URL, hidden) get ``clean_line``,
  multi-line ones (``TextAreaField``) ``clean_text`` (see ``kispub.core.text`` for why the
  rule repairs rather than refuses). Password fields are left alone: a password is hashed,
  never shown or sent, and changing what someone typed would lock them out;
- integer fields are bounded to what an INTEGER column holds;
- date and datetime fields refuse years outside 1900 to 2100.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DateTimeField,
    Field,
    Form,
    IntegerField,
    PasswordField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields import DateTimeLocalField
from wtforms.meta import DefaultMeta
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from kispub.core.bounds import check_int, check_year
from kispub.core.localtime import from_amsterdam, to_amsterdam
from kispub.core.text import clean_line, clean_text


def _cleaned(rule: Callable[[str], str]) -> Callable[[Any], Any]:
    def clean(value: Any) -> Any:
        return rule(value) if isinstance(value, str) else value

    return clean


clean_line_filter = _cleaned(clean_line)
clean_text_filter = _cleaned(clean_text)


def year_in_range(form: Any, field: Field) -> None:
    """Validator: a date (or datetime) between 1900 and 2100."""
    if isinstance(field.data, date):
        try:
            check_year(field.data)
        except ValueError as error:
            raise ValidationError(str(error)) from error


def int_in_range(form: Any, field: Field) -> None:
    """Validator: an integer an INTEGER column can hold."""
    if isinstance(field.data, int):
        try:
            check_int(field.data)
        except ValueError as error:
            raise ValidationError(str(error)) from error


def guard_field(field: Field) -> Field:
    """Give a bound field the rule of its kind (see the module docstring)."""
    if isinstance(field, TextAreaField):
        field.filters = (clean_text_filter, *field.filters)
    elif isinstance(field, StringField) and not isinstance(field, PasswordField):
        field.filters = (clean_line_filter, *field.filters)
    elif isinstance(field, IntegerField):
        field.validators = [*field.validators, int_in_range]
    elif isinstance(field, DateField | DateTimeField):
        field.validators = [*field.validators, year_in_range]
    return field


class GuardedMeta(DefaultMeta):
    """Binds every field through ``guard_field``."""

    def bind_field(self, form: Any, unbound_field: Any, options: dict[str, Any]) -> Field:
        return guard_field(super().bind_field(form, unbound_field, options))


class BaseForm(FlaskForm):
    """The base of every kispub form (CSRF from Flask-WTF, the input rules from here)."""

    class Meta(GuardedMeta):
        pass


class SubForm(Form):
    """The base of a form nested in another with ``FormField`` (no CSRF of its own)."""

    class Meta(GuardedMeta):
        pass


INPUT_FORMAT = "%Y-%m-%dT%H:%M"  # what <input type="datetime-local"> sends


class AmsterdamDateTimeField(DateTimeLocalField):
    """A datetime-local input read as Amsterdam wall-clock time; holds aware UTC.

    Left empty it holds None without an error: whether that is right is the form's to say
    (its DataRequired or its own rule). A time the clocks skip gets a Dutch error.
    """

    data: datetime | None

    def __init__(self, label: str, validators: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(
            label,
            validators,
            format=[INPUT_FORMAT, "%Y-%m-%dT%H:%M:%S"],
            invalid_value_message=_("Vul een datum en tijd in, zoals 28-03-2027 14:00."),
            **kwargs,
        )

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not "".join(valuelist).strip():
            self.data = None
            return
        super().process_formdata(valuelist)
        if self.data is not None:
            local, self.data = self.data, None
            check_year(local)  # first: the year 1 cannot move to UTC at all
            self.data = from_amsterdam(local)

    def _value(self) -> str:
        if self.raw_data:
            return " ".join(self.raw_data)
        return to_amsterdam(self.data).strftime(INPUT_FORMAT) if self.data else ""


class CheckboxesField(SelectMultipleField):
    """A group of checkboxes (the template puts them in a fieldset with a legend)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()
