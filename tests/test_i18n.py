"""The interface is Dutch and ready for translation: every string a person reads is marked.

Three checks: templates (read with Jinja's lexer), Python (flash messages, form labels and the
errors services raise for people, read as an AST), and the catalogue `make messages` writes.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from jinja2 import Environment

from kispub.community import avatars
from kispub.core.refusals import Text
from kispub.dossier.files import errors as file_errors
from kispub.dossier.files import sniff
from kispub.podcast.media import common, formats, m4a, mp3, ogg
from tests.i18n_check import (
    ROOT,
    unmarked_constants,
    unmarked_in_python,
    unmarked_in_template,
    unmarked_raises,
    unmarked_templates,
)

pytestmark = pytest.mark.dialect_free

# The packages whose Python is checked. Others mark their own strings in parallel work; when
# that work is merged, this list grows to every package under kispub/ (see the merge notes).
CHECKED_PYTHON = [
    "kispub/admin",
    "kispub/ateliers",
    "kispub/podcast",
    "kispub/core",
    "kispub/community",
    "kispub/dossier",
    "kispub/themes",
    "kispub/home",
    "kispub/accounts",
    "kispub/channels.py",
    "kispub/__init__.py",
    "kispub/cli.py",
]
CATALOGUE = ROOT / "kispub" / "translations" / "nl" / "LC_MESSAGES" / "messages.po"
KEYWORDS = {
    "_": None,
    "_l": None,
    "gettext": None,
    "lazy_gettext": None,
    "ngettext": (1, 2),
    "lazy_ngettext": (1, 2),
    "N_": None,
}
# Modules whose refusals are made in the sandbox child and translated in the request.
REFUSAL_MODULES = [formats, common, m4a, mp3, ogg, file_errors, sniff, avatars]


@pytest.fixture(scope="module")
def env() -> Environment:
    # Only lexed, never rendered: autoescaping does not apply.
    return Environment(extensions=["jinja2.ext.i18n"])  # noqa: S701


def _python_files() -> list[Path]:
    files: list[Path] = []
    for name in CHECKED_PYTHON:
        path = ROOT / name
        files.extend([path] if path.suffix == ".py" else sorted(path.rglob("*.py")))
    return files


def test_every_template_string_is_marked(env: Environment) -> None:
    problems = unmarked_templates(env)
    assert not problems, "unmarked text in templates:\n" + "\n".join(problems)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("<p>Welkom</p>", [(1, "Welkom")]),
        ('<p>\n  {{ _("Welkom") }}\n  <a href="/x">Verder</a></p>', [(3, "Verder")]),
        ('<img src="x.png" alt="Een foto">', [(1, "Een foto")]),
        ('<a title="Meer" aria-label="Lees meer" href="/">→</a>', [(1, "Meer"), (1, "Lees meer")]),
        ('<input type="search" placeholder="Zoek">', [(1, "Zoek")]),
        ('<input type="submit" value="Verstuur">', [(1, "Verstuur")]),
        ("{% block title %}Inloggen{% endblock %}", [(1, "Inloggen")]),
        ("Beste {{ name }},\n\nGroet", [(1, "Beste …,"), (3, "Groet")]),
    ],
)
def test_the_template_check_finds_unmarked_text(
    env: Environment, source: str, expected: list[tuple[int, str]]
) -> None:
    assert unmarked_in_template(env, source) == expected


@pytest.mark.parametrize(
    "source",
    [
        '<p>{{ _("Welkom") }}</p>',
        "<p>{% trans name=user %}Dag {{ name }}{% endtrans %}</p>",
        '<p>{{ ngettext("%(num)d bericht", "%(num)d berichten", n) }}</p>',
        "{# Een opmerking voor ontwikkelaars #}<p>{{ title }}</p>",
        '<input type="email" name="email" value="a@b.nl"><button name="go" value="y">→</button>',
        '<div class="card card-wide" id="main" data-role="lijst"></div>',
        '<h{{ level }} id="x">{{ title }}</h{{ level }}>',
        "<p>KIS · RSS · iCal &middot; 2024</p>",
        "<style>body { color: red }</style>",
    ],
)
def test_the_template_check_accepts_marked_text(env: Environment, source: str) -> None:
    assert unmarked_in_template(env, source) == []


def test_the_template_check_fails_on_an_unmarked_template(env: Environment, tmp_path: Path) -> None:
    folder = tmp_path / "templates" / "feature"
    folder.mkdir(parents=True)
    (folder / "page.html").write_text(
        '{% extends "base.html" %}\n{% block content %}\n<h1>{{ _("Goed") }}</h1>\n'
        "<p>Niet vertaald</p>\n{% endblock %}\n",
        encoding="utf-8",
    )
    assert unmarked_templates(env, tmp_path / "templates") == [
        "templates/feature/page.html:4: Niet vertaald"
    ]


def test_every_flash_label_and_service_error_is_marked() -> None:
    problems = []
    for path in _python_files():
        problems += unmarked_in_python(path) + unmarked_raises(path) + unmarked_constants(path)
    assert not problems, "unmarked text in Python:\n" + "\n".join(problems)


def test_the_python_check_finds_unmarked_text(tmp_path: Path) -> None:
    module = tmp_path / "views.py"
    module.write_text(
        "flash('Opgeslagen.')\n"
        "flash(_('Opgeslagen.'))\n"
        "flash(f'{title} is weg.')\n"
        "name = StringField('Naam')\n"
        "name = StringField(_l('Naam'), description='Uw volledige naam')\n"
        "raise PostingError('Dit bestaat niet.')\n"
        "raise PostingError(_('Dit bestaat niet.'))\n"
        "raise ValueError('voor ontwikkelaars')\n"
        "flash(_('Goed.') if ok else 'Fout.')\n",
        encoding="utf-8",
    )
    found = [line.split(":", 2)[1] for line in unmarked_in_python(module)]
    assert found == ["1", "3", "4", "5", "9"]
    assert [line.split(":", 2)[1] for line in unmarked_raises(module)] == ["6"]


def _not_hidden(path: str) -> bool:
    # Babel skips folders that start with "_" too, but templates/_macros/ holds strings.
    return not Path(path).name.startswith(".")


def _extracted() -> set[str | tuple[str, ...]]:
    method_map = [
        ("kispub/**.py", "python"),
        ("templates/**.html", "jinja2"),
        ("templates/**.txt", "jinja2"),
    ]
    return {
        message
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, keywords=KEYWORDS, directory_filter=_not_hidden
        )
    }


def test_marked_strings_are_extracted_from_code_and_templates() -> None:
    found = _extracted()
    for expected in (
        "Direct naar de inhoud",  # base template
        "Onbekend e-mailadres of onjuist wachtwoord.",  # login view
        "Dit veld is verplicht.",  # forms
        "Pagina niet gevonden",  # error pages
        "Het dossier is opgeslagen.",  # flash in the dossier's back office
        "Dit onderwerp bestaat niet (meer).",  # a community service's error
        "Met vriendelijke groet,",  # an e-mail template
    ):
        assert expected in found


def test_the_dutch_catalogue_is_complete_and_has_plural_forms() -> None:
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle, locale="nl")
    assert catalogue.plural_forms == "nplurals=2; plural=(n != 1);"
    ids = {message.id if isinstance(message.id, str) else message.id[0] for message in catalogue}
    plurals = [message.id for message in catalogue if isinstance(message.id, tuple)]
    assert ("%(num)s bericht", "%(num)s berichten") in plurals  # a template's ngettext
    assert (  # a service's ngettext
        "Een titel heeft hoogstens %(num)d teken.",
        "Een titel heeft hoogstens %(num)d tekens.",
    ) in plurals
    missing = sorted(
        str(message)
        for message in _extracted()
        if (message if isinstance(message, str) else message[0]) not in ids
    )
    assert not missing, "run `make messages`; missing from the catalogue:\n" + "\n".join(
        missing[:40]
    )


def test_the_catalogue_samples_every_package() -> None:
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle, locale="nl")
    places = {path for message in catalogue for path, _line in message.locations}
    # kispub/themes has no text of its own: theme names are content, stored in the database.
    for folder in ("kispub/accounts", "kispub/community", "kispub/dossier", "kispub/core"):
        assert any(place.startswith(f"{folder}/") for place in places), folder
    for folder in ("accounts", "community", "dossier", "themes", "errors", "_macros"):
        assert any(place.startswith(f"templates/{folder}/") for place in places), folder
    assert any(place.startswith("templates/") and place.endswith(".txt") for place in places)


def test_characters_are_tekens_not_karakters() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("kispub", "templates")
        for path in (ROOT / folder).rglob("*")
        if path.suffix in (".py", ".html", ".txt", ".po", ".pot")
        and "karakter" in path.read_text(encoding="utf-8").lower()
    ]
    assert offenders == []


def test_the_checker_reads_python_as_python() -> None:
    # Guards the AST check itself: every checked file parses.
    for path in _python_files():
        ast.parse(path.read_text(encoding="utf-8"))


def test_the_constant_check_finds_unmarked_messages(tmp_path: Path) -> None:
    module = tmp_path / "refusals.py"
    module.write_text(
        "MSG_PLAIN = 'Het bestand is leeg.'\n"
        "MSG_SUM = 'Ongeldig.' + ' Te groot.'\n"
        "MSG_MARKED = N_('Het bestand is leeg.')\n"
        "MSG_NUMBER = 3\n"
        "LIMIT_TEXT = 'een tekst die niemand leest'\n"
        "REFUSED = 'Dit bestand is kapot.'\n"
        "def check():\n"
        "    raise FileError(REFUSED)\n"
        "def size():\n"
        "    raise FileError(MSG_MARKED.format(limit=2))\n",
        encoding="utf-8",
    )
    found = [line.split(": ", 1)[1] for line in unmarked_constants(module)]
    assert found == ["MSG_PLAIN", "MSG_SUM", "REFUSED"]
    # A message id formatted before the lookup cannot be translated either.
    assert [line.split(":")[1] for line in unmarked_raises(module)] == ["10"]


def _refusal_ids() -> set[str]:
    """Every message id the sandboxed parsers refuse with, parameters' ids included."""
    ids = {
        value
        for module in REFUSAL_MODULES
        for name, value in vars(module).items()
        if name.startswith("MSG_") and isinstance(value, str)
    }
    heads = [b"OggS", b"RIFF\0\0\0\0WAVE", b"<html>", b"GIF89a", b"\0\0\0\0"]
    texts = [formats.refusal_message(head) for head in heads[:2]]
    texts += [sniff.refusal(head) for head in heads[2:]]
    texts += [formats.timeout_message(2.5), common.truncated_message(0.5, 60, 30)]
    for text in texts:
        ids.add(text.msgid)
        ids.update(value.msgid for value in text.params.values() if isinstance(value, Text))
    return ids


def test_every_refusal_message_is_in_the_catalogue() -> None:
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle, locale="nl")
    # The source strings are Dutch: the Dutch catalogue holds their ids, empty translations.
    catalogued = {message.id for message in catalogue}
    ids = _refusal_ids()
    assert len(ids) > 50
    missing = sorted(ids - catalogued)
    assert not missing, "run `make messages`; not in the catalogue:\n" + "\n".join(missing)
