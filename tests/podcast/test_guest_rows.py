"""The upload and edit forms take show notes, themes and any number of people, no JavaScript."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from kispub.podcast.forms import MAX_GUESTS
from kispub.podcast.models import Episode, Series
from tests.factories import make_theme
from tests.podcast.conftest import FIXTURES, episode_count, media_files
from tests.podcast.test_editing import form_for, post

UPLOAD = "/beheer/podcast/nieuw"


def upload_form(series: Series, audio: bool = True, **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "series": str(series.id),
        "status": "draft",
        "episode_type": "full",
        "nonce": "gasten-nonce-123456",
        "title": "Met gasten",
        "show_notes": "Over **werk**.",
        **fields,
    }
    if audio:
        data["audio"] = (io.BytesIO((FIXTURES / "cbr_tagged.mp3").read_bytes()), "gesprek.mp3")
    return data


def kept_token(page: str) -> str:
    found = re.search(r'name="kept_audio" type="hidden" value="([^"]*)"', page)
    assert found is not None
    return found[1]


def test_adding_a_row_keeps_what_was_typed_and_the_audio(
    app: Flask, client: FlaskClient, series: Series, editor: Any
) -> None:
    make_theme("Arbeidsmarkt")
    first = upload_form(
        series,
        themes="arbeidsmarkt",
        add_guest="1",
        **{"guests-0-name": "Fatima", "guests-0-role": "guest"},
    )
    response = post(client, UPLOAD, first)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert episode_count() == 0  # nothing saved
    assert 'name="guests-1-name"' in page and 'name="guests-2-name"' not in page
    assert 'value="Fatima"' in page and "Over **werk**." in page
    assert 'value="arbeidsmarkt" checked' in page
    assert "Ontvangen: gesprek.mp3" in page
    token = kept_token(page)
    assert any(name.startswith(".staging/kept-") for name in media_files(app))

    # The second post has no file: the kept one becomes the episode's audio.
    second = upload_form(
        series,
        audio=False,
        kept_audio=token,
        themes="arbeidsmarkt",
        **{
            "guests-0-name": "Fatima",
            "guests-0-role": "guest",
            "guests-1-name": "Joost",
            "guests-1-role": "host",
        },
    )
    response = post(client, UPLOAD, second)
    assert response.status_code == 303, response.get_data(as_text=True)
    episode = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'value="Joost"' in episode and "Over **werk**." in episode
    assert not any(name.startswith(".staging/") for name in media_files(app))
    assert episode_count() == 1


def test_empty_rows_are_left_out(client: FlaskClient, series: Series, editor: Any) -> None:
    fields = {"guests-0-name": "", "guests-1-name": "Ayse", "guests-2-name": " "}
    response = post(client, UPLOAD, upload_form(series, **fields))
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert re.search(r'name="guests-0-name"[^>]*value="Ayse"', page)
    assert re.search(r'name="guests-1-name"[^>]*value=""', page)  # the empty row to add one
    assert 'name="guests-2-name"' not in page


def test_many_people_fit_and_one_more_than_allowed_is_a_clear_error(
    client: FlaskClient, series: Series, editor: Any
) -> None:
    names = {f"guests-{n}-name": f"Persoon {n}" for n in range(MAX_GUESTS)}
    response = post(client, UPLOAD, upload_form(series, add_guest="1", **names))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f"Een aflevering heeft ten hoogste {MAX_GUESTS} personen." in page
    assert f'name="guests-{MAX_GUESTS}-name"' not in page

    response = post(client, UPLOAD, upload_form(series, **names))
    assert response.status_code == 303
    too_many = {f"guests-{n}-name": f"Persoon {n}" for n in range(MAX_GUESTS + 1)}
    response = post(client, UPLOAD, upload_form(series, nonce="te-veel-nonce-1234", **too_many))
    assert response.status_code == 422
    assert "ten hoogste" in response.get_data(as_text=True)


def test_the_upload_page_has_the_new_fields(
    client: FlaskClient, series: Series, editor: Any
) -> None:
    page = client.get(UPLOAD).get_data(as_text=True)
    assert 'name="show_notes"' in page
    assert 'name="guests-0-name"' in page
    assert ">Nog een gast toevoegen</button>" in page and 'name="add_guest"' in page


def test_the_edit_form_adds_rows_and_keeps_new_audio(
    app: Flask, client: FlaskClient, make_episode: Callable[..., Episode], editor: Any
) -> None:
    episode = make_episode(title="Oud")
    before = episode.audio_key
    audio = (io.BytesIO((FIXTURES / "vorbis.ogg").read_bytes()), "nieuw.ogg")
    form = form_for(episode, title="Nieuw", audio=audio, add_guest="1")
    form["guests-0-name"] = "Eerste"
    path = f"/beheer/podcast/aflevering/{episode.id}"
    response = post(client, path, form)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'name="guests-2-name"' in page and 'value="Nieuw"' in page
    assert "Ontvangen: nieuw.ogg" in page
    form = form_for(episode, title="Nieuw", kept_audio=kept_token(page))
    form["guests-2-name"] = "Derde"
    assert post(client, path, form).status_code == 303
    page = client.get(path).get_data(as_text=True)
    assert 'value="Derde"' in page and 'value="Nieuw"' in page
    assert "audio/ogg" in page
    assert before.endswith(".mp3")


def test_a_forged_kept_audio_token_is_no_file(
    client: FlaskClient, series: Series, editor: Any
) -> None:
    form = upload_form(series, audio=False, kept_audio="kept-../../etc/passwd")
    response = post(client, UPLOAD, form)
    assert response.status_code == 422
    assert "Kies een audiobestand." in response.get_data(as_text=True)
    assert episode_count() == 0
