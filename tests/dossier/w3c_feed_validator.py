"""Run the W3C Feed Validator on a file and print its events as JSON: a script, run by
``atom_rules.w3c_validator_events`` with the validator's own interpreter.

Arguments: the ``src`` folder of a checkout of w3c/feedvalidator, the feed file, the URL the
feed is served at (the validator compares it with the self link).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main(source: str, path: str, url: str) -> None:
    sys.path.insert(0, source)
    import feedvalidator
    from feedvalidator import compatibility
    from feedvalidator.formatter.text_plain import Formatter
    from feedvalidator.logging import Error

    text = Path(path).read_text(encoding="utf-8")
    events = feedvalidator.validateString(text, firstOccurrenceOnly=1, base=url)["loggedEvents"]
    shown = compatibility.AA(events)  # what the online validator shows
    messages = Formatter(shown)
    print(
        json.dumps(
            [
                {"level": "error" if isinstance(event, Error) else "warning", "text": messages[i]}
                for i, event in enumerate(shown)
            ]
        )
    )


if __name__ == "__main__":
    main(*sys.argv[1:4])
