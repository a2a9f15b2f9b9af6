"""The function the sandbox child runs on an upload (see :mod:`kispub.dossier.files.prepare`).

The parsers are imported here, up front, so the sandbox server has them loaded before it
forks: every child starts warm.
"""

from __future__ import annotations

from typing import Any

from kispub.dossier.files.images import inspect_image
from kispub.dossier.files.pdf import inspect_pdf
from kispub.dossier.files.sniff import SNIFF_BYTES, sniff


def inspect_file(path: str, out_prefix: str, limits: dict[str, Any]) -> dict[str, Any]:
    """Check the file at ``path`` and write its clean copy and thumbnails next to
    ``out_prefix``; what was learned, as plain data. FileError for what we refuse."""
    with open(path, "rb") as handle:
        kind = sniff(handle.read(SNIFF_BYTES))
    if kind.is_pdf:
        found = inspect_pdf(path, out_prefix, limits)
    else:
        found = inspect_image(path, kind.name, out_prefix, limits)
    return {"type": kind.name, **found}
