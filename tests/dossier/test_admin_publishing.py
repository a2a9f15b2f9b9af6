"""Reordering, scheduling, unpublishing, deleting, the picker and the preview."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from kispub.core.links import ContentLink
from kispub.dossier.models import DossierGroup, DossierItem, ItemKind
from kispub.dossier.services.ordering import Direction, move_group, move_item
from kispub.extensions import db
from tests.ateliers.helpers import make_atelier
from tests.clock import freeze
from tests.dossier.admin_helpers import NOW, fresh, item_form, make_sample
from tests.dossier.helpers import make_item

# The podcast's fixtures: an episode made from a real audio file.
from tests.podcast.conftest import make_episode, series

__all__ = ["make_episode", "series"]


@pytest.fixture
def clock(app):
    return freeze(app, NOW)


def titles_on_page(page: str, section: str) -> list[str]:
    """The item titles of one group of the public page, in their order."""
    part = page.split(f'id="groep-{section}"')[1].split("</section>")[0]
    return re.findall(r'<h3><a href="[^"]*">([^<]+)</a>', part)


def group_titles(page: str) -> list[str]:
    return re.findall(r'<h2 id="groep-[\w-]+">([^<]+)</h2>', page)


def test_items_and_groups_move_up_and_down_with_plain_posts(client, editor, clock) -> None:
    sample = make_sample()
    make_item(sample.dossier, group_id=sample.second.id, title="In de tweede groep")
    public = client.get("/dossiers/corona").text
    assert titles_on_page(public, "nieuwe-migratie") == ["Artikel C", "Artikel B", "Artikel A"]
    a, _b, c = sample.items

    response = client.post(
        f"/beheer/dossiers/items/{a.id}/verplaatsen", data={"richting": "omhoog"}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(f"#item-{a.id}")
    client.post(f"/beheer/dossiers/items/{c.id}/verplaatsen", data={"richting": "omlaag"})
    public = client.get("/dossiers/corona").text  # the cached list follows the revision
    assert titles_on_page(public, "nieuwe-migratie") == ["Artikel A", "Artikel C", "Artikel B"]

    assert group_titles(public) == ["Nieuwe migratie", "Participatie"]
    client.post(
        f"/beheer/dossiers/groepen/{sample.second.id}/verplaatsen", data={"richting": "omhoog"}
    )
    assert group_titles(client.get("/dossiers/corona").text) == ["Participatie", "Nieuwe migratie"]
    # The editors' page shows the same order, with only the buttons that can move something.
    overview = client.get(f"/beheer/dossiers/{sample.dossier.id}").text
    assert overview.index("Participatie</h3>") < overview.index("Nieuwe migratie</h3>")
    first_item = overview.split(f'id="item-{a.id}"')[1].split("</li>")[0]
    assert "Omlaag" in first_item and "Omhoog" not in first_item


def test_moving_past_either_end_changes_nothing(app, client, editor, clock) -> None:
    sample = make_sample()
    a, _b, c = sample.items  # shown C, B, A
    revision = fresh(sample.dossier).revision
    assert move_item(c.id, Direction.UP) is False
    assert move_item(a.id, Direction.DOWN) is False
    assert move_group(sample.first.id, Direction.UP) is False
    assert fresh(sample.dossier).revision == revision
    assert (
        client.post(
            f"/beheer/dossiers/items/{a.id}/verplaatsen", data={"richting": "opzij"}
        ).status_code
        == 400
    )
    assert (
        client.post(
            "/beheer/dossiers/items/999/verplaatsen", data={"richting": "omhoog"}
        ).status_code
        == 404
    )
    positions = db.session.scalars(select(DossierGroup.position).order_by(DossierGroup.id)).all()
    assert positions == [1, 2]


def test_a_scheduled_item_appears_once_its_time_has_passed(client, editor, clock) -> None:
    sample = make_sample()
    new = f"/beheer/dossiers/{sample.dossier.id}/items/nieuw?soort=artikel"
    values = item_form(title="Later nieuws", publication="ingepland", publish_at="2026-12-07T12:00")
    assert client.post(new, data=values).status_code == 302
    item = db.session.scalars(select(DossierItem).where(DossierItem.title == "Later nieuws")).one()
    assert item.published_at.isoformat() == "2026-12-07T11:00:00+00:00"  # 12:00 in Amsterdam
    overview = client.get(f"/beheer/dossiers/{sample.dossier.id}").text
    assert "Ingepland: maandag 7 december 2026 om 12:00" in overview
    assert "Later nieuws" not in client.get("/dossiers/corona").text
    clock.advance(minutes=59)
    assert "Later nieuws" not in client.get("/dossiers/corona").text
    clock.advance(minutes=1)
    page = client.get("/dossiers/corona").text
    assert "Later nieuws" in page
    assert "Artikel toegevoegd: Later nieuws" in page.split('id="wijzigingen"')[1]


def test_unpublishing_an_item_takes_it_off_the_page_and_notes_it(client, editor, clock) -> None:
    sample = make_sample()
    item = sample.items[0]
    response = client.post(f"/beheer/dossiers/items/{item.id}/offline", follow_redirects=True)
    assert "&#39;Artikel A&#39; is offline gehaald." in response.text
    assert fresh(item).published_at is None
    page = client.get("/dossiers/corona").text
    assert "Artikel A" not in page.split('id="wijzigingen"')[0]
    assert "Artikel teruggetrokken: Artikel A" in page
    overview = client.get(f"/beheer/dossiers/{sample.dossier.id}").text
    assert "Niet gepubliceerd" in overview.split(f'id="item-{item.id}"')[1].split("</li>")[0]
    # Published again through its form: back on the page.
    values = item_form(title="Artikel A", slug=item.slug, publication="gepubliceerd")
    client.post(f"/beheer/dossiers/items/{item.id}/bewerken", data=values)
    assert "Artikel A" in client.get("/dossiers/corona").text.split('id="wijzigingen"')[0]


def test_deleting_asks_first_then_removes_the_item_and_its_links(
    app, client, editor, clock
) -> None:
    sample = make_sample()
    atelier = make_atelier(title="Corona en lokaal bestuur")
    item = make_item(sample.dossier, ItemKind.ATELIER, link_id=atelier.id, title="Het atelier")
    confirm = client.get(f"/beheer/dossiers/items/{item.id}/verwijderen")
    assert confirm.status_code == 200
    assert "Item verwijderen?" in confirm.text and "Het atelier" in confirm.text
    assert fresh(item) is not None  # asking deletes nothing
    item_id = item.id
    response = client.post(f"/beheer/dossiers/items/{item_id}/verwijderen", follow_redirects=True)
    assert "&#39;Het atelier&#39; is verwijderd." in response.text
    db.session.rollback()
    assert db.session.get(DossierItem, item_id) is None
    assert (
        db.session.scalars(select(ContentLink).where(ContentLink.source_kind == "dossier")).all()
        == []
    )
    assert "Kennisatelier verwijderd: Het atelier" in client.get("/dossiers/corona").text
    assert client.get(f"/beheer/dossiers/items/{item_id}/verwijderen").status_code == 404


def test_the_picker_finds_episodes_and_ateliers_by_title(app, client, editor, make_episode) -> None:
    sample = make_sample()
    make_episode(title="Jaco Dagevos over de wet inburgering")
    wanted = make_episode(title="Corona en de arbeidsmarkt", fixture="aac.m4a")
    make_atelier(title="Corona, spanningen en lokaal bestuur")
    make_atelier(title="Taal en werk")
    new = f"/beheer/dossiers/{sample.dossier.id}/items/nieuw"

    def offered(page: str) -> list[str]:
        fieldset = page.split('id="link_id"')[1].split("</fieldset>")[0]
        return re.findall(r"<label for=\"link_id-\d+\">([^<(]+)", fieldset)

    episodes = client.get(new + "?soort=podcastaflevering&zoek=corona").text
    assert [t.strip() for t in offered(episodes)] == ["Corona en de arbeidsmarkt"]
    ateliers = client.get(new + "?soort=kennisatelier&zoek=LOKAAL bestuur").text
    assert [t.strip() for t in offered(ateliers)] == ["Corona, spanningen en lokaal bestuur"]
    nothing = client.get(new + "?soort=kennisatelier&zoek=klimaat").text
    assert "Niets gevonden met" in nothing

    values = item_form(title="Podcast over werk", link_id=str(wanted.id))
    del values["body"]
    response = client.post(new + "?soort=podcastaflevering&zoek=corona", data=values)
    assert response.status_code == 302
    item = db.session.scalars(
        select(DossierItem).where(DossierItem.title == "Podcast over werk")
    ).one()
    assert item.link_id == wanted.id
    # On the item's own form the chosen episode stays offered, whatever is searched.
    edit = client.get(f"/beheer/dossiers/items/{item.id}/bewerken?zoek=dagevos").text
    chosen = [t.strip() for t in offered(edit)]
    assert chosen == ["Jaco Dagevos over de wet inburgering", "Corona en de arbeidsmarkt"]
    assert re.search(rf'<input checked[^>]*value="{wanted.id}"', edit)


def test_the_preview_shows_drafts_and_scheduled_items_the_public_page_does_not(
    client, editor, clock
) -> None:
    sample = make_sample()
    make_item(sample.dossier, title="Nog een concept", published_at=None, group_id=sample.second.id)
    make_item(sample.dossier, title="Straks te zien", published_at=NOW.replace(hour=20))
    preview = client.get(f"/beheer/dossiers/{sample.dossier.id}/voorbeeld")
    assert preview.status_code == 200
    assert "Voorbeeld." in preview.text and '<meta name="robots" content="noindex">' in preview.text
    assert preview.headers["X-Robots-Tag"] == "noindex"
    assert preview.mimetype == "text/html"
    assert "private, no-store" in preview.headers["Cache-Control"]
    assert "Nog een concept" in preview.text and "Straks te zien" in preview.text
    public = client.get("/dossiers/corona").text
    assert "Nog een concept" not in public and "Straks te zien" not in public
    assert "Voorbeeld." not in public
    # The preview did not leave its drafts in the public page's cached list.
    client.post("/uitloggen")
    assert "Nog een concept" not in client.get("/dossiers/corona").text


def test_a_draft_dossier_has_a_preview_and_editors_a_way_in(client, login_as, clock) -> None:
    sample = make_sample()
    assert "Dit dossier beheren" not in client.get("/dossiers/corona").text
    assert "Dossiers beheren" not in client.get("/dossiers/").text
    login_as(role="editor")
    page = client.get("/dossiers/corona").text
    assert f'href="/beheer/dossiers/{sample.dossier.id}"' in page
    assert 'href="/beheer/dossiers/"' in client.get("/dossiers/").text
    client.post(f"/beheer/dossiers/{sample.dossier.id}/offline")
    assert client.get("/dossiers/corona").status_code == 404
    assert client.get(f"/beheer/dossiers/{sample.dossier.id}/voorbeeld").status_code == 200
