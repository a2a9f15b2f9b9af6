"""The editors' pages for files: an item's attachment and a dossier's lead image.

The rest of the dossier back office (kispub/dossier/admin.py) links here from its item and
dossier forms.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from kispub.accounts.decorators import editor_required
from kispub.dossier import queries
from kispub.dossier.file_forms import FileUploadForm, LeadImageForm, RemoveForm
from kispub.dossier.files.attachments import Attachments, lead_image_url
from kispub.dossier.files.errors import FileError
from kispub.dossier.services.files import (
    attach_file,
    remove_file,
    remove_lead_image,
    set_lead_image,
)

bp = Blueprint("dossier_file_admin", __name__, url_prefix="/beheer/dossiers")


@bp.route("/items/<int:item_id>/bestand", methods=["GET", "POST"])
@editor_required
def item_file(item_id: int) -> str | Response:
    """Upload, replace or remove an item's file."""
    item = queries.get_item(item_id)
    if item is None or not item.kind.may_have_file:
        abort(404)
    upload, remove = FileUploadForm(prefix="upload"), RemoveForm(prefix="remove")
    here = url_for(".item_file", item_id=item_id)
    if _submitted(upload) and upload.validate_on_submit():
        try:
            attach_file(item_id, upload.file.data.stream, upload.file.data.filename)
        except FileError as error:
            _show(upload, error, "file")
        else:
            flash(_("Het bestand is opgeslagen."), "success")
            return redirect(here)
    elif _submitted(remove) and remove.validate_on_submit():
        try:
            remove_file(item_id)
        except FileError as error:
            _show(remove, error, "confirm")
        else:
            flash(_("Het bestand is verwijderd."), "success")
            return redirect(here)
    attachment = Attachments(item.dossier)(item, item.file)
    return render_template(
        "dossier/admin/files/item.html",
        item=item,
        attachment=attachment,
        upload=upload,
        remove=remove,
    )


@bp.route("/<int:dossier_id>/afbeelding", methods=["GET", "POST"])
@editor_required
def lead_image(dossier_id: int) -> str | Response:
    """Set, replace or remove the dossier's lead image and its alt text."""
    dossier = queries.get_dossier(dossier_id)
    if dossier is None:
        abort(404)
    form = LeadImageForm(prefix="image", data={"alt": dossier.lead_image_alt})
    remove = RemoveForm(prefix="remove")
    here = url_for(".lead_image", dossier_id=dossier_id)
    if _submitted(form) and form.validate_on_submit():
        given = form.image.data
        try:
            set_lead_image(
                dossier_id,
                given.stream if given else None,
                given.filename if given else None,
                form.alt.data or "",
                decorative=bool(form.decorative.data),
            )
        except FileError as error:
            _show(form, error, "image")
        else:
            flash(_("De afbeelding is opgeslagen."), "success")
            return redirect(here)
    elif _submitted(remove) and remove.validate_on_submit():
        remove_lead_image(dossier_id)
        flash(_("De afbeelding is verwijderd."), "success")
        return redirect(here)
    return render_template(
        "dossier/admin/files/lead_image.html",
        dossier=dossier,
        image_url=lead_image_url(dossier),
        form=form,
        remove=remove,
    )


def _submitted(form: FlaskForm) -> bool:
    """Whether this form's own button sent the POST (a page has two forms)."""
    return request.method == "POST" and form["submit"].name in request.form


def _show(form: FlaskForm, error: FileError, default: str) -> None:
    field = form[error.field] if error.field in form else form[default]
    field.errors = [*field.errors, error.translated()]
