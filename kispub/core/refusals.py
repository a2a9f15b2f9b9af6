"""Refusal messages made where no Flask application runs, translated where they are shown.

The parsers of untrusted files run in the sandbox child (:mod:`kispub.core.sandbox`), which
has no application and so no locale. They raise a :class:`Refusal` that carries a message id
(a Dutch source string marked with :func:`N_`, so that ``make messages`` extracts it) and its
parameters; the sandbox carries both back, and the request translates them with
:meth:`Refusal.translated`. ``str(error)`` stays the Dutch text, as before.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeAlias, cast

# A parameter is a number, a fixed string (a file name, a formatted limit), or a message of
# its own (a file type's name inside a sentence), translated with the sentence.
Param: TypeAlias = "str | int | float | Text"
# Nested messages deeper than this in an answer from the sandbox are not rebuilt.
MAX_DEPTH = 3


# N_ is the name gettext tools (and Babel's default keywords) know as the no-op marker.
def N_(msgid: str) -> str:
    """Mark ``msgid`` for extraction without translating it: no application is needed."""
    return msgid


@dataclass(frozen=True)
class Text:
    """A message id and its parameters: Dutch as ``str()``, translated by :meth:`translated`."""

    msgid: str
    params: Mapping[str, Param] = field(default_factory=dict)

    def __str__(self) -> str:
        values = {
            name: str(value) if isinstance(value, Text) else value
            for name, value in self.params.items()
        }
        # As flask_babel's gettext: the id is only %-formatted when there are parameters.
        return self.msgid % values if values else self.msgid

    def translated(self) -> str:
        """The message in the request's locale (Dutch outside a request)."""
        # Imported here: the sandbox child builds Texts and must not load Flask for it.
        from flask_babel import gettext

        values = {
            name: value.translated() if isinstance(value, Text) else value
            for name, value in self.params.items()
        }
        return gettext(self.msgid, **values)

    def to_data(self) -> dict[str, Any]:
        """Plain JSON data, for the answer from the sandbox."""
        params = {
            name: value.to_data() if isinstance(value, Text) else value
            for name, value in self.params.items()
        }
        return {"msgid": self.msgid, "params": params}

    @classmethod
    def from_data(cls, data: Any, depth: int = 0) -> Text | None:
        """Rebuild from :meth:`to_data`'s output; None for anything else."""
        if not isinstance(data, dict) or depth > MAX_DEPTH:
            return None
        msgid, raw = data.get("msgid"), data.get("params")
        if not isinstance(msgid, str) or not isinstance(raw, dict):
            return None
        params: dict[str, Param] = {}
        for name, value in raw.items():
            param = cls.from_data(value, depth + 1) if isinstance(value, dict) else value
            if not isinstance(name, str) or not _is_param(param):
                return None
            params[name] = cast(Param, param)
        return cls(msgid, params)


def _is_param(value: Any) -> bool:
    return isinstance(value, str | int | float | Text) and not isinstance(value, bool)


class Refusal(ValueError):
    """Something a person sent that we refuse, with a message for them (see the module)."""

    def __init__(self, text: Text | str, **params: Param) -> None:
        self.text = text if isinstance(text, Text) else Text(text, params)
        super().__init__(str(self.text))

    def translated(self) -> str:
        """The message in the request's locale."""
        return self.text.translated()
