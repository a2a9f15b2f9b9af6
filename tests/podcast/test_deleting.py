"""Deleting an episode: a page that says what goes, then a POST with CSRF; no JavaScript."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from kispub.accounts.models import Role
from kispub.podcast import queries
from kispub.podcast.models import Episode
from kispub.podcast.services import ChapterData

CONFIRM = "/beheer/podcast/aflevering/{}/verwijderen"


def test_the_confirmation_page_says_what_goes_and_deletes_nothing(
    client: FlaskClient, make_episode: Callable[..., Episode], editor: Any
) -> None:
    episode = make_episode(
        title="Wat blijft er over",
        transcript="gesprek.vtt",
        chapters=(ChapterData(0, "Begin"), ChapterData(2000, "Midden")),
    )
    page = client.get(CONFIRM.format(episode.id))
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Aflevering verwijderen?" in text
    assert "Wat blijft er over" in text
    assert "Het audiobestand" in text
    assert "Het transcript" in text
    assert "2 hoofdstukken" in text
    assert "De downloadstatistiek: 0 downloads" in text
    main = text.split("<main", 1)[1].split("</main>")[0]
    assert 'method="post"' in main and "<script" not in main
    assert queries.episode_for_editing(episode.id) is not None


def test_the_edit_page_links_to_the_confirmation_instead_of_deleting(
    client: FlaskClient, make_episode: Callable[..., Episode], editor: Any
) -> None:
    episode = make_episode()
    text = client.get(f"/beheer/podcast/aflevering/{episode.id}").get_data(as_text=True)
    assert f'href="{CONFIRM.format(episode.id)}"' in text
    assert f'action="{CONFIRM.format(episode.id)}"' not in text


def test_posting_the_confirmation_deletes(
    client: FlaskClient, make_episode: Callable[..., Episode], editor: Any
) -> None:
    episode_id = make_episode(title="Weg ermee").id
    response = client.post(CONFIRM.format(episode_id))
    assert response.status_code == 303
    assert queries.episode_for_editing(episode_id) is None
    assert "Weg ermee" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_a_post_without_its_csrf_token_deletes_nothing(
    app: Flask, client: FlaskClient, make_episode: Callable[..., Episode], editor: Any
) -> None:
    episode_id = make_episode().id
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post(CONFIRM.format(episode_id))
        assert response.status_code == 400
        assert queries.episode_for_editing(episode_id) is not None
        page = client.get(CONFIRM.format(episode_id)).get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
        assert token is not None
        # Over https Flask-WTF also wants a same-origin Referer, as a browser sends.
        client.environ_base["HTTP_REFERER"] = "https://localhost/"
        response = client.post(CONFIRM.format(episode_id), data={"csrf_token": token[1]})
        assert response.status_code == 303
        assert queries.episode_for_editing(episode_id) is None
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_only_editors_see_the_page_and_a_missing_episode_is_404(
    client: FlaskClient, make_episode: Callable[..., Episode], login_as: Callable[..., Any]
) -> None:
    episode_id = make_episode().id
    assert client.get(CONFIRM.format(episode_id)).status_code in (302, 401, 403)
    login_as(role=Role.MEMBER)
    assert client.post(CONFIRM.format(episode_id)).status_code in (302, 403)
    assert queries.episode_for_editing(episode_id) is not None


def test_a_missing_episode_is_404(client: FlaskClient, editor: Any, series: Any) -> None:
    assert client.get(CONFIRM.format(999)).status_code == 404
    assert client.post(CONFIRM.format(999)).status_code == 404
