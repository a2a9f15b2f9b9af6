"""Related content: editors pick other channels' content by title, saved in one transaction."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from kispub.ateliers.links import related_ids
from kispub.ateliers.models import Atelier
from kispub.ateliers.queries import atelier_by_slug
from kispub.ateliers.services import editing
from kispub.ateliers.services.editing import AtelierError, update_atelier
from kispub.content import load_content
from kispub.core.links import LinkedItem, link_choices, linked_ids, register_content_kind
from kispub.extensions import db
from tests.ateliers.helpers import atelier_data, make_atelier

DEMO_MEDIA = Path(__file__).parents[2] / "kispub" / "demo" / "media"
EPISODES = {
    "aflevering-1": "Rotterdamse wethouder Bert Wijbenga",
    "aflevering-2": "Tienermeiden over shame sexting",
    "aflevering-3": "Imam Abdellah Mehraz",
}


def form(**overrides: Any) -> dict[str, Any]:
    """A valid submission of the atelier form, as a browser without JavaScript sends it."""
    values: dict[str, Any] = {
        "title": "Taal en werk",
        "starts_at": "2027-02-12T14:00",
        "ends_at": "2027-02-12T16:00",
        "venue_name": "Zaal De Populier",
        "status": "scheduled",
        "publication": "published",
        "nonce": "een-nonce-van-minstens-16-tekens",
    }
    values.update(overrides)
    return values


def page_text(client: FlaskClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return html.unescape(response.get_data(as_text=True))


def load_episodes(app: Flask, tmp_path: Path) -> dict[str, int]:
    """Import three published episodes through the podcast's content section; ids by title."""
    episodes = "".join(
        f'[[podcast_episodes]]\nseries = "denkers"\nslug = "{slug}"\ntitle = "{title}"\n'
        f'publish_at = 2020-06-0{n}T07:00:00+02:00\naudio = "{DEMO_MEDIA / slug}.mp3"\n\n'
        for n, (slug, title) in enumerate(EPISODES.items(), start=1)
    )
    path = tmp_path / "podcast.toml"
    path.write_text(
        '[[podcast_series]]\nslug = "denkers"\ntitle = "Denkers en doeners"\n'
        'description = "Gesprekken."\nauthor = "KIS"\nowner_name = "Redactie"\n'
        f'owner_email = "podcast@kis.example"\ncover = "{DEMO_MEDIA}/podcast-cover.jpg"\n\n'
        + episodes
    )
    load_content(path)
    with app.test_request_context():
        return {item.title: item.id for item in link_choices("episode")}


def fake_kind(app: Flask, kind: str, label: str, count: int) -> list[LinkedItem]:
    """Register a content kind with ``count`` items an editor can pick."""
    items = [
        LinkedItem(kind, n, f"{label} {n}", f"/{kind}/{n}", meta=f"meta {n}")
        for n in range(1, count + 1)
    ]

    def resolve(ids: Sequence[int]) -> list[LinkedItem]:
        return [item for item in items if item.id in ids]

    register_content_kind(app, kind, resolve, label=label, choices=lambda: list(items))
    return items


def count_ateliers() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Atelier)) or 0


@pytest.mark.usefixtures("editor")
def test_the_form_offers_the_podcasts_episodes_by_title(
    app: Flask, client: FlaskClient, tmp_path: Path
) -> None:
    ids = load_episodes(app, tmp_path)
    page = page_text(client, "/beheer/ateliers/nieuw")

    fieldset = page.split("<legend>Podcastafleveringen</legend>", 1)[1].split("</fieldset>")[0]
    for title, episode_id in ids.items():
        checkbox = re.search(
            rf'<input id="(related_episode-\d)" name="related_episode" type="checkbox" '
            rf'value="{episode_id}"> <label for="(related_episode-\d)">{re.escape(title)} '
            r'<span class="meta">\(Denkers en doeners · [^)]+\)</span></label>',
            fieldset,
        )
        assert checkbox and checkbox[1] == checkbox[2], title
    dossier = page.split("<legend>Dossieritems</legend>", 1)[1].split("</fieldset>")[0]
    assert "Er is nog niets om naar te verwijzen." in dossier  # no dossier items yet
    assert "<legend>Kennisateliers</legend>" not in page  # an atelier does not link to ateliers
    assert 'type="text" name="related' not in page  # never typing database ids


@pytest.mark.usefixtures("editor")
def test_picking_two_episodes_links_them_and_the_page_shows_them(
    app: Flask, client: FlaskClient, tmp_path: Path
) -> None:
    ids = load_episodes(app, tmp_path)
    first, second, third = (ids[EPISODES[f"aflevering-{n}"]] for n in (1, 2, 3))
    response = client.post("/beheer/ateliers/nieuw", data=form(related_episode=[second, first]))

    assert response.status_code == 302  # a plain form POST: no JavaScript involved
    atelier = atelier_by_slug("taal-en-werk")
    assert atelier is not None
    assert linked_ids("atelier", atelier.id, "episode") == [second, first]
    public = page_text(client, f"/kennisateliers/{atelier.slug}")
    listen = public.split("Luister ook", 1)[1].split("</section>")[0]
    assert EPISODES["aflevering-1"] in listen and EPISODES["aflevering-2"] in listen
    assert EPISODES["aflevering-3"] not in listen
    assert 'href="/podcast/denkers/aflevering-1"' in listen

    edit = page_text(client, f"/beheer/ateliers/{atelier.id}/bewerken")
    checked = re.findall(
        r'<input checked[^>]*value="(\d+)"|<input [^>]*checked[^>]*value="(\d+)"', edit
    )
    assert {int(a or b) for a, b in checked} == {first, second}
    unchanged = client.post(
        f"/beheer/ateliers/{atelier.id}/bewerken", data=form(related_episode=[second, first])
    )
    assert unchanged.status_code == 302
    assert "Er was niets gewijzigd." in page_text(client, f"/beheer/ateliers/{atelier.id}/bewerken")
    client.post(f"/beheer/ateliers/{atelier.id}/bewerken", data=form(related_episode=[third]))
    db.session.rollback()
    assert linked_ids("atelier", atelier.id, "episode") == [third]
    client.post(f"/beheer/ateliers/{atelier.id}/bewerken", data=form())  # all unticked
    db.session.rollback()
    assert linked_ids("atelier", atelier.id, "episode") == []


@pytest.mark.usefixtures("editor")
@pytest.mark.parametrize(
    ("forged", "shown"), [("7", "7"), ("drie", "drie"), ("9" * 30, "9" * 30), ("-1", "-1")]
)
def test_a_forged_id_is_refused_with_a_message(
    app: Flask, client: FlaskClient, forged: str, shown: str
) -> None:
    fake_kind(app, "episode", "Podcastafleveringen", 3)
    response = client.post("/beheer/ateliers/nieuw", data=form(related_episode=["2", forged]))

    assert response.status_code == 200
    page = html.unescape(response.get_data(as_text=True))
    assert f"Kies alleen uit de lijst: {shown} bestaat niet (meer)." in page
    assert 'role="alert"' in page and 'href="#related_episode"' in page
    assert count_ateliers() == 0


@pytest.mark.usefixtures("editor")
def test_every_registered_kind_gets_its_own_group(app: Flask, client: FlaskClient) -> None:
    fake_kind(app, "episode", "Podcastafleveringen", 2)
    fake_kind(app, "dossier", "Dossieritems", 2)
    register_content_kind(app, "post", lambda ids: [], label="Berichten")  # nothing to pick
    page = page_text(client, "/beheer/ateliers/nieuw")

    assert page.index("<legend>Podcastafleveringen</legend>") < page.index(
        "<legend>Dossieritems</legend>"
    )
    assert (
        '<label for="related_dossier-1">Dossieritems 2 <span class="meta">(meta 2)</span>' in page
    )
    assert "Berichten" not in page
    response = client.post(
        "/beheer/ateliers/nieuw", data=form(related_episode=["1"], related_dossier=["2", "1"])
    )
    assert response.status_code == 302
    atelier = atelier_by_slug("taal-en-werk")
    assert atelier is not None
    assert related_ids(atelier) == {"episode": [1], "dossier": [2, 1]}
    public = page_text(client, f"/kennisateliers/{atelier.slug}")
    assert "Lees ook" in public and '<a href="/dossier/2">Dossieritems 2</a>' in public


def test_the_service_refuses_what_is_not_offered_and_writes_nothing(app: Flask) -> None:
    fake_kind(app, "episode", "Podcastafleveringen", 6)
    atelier = make_atelier()
    data = atelier_data(slug=atelier.slug, title="Nieuwe titel", starts_at=atelier.starts_at)

    with pytest.raises(AtelierError, match="Podcastafleveringen: 7 bestaat niet") as raised:
        update_atelier(atelier.id, replace(data, related={"episode": (2, 7)}))
    assert raised.value.field == "episode"
    with pytest.raises(AtelierError, match="niet naar 'elders' verwijzen"):
        update_atelier(atelier.id, replace(data, related={"elders": (1,)}))
    db.session.rollback()
    assert db.session.get(Atelier, atelier.id).title == atelier.title
    assert related_ids(atelier) == {"episode": [], "dossier": []}


def test_one_save_is_one_transaction(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_kind(app, "episode", "Podcastafleveringen", 3)
    fake_kind(app, "dossier", "Dossieritems", 3)
    atelier = make_atelier()
    data = atelier_data(slug=atelier.slug, title="Nieuwe titel", starts_at=atelier.starts_at)
    real_set_links = editing.set_links

    def fail_on_dossier(source: str, source_id: int, kind: str, ids: Sequence[int]) -> None:
        if kind == "dossier":
            raise RuntimeError("database gone")
        real_set_links(source, source_id, kind, ids)

    monkeypatch.setattr(editing, "set_links", fail_on_dossier)
    with pytest.raises(RuntimeError):
        update_atelier(atelier.id, replace(data, related={"episode": (1,), "dossier": (2,)}))

    db.session.rollback()
    assert db.session.get(Atelier, atelier.id).title == atelier.title
    assert related_ids(atelier) == {"episode": [], "dossier": []}
