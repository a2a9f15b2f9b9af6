"""The dossier and the other channels: items that stand for an episode or atelier, the
"Opgenomen in" line on their pages, theme pages and ateliers linking to dossier items."""

from __future__ import annotations

import re

from kispub.core.links import set_links
from kispub.dossier.models import ItemKind
from tests.ateliers.helpers import make_atelier
from tests.dossier.helpers import make_dossier, make_item
from tests.factories import make_theme

# The podcast's fixtures: an episode made from a real audio file, on a frozen clock.
from tests.podcast.conftest import clock, make_episode, series

__all__ = ["clock", "make_episode", "series"]


def test_an_episode_item_links_to_the_episode_and_the_episode_names_the_dossier(
    app, client, make_episode
) -> None:
    episode = make_episode(title="Jaco Dagevos over de nieuwe wet inburgering")
    dossier = make_dossier(slug="coronadossier", title="Coronadossier")
    make_item(dossier, ItemKind.EPISODE, title="Podcast over inburgering", link_id=episode.id)

    page = client.get("/coronadossier").text
    episode_path = f"/podcast/{episode.series.slug}/{episode.slug}"
    assert f'href="{episode_path}"' in page

    episode_page = client.get(episode_path).text
    assert "Opgenomen in:" in episode_page
    assert re.search(r'href="[^"]*/coronadossier">Coronadossier</a>', episode_page)


def test_an_atelier_item_and_the_atelier_page(app, client) -> None:
    atelier = make_atelier(title="Corona, maatschappelijke spanningen en lokaal bestuur")
    dossier = make_dossier(title="Coronadossier")
    make_item(dossier, ItemKind.ATELIER, link_id=atelier.id)
    make_item(dossier, ItemKind.ATELIER, link_id=atelier.id, title="Nog eens")

    shown = client.get(f"/kennisateliers/{atelier.slug}").text
    line = shown.split('class="included-in"')[1].split("</p>")[0]
    assert shown.count("Opgenomen in:") == 1
    assert line.count(">Coronadossier</a>") == 1  # two items of one dossier: named once


def test_an_item_whose_episode_is_not_public_is_left_out(app, client, make_episode) -> None:
    from kispub.podcast.models import EpisodeStatus

    draft = make_episode(title="Nog niet uit", status=EpisodeStatus.DRAFT)
    dossier = make_dossier()
    make_item(dossier, ItemKind.EPISODE, title="Verborgen aflevering", link_id=draft.id)
    assert "Verborgen aflevering" not in client.get(f"/dossiers/{dossier.slug}").text


def test_theme_pages_show_dossier_items_on_their_theme(app, client) -> None:
    theme = make_theme("Participatie")
    dossier = make_dossier(title="Coronadossier")
    make_item(dossier, title="Tips voor gezinnen", theme_slugs=(theme.slug,))
    make_item(dossier, title="Niet op dit thema")
    page = client.get(f"/themas/{theme.slug}").text
    assert "Tips voor gezinnen" in page and "Niet op dit thema" not in page


def test_an_atelier_links_to_a_dossier_item_under_lees_ook(app, client) -> None:
    atelier = make_atelier()
    dossier = make_dossier()
    item = make_item(dossier, title="Corona helpdesk voor statushouders gestart")
    set_links("atelier", atelier.id, "dossier", [item.id])
    page = client.get(f"/kennisateliers/{atelier.slug}").text
    assert "Lees ook" in page and "Corona helpdesk voor statushouders gestart" in page
