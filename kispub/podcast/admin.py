"""The podcast back office (/beheer/podcast): upload, edit and schedule episodes, manage series."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any, BinaryIO

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
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from werkzeug.datastructures import FileStorage
from wtforms import FieldList
from wtforms.fields.choices import SelectChoice

from kispub.accounts.decorators import editor_required
from kispub.core import clock
from kispub.core.forms import BaseForm
from kispub.core.preview import preview_expires_at, preview_token
from kispub.podcast import delivery, queries, services, uploads
from kispub.podcast.forms import (
    MAX_GUESTS,
    EpisodeForm,
    NewSeriesForm,
    SeriesForm,
    UploadForm,
    format_chapter_lines,
    has_file,
    parse_chapter_lines,
    to_local,
    to_utc,
)
from kispub.podcast.links import EPISODE_KIND
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
        flash(_("Maak eerst een serie aan."), "info")
        return redirect(url_for("podcast_admin.new_series"))
    form = UploadForm()
    form.series.choices = [SelectChoice(s.id, s.title) for s in all_series]
    form.themes.choices = _theme_choices()
    template, context = "podcast/admin/upload.html", {"max_bytes": uploads.max_audio_bytes()}
    if form.is_submitted() and form.add_guest.data:
        return _with_guest_row(form, template, **context)
    if form.validate_on_submit():
        try:
            with _audio(form) as audio:
                created = services.create_episode(
                    form.series.data or all_series[0].id,
                    _episode_data(form),
                    _files(form, audio),
                    nonce=form.nonce.data,
                )
        except REFUSALS as error:
            _add_error(form, error)
        else:
            uploads.drop_kept_audio(form.kept_audio.data)
            for notice in created.notices:
                flash(notice, "info")
            flash(_("De aflevering is opgeslagen."), "success")
            return _created(created.url)
    return _render(form, template, **context)


@bp.route("/aflevering/<int:episode_id>", methods=["GET", "POST"])
@editor_required
def edit_episode(episode_id: int) -> ResponseReturnValue:
    """Edit, schedule or publish an episode; replace its audio, cover or transcript."""
    episode = queries.episode_for_editing(episode_id) or abort(404)
    form = EpisodeForm(data=_initial(episode))
    form.themes.choices = _theme_choices()
    context = _episode_context(episode)
    if form.is_submitted() and form.add_guest.data:
        return _with_guest_row(form, "podcast/admin/episode.html", **context)
    if form.validate_on_submit():
        try:
            with _audio(form) as audio:
                data = _episode_data(form, keep_chapters=audio is not None)
                services.update_episode(episode_id, data, _files(form, audio))
        except REFUSALS as error:
            _add_error(form, error)
        else:
            uploads.drop_kept_audio(form.kept_audio.data)
            flash(_("De wijzigingen zijn opgeslagen."), "success")
            return redirect(url_for("podcast_admin.edit_episode", episode_id=episode.id), 303)
    if not form.is_submitted() and len(form.guests) < MAX_GUESTS:
        form.guests.append_entry()  # one empty row to add a person in
    return _render(form, "podcast/admin/episode.html", **context)


def _episode_context(episode: Episode) -> dict[str, Any]:
    """The back-office episode page beside its form; a preview link until it is public."""
    now = clock.now()
    context: dict[str, Any] = {
        "episode": episode,
        "downloads": queries.download_count(episode),
        "now": now,
    }
    if not episode.is_visible(now):
        token = preview_token(EPISODE_KIND, episode.id)
        context["preview_url"] = url_for("podcast.preview", token=token, _external=True)
        context["preview_expires_at"] = preview_expires_at()
    return context


@bp.route("/aflevering/<int:episode_id>/verwijderen", methods=["GET", "POST"])
@editor_required
def delete_episode(episode_id: int) -> ResponseReturnValue:
    """Ask first (what goes with the episode), then remove it for good."""
    episode = queries.episode_for_editing(episode_id) or abort(404)
    form = BaseForm()
    if form.validate_on_submit():
        title = services.delete_episode(episode_id)
        if title is None:
            abort(404)
        flash(_("De aflevering '%(title)s' is verwijderd.", title=title), "success")
        return redirect(url_for("podcast_admin.index"), code=303)
    page = render_template(
        "podcast/admin/delete.html",
        form=form,
        episode=episode,
        chapters=len(episode.chapters or []),
        downloads=queries.download_count(episode),
        errors=flat_errors(form),
    )
    return page, 422 if form.errors else 200


@bp.get("/aflevering/<int:episode_id>/audio")
@editor_required
def preview_audio(episode_id: int) -> ResponseReturnValue:
    """The audio of any episode for editors to listen to; never counted."""
    episode = queries.episode_for_editing(episode_id) or abort(404)
    return delivery.preview_audio_response(queries.AudioFile.of(episode))


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
            flash(_("De serie '%(title)s' is aangemaakt.", title=form.title.data), "success")
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
            flash(_("De serie is opgeslagen."), "success")
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
    kept = getattr(form, "kept_audio", None)
    kept_name = uploads.kept_audio_name(kept.data) if kept is not None else None
    if kept is not None and kept_name is None:
        kept.data = ""  # expired or gone: the form asks for the file again
    page = render_template(
        template,
        form=form,
        errors=flat_errors(form),
        kept_audio_name=kept_name,
        state_label=partial(Episode.state_label, now=clock.now()),
        **context,
    )
    return page, 422 if form.errors else 200


def flat_errors(form: FlaskForm) -> list[tuple[str, str, str]]:
    """(field id, label, message) for every error, nested guest fields included."""
    errors: list[tuple[str, str, str]] = []
    for field in form:
        if field.type == "CSRFTokenField":
            message = _("Het formulier is verlopen. Probeer het opnieuw.")
            errors += [("", "", message)] * bool(field.errors)
        elif isinstance(field, FieldList):
            for number, entry in enumerate(field.entries, start=1):
                for sub in entry.form:
                    label = _("Persoon %(number)s, %(label)s", number=number, label=sub.label.text)
                    errors += [(sub.id, label, message) for message in sub.errors]
        else:
            errors += [(field.id, field.label.text, message) for message in field.errors]
    return errors


def _read(upload: FileStorage | None, limit: int = uploads.MAX_IMAGE_BYTES) -> bytes | None:
    """A small uploaded file's bytes (bounded: the checks refuse anything near the limit)."""
    if not isinstance(upload, FileStorage) or not upload.filename:
        return None
    return upload.stream.read(limit + 1) or None


def _theme_choices() -> list[SelectChoice]:
    return [SelectChoice(t.slug, t.name) for t in all_themes()]


def _with_guest_row(
    form: UploadForm | EpisodeForm, template: str, **context: Any
) -> ResponseReturnValue:
    """The form as posted with one more empty guest row; nothing is saved.

    A browser never fills a file input again, so a new audio file is kept for the next post.
    """
    _keep_audio(form)
    form.add_guest_row()
    return _render(form, template, **context)


def _keep_audio(form: UploadForm | EpisodeForm) -> None:
    """Keep the posted audio file (rewound) for the form's next post."""
    upload = form.audio.data
    if not has_file(upload):
        return
    try:
        upload.stream.seek(0)
        form.kept_audio.data = uploads.keep_audio(upload.stream, upload.filename or "")
    except UploadError as error:
        form.audio.errors = [str(error)]


@contextmanager
def _audio(form: UploadForm | EpisodeForm) -> Iterator[BinaryIO | None]:
    """The audio of this post: a new upload, else one kept from an earlier post, else None."""
    if has_file(form.audio.data):
        yield form.audio.data.stream
        return
    with uploads.kept_audio(form.kept_audio.data) as kept:
        yield kept


def _files(form: UploadForm | EpisodeForm, audio: BinaryIO | None) -> EpisodeFiles:
    """The files the form carries; the audio streams from its upload (spooled to disk)."""
    return EpisodeFiles(
        audio=audio,
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
    guests = tuple(  # empty rows are left out
        GuestData(g["name"], g["role"], g["description"] or "", g["url"] or None)
        for g in form.guests.data
        if (g["name"] or "").strip()
    )
    return EpisodeData(
        title=form.title.data or "",
        number=form.number.data,
        season=form.season.data,
        episode_type=EpisodeType(form.episode_type.data),
        show_notes=form.show_notes.data or "",
        explicit=form.explicit.data,
        status=EpisodeStatus(form.status.data),
        publish_at=to_utc(form.publish_at.data),
        guests=guests,
        theme_slugs=tuple(form.themes.data or ()),
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
