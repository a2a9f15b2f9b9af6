"""Saving ateliers through the service: rules, slugs, links, SEQUENCE and the content loader."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask

from kispub.ateliers.loader import load_ateliers
from kispub.ateliers.models import AtelierStatus
from kispub.ateliers.services import editing
from kispub.ateliers.services.editing import AtelierError, save_atelier, update_atelier
from kispub.ateliers.services.lifecycle import cancel_atelier
from kispub.content import ContentError, load_content
from tests.ateliers.helpers import atelier_data, make_atelier
from tests.factories import make_theme


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title": "  "}, "title", "Vul een titel in."),
        ({"ends_at": "start"}, "ends_at", "Het einde moet na het begin liggen."),
        ({"capacity": -1}, "capacity", "van 1 tot en met"),
        ({"capacity": 0}, "capacity", "van 1 tot en met"),
        ({"registration_deadline_at": "after"}, "registration_deadline_at", "niet na het begin"),
        ({"venue_name": None, "venue_address": None}, "venue_name", "Vul een locatie in"),
        ({"online_url": "ftp://x.example"}, "online_url", "geldige link"),
        ({"slug": "Hoofdletters"}, "slug", "kleine letters"),
        ({"theme_slugs": ("bestaat-niet",)}, "themes", "Onbekend thema: bestaat-niet"),
    ],
)
def test_rules_hold_whoever_saves(app: Flask, overrides: dict, field: str, message: str) -> None:
    data = atelier_data()
    if overrides.get("ends_at") == "start":
        overrides["ends_at"] = data.starts_at
    if overrides.get("registration_deadline_at") == "after":
        overrides["registration_deadline_at"] = data.starts_at + timedelta(minutes=1)

    with pytest.raises(AtelierError, match=message) as raised:
        save_atelier(None, replace(data, **overrides))
    assert raised.value.field == field


def test_slug_comes_from_the_title_and_stays(app: Flask) -> None:
    atelier = make_atelier(title="Corona, spanningen & lokaal bestuur")
    assert atelier.slug == "corona-spanningen-lokaal-bestuur"

    data = atelier_data(title="Een andere titel", starts_at=atelier.starts_at)
    change = update_atelier(atelier.id, data)
    assert change.atelier.slug == "corona-spanningen-lokaal-bestuur"


def test_sequence_follows_time_place_link_and_status(app: Flask) -> None:
    atelier = make_atelier(online=True, online_url="https://meet.example/a")
    data = atelier_data(
        slug=atelier.slug, title=atelier.title, starts_at=atelier.starts_at,
        online=True, online_url="https://meet.example/a",
    )  # fmt: skip
    steps = [
        (replace(data, description="Nieuwe tekst"), False, 0),
        (replace(data, capacity=50), False, 0),
        (replace(data, ends_at=data.ends_at + timedelta(minutes=30)), True, 1),
        (replace(data, venue_address="Andere straat 2, Utrecht"), True, 2),
        (replace(data, online_url="https://meet.example/b"), True, 3),
        (replace(data, status=AtelierStatus.POSTPONED), True, 4),
    ]
    for step, significant, sequence in steps:
        change = update_atelier(atelier.id, step)
        assert change.significant is significant
        assert change.atelier.sequence == sequence
    cancelled, _ = cancel_atelier(atelier.id)
    assert cancelled.sequence == 5


def test_content_loader_upserts_by_slug(app: Flask) -> None:
    make_theme("Nieuwe migratie")
    item = {
        "slug": "statushouders",
        "title": "Inburgering en participatie van statushouders",
        "starts_at": datetime(2020, 2, 13, 13, 30),
        "ends_at": datetime(2020, 2, 13, 16, 30),
        "venue_name": "Zaal",
        "themes": ["nieuwe-migratie"],
        "speakers": ["Noor Voorbeeld, Gemeente Voorbeeldstad"],
    }

    assert load_ateliers([item], Path()) == 1
    assert load_ateliers([item], Path()) == 0
    assert load_ateliers([{**item, "capacity": 40}], Path()) == 1


def test_content_file_errors_name_the_problem(app: Flask, tmp_path: Path) -> None:
    path = tmp_path / "ateliers.toml"
    path.write_text(
        '[[ateliers]]\nslug = "x"\ntitle = "X"\nstarts_at = 2027-03-28T02:30:00\n'
        "ends_at = 2027-03-28T04:00:00\nonline = true\n"
    )

    with pytest.raises(ContentError, match="bestaat niet"):
        load_content(path)


def test_one_content_file_can_define_a_theme_and_an_atelier_on_it(
    app: Flask, tmp_path: Path
) -> None:
    path = tmp_path / "inhoud.toml"
    path.write_text(
        '[[ateliers]]\nslug = "x"\ntitle = "X"\nstarts_at = 2027-02-11T14:00:00\n'
        'ends_at = 2027-02-11T16:00:00\nonline = true\nthemes = ["nieuw-thema"]\n\n'
        '[[themes]]\nname = "Nieuw thema"\n'
    )

    assert load_content(path).changed == {"themes": 1, "ateliers": 1}


def test_a_slug_taken_between_check_and_insert_is_a_clear_error(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_atelier(slug="dubbel")
    # As if the other save committed after this one checked: the unique constraint decides.
    monkeypatch.setattr(editing, "_require_free_slug", lambda slug, atelier_id: None)

    with pytest.raises(AtelierError, match="korte naam") as raised:
        save_atelier(None, atelier_data(slug="dubbel"))
    assert raised.value.field == "slug"
