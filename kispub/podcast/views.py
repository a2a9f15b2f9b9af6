"""Public podcast pages, the feed, and the files apps fetch (audio, chapters, transcripts)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.wrappers import Response as WerkzeugResponse

from kispub.core import public
from kispub.core.bounds import clamped_int
from kispub.core.http import Document, conditional_document, serve_file
from kispub.core.preview import previewed_id
from kispub.core.storage import StorageError, get_storage, parse_key
from kispub.podcast import delivery, pages, queries
from kispub.podcast.feed.syndication import FEED_MAX_AGE, RSS_MIMETYPE, render_series_feed
from kispub.podcast.links import EPISODE_KIND
from kispub.podcast.media.chapters import CHAPTERS_MIME_TYPE, render_chapters
from kispub.podcast.publishing import feed_path

bp = Blueprint("podcast", __name__, url_prefix="/podcast")
IMAGE_TYPES = {".jpg": "image/jpeg", ".png": "image/png"}
IMAGE_MAX_AGE = 31536000  # keys are content hashes: an address never changes its bytes
TRANSCRIPT_MAX_AGE = 3600


@bp.get("/")
def index() -> str:
    """All series, with the newest episodes."""
    return render_template("podcast/index.html", **pages.context(pages.index_page()))


@bp.get("/feed.xml")
def default_feed() -> WerkzeugResponse:
    """The first series' feed (the address the home page advertises)."""
    series = queries.all_series()
    if not series:
        abort(404)
    return redirect(url_for("podcast.feed", series=series[0].slug), code=302)


@bp.get("/<series>/")
def series(series: str) -> str:
    """A series page: its episodes, newest first, paginated."""
    page = pages.series_page(series, request.args.get("pagina", 1, type=clamped_int))
    if page is None:
        abort(404)
    return render_template("podcast/series.html", **pages.context(page))


@bp.get("/<series>/feed.xml")
def feed(series: str) -> Response:
    """The series' RSS feed: the published file, as nginx would serve it."""
    try:
        published = public.send(feed_path(series), RSS_MIMETYPE, FEED_MAX_AGE)
    except public.UnsafePath:
        abort(404)
    return published or _unpublished_feed(series)


def _unpublished_feed(slug: str) -> Response:
    """No file: a moved feed (301, keeping its body), an unknown series, or one so new that
    the worker has not published it yet (rendered here, once)."""
    state = queries.feed_state(slug) or abort(404)
    body = render_series_feed(state)
    if state.new_feed_url:
        # Apple: redirect with 301 *and* keep itunes:new-feed-url in the old feed.
        response = Response(body, status=301, mimetype=RSS_MIMETYPE)
        response.headers["Location"] = state.new_feed_url
        return response
    return conditional_document(Document(body, RSS_MIMETYPE), max_age=0)


@bp.get("/<series>/<episode>")
def episode(series: str, episode: str) -> str:
    """An episode page with player, chapters, show notes, guests and transcript."""
    page = pages.episode_page(series, episode)
    if page is None:
        abort(404)
    return render_template("podcast/episode.html", **pages.context(page))


@bp.get("/voorbeeld/<token>")
def preview(token: str) -> Response:
    """An unpublished episode's page for whoever has a valid preview link; never indexed."""
    episode_id = previewed_id(EPISODE_KIND, token) or abort(404)
    # The audio URL of the preview is not its enclosure: see preview_audio.
    audio = url_for("podcast.preview_audio", token=token)
    page = pages.preview_page(episode_id, audio) or abort(404)
    response = Response(render_template("podcast/episode.html", **pages.context(page)))
    return _unlisted(response)


@bp.get("/voorbeeld/<token>/audio")
def preview_audio(token: str) -> ResponseReturnValue:
    """The audio of a previewed episode, drafts included: the link's token is checked on
    every request, the file is never cached by others and never counted as a download."""
    episode_id = previewed_id(EPISODE_KIND, token) or abort(404)
    episode = queries.episode_for_editing(episode_id) or abort(404)
    response = delivery.audio_response(queries.AudioFile.of(episode), count=False, private=True)
    return _unlisted(response)


def _unlisted(response: Response) -> Response:
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/<series>/<episode>/chapters.json")
def chapters(series: str, episode: str) -> Response:
    """JSON Chapters for podcast apps."""
    found = queries.visible_episode(series, episode)
    if found is None or not found.chapters:
        abort(404)
    rows = [(int(c["start_ms"]), str(c["title"]), None) for c in found.chapters]
    document = Document(render_chapters(rows, found.title), CHAPTERS_MIME_TYPE, found.updated_at)
    return conditional_document(document)


@bp.get("/<series>/<episode>/transcript.<any(vtt, srt):ext>")
def transcript(series: str, episode: str, ext: str) -> Response:
    """The transcript file as uploaded, with its own type."""
    found = queries.visible_episode(series, episode)
    if found is None or not found.transcript_key:
        abort(404)
    key = parse_key(found.transcript_key)
    if key.extension != f".{ext}":
        abort(404)
    path = get_storage().path(found.transcript_key)
    mime_type = found.transcript_type or "text/plain"
    return serve_file(path, mime_type, key.sha256, max_age=TRANSCRIPT_MAX_AGE)


@bp.get("/audio/<guid>.<any(mp3, m4a, ogg, opus):ext>")
def audio(guid: str, ext: str) -> ResponseReturnValue:
    """The enclosure: published, due episodes only (the public folder); Range; counted."""
    return delivery.published_audio_response(guid, ext) or abort(404)


@bp.get("/afbeelding/<path:key>")
def image(key: str) -> Response:
    """Cover art of a series or a visible episode; keys are content hashes, so cached long."""
    try:
        stored = parse_key(key)
    except StorageError:
        abort(404)
    mimetype = IMAGE_TYPES.get(stored.extension)
    if mimetype is None or not queries.is_public_image(key):
        abort(404)
    return serve_file(get_storage().path(key), mimetype, stored.sha256, max_age=IMAGE_MAX_AGE)
