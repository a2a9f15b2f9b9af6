"""The refusals of the podcast services (their messages are Dutch, meant for the editor)."""

from __future__ import annotations


class PodcastError(ValueError):
    """A change we refuse; ``field`` names the form field the message belongs to."""

    field = "title"


class DuplicateNumber(PodcastError):
    """Another episode of the series has this number in this season."""

    field = "number"
