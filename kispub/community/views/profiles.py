"""Members' profiles, the member directory, profile photos and one's own profile form.

All on the members' blueprint: ``require_member`` has let only approved members in, and
every answer is ``private, no-store`` (photos too, see :func:`avatar`).
"""

from __future__ import annotations

from flask import (
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response

from kispub.community import directory
from kispub.community.access import current_member
from kispub.community.avatars import MIME_TYPE
from kispub.community.forms.profiles import ProfileForm, RemoveAvatarForm
from kispub.community.services import profiles
from kispub.community.views import bp
from kispub.core.bounds import clamped_int
from kispub.core.http import serve_file
from kispub.core.storage import get_storage, parse_key
from kispub.extensions import limiter
from kispub.themes.services import all_themes


@bp.get("/leden")
def members() -> str:
    """The member directory: approved members, filtered by words (q) and a theme (thema)."""
    try:
        page = directory.directory(
            request.args.get("q", ""),
            request.args.get("thema") or None,
            request.args.get("pagina", 1, clamped_int),
            int(current_app.config["COMMUNITY_DIRECTORY_PAGE_SIZE"]),
        )
    except directory.UnknownTheme:
        abort(404)
    return render_template("community/members.html", directory=page)


@bp.get("/leden.json")
def members_json() -> Response:
    """Handles and names for an @mention, looked up while typing (members only, like all)."""
    return jsonify(members=directory.mention_candidates(request.args.get("q", "")))


@bp.get("/leden/<handle>")
def profile(handle: str) -> str:
    """A member's profile."""
    page = directory.profile_page(handle, current_member().user_id)
    if page is None:
        abort(404)
    return render_template("community/profile.html", page=page)


@bp.get("/leden/<handle>/avatar.webp")
def avatar(handle: str) -> Response:
    """A member's photo, with an ETag (its content hash) so that a revalidation is a 304.

    The blueprint's ``private, no-store`` stays: a photo of a member is community content,
    which no cache may keep (shared computers in offices and libraries); the files are
    about 10 KB, and the directory shows a page of them at a time.
    """
    key = directory.avatar_key(handle)
    storage = get_storage()
    if key is None or not storage.exists(key):
        abort(404)
    return serve_file(storage.path(key), MIME_TYPE, parse_key(key).sha256, private=True)


@bp.route("/profiel", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])  # each upload is decoded and re-encoded
def edit_profile() -> str | Response:
    """One's own profile: name, organisation, role, bio, themes and photo."""
    member = current_member()
    form = ProfileForm(
        data={
            "name": member.user.name,
            "organisation": member.user.organisation or "",
            "field_role": member.field_role.value if member.field_role else "",
            "bio": member.bio,
            "themes": [theme.id for theme in member.themes],
        }
    )
    form.set_theme_choices(all_themes())
    if form.validate_on_submit():
        change = profiles.ProfileChange(
            name=form.name.data or "",
            organisation=form.organisation.data or "",
            field_role=form.role,
            bio=form.bio.data or "",
            theme_ids=tuple(form.themes.data or ()),
            avatar=_read_upload(form.avatar.data),
        )
        try:
            profiles.save_profile(member.user_id, change)
        except profiles.ProfileError as error:
            form[error.field].errors = [*form[error.field].errors, str(error)]
        else:
            flash(_("Uw profiel is opgeslagen."), "success")
            return redirect(url_for("community.profile", handle=member.handle))
    card = directory.card(member)
    return render_template(
        "community/profile_edit.html", form=form, card=card, remove_form=RemoveAvatarForm()
    )


@bp.post("/profiel/foto-verwijderen")
def remove_avatar() -> Response:
    """Take one's own photo off the profile."""
    member = current_member()
    if RemoveAvatarForm().validate_on_submit():
        profiles.remove_avatar(member.user_id)
        flash(_("Uw profielfoto is verwijderd."), "success")
    else:
        flash(_("Het formulier is verlopen. Probeer het opnieuw."), "error")
    return redirect(url_for("community.edit_profile"))


def _read_upload(upload: FileStorage | None) -> bytes | None:
    """The uploaded photo's bytes, read no further than one byte past the limit."""
    if upload is None:
        return None
    limit = profiles.avatar_limits().max_bytes
    return upload.stream.read(limit + 1)
