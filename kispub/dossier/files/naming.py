"""Safe file names: what a download is called, whatever the uploader's file was called."""

from __future__ import annotations

import re
import unicodedata
from pathlib import PurePosixPath, PureWindowsPath

from kispub.core.text import clean_line

MAX_LENGTH = 120
_UNSAFE = re.compile(r'[\x00-\x1f\x7f"\\/:*?<>|;%]+')
_SPACES = re.compile(r"\s+")


def safe_filename(uploaded: str | None, extension: str, fallback: str = "bestand") -> str:
    """The upload's own name without folders or characters that break headers or file
    systems, ending in the extension its content has (".pdf" for a PDF called "x.png")."""
    name = PureWindowsPath(PurePosixPath(uploaded or "").name).name  # "C:\\a\\b.pdf" too
    name = unicodedata.normalize("NFC", clean_line(name))
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stem = _SPACES.sub(" ", _UNSAFE.sub("-", stem)).strip(" .-")
    stem = stem[:MAX_LENGTH].rstrip(" .-") or fallback
    return stem + extension
