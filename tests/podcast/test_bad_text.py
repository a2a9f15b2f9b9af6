"""One bad character must not take the feed down, and huge numbers are a 404, not a 500."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from lxml import etree
from mutagen.id3 import ID3, TIT2
from sqlalchemy import update

from kispub.core import public
from kispub.core.database import write_transaction
from kispub.extensions import db
from kispub.podcast import services
from kispub.podcast.models import Episode, Guest, Series
from kispub.podcast.services import EpisodeData, EpisodeFiles
from tests.podcast.conftest import FIXTURES, Clock
from tests.podcast.test_editing import form_for, post

HUGE = "99999999999999999999999"


def feed_of(client: FlaskClient, series: Series) -> etree._Element:
    response = client.get(f"/podcast/{series.slug}/feed.xml")
    assert response.status_code == 200, response.status_code
    return etree.fromstring(response.data)


def test_text_stored_before_the_rule_cannot_break_the_feed(
    client: FlaskClient, series: Series, make_episode: Callable[..., Episode]
) -> None:
    """Rows written before the rule (or by hand) are cleaned where the feed is built."""
    episode = make_episode(title="Goed")
    with write_transaction():
        db.session.execute(
            update(Episode)
            .where(Episode.id == episode.id)
            .values(
                title="Titel\x01met\x0bstuurteken",
                show_notes="Noten\x02 en \ufffe meer",
                chapters=[{"start_ms": 0, "title": "Hoofd\x1fstuk"}],
            )
        )
        db.session.add(Guest(episode_id=episode.id, position=0, name="Gast\x7f", role="guest"))
        db.session.execute(update(Series).values(title="Serie\x08", description="Over\x0c"))
    public.publish(rebuild=True)  # statements by hand: the worker's run after a change
    feed = feed_of(client, series)
    assert feed.findtext("channel/item/title") == "Titelmet\nstuurteken"
    assert feed.findtext("channel/title") == "Serie"


def test_control_characters_typed_in_the_edit_form_are_not_stored(
    client: FlaskClient, editor: Any, series: Series, make_episode: Callable[..., Episode]
) -> None:
    episode = make_episode()
    changes = {
        "title": "Nieuwe\x0btitel\x01",
        "show_notes": "Eerste regel\r\nTweede\x00regel",
        "chapters": "0:00 Begin\x01\n0:03 Einde",
        "guests-0-name": "Noor\x1b Proef",
    }
    response = post(
        client, f"/beheer/podcast/aflevering/{episode.id}", form_for(episode, **changes)
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    db.session.refresh(episode)
    assert episode.title == "Nieuwe titel"
    assert episode.show_notes == "Eerste regel\nTweederegel"
    assert [c["title"] for c in episode.chapters] == ["Begin", "Einde"]
    assert [g.name for g in episode.guests] == ["Noor Proef"]
    assert feed_of(client, series).findtext("channel/item/title") == "Nieuwe titel"


def test_an_id3_title_with_control_characters_becomes_a_clean_title(
    app: Flask, client: FlaskClient, series: Series, tmp_path: Path
) -> None:
    """The title field left empty: the file's own title is used, and cleaned."""
    audio = tmp_path / "gesprek.mp3"
    shutil.copyfile(FIXTURES / "cbr_tagged.mp3", audio)
    tags = ID3(audio)
    tags.setall("TIT2", [TIT2(encoding=3, text=["Gesprek\x01 over\r\nwerk\x0b"])])
    tags.save(audio)
    with app.test_request_context(), audio.open("rb") as stream:
        created = services.create_episode(
            series.id, EpisodeData(status="published"), EpisodeFiles(stream)
        )
    assert created.item is not None and created.item.title == "Gesprek over werk"
    assert feed_of(client, series).findtext("channel/item/title") == "Gesprek over werk"


@pytest.mark.parametrize("pagina", [HUGE, "-" + HUGE, "2147483648", "0", "x" * 5000, "9" * 5000])
def test_a_huge_page_number_is_not_found(
    client: FlaskClient, series: Series, clock: Clock, pagina: str
) -> None:
    response = client.get(f"/podcast/{series.slug}/?pagina={pagina}")
    assert response.status_code in (200, 404)
    assert client.get(f"/podcast/{series.slug}/?pagina={HUGE}").status_code == 404


@pytest.mark.parametrize(
    "path",
    ["/beheer/podcast/aflevering/{n}", "/beheer/podcast/aflevering/{n}/audio",
     "/beheer/podcast/serie/{n}"],
)  # fmt: skip
@pytest.mark.parametrize("number", [HUGE, str(2**31), str(2**63)])
def test_huge_ids_in_the_back_office_are_not_found(
    client: FlaskClient, editor: Any, path: str, number: str
) -> None:
    assert client.get(path.format(n=number)).status_code == 404
    assert client.post(path.format(n=number), data={"title": "x"}).status_code in (404, 405)
