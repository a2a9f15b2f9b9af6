"""Refusal messages made without an application, translated in the request."""

from __future__ import annotations

import pytest
from flask import Flask

from kispub.core.refusals import Refusal, Text
from kispub.podcast.media.common import truncated_message
from kispub.podcast.media.formats import refusal_message

pytestmark = pytest.mark.dialect_free


def test_the_dutch_text_is_the_message_id_with_its_parameters() -> None:
    text = truncated_message(0.25, 60, 45)
    assert str(text) == (
        "Het audiobestand lijkt afgekapt: ongeveer 25% van de audio ontbreekt "
        "(volgens de kop 1:00, aanwezig 0:45). Upload het volledige bestand opnieuw."
    )
    assert str(Refusal("100% zeker, zonder parameters")) == "100% zeker, zonder parameters"


def test_a_request_translates_the_message_and_its_parameters(app: Flask) -> None:
    error = Refusal(refusal_message(b"RIFF\0\0\0\0WAVE"))
    with app.test_request_context("/"):
        shown = error.translated()
    assert shown == str(error)
    assert shown.endswith("Het lijkt een WAV-bestand te zijn.")


def test_text_survives_its_plain_data_form() -> None:
    text = Text("%(a)s en %(b)s", {"a": 1, "b": Text("%(c)s", {"c": 2.5})})
    assert Text.from_data(text.to_data()) == text
