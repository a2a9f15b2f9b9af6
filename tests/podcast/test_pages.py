"""The series and episode pages, the podcast's place on theme and home pages, and links."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from kispub.core.links import (
    LinkedItem,
    content_kinds,
    link_choices,
    linked_items,
    register_content_kind,
    set_links,
)
from kispub.podcast.models import Episode, EpisodeStatus, Series
from kispub.podcast.queries import PER_PAGE
from kispub.podcast.services import GuestData
from tests.clock import Clock
from tests.factories import make_theme
from tests.queries import count_queries

SERIES_PAGE = "/podcast/denkers-en-doeners/"


def html_of(client: FlaskClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def json_ld(html: str) -> dict[str, Any]:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert match is not None
    return json.loads(match.group(1))


def test_series_page_lists_visible_episodes_newest_first(
    client: FlaskClient, make_episode: Callable[..., Episode], clock: Clock
) -> None:
    make_episode(title="Eerste")
    clock.advance(days=7)
    make_episode(title="Tweede")
    make_episode(title="Concept", status=EpisodeStatus.DRAFT)
    make_episode(title="Gepland", publish_at=clock.now + timedelta(days=1))
    html = html_of(client, SERIES_PAGE)
    assert html.index("Tweede") < html.index("Eerste")
    assert "Concept" not in html and "Gepland" not in html
    assert (
        '<link rel="alternate" type="application/rss+xml" title="Denkers en doeners" '
        'href="https://kis.example/podcast/denkers-en-doeners/feed.xml">'
    ) in html
    assert '<meta property="og:title" content="Denkers en doeners">' in html
    metadata = json_ld(html)
    assert metadata["@type"] == "PodcastSeries"
    assert metadata["webFeed"] == "https://kis.example/podcast/denkers-en-doeners/feed.xml"


def test_series_page_is_paginated(
    client: FlaskClient, make_episode: Callable[..., Episode], clock: Clock
) -> None:
    for number in range(1, PER_PAGE + 3):
        clock.advance(hours=1)
        make_episode(title=f"Aflevering nummer {number}", number=number)
    first = html_of(client, SERIES_PAGE)
    assert f"Aflevering nummer {PER_PAGE + 2}<" in first and "Aflevering nummer 2<" not in first
    assert 'rel="next"' in first and "Pagina 1 van 2" in first
    second = html_of(client, SERIES_PAGE + "?pagina=2")
    assert "Aflevering nummer 1<" in second and "Aflevering nummer 2<" in second
    assert 'rel="prev"' in second
    for bad in ("3", "0", "-1"):
        assert client.get(SERIES_PAGE + f"?pagina={bad}").status_code == 404
    assert client.get(SERIES_PAGE + "?pagina=abc").status_code == 200


def test_series_page_queries_do_not_grow_with_episodes(
    client: FlaskClient, make_episode: Callable[..., Episode]
) -> None:
    theme = make_theme("Onderwijs")
    make_episode(theme_slugs=(theme.slug,))
    with count_queries() as few:
        html_of(client, SERIES_PAGE)
    for _ in range(8):
        make_episode(theme_slugs=(theme.slug,), guests=(GuestData("Gast"),))
    with count_queries() as many:
        html = html_of(client, SERIES_PAGE)
    assert html.count('href="/themas/onderwijs"') == 9
    assert len(few) == len(many) <= 5


def test_episode_page_has_player_chapters_transcript_guests_and_themes(
    client: FlaskClient, make_episode: Callable[..., Episode]
) -> None:
    theme = make_theme("Nieuwe migratie")
    episode = make_episode(
        transcript="gesprek.vtt",
        theme_slugs=(theme.slug,),
        guests=(GuestData("Jaco Dagevos", description="onderzoeker", url="https://example.org/j"),),
        show_notes="Over de *nieuwe* wet.",
        number=4,
    )
    html = html_of(client, f"/podcast/denkers-en-doeners/{episode.slug}")
    src = f"/podcast/audio/{episode.guid}.mp3"
    assert f'<audio id="speler" controls preload="metadata" src="{src}"' in html
    assert f'href="{src}" download' in html
    assert (
        f'<a href="{src}#t=2" data-start="2"><time datetime="PT2S">0:02</time> Gesprek</a>' in html
    )
    assert f'href="{src}#t=7.25" data-start="7.25"' in html  # a transcript paragraph
    assert '<strong class="speaker">Bram Jansen:</strong>' in html
    assert '<a href="https://example.org/j" rel="noopener">Jaco Dagevos</a>, onderzoeker' in html
    assert '<a href="/themas/nieuwe-migratie">Nieuwe migratie</a>' in html
    assert "<em>nieuwe</em>" in html and "Aflevering 4" in html
    assert '<script src="/static/js/podcast-player.js" defer></script>' in html
    assert f'<meta property="og:audio" content="https://kis.example{src}">' in html
    assert 'rel="alternate" type="application/rss+xml"' in html
    metadata = json_ld(html)
    assert metadata["@type"] == "PodcastEpisode"
    assert metadata["associatedMedia"]["contentUrl"] == f"https://kis.example{src}"
    assert metadata["timeRequired"] == "PT6S"
    assert metadata["partOfSeries"]["@type"] == "PodcastSeries"
    assert metadata["episodeNumber"] == 4


def test_json_ld_cannot_break_out_of_its_script(
    client: FlaskClient, make_episode: Callable[..., Episode]
) -> None:
    episode = make_episode(title="</script><script>alert(1)</script>")
    html = html_of(client, f"/podcast/denkers-en-doeners/{episode.slug}")
    assert "<script>alert(1)" not in html
    assert json_ld(html)["name"] == "</script><script>alert(1)</script>"


def test_unpublished_episodes_have_no_pages_or_files(
    client: FlaskClient, make_episode: Callable[..., Episode], clock: Clock
) -> None:
    draft = make_episode(status=EpisodeStatus.DRAFT, transcript="gesprek.vtt")
    later = make_episode(publish_at=clock.now + timedelta(hours=1), transcript="gesprek.vtt")
    for episode in (draft, later):
        base = f"/podcast/denkers-en-doeners/{episode.slug}"
        for path in (base, base + "/chapters.json", base + "/transcript.vtt"):
            assert client.get(path).status_code == 404, path
    assert "Testaflevering" not in html_of(client, "/podcast/")
    clock.advance(hours=1)
    assert client.get(f"/podcast/denkers-en-doeners/{later.slug}").status_code == 200
    assert client.get(f"/podcast/denkers-en-doeners/{draft.slug}").status_code == 404


def test_related_ateliers_and_the_episode_content_kind(
    app: Flask, client: FlaskClient, make_episode: Callable[..., Episode]
) -> None:
    episode = make_episode(title="Over inburgering")
    draft = make_episode(status=EpisodeStatus.DRAFT)

    def ateliers(ids: Sequence[int]) -> list[LinkedItem]:
        return [LinkedItem("atelier", i, f"Kennisatelier {i}", f"/kennisateliers/{i}") for i in ids]

    register_content_kind(app, "atelier", ateliers)
    set_links("atelier", 7, "episode", [episode.id, draft.id])
    html = html_of(client, f"/podcast/denkers-en-doeners/{episode.slug}")
    assert '<a href="/kennisateliers/7">Kennisatelier 7</a>' in html
    with app.test_request_context():
        items = linked_items("atelier", 7, "episode")
    assert [(i.title, i.url) for i in items] == [
        ("Over inburgering", f"/podcast/denkers-en-doeners/{episode.slug}")
    ]


def test_theme_pages_show_visible_episodes(
    client: FlaskClient, make_episode: Callable[..., Episode]
) -> None:
    theme = make_theme("Jeugd en opvoeding")
    make_episode(title="Over vaders", theme_slugs=(theme.slug,))
    make_episode(title="Nog niet", theme_slugs=(theme.slug,), status=EpisodeStatus.DRAFT)
    html = html_of(client, "/themas/jeugd-en-opvoeding")
    assert "<h2" in html and "Podcast" in html and "Over vaders" in html
    assert "Nog niet" not in html


def test_home_page_and_podcast_index(
    client: FlaskClient, series: Series, make_episode: Callable[..., Episode]
) -> None:
    make_episode(title="Nieuwste gesprek")
    home = html_of(client, "/")
    assert 'type="application/rss+xml"' in home and "/podcast/feed.xml" in home
    assert 'href="/podcast/"' in home
    index = html_of(client, "/podcast/")
    assert series.title in index and "Nieuwste gesprek" in index
    assert 'href="https://kis.example/podcast/denkers-en-doeners/feed.xml"' in index


def test_cover_images_are_served_only_when_public(client: FlaskClient, series: Series) -> None:
    assert series.cover_key is not None
    with client.get(f"/podcast/afbeelding/{series.cover_key}") as response:
        assert response.status_code == 200 and response.mimetype == "image/jpeg"
        assert "max-age=31536000" in response.headers["Cache-Control"]
    assert client.get("/podcast/afbeelding/ab/abcdef.jpg").status_code == 404
    assert client.get("/podcast/afbeelding/../secret.jpg").status_code == 404


def test_editors_can_pick_every_episode_by_title_drafts_and_scheduled_too(
    app: Flask, clock: Clock, make_episode: Callable[..., Episode]
) -> None:
    make_episode(title="Eerste")
    make_episode(title="Concept", status=EpisodeStatus.DRAFT)
    make_episode(title="Gepland", publish_at=clock.now + timedelta(days=1))
    with app.test_request_context():
        choices = link_choices("episode")
    assert [item.title for item in choices] == ["Concept", "Gepland", "Eerste"]
    assert [item.meta.rsplit(" · ", 1)[1] for item in choices] == [
        "Concept",
        "Gepland",
        "Gepubliceerd",
    ]
    assert content_kinds()["episode"].label == "Podcastafleveringen"
