"""The editors' forms: every field's Dutch message, creating once, editing, featuring."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import func, select

from kispub.dossier.models import Dossier, DossierChange, DossierGroup, DossierItem
from kispub.extensions import db
from tests.clock import freeze
from tests.dossier.admin_helpers import NOW, dossier_form, fresh, item_form, make_sample
from tests.dossier.helpers import make_dossier, make_item
from tests.factories import make_theme


@pytest.fixture
def clock(app):
    return freeze(app, NOW)


def error(page: str, field: str) -> str:
    """The message shown at ``field`` (tied to it by id, as screen readers read it)."""
    found = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', page)
    assert found is not None, f"no error at {field}"
    return html.unescape(found.group(1))


def checked(page: str) -> str:
    """The publication the form has chosen."""
    found = re.search(r'<input checked[^>]*name="publication"[^>]*value="(\w+)"', page)
    assert found is not None
    return found.group(1)


def count(model: type) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model)) or 0


# -- the dossier form --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title": ""}, "title", "Dit veld is verplicht."),
        ({"title": "x" * 201}, "title", "Gebruik hoogstens 200 tekens."),
        ({"slug": "Met Spaties"}, "slug", "Gebruik alleen kleine letters, cijfers en streepjes."),
        ({"slug": "corona"}, "slug", "Er is al een dossier met deze korte naam."),
        ({"summary": "x" * 301}, "summary", "Gebruik hoogstens 300 tekens."),
        ({"introduction": "x" * 20001}, "introduction", "Gebruik hoogstens 20000 tekens."),
        ({"ends_on": "31-12"}, "ends_on", "Vul een datum in, zoals 01-06-2020."),
        ({"ends_on": "2200-01-01"}, "ends_on", "2100"),
        ({"publication": "ingepland"}, "publish_at", "Vul het moment in waarop"),
        (
            {"publication": "ingepland", "publish_at": "2026-12-07T10:59"},
            "publish_at",
            "Kies een moment in de toekomst, of publiceer meteen.",
        ),
        (
            {"publication": "ingepland", "publish_at": "2027-03-28T02:30"},
            "publish_at",
            "bestaat niet: die nacht gaat de klok van 02:00 naar 03:00",
        ),
        ({"publish_at": "morgen"}, "publish_at", "Vul een datum en tijd in"),
        ({"publication": "straks"}, "publication", "Ongeldige keuze."),
        ({"change_note": "x" * 501}, "change_note", "Gebruik hoogstens 500 tekens."),
    ],
)
def test_the_dossier_form_says_in_dutch_what_is_wrong(
    client, editor, clock, overrides, field, message
) -> None:
    make_sample()
    before = count(Dossier)
    response = client.post("/beheer/dossiers/nieuw", data=dossier_form(**overrides))
    assert response.status_code == 200
    assert message in error(response.text, field)
    assert "Controleer het formulier" in response.text
    assert count(Dossier) == before


def test_a_dossier_is_created_once_as_a_draft_then_scheduled(client, editor, clock) -> None:
    first = client.post("/beheer/dossiers/nieuw", data=dossier_form())
    again = client.post("/beheer/dossiers/nieuw", data=dossier_form())  # a double click
    assert first.status_code == again.status_code == 302
    assert first.headers["Location"] == again.headers["Location"]
    assert count(Dossier) == 1
    dossier = db.session.scalars(select(Dossier)).one()
    assert (dossier.slug, dossier.published_at) == ("klimaatdossier", None)
    assert client.get("/dossiers/klimaatdossier").status_code == 404

    edit = f"/beheer/dossiers/{dossier.id}/bewerken"
    assert checked(client.get(edit).text) == "concept"
    response = client.post(
        edit, data=dossier_form(publication="ingepland", publish_at="2026-12-08T09:00")
    )
    assert response.status_code == 302
    assert fresh(dossier).published_at.isoformat() == "2026-12-08T08:00:00+00:00"  # 9:00 CET
    page = client.get(edit).text
    assert checked(page) == "ingepland" and 'value="2026-12-08T09:00"' in page
    clock.advance(days=1)
    assert client.get("/dossiers/klimaatdossier").status_code == 200


def test_publishing_and_taking_a_dossier_offline(client, editor, clock) -> None:
    dossier = make_dossier(slug="klimaat", published_at=None)
    assert "Niet gepubliceerd" in client.get("/beheer/dossiers/").text
    client.post(f"/beheer/dossiers/{dossier.id}/publiceren")
    assert fresh(dossier).published_at == NOW
    assert client.get("/dossiers/klimaat").status_code == 200
    # Saving the form of a public dossier keeps its first moment.
    clock.advance(hours=2)
    client.post(
        f"/beheer/dossiers/{dossier.id}/bewerken",
        data=dossier_form(
            publication="gepubliceerd",
            title="Klimaat",
            slug="klimaat",
            change_note="Inleiding herschreven.",
        ),
    )
    assert fresh(dossier).published_at == NOW
    assert "Inleiding herschreven." in client.get("/dossiers/klimaat").text
    client.post(f"/beheer/dossiers/{dossier.id}/offline")
    assert fresh(dossier).published_at is None
    assert client.get("/dossiers/klimaat").status_code == 404


# -- the group form ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title": ""}, "title", "Dit veld is verplicht."),
        ({"slug": "Nee!"}, "slug", "Gebruik alleen kleine letters, cijfers en streepjes."),
        ({"slug": "participatie"}, "slug", "Dit dossier heeft al een groep met deze korte naam."),
        ({"description": "x" * 5001}, "description", "Gebruik hoogstens 5000 tekens."),
        ({"title": "x" * 201}, "title", "Gebruik hoogstens 200 tekens."),
    ],
)
def test_the_group_form_says_in_dutch_what_is_wrong(
    client, editor, clock, overrides, field, message
) -> None:
    sample = make_sample()
    values = {"title": "Werk", "slug": "", "description": "", "nonce": "n" * 24, **overrides}
    response = client.post(f"/beheer/dossiers/{sample.dossier.id}/groepen/nieuw", data=values)
    assert message in error(response.text, field)
    assert count(DossierGroup) == 2


def test_a_group_is_added_last_and_edited(client, editor, clock) -> None:
    sample = make_sample()
    values = {
        "title": "Werk en inkomen",
        "slug": "",
        "description": "Over *werk*.",
        "nonce": "n" * 24,
    }
    response = client.post(f"/beheer/dossiers/{sample.dossier.id}/groepen/nieuw", data=values)
    assert response.status_code == 302
    groups = db.session.scalars(select(DossierGroup).order_by(DossierGroup.position)).all()
    assert [g.slug for g in groups] == ["nieuwe-migratie", "participatie", "werk-en-inkomen"]
    client.post(
        f"/beheer/dossiers/groepen/{groups[2].id}/bewerken",
        data={"title": "Werk", "slug": "werk", "description": ""},
    )
    assert fresh(groups[2]).title == "Werk"
    assert 'id="groep-werk"' not in client.get("/dossiers/corona").text  # empty: not shown


# -- the item form -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "overrides", "field", "message"),
    [
        ("artikel", {"title": ""}, "title", "Dit veld is verplicht."),
        ("artikel", {"slug": "feed"}, "slug", "Kies een andere korte naam"),
        ("artikel", {"slug": "A B"}, "slug", "Gebruik alleen kleine letters"),
        ("artikel", {"summary": "x" * 601}, "summary", "Gebruik hoogstens 600 tekens."),
        ("artikel", {"body": ""}, "body", "Een artikel heeft altijd een HTML-versie"),
        ("publicatie", {"body": " "}, "body", "Een publicatie heeft altijd een HTML-versie"),
        ("infographic", {}, "text_alternative", "Een infographic heeft een tekstalternatief"),
        (
            "infographic",
            {"text_alternative": "x" * 50001},
            "text_alternative",
            "Gebruik hoogstens 50000 tekens.",
        ),
        ("externe-link", {"external_url": "x" * 501}, "external_url", "Gebruik hoogstens 500"),
        ("artikel", {"publication": "straks"}, "publication", "Ongeldige keuze."),
        (
            "externe-link",
            {"external_url": "javascript:alert(1)"},
            "external_url",
            "Vul een webadres in dat begint met https://",
        ),
        ("podcastaflevering", {}, "link_id", "Kies een bestaande podcastaflevering."),
        ("kennisatelier", {"link_id": "999"}, "link_id", "Kies een bestaande kennisatelier."),
        (
            "kennisatelier",
            {"link_id": "geen"},
            "link_id",
            "Ongeldige keuze: kon niet omgezet worden.",
        ),
        ("artikel", {"dated_on": ""}, "dated_on", "Dit veld is verplicht."),
        ("artikel", {"dated_on": "1 juni"}, "dated_on", "Vul een datum in, zoals 01-06-2020."),
        ("artikel", {"dated_on": "1800-01-01"}, "dated_on", "1900"),
        ("artikel", {"group_id": "999"}, "group_id", "Ongeldige keuze."),
        ("artikel", {"themes": "bestaat-niet"}, "themes", "'bestaat-niet' is een ongeldige keuze"),
        ("artikel", {"featured_position": "4"}, "featured_position", "Ongeldige keuze."),
        (
            "artikel",
            {"featured_position": "1", "publication": "concept"},
            "featured_position",
            "Alleen een gepubliceerd of ingepland item kan worden uitgelicht.",
        ),
        (
            "artikel",
            {"publication": "ingepland", "publish_at": ""},
            "publish_at",
            "Vul het moment in",
        ),
        (
            "artikel",
            {"publication": "ingepland", "publish_at": "2026-12-07T11:00"},
            "publish_at",
            "Kies een moment in de toekomst",
        ),
        ("artikel", {"change_note": "x" * 501}, "change_note", "Gebruik hoogstens 500 tekens."),
    ],
)
def test_the_item_form_says_in_dutch_what_is_wrong(
    client, editor, clock, kind, overrides, field, message
) -> None:
    sample = make_sample()
    make_theme("Participatie")
    values = item_form(**overrides)
    response = client.post(
        f"/beheer/dossiers/{sample.dossier.id}/items/nieuw?soort={kind}", data=values
    )
    assert response.status_code == 200
    assert message in error(response.text, field)
    assert count(DossierItem) == 3


def test_the_form_asks_only_what_the_kind_needs(client, editor, clock) -> None:
    sample = make_sample()
    new = f"/beheer/dossiers/{sample.dossier.id}/items/nieuw"
    assert "Soort item" in client.get(new).text
    assert client.get(new + "?soort=gedicht").status_code == 404
    article = client.get(new + "?soort=artikel").text
    assert 'name="body"' in article and 'name="text_alternative"' not in article
    infographic = client.get(new + "?soort=infographic").text
    assert 'name="text_alternative"' in infographic and 'name="body"' not in infographic
    link = client.get(new + "?soort=externe-link").text
    assert 'name="external_url"' in link and 'name="link_id"' not in link
    episode = client.get(new + "?soort=podcastaflevering").text
    assert 'role="search"' in episode and 'name="body"' not in episode


def test_an_item_is_created_once_edited_and_moved_to_another_group(client, editor, clock) -> None:
    sample = make_sample()
    theme = make_theme("Participatie")
    new = f"/beheer/dossiers/{sample.dossier.id}/items/nieuw?soort=artikel"
    values = item_form(group_id=str(sample.first.id), themes=theme.slug)
    assert client.post(new, data=values).status_code == 302
    assert client.post(new, data=values).status_code == 302  # a double click: one item
    assert count(DossierItem) == 4
    item = db.session.scalars(
        select(DossierItem).where(DossierItem.slug == "thuiswerken-en-inburgering")
    ).one()
    assert item.published_at == NOW and [t.slug for t in item.themes] == ["participatie"]
    assert "Thuiswerken en inburgering" in client.get("/dossiers/corona").text

    edit = f"/beheer/dossiers/items/{item.id}/bewerken"
    page = client.get(edit).text
    assert (
        'value="De **tekst** van het artikel."' not in page
        and "De **tekst** van het artikel." in page
    )
    make_item(sample.dossier, group_id=sample.second.id, title="Al in de tweede groep")
    moved = item_form(group_id=str(sample.second.id), slug="thuiswerken", title="Thuiswerken")
    assert client.post(edit, data=moved).status_code == 302
    item = fresh(item)
    assert (item.slug, item.group_id) == ("thuiswerken", sample.second.id)
    in_second = db.session.scalars(
        select(DossierItem.title)
        .where(DossierItem.group_id == sample.second.id)
        .order_by(DossierItem.position)
    ).all()
    assert in_second == ["Thuiswerken", "Al in de tweede groep"]  # first in its new group


def test_at_most_three_items_are_featured(client, editor, clock) -> None:
    sample = make_sample()
    fourth = make_item(sample.dossier, title="Artikel D")
    items = [*sample.items, fourth]
    for place, item in enumerate(items[:3], start=1):
        values = item_form(title=item.title, slug=item.slug, featured_position=str(place))
        assert (
            client.post(f"/beheer/dossiers/items/{item.id}/bewerken", data=values).status_code
            == 302
        )
    values = item_form(title=fourth.title, slug=fourth.slug, featured_position="1")
    client.post(f"/beheer/dossiers/items/{fourth.id}/bewerken", data=values)
    db.session.rollback()
    featured = db.session.scalars(
        select(DossierItem.title)
        .where(DossierItem.featured_position.is_not(None))
        .order_by(DossierItem.featured_position)
    ).all()
    assert featured == ["Artikel D", "Artikel B", "Artikel C"]  # D took place 1 from A
    page = client.get("/dossiers/corona").text
    cards = page.split('id="uitgelicht"')[1].split("</section>")[0]
    assert cards.count('class="card dossier-featured"') == 3


def test_a_change_note_appears_in_the_public_history(client, editor, clock) -> None:
    sample = make_sample()
    item = sample.items[0]
    values = item_form(title=item.title, slug=item.slug, change_note="Cijfers bijgewerkt.")
    client.post(f"/beheer/dossiers/items/{item.id}/bewerken", data=values)
    assert count(DossierChange) == 1
    history = client.get("/dossiers/corona").text.split('id="wijzigingen"')[1]
    assert "Cijfers bijgewerkt." in history
