"""Public podcast pages, the feed, and the files apps fetch (audio, chapters, transcripts)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.wrappers import Response as WerkzeugResponse

from kispub.core.http import Document, conditional_document, serve_file
from kispub.core.links import linking_items
from kispub.core.markdown import markdown_to_text
from kispub.core.storage import get_storage
from kispub.podcast import pages, queries, services, serving
from kispub.podcast.chapters import CHAPTERS_MIME_TYPE, render_chapters
from kispub.podcast.models import Episode
from kispub.podcast.urls import (
    audio_url,
    episode_url,
    feed_url,
    image_url,
    series_image_url,
    series_url,
)

bp = Blueprint("podcast", __name__, url_prefix="/podcast")
IMAGE_TYPES = {".jpg": "image/jpeg", ".png": "image/png"}


@bp.get("/")
def index() -> str:
    """All series, with the newest episodes."""
    series = services.all_series()
    return render_template(
        "podcast/index.html",
        all_series=series,
        latest=queries.latest_episodes(3),
        feeds=[(s.title, feed_url(s)) for s in series],
    )


@bp.get("/feed.xml")
def default_feed() -> WerkzeugResponse:
    """The first series' feed (the address the home page advertises)."""
    series = services.all_series()
    if not series:
        abort(404)
    return redirect(url_for("podcast.feed", series=series[0].slug), code=302)


@bp.get("/<series>/")
def series(series: str) -> str:
    """A series page: its episodes, newest first, paginated."""
    found = services.series_by_slug(series)
    if found is None:
        abort(404)
    number = request.args.get("pagina", 1, type=int)
    if number < 1:
        abort(404)
    page = queries.episode_page(found, number)
    if page.number > page.pages:
        abort(404)
    og = pages.open_graph(
        found.title,
        markdown_to_text(found.description),
        series_url(found),
        series_image_url(found),
        type="website",
    )
    return render_template(
        "podcast/series.html",
        series=found,
        page=page,
        feed_url=feed_url(found),
        open_graph=og,
        metadata=pages.series_metadata(found),
    )


@bp.get("/<series>/feed.xml")
def feed(series: str) -> Response:
    """The series' RSS feed."""
    return serving.feed_response(series)


@bp.get("/<series>/<episode>")
def episode(series: str, episode: str) -> str:
    """An episode page with player, chapters, show notes, guests and transcript."""
    found = _visible(series, episode)
    return render_template(
        "podcast/episode.html",
        episode=found,
        audio_url=audio_url(found),
        feed_url=feed_url(found.series),
        chapters=pages.chapter_links(found),
        transcript=pages.transcript(found),
        ateliers=linking_items("episode", found.id, "atelier"),
        roles=services.PERSON_ROLES,
        open_graph=_episode_open_graph(found),
        metadata=pages.episode_metadata(found),
    )


def _episode_open_graph(episode: Episode) -> list[tuple[str, str]]:
    return pages.open_graph(
        episode.title,
        markdown_to_text(episode.show_notes) or episode.series.title,
        episode_url(episode),
        image_url(episode.cover_key) or series_image_url(episode.series),
        type="article",
        audio=audio_url(episode),
        audio__type=episode.audio_mime,
    )


@bp.get("/<series>/<episode>/chapters.json")
def chapters(series: str, episode: str) -> Response:
    """JSON Chapters for podcast apps."""
    found = _visible(series, episode)
    if not found.chapters:
        abort(404)
    rows = [(int(c["start_ms"]), str(c["title"]), None) for c in found.chapters]
    document = Document(render_chapters(rows, found.title), CHAPTERS_MIME_TYPE, found.updated_at)
    return conditional_document(document)


@bp.get("/<series>/<episode>/transcript.<any(vtt, srt):ext>")
def transcript(series: str, episode: str, ext: str) -> Response:
    """The transcript file as uploaded, with its own type."""
    found = _visible(series, episode)
    if not found.transcript_key or not found.transcript_key.endswith(f".{ext}"):
        abort(404)
    path = get_storage().path(found.transcript_key)
    etag = found.transcript_key.rsplit("/", 1)[-1].split(".")[0]
    return serve_file(path, found.transcript_type or "text/plain", etag, max_age=3600)


@bp.get("/audio/<guid>.<any(mp3, m4a, ogg, opus):ext>")
def audio(guid: str, ext: str) -> ResponseReturnValue:
    """The enclosure: published, due episodes only; Range requests; downloads counted."""
    found = queries.visible_audio(guid)
    if found is None or found.extension != f".{ext}":
        abort(404)
    return serving.audio_response(found)


@bp.get("/afbeelding/<path:key>")
def image(key: str) -> Response:
    """Cover art of a series or a visible episode; keys are content hashes, so cached long."""
    mimetype = IMAGE_TYPES.get(key[-4:])
    if mimetype is None or not queries.is_public_image(key):
        abort(404)
    etag = key.rsplit("/", 1)[-1].split(".")[0]
    return serve_file(get_storage().path(key), mimetype, etag, max_age=31536000)


def _visible(series: str, episode: str) -> Episode:
    found = queries.visible_episode(series, episode)
    if found is None:
        abort(404)
    return found
