"""The podcast back office (/beheer/podcast): upload, edit and schedule episodes, manage series."""

from __future__ import annotations

from functools import partial
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from werkzeug.datastructures import FileStorage
from wtforms import FieldList
from wtforms.fields.choices import SelectChoice

from kispub.accounts.decorators import editor_required
from kispub.core import clock
from kispub.podcast import delivery, queries, services, uploads
from kispub.podcast.forms import (
    EpisodeForm,
    NewSeriesForm,
    SeriesForm,
    UploadForm,
    format_chapter_lines,
    parse_chapter_lines,
    to_local,
    to_utc,
)
from kispub.podcast.models import Episode, EpisodeStatus, EpisodeType
from kispub.podcast.services import EpisodeData, EpisodeFiles, GuestData, PodcastError, SeriesData
from kispub.podcast.uploads import UploadError
from kispub.themes.services import all_themes

bp = Blueprint("podcast_admin", __name__, url_prefix="/beheer/podcast")
REFUSALS = (UploadError, PodcastError)


@bp.get("/")
@editor_required
def index() -> str:
    """Every series and episode with its state and IAB downloads."""
    return render_template(
        "podcast/admin/index.html",
        overview=queries.editor_overview(),
        state_label=partial(Episode.state_label, now=clock.now()),
    )


@bp.route("/nieuw", methods=["GET", "POST"])
@editor_required
def upload() -> ResponseReturnValue:
    """A new episode from an audio file (the upload streams to disk)."""
    all_series = queries.all_series()
    if not all_series:
        flash("Maak eerst een serie aan.", "info")
        return redirect(url_for("podcast_admin.new_series"))
    form = UploadForm()
    form.series.choices = [SelectChoice(s.id, s.title) for s in all_series]
    if form.validate_on_submit():
        try:
            created = services.create_episode(
                form.series.data or all_series[0].id,
                _episode_data(form),
                _files(form),
                nonce=form.nonce.data,
            )
        except REFUSALS as error:
            _add_error(form, error)
        else:
            for notice in created.notices:
                flash(notice, "info")
            flash("De aflevering is opgeslagen.", "success")
            return _created(created.url)
    return _render(form, "podcast/admin/upload.html", max_bytes=uploads.max_audio_bytes())


@bp.route("/aflevering/<int:episode_id>", methods=["GET", "POST"])
@editor_required
def edit_episode(episode_id: int) -> ResponseReturnValue:
    """Edit, schedule or publish an episode; replace its audio, cover or transcript."""
    episode = queries.episode_for_editing(episode_id) or abort(404)
    form = EpisodeForm(data=_initial(episode))
    form.themes.choices = [SelectChoice(t.slug, t.name) for t in all_themes()]
    if form.validate_on_submit():
        data = _episode_data(form, keep_chapters=_new_audio(form))
        try:
            services.update_episode(episode_id, data, _files(form))
        except REFUSALS as error:
            _add_error(form, error)
        else:
            flash("De wijzigingen zijn opgeslagen.", "success")
            return redirect(url_for("podcast_admin.edit_episode", episode_id=episode.id), 303)
    while len(form.guests) < len(episode.guests) + 2 and len(form.guests) < 20:
        form.guests.append_entry()
    return _render(
        form,
        "podcast/admin/episode.html",
        episode=episode,
        downloads=queries.download_count(episode),
        now=clock.now(),
    )


@bp.post("/aflevering/<int:episode_id>/verwijderen")
@editor_required
def delete_episode(episode_id: int) -> ResponseReturnValue:
    """Remove an episode for good."""
    if FlaskForm().validate_on_submit():
        title = services.delete_episode(episode_id)
        if title is None:
            abort(404)
        flash(f"De aflevering '{title}' is verwijderd.", "success")
    return redirect(url_for("podcast_admin.index"), code=303)


@bp.get("/aflevering/<int:episode_id>/audio")
@editor_required
def preview_audio(episode_id: int) -> ResponseReturnValue:
    """The audio of any episode for editors to listen to; never counted."""
    episode = queries.episode_for_editing(episode_id) or abort(404)
    return delivery.audio_response(queries.AudioFile.of(episode), count=False, private=True)


@bp.route("/serie/nieuw", methods=["GET", "POST"])
@editor_required
def new_series() -> ResponseReturnValue:
    """Create a series; it needs its cover art."""
    form = NewSeriesForm()
    if form.validate_on_submit():
        try:
            created = services.create_series(
                _series_data(form), _read(form.cover.data), nonce=form.nonce.data
            )
        except REFUSALS as error:
            _add_error(form, error)
        else:
            flash(f"De serie '{form.title.data}' is aangemaakt.", "success")
            return redirect(created.url, code=303)
    return _render(form, "podcast/admin/series.html", series=None)


@bp.route("/serie/<int:series_id>", methods=["GET", "POST"])
@editor_required
def edit_series(series_id: int) -> ResponseReturnValue:
    """Edit a series; a new feed address moves the feed (301)."""
    series = queries.series_by_id(series_id) or abort(404)
    form = SeriesForm(obj=series, category=f"{series.category}|{series.subcategory or ''}")
    if form.validate_on_submit():
        try:
            services.update_series(series_id, _series_data(form), _read(form.cover.data))
        except REFUSALS as error:
            _add_error(form, error)
        else:
            flash("De serie is opgeslagen.", "success")
            return redirect(url_for("podcast_admin.edit_series", series_id=series.id), 303)
    return _render(form, "podcast/admin/series.html", series=series)


# --- helpers ---------------------------------------------------------------------------


def _created(url: str) -> ResponseReturnValue:
    """Redirect to what was made; the upload script gets 201 + Location and navigates itself,
    because an XMLHttpRequest would follow a redirect and use up the flashed message."""
    if request.headers.get("X-Requested-With") == "XMLHttpRequest":
        return Response(status=201, headers={"Location": url})
    return redirect(url, code=303)


def _render(form: FlaskForm, template: str, **context: Any) -> ResponseReturnValue:
    """The form page; 422 when a submitted form has errors (the upload script relies on it)."""
    page = render_template(
        template,
        form=form,
        errors=flat_errors(form),
        state_label=partial(Episode.state_label, now=clock.now()),
        **context,
    )
    return page, 422 if form.errors else 200


def flat_errors(form: FlaskForm) -> list[tuple[str, str, str]]:
    """(field id, label, message) for every error, nested guest fields included."""
    errors: list[tuple[str, str, str]] = []
    for field in form:
        if field.type == "CSRFTokenField":
            errors += [("", "", "Het formulier is verlopen. Probeer het opnieuw.")] * bool(
                field.errors
            )
        elif isinstance(field, FieldList):
            for number, entry in enumerate(field.entries, start=1):
                for sub in entry.form:
                    label = f"Persoon {number}, {sub.label.text}"
                    errors += [(sub.id, label, message) for message in sub.errors]
        else:
            errors += [(field.id, field.label.text, message) for message in field.errors]
    return errors


def _read(upload: FileStorage | None, limit: int = uploads.MAX_IMAGE_BYTES) -> bytes | None:
    """A small uploaded file's bytes (bounded: the checks refuse anything near the limit)."""
    if not isinstance(upload, FileStorage) or not upload.filename:
        return None
    return upload.stream.read(limit + 1) or None


def _new_audio(form: UploadForm | EpisodeForm) -> bool:
    return isinstance(form.audio.data, FileStorage) and bool(form.audio.data.filename)


def _files(form: UploadForm | EpisodeForm) -> EpisodeFiles:
    """The files the form carries; the audio streams from its upload (spooled to disk)."""
    return EpisodeFiles(
        audio=form.audio.data.stream if _new_audio(form) else None,
        cover=_read(form.cover.data),
        transcript=_read(form.transcript.data, uploads.MAX_TRANSCRIPT_READ),
    )


def _add_error(form: FlaskForm, error: Exception) -> None:
    name = getattr(error, "field", None) or "title"
    field = form[name] if name in form else form["title"]
    field.errors = [*field.errors, str(error)]
    current_app.logger.info("podcast form refused: %s", error)


def _episode_data(form: UploadForm | EpisodeForm, keep_chapters: bool = False) -> EpisodeData:
    """The form's episode fields; chapters left empty with new audio come from that file."""
    chapters = None
    if isinstance(form, EpisodeForm):
        text = form.chapters.data or ""
        chapters = parse_chapter_lines(text) if text.strip() or not keep_chapters else None
    guests = tuple(
        GuestData(g["name"], g["role"], g["description"] or "", g["url"] or None)
        for g in (form.guests.data if isinstance(form, EpisodeForm) else [])
        if (g["name"] or "").strip()
    )
    return EpisodeData(
        title=form.title.data or "",
        number=form.number.data,
        season=form.season.data,
        episode_type=EpisodeType(form.episode_type.data),
        show_notes=form.show_notes.data if isinstance(form, EpisodeForm) else "",
        explicit=form.explicit.data,
        status=EpisodeStatus(form.status.data),
        publish_at=to_utc(form.publish_at.data),
        guests=guests,
        theme_slugs=tuple(form.themes.data) if isinstance(form, EpisodeForm) else (),
        chapters=chapters,
    )


def _initial(episode: Episode) -> dict[str, Any]:
    return {
        "title": episode.title,
        "number": episode.number,
        "season": episode.season,
        "episode_type": episode.episode_type.value,
        "status": episode.status.value,
        "publish_at": to_local(episode.publish_at),
        "explicit": episode.explicit,
        "show_notes": episode.show_notes,
        "themes": [t.slug for t in episode.themes],
        "guests": [
            {"name": g.name, "role": g.role, "description": g.description, "url": g.url}
            for g in episode.guests
        ],
        "chapters": format_chapter_lines(episode.chapters or []),
    }


def _series_data(form: SeriesForm) -> SeriesData:
    category, _, subcategory = (form.category.data or "Society & Culture|").partition("|")
    return SeriesData(
        title=form.title.data,
        author=form.author.data,
        owner_name=form.owner_name.data,
        owner_email=form.owner_email.data,
        description=form.description.data or "",
        category=category,
        subcategory=subcategory or None,
        language=form.language.data,
        explicit=form.explicit.data,
        copyright=form.copyright.data or None,
        new_feed_url=form.new_feed_url.data or None,
    )
