"""Reuse Werkzeug's compiled URL builders across the suite's many apps.

Every test builds a fresh app, and Werkzeug compiles a Python function (via ``ast`` and
``compile``) for each of the ~150 URL rules every time: about 80 ms of each test's
set-up. The generated function depends only on the rule's parsed parts, its defaults and
whether unknown arguments are appended; it reads the converters from the rule it is bound
to at call time. So the same function object can be bound to the same rule in every app.
Only the test suite does this; the application itself is untouched.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from werkzeug.routing.rules import Rule

_original = Rule._compile_builder
_built: dict[tuple[Any, ...], Callable[..., tuple[str, str]]] = {}


def _cached_compile_builder(self: Rule, append_unknown: bool = True) -> Any:
    defaults = tuple(sorted((str(k), repr(v)) for k, v in (self.defaults or {}).items()))
    converters = tuple(
        (name, type(converter).__qualname__) for name, converter in self._converters.items()
    )
    key = (tuple(self._trace), defaults, converters, append_unknown)
    builder = _built.get(key)
    if builder is None:
        builder = _built[key] = _original(self, append_unknown)
    return builder


def cache_url_builders() -> None:
    """Install the cache for this test process."""
    Rule._compile_builder = _cached_compile_builder  # type: ignore[method-assign]
