"""The interface is Dutch and ready for translation: strings are marked for extraction."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir

ROOT = Path(__file__).resolve().parent.parent


def test_marked_strings_are_extracted_from_code_and_templates() -> None:
    method_map = [("kispub/**.py", "python"), ("templates/**.html", "jinja2")]
    keywords = {"_": None, "_l": None, "gettext": None, "lazy_gettext": None}
    found = {
        message
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, keywords=keywords
        )
    }
    for expected in (
        "Direct naar de inhoud",  # base template
        "Onbekend e-mailadres of onjuist wachtwoord.",  # login view
        "Dit veld is verplicht.",  # forms
        "Pagina niet gevonden",  # error pages
    ):
        assert expected in found
