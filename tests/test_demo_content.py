"""Every text the demo shows reads like real content: no test-like names anywhere."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from typing import Any

from kispub.content import DEMO_FOLDER

# Capitalised, so that ordinary Dutch ("bijvoorbeeld", "een proefdag") passes.
TEST_LIKE = re.compile(r"\b(Test|Proef|Voorbeeld|Lorem|Fictief|Dummy)|example\.com")
# Addresses nobody sees on a page: log-in e-mail, authors' keys, the podcast owner's mailbox.
UNSEEN = {"email", "author", "owner_email"}


def texts(value: Any, key: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for name, item in value.items():
            yield from texts(item, name)
    elif isinstance(value, list):
        for item in value:
            yield from texts(item, key)
    elif isinstance(value, str) and key not in UNSEEN:
        yield key, value


def test_no_demo_text_looks_like_test_data() -> None:
    found = []
    for path in sorted(DEMO_FOLDER.glob("*.toml")):
        for key, text in texts(tomllib.loads(path.read_text(encoding="utf-8"))):
            found += [(path.name, key, m.group(0)) for m in TEST_LIKE.finditer(text)]
    for path in sorted(DEMO_FOLDER.glob("media/*.vtt")):
        found += [(path.name, "", m.group(0)) for m in TEST_LIKE.finditer(path.read_text())]
    assert found == []
    assert len(list(DEMO_FOLDER.glob("media/*.vtt"))) == 6
