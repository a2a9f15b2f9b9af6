"""The rules every dossier item keeps, whoever saves it (a form, a content file, a test)."""

from __future__ import annotations

from datetime import date

import pytest

from kispub.dossier.models import ItemKind
from kispub.dossier.services.editing import (
    DossierError,
    ItemData,
    feature_item,
    save_item,
)
from tests.dossier.helpers import make_dossier, make_group, make_item


def item_data(kind: ItemKind, **fields: object) -> ItemData:
    return ItemData(kind=kind, title="Een item", dated_on=date(2020, 5, 1), **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kind", "field"),
    [
        (ItemKind.ARTICLE, "body"),
        (ItemKind.PUBLICATION, "body"),
        (ItemKind.GUIDE, "body"),
        (ItemKind.INFOGRAPHIC, "text_alternative"),
        (ItemKind.EXTERNAL, "url"),
        (ItemKind.EPISODE, "link_id"),
        (ItemKind.ATELIER, "link_id"),
    ],
)
def test_each_kind_refuses_an_item_without_what_it_needs(app, kind, field) -> None:
    dossier = make_dossier()
    with pytest.raises(DossierError) as raised:
        save_item(dossier.id, None, item_data(kind))
    assert raised.value.field == field


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "ftp://example.org/x", "https://", "www.x.nl"]
)
def test_an_external_link_must_be_a_web_address(app, url) -> None:
    dossier = make_dossier()
    with pytest.raises(DossierError, match="webadres"):
        save_item(dossier.id, None, item_data(ItemKind.EXTERNAL, external_url=url))


def test_a_new_item_goes_first_in_its_group_and_slugs_are_unique(app) -> None:
    dossier = make_dossier()
    group = make_group(dossier)
    first = make_item(dossier, group_id=group.id, slug="eerste")
    second = make_item(dossier, group_id=group.id, slug="tweede")
    assert second.position < first.position
    with pytest.raises(DossierError, match="korte naam"):
        make_item(dossier, slug="eerste")
    with pytest.raises(DossierError, match="korte naam"):
        make_item(dossier, slug="feed")  # a path the channel uses itself


def test_a_group_of_another_dossier_is_refused(app) -> None:
    mine, other = make_dossier(), make_dossier()
    foreign = make_group(other)
    with pytest.raises(DossierError) as raised:
        make_item(mine, group_id=foreign.id)
    assert raised.value.field == "group_id"


def test_featuring_takes_the_place_from_the_item_that_had_it(app) -> None:
    dossier = make_dossier()
    one, two = make_item(dossier), make_item(dossier)
    feature_item(one.id, 1)
    feature_item(two.id, 1)
    assert (one.featured_position, two.featured_position) == (None, 1)
    with pytest.raises(DossierError):
        feature_item(one.id, 4)
