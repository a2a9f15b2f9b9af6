"""The dossier back office: editors only on every route, CSRF on every form, no N+1."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from kispub.accounts.models import Role
from kispub.dossier.models import Dossier, DossierChange, DossierGroup, DossierItem, ItemKind
from kispub.extensions import db
from tests.clock import freeze
from tests.dossier.admin_helpers import NOW, dossier_form, item_form, make_sample
from tests.dossier.helpers import make_dossier, make_group, make_item
from tests.factories import make_theme
from tests.queries import count_queries

PAGES = [
    "/beheer/dossiers/",
    "/beheer/dossiers/nieuw",
    "/beheer/dossiers/{dossier}",
    "/beheer/dossiers/{dossier}/bewerken",
    "/beheer/dossiers/{dossier}/voorbeeld",
    "/beheer/dossiers/{dossier}/groepen/nieuw",
    "/beheer/dossiers/groepen/{group}/bewerken",
    "/beheer/dossiers/{dossier}/items/nieuw",
    "/beheer/dossiers/{dossier}/items/nieuw?soort=kennisatelier",
    "/beheer/dossiers/items/{item}/bewerken",
    "/beheer/dossiers/items/{item}/verwijderen",
]
POSTS = [
    "/beheer/dossiers/nieuw",
    "/beheer/dossiers/{dossier}/bewerken",
    "/beheer/dossiers/{dossier}/publiceren",
    "/beheer/dossiers/{dossier}/offline",
    "/beheer/dossiers/{dossier}/groepen/nieuw",
    "/beheer/dossiers/groepen/{group}/bewerken",
    "/beheer/dossiers/groepen/{group}/verplaatsen",
    "/beheer/dossiers/{dossier}/items/nieuw?soort=artikel",
    "/beheer/dossiers/items/{item}/bewerken",
    "/beheer/dossiers/items/{item}/verplaatsen",
    "/beheer/dossiers/items/{item}/offline",
    "/beheer/dossiers/items/{item}/verwijderen",
]
REFUSED = "Het formulier is verlopen of ongeldig"  # kispub/core/errors.py, the CSRF page
# Values that make each form valid, so that only the token (or the role) is missing.
FIELDS = {**dossier_form(), **item_form(), "title": "Zonder token", "richting": "omlaag"}


def test_the_route_lists_cover_every_back_office_route(app: Flask) -> None:
    rules = {r.rule for r in app.url_map.iter_rules() if r.endpoint.startswith("dossier_admin.")}
    listed = {re.sub(r"\{(\w+)\}", "x", p.split("?")[0]) for p in PAGES + POSTS}
    covered = {re.sub(r"<int:\w+>", "x", rule) for rule in rules}
    assert covered == listed


@pytest.mark.parametrize("path", PAGES)
def test_pages_are_for_editors_only(app, client: FlaskClient, login_as, path: str) -> None:
    freeze(app, NOW)
    url = make_sample().url(path)
    response = client.get(url)
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]
    login_as(role=Role.MEMBER)
    assert client.get(url).status_code == 403
    client.post("/uitloggen")
    login_as(role=Role.EDITOR)
    response = client.get(url)
    assert response.status_code == 200
    assert "private, no-store" in response.headers["Cache-Control"]


def counts() -> tuple[int, ...]:
    db.session.rollback()
    tables = (Dossier, DossierGroup, DossierItem, DossierChange)
    state = db.session.scalars(select(DossierItem.published_at).order_by(DossierItem.id))
    positions = db.session.scalars(select(DossierItem.position).order_by(DossierItem.id))
    revisions = db.session.scalar(select(func.sum(Dossier.revision)))
    return (
        *(db.session.scalar(select(func.count()).select_from(t)) or 0 for t in tables),
        hash((tuple(state), tuple(positions), revisions)),
    )


@pytest.mark.parametrize("path", POSTS)
def test_forms_refuse_anonymous_users_and_members(app, client, login_as, path: str) -> None:
    freeze(app, NOW)
    url = make_sample().url(path)
    before = counts()
    response = client.post(url, data=FIELDS)
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]
    login_as(role=Role.MEMBER)
    assert client.post(url, data=FIELDS).status_code == 403
    assert counts() == before


def test_the_list_pages_take_the_same_queries_for_many_dossiers_and_items(
    app, client, editor
) -> None:
    freeze(app, NOW)
    sample = make_sample()
    theme = make_theme("Participatie")

    def measure(path: str) -> int:
        client.get(path)  # warm: the session, the user, the themes
        with count_queries() as statements:
            assert client.get(path).status_code == 200
        return len(statements)

    index_few = measure("/beheer/dossiers/")
    show_few = measure(sample.url("/beheer/dossiers/{dossier}"))
    for n in range(4):
        group = make_group(sample.dossier, f"Groep {n}")
        for kind in (ItemKind.ARTICLE, ItemKind.INFOGRAPHIC, ItemKind.EXTERNAL):
            make_item(sample.dossier, kind, group_id=group.id, theme_slugs=(theme.slug,))
        other = make_dossier(published_at=None)
        make_item(other, ItemKind.ARTICLE)
    assert measure("/beheer/dossiers/") == index_few
    assert measure(sample.url("/beheer/dossiers/{dossier}")) == show_few
