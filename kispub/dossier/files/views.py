"""Serving a dossier item's file, its thumbnails, an infographic's image and a lead image.

Files of items (or dossiers) that are not public are a 404 to the public and visible to
editors, who get them marked private so no cache keeps them. The body is sent by
:func:`kispub.core.http.serve_file`: HEAD, Range (206, 416), ETag, Last-Modified and 304.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, redirect, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from kispub.accounts.models import Role
from kispub.core import clock
from kispub.core.http import content_disposition, serve_file
from kispub.core.storage import get_storage, parse_key
from kispub.dossier import counting, queries
from kispub.dossier.files.sniff import TYPES
from kispub.dossier.models import DossierFile, DossierItem

bp = Blueprint("dossier_files", __name__)

FILE_MAX_AGE = 3600  # the address stays when a file is replaced: caches ask again hourly
VERSIONED_MAX_AGE = 7 * 86400  # thumbnails and images carry ?v=<content hash>
_BY_EXTENSION = {t.extension: t.content_type for t in TYPES.values()}


@dataclass(frozen=True)
class _Found:
    item: DossierItem
    file: DossierFile
    public: bool


@bp.get("/dossiers/<slug>/bestanden/<item_slug>/download/<filename>")
def download(slug: str, item_slug: str, filename: str) -> Response:
    """The file itself, under its own name; counted as a download."""
    found = _file_or_404(slug, item_slug)
    file = found.file
    if filename != file.filename:  # replaced since the link was made
        return redirect(
            url_for(".download", slug=slug, item_slug=item_slug, filename=file.filename)
        )
    if found.public:
        counting.count_download(found.item.dossier_id, found.item.id)
    return _send(file.key, file.content_type, FILE_MAX_AGE, not found.public, file.filename)


@bp.get("/dossiers/<slug>/bestanden/<item_slug>/miniatuur.<any(webp, png):ext>")
def thumbnail(slug: str, item_slug: str, ext: str) -> Response:
    """The first page or the image, small: WebP, or PNG for browsers without WebP."""
    found = _file_or_404(slug, item_slug)
    key = found.file.thumbnail_key if ext == "webp" else found.file.fallback_thumbnail_key
    if key is None:
        abort(404)
    return _send(key, f"image/{ext}", VERSIONED_MAX_AGE, not found.public)


@bp.get("/dossiers/<slug>/bestanden/<item_slug>/afbeelding")
def image(slug: str, item_slug: str) -> Response:
    """An infographic's image as its page shows it (the page view is what counts)."""
    found = _file_or_404(slug, item_slug)
    if not found.file.content_type.startswith("image/"):
        abort(404)
    file = found.file
    return _send(file.key, file.content_type, VERSIONED_MAX_AGE, not found.public, file.filename)


@bp.get("/dossiers/<slug>/bestanden/afbeelding")
def lead_image(slug: str) -> Response:
    """The dossier's lead image."""
    editor = _is_editor()
    dossier = queries.dossier_by_slug(slug, None if editor else clock.now(), with_groups=False)
    if dossier is None or not dossier.lead_image_key:
        abort(404)
    key = dossier.lead_image_key
    content_type = _BY_EXTENSION.get(parse_key(key).extension)
    if content_type is None:
        abort(404)
    private = not dossier.is_public(clock.now())
    return _send(key, content_type, VERSIONED_MAX_AGE, private)


def _file_or_404(slug: str, item_slug: str) -> _Found:
    """The item's file when the reader may have it: public, or any for an editor."""
    now = clock.now()
    editor = _is_editor()
    dossier = queries.dossier_by_slug(slug, None if editor else now, with_groups=False)
    if dossier is None:
        abort(404)
    item = queries.item_by_slug(dossier.id, item_slug, None if editor else now)
    if item is None or item.file is None:
        abort(404)
    return _Found(item, item.file, dossier.is_public(now) and item.is_public(now))


def _is_editor() -> bool:
    return bool(current_user.is_authenticated and current_user.has_role(Role.EDITOR))


def _send(
    key: str, content_type: str, max_age: int, private: bool, filename: str | None = None
) -> Response:
    storage = get_storage()
    path = storage.path(key)
    if not path.is_file():  # a row whose file went missing: not the reader's fault
        abort(404)
    response = serve_file(path, content_type, parse_key(key).sha256, max_age, private=private)
    response.headers["X-Content-Type-Options"] = "nosniff"
    if filename is not None:
        response.headers["Content-Disposition"] = content_disposition(filename)
    if not private:
        response.cache_control.public = True
    return response
