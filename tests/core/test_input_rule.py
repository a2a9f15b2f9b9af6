"""The text rule and the bounds: what any input becomes is safe for every output format."""

from __future__ import annotations

import importlib
import pkgutil
import re
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from icalendar import Calendar, Event
from lxml import etree
from werkzeug.routing import Map, ValidationError
from wtforms import Form

import kispub
from kispub.core.bounds import MAX_INT, BoundedIntConverter, clamped_int
from kispub.core.forms import BaseForm, SubForm
from kispub.core.text import clean_line, clean_text, is_slug, scrub

# The PostgreSQL run skips it: what it tests does not depend on the database.
pytestmark = pytest.mark.dialect_free

# Every code point, lone surrogates included (Hypothesis leaves those out by default).
ANY_TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=200)
NASTY = "\x00\x01\x08\x0b\x0c\x0e\x1f\x7f\r\n\r\t\x85\u2028\u2029\ud800\udfff\ufffe\uffff"
RULE_SETTINGS = settings(
    max_examples=2000, deadline=None, database=None, derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)  # fmt: skip


def _xml_roundtrip(text: str) -> str:
    element = etree.Element("title")
    element.text = text  # lxml refuses what XML 1.0 cannot carry
    parsed = etree.fromstring(etree.tostring(element, encoding="UTF-8"))
    return parsed.text or ""


def _ical_roundtrip(text: str) -> str:
    calendar = Calendar()
    event = Event()
    event.add("SUMMARY", text)
    calendar.add_component(event)
    parsed = Calendar.from_ical(calendar.to_ical())
    return str(parsed.walk("VEVENT")[0]["SUMMARY"])


def _mail_subject(text: str) -> str:
    message = EmailMessage(policy=policy.default)
    message["Subject"] = text  # headerregistry refuses CR and LF
    message.set_content("body")
    message.as_bytes()
    return str(message["Subject"])


@RULE_SETTINGS
@given(ANY_TEXT | st.text(st.sampled_from(NASTY + "ab é"), max_size=30))
def test_any_text_through_the_rule_is_accepted_by_xml_icalendar_and_mail(text: str) -> None:
    multi, line = clean_text(text), clean_line(text)
    assert _xml_roundtrip(multi) == multi  # nothing lost or changed in the XML
    assert _xml_roundtrip(line) == line
    assert _ical_roundtrip(line) == line  # the calendar gives back what was written
    assert _ical_roundtrip(multi) == multi
    _mail_subject(line)
    assert "\n" not in line and "\r" not in line
    assert clean_text(multi) == multi and clean_line(line) == line  # idempotent


def test_the_rule_keeps_what_people_write() -> None:
    text = "Eerste regel\r\nTweede\tregel met é, 漢字 en 🎙️\rDerde"
    assert clean_text(text) == "Eerste regel\nTweede\tregel met é, 漢字 en 🎙️\nDerde"
    assert clean_line(" Titel\x0bmet\r\nregeleinde\x01 ") == "Titel met regeleinde"
    assert clean_text("a\x00b\x7fc\ufffed\ud800e") == "abcde"


def test_scrub_cleans_strings_in_nested_dataclasses_and_tuples() -> None:
    from kispub.podcast.feed.rss import Person

    assert scrub((Person("A\x01B"), ["x\x0b"], {"k": "v\x00"})) == (
        Person("AB"),
        ["x\n"],
        {"k": "v"},
    )


def test_slugs_are_matched_whole() -> None:
    assert is_slug("taal-en-werk")
    assert not is_slug("taal-en-werk\n") and not is_slug("Taal") and not is_slug("a--b")


def test_no_pattern_in_kispub_ends_with_a_dollar() -> None:
    """``$`` also matches before a final newline: "slug\\n" would pass. Use fullmatch or \\Z."""
    root = Path(kispub.__file__).parent
    offenders = [
        f"{path.relative_to(root)}: {match.group(0)}"
        for path in root.rglob("*.py")
        if "migrations" not in path.parts
        for match in re.finditer(r"re\.compile\(\s*r?[\"'][^\"']*\$[\"']", path.read_text())
    ]
    assert offenders == []


def _all_form_classes() -> set[type[Form]]:
    for module in pkgutil.walk_packages(kispub.__path__, "kispub."):
        if ".migrations" not in module.name and module.name != "kispub.wsgi":
            importlib.import_module(module.name)
    found: set[type[Form]] = set()
    todo = [Form]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("kispub."):
                found.add(sub)
    return found


def test_every_form_in_kispub_gets_the_input_rules() -> None:
    """A new form that derives from FlaskForm or Form directly would miss the text rule."""
    forms = _all_form_classes() - {BaseForm, SubForm}
    assert len(forms) >= 10
    assert [f.__qualname__ for f in forms if not issubclass(f, BaseForm | SubForm)] == []


@RULE_SETTINGS
@given(st.integers(min_value=0, max_value=10**40))
def test_the_int_converter_refuses_what_no_id_column_holds(number: int) -> None:
    converter = BoundedIntConverter(Map())
    if number <= MAX_INT:
        assert converter.to_python(str(number)) == number
    else:
        with pytest.raises(ValidationError):
            converter.to_python(str(number))


@RULE_SETTINGS
@given(st.integers(min_value=-(10**40), max_value=10**40))
def test_query_integers_are_clamped(number: int) -> None:
    assert -MAX_INT <= clamped_int(str(number)) <= MAX_INT
    assert clamped_int(str(number)) == max(-MAX_INT, min(number, MAX_INT))
