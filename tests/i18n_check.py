"""Find user-facing text in templates and Python that is not marked for translation.

Templates are read with Jinja's own lexer, so ``{% trans %}`` blocks, comments and expressions
are told apart from the HTML around them exactly as Jinja renders them; the HTML that remains is
read with the standard library's HTML parser, so tag and attribute names never count as text.
Python is read as an AST: a ``flash()`` message or a WTForms label must be a translation call.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

from jinja2 import Environment

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"

# Text that is the same in every language. Each entry says why it needs no translation.
ALLOWED = {
    "KIS": "the organisation's name",
    "RSS": "the name of a feed format",
    "Atom": "the name of a feed format",
    "iCal": "the name of a calendar format",
    "JSON": "the name of a file format",
    "CSV": "the name of a file format",
    "URL": "a technical term used as is in Dutch",
    "kispub": "the program's name",
    "Markdown": "the name of a text format",
    "Podcast": "a channel's name, the same word in Dutch and English",
    "Community": "a channel's name, used as is in Dutch",
    "Dossier": "a channel's name, the same word in Dutch and English",
    "Ateliers": "a channel's name, used as is in Dutch",
    "PDF": "the name of a file format",
    "OPML": "the name of a file format",
    "TOTP": "the name of a standard",
    "e-mail": "said the same way in Dutch and English",
    "ok": "a token in a machine-readable reply",
}

# Attributes whose value a person reads or hears.
SEEN_ATTRIBUTES = {"alt", "title", "aria-label", "placeholder", "aria-description", "summary"}
# Inputs whose ``value`` is the button's label.
BUTTON_INPUTS = {"submit", "button", "reset"}
PLACEHOLDER = "\x00"
LETTER = re.compile(r"[^\W\d_]")
WORD = re.compile(r"[^\W\d_][\w'-]*")
TAG_NAME_PLACEHOLDER = re.compile(r"<(/?[A-Za-z][A-Za-z0-9]*)\x00")
# Trans blocks, comments and expressions are left out; everything else is text Jinja emits.
TRANS_OPEN, TRANS_CLOSE = "trans", "endtrans"


def template_text(env: Environment, source: str) -> str:
    """The HTML Jinja emits, with each expression, tag and trans block as a placeholder.

    Line breaks are kept where they were, so the HTML parser's positions are template lines.
    """
    parts: list[str] = []
    line = 1
    in_trans = False
    after_begin = False  # the next name token is the tag's name
    for lineno, kind, value in env.lex(source):
        if lineno > line:
            parts.append("\n" * (lineno - line))
            line = lineno
        if kind == "whitespace":
            continue
        if after_begin and kind == "name":
            in_trans = value == TRANS_OPEN or (in_trans and value != TRANS_CLOSE)
        after_begin = kind == "block_begin"
        if kind == "data" and not in_trans:
            parts.append(value)
            line += value.count("\n")
        elif kind in ("variable_begin", "block_begin") or (kind == "data" and in_trans):
            parts.append(PLACEHOLDER)
            line += value.count("\n") if kind == "data" else 0
    return "".join(parts)


class _TextFinder(HTMLParser):
    """Collects (line, text) for data and for the attribute values a person reads."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self._raw = 0  # inside <script> or <style>, where text is code

    def _add(self, text: str | None) -> None:
        if text is not None:
            self.found.append((self.getpos()[0], text))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._raw += 1
        values = dict(attrs)
        for name, value in attrs:
            if name in SEEN_ATTRIBUTES:
                self._add(value)
        if tag == "input" and (values.get("type") or "") in BUTTON_INPUTS:
            self._add(values.get("value"))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in ("script", "style"):
            self._raw -= 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._raw = max(0, self._raw - 1)

    def handle_data(self, data: str) -> None:
        if not self._raw:
            line = self.getpos()[0]
            for offset, piece in enumerate(data.split("\n")):
                self.found.append((line + offset, piece))


def needs_translation(text: str) -> bool:
    """True for text with a word that is not allowed as is (symbols and numbers are)."""
    return any(word not in ALLOWED for word in WORD.findall(text))


def unmarked_in_template(env: Environment, source: str) -> list[tuple[int, str]]:
    """(line, text) for each piece of user-facing text outside a translation call."""
    finder = _TextFinder()
    # A tag name built from an expression (``<h{{ level }}>``) stays a tag name.
    finder.feed(TAG_NAME_PLACEHOLDER.sub(r"<\1x", template_text(env, source)))
    finder.close()
    return [
        (line, text.strip().strip(PLACEHOLDER).strip().replace(PLACEHOLDER, "…"))
        for line, text in finder.found
        if needs_translation(text)
    ]


def unmarked_templates(env: Environment, root: Path = TEMPLATES) -> list[str]:
    """``file:line: text`` for each unmarked string in every template under root."""
    problems = []
    for path in sorted(root.rglob("*")):
        if path.suffix not in (".html", ".txt"):
            continue
        for line, text in unmarked_in_template(env, path.read_text(encoding="utf-8")):
            problems.append(f"{path.relative_to(root.parent)}:{line}: {text}")
    return problems


# --- Python ------------------------------------------------------------------------------

TRANSLATION_CALLS = {"_", "_l", "gettext", "lazy_gettext", "ngettext", "lazy_ngettext"}
# Module-level constants with this prefix are messages for people, whoever raises them.
MESSAGE_PREFIX = "MSG_"
# WTForms fields take their label first or as ``label=``.
FIELD_SUFFIX = "Field"


def _call_name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _is_translated(node: ast.expr) -> bool:
    """A translation call, or a name or call whose text was translated where it was made."""
    if isinstance(node, ast.Call):
        # "literal {}".format(...) is not translated, nor MSG_X.format(...): a catalogue
        # looks up the id before its parameters go in. Other calls are.
        func = node.func
        return not (isinstance(func, ast.Attribute) and func.attr == "format")
    if isinstance(node, ast.Constant):
        return not (isinstance(node.value, str) and LETTER.search(node.value))
    if isinstance(node, ast.JoinedStr):
        return False  # an f-string cannot be looked up in a catalogue
    if isinstance(node, ast.IfExp):
        return _is_translated(node.body) and _is_translated(node.orelse)
    if isinstance(node, ast.BoolOp):
        return all(_is_translated(value) for value in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
        return _is_translated(node.left) and _is_translated(node.right)
    return True


def _checked_arguments(call: ast.Call) -> Iterator[ast.expr]:
    name = _call_name(call.func)
    if name == "flash" and call.args:
        yield call.args[0]
    elif name.endswith(FIELD_SUFFIX) and name[:1].isupper():
        if call.args:
            yield call.args[0]
        yield from (kw.value for kw in call.keywords if kw.arg in ("label", "description"))


def unmarked_in_python(path: Path) -> list[str]:
    """``file:line: code`` for each flash message or form label not marked for translation."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    problems = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            for argument in _checked_arguments(node):
                if not _is_translated(argument):
                    where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
                    problems.append(f"{where}:{argument.lineno}: {ast.unparse(argument)}")
    return problems


# Built-in exceptions carry messages for developers (content-file loaders, programming errors);
# an exception class of the application's own is raised for a person to read.
BUILTIN_EXCEPTIONS = {name for name in dir(__builtins__) if name.endswith(("Error", "Exception"))}
BUILTIN_EXCEPTIONS |= {
    name
    for name, value in vars(__import__("builtins")).items()
    if isinstance(value, type) and issubclass(value, BaseException)
}
INTERNAL = "internal: the caller shows a message of its own"
# Raised with text that only developers or operators read: each with the reason.
INTERNAL_RAISES = {
    ("kispub/community/services/email_settings.py", "LinkRefused"): "logged, the page says why",
    ("kispub/accounts/totp.py", "SecretUnreadable"): "a key problem for the operator",
    ("kispub/cli.py", "ClickException"): "operator commands speak English, like Flask's own",
    ("kispub/core/backup.py", "BackupError"): "read by the operator in `flask backup`, in English",
    (
        "kispub/podcast/cli.py",
        "ClickException",
    ): "the file's name before a message translated already",
    ("kispub/podcast/cli.py", "BadParameter"): "operator commands speak English, like click's own",
    (
        "kispub/podcast/media/mp3frames.py",
        "Mp3FrameError",
    ): "internal: in the sandbox child, mp3.py raises AudioError with a message of its own",
    ("kispub/core/sandbox.py", "SandboxError"): INTERNAL,
    (
        "kispub/core/sandbox.py",
        "SandboxTimeout",
    ): INTERNAL,
    (
        "kispub/core/sandbox.py",
        "SandboxMemoryError",
    ): INTERNAL,
    (
        "kispub/core/sandbox.py",
        "SandboxCrashed",
    ): INTERNAL,
    (
        "kispub/core/sandbox.py",
        "SandboxUnavailable",
    ): INTERNAL,
}


def unmarked_raises(path: Path) -> list[str]:
    """``file:line: code`` for an application exception raised with unmarked literal text."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    problems = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)):
            continue
        name = _call_name(node.exc.func)
        if name in BUILTIN_EXCEPTIONS or (str(where), name) in INTERNAL_RAISES:
            continue
        if node.exc.args and not _is_translated(node.exc.args[0]):
            problems.append(f"{where}:{node.lineno}: {ast.unparse(node.exc.args[0])}")
    return problems


def _is_text(node: ast.expr) -> bool:
    """Literal text a person would read: a string with letters, an f-string or a sum of them."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and bool(LETTER.search(node.value))
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
        return _is_text(node.left) or _is_text(node.right)
    return False


def _raised_names(tree: ast.AST) -> set[str]:
    """Names passed as the message of an application exception raised in this module."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            if _call_name(node.exc.func) in BUILTIN_EXCEPTIONS or not node.exc.args:
                continue
            if isinstance(node.exc.args[0], ast.Name):
                names.add(node.exc.args[0].id)
    return names


def unmarked_constants(path: Path) -> list[str]:
    """``file:line: NAME`` for a module-level message constant that is not marked.

    A constant named ``MSG_*``, or one raised as an application error's message, is text for
    people: it must be wrapped in ``N_()`` (or a gettext call) so that Babel extracts it.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    raised = _raised_names(tree)
    problems = []
    for node in tree.body if isinstance(tree, ast.Module) else ():
        if not isinstance(node, ast.Assign | ast.AnnAssign) or node.value is None:
            continue
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for target in targets:
            if not isinstance(target, ast.Name):
                continue
            is_message = target.id.startswith(MESSAGE_PREFIX) or target.id in raised
            if is_message and _is_text(node.value):
                problems.append(f"{where}:{node.lineno}: {target.id}")
    return problems
