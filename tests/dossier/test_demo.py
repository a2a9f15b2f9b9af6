"""The demo's coronadossier: the report's items in their groups, linked to the demo's episode
and atelier, loaded idempotently."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from kispub.content import DEMO_FOLDER, load_content

FILES = ("00-foundation.toml", "10-podcast.toml", "20-ateliers.toml", "40-dossier.toml")
REPORT_TITLES = (
    "Corona helpdesk voor statushouders gestart",
    "Hoe zorg je voor inclusieve communicatie tijdens de coronacrisis?",
    "Corona: tips voor het ondersteunen van gezinnen met meervoudige problematiek",
    "Tussen verveling en vereenzaming",
    "Goede communicatie over coronamaatregelen voor álle burgers",
)


def load_demo() -> int:
    return sum(load_content(DEMO_FOLDER / name).changed.get("dossiers", 0) for name in FILES)


def test_the_demo_dossier_loads_once_and_then_changes_nothing(
    app: Flask, client: FlaskClient
) -> None:
    assert load_demo() == 13  # the dossier, four groups, eight items
    assert load_demo() == 0

    page = client.get("/coronadossier").text
    for title in REPORT_TITLES:
        assert title in page or title.replace("?", "") in page, title
    groups = re.findall(r'<h2 id="groep-[^"]+">([^<]+)</h2>', page)
    assert groups == [
        "Nieuwe migratie",
        "Sociale stabiliteit",
        "Inclusie &amp; toegankelijkheid",
        "Participatie",
    ]
    featured = page.split('id="uitgelicht"')[1].split("</section>")[0]
    assert featured.index("Corona helpdesk") < featured.index("tips voor het ondersteunen")
    assert 'href="/podcast/denkers-en-doeners/de-nieuwe-wet-inburgering"' in page
    assert re.search(r'href="[^"]*/kennisateliers/corona-maatschappelijke-spanningen-en-', page)

    # The report's figures, as the report words them.
    assert "themapagina: 3.788" in page
    assert "bekijken artikel: 2.734" in page
    assert "bekijken artikel: 3.169" in page

    episode = client.get("/podcast/denkers-en-doeners/de-nieuwe-wet-inburgering").text
    assert re.search(r"Opgenomen in: <a [^>]*>Coronadossier</a>", episode)
