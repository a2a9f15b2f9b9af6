"""The editors' pages under /beheer/dossiers: dossiers, their groups and items, a preview.

Every page works without JavaScript: reordering is a pair of POST buttons, the picker for
episodes and ateliers a plain GET search on the item's page.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from markupsafe import Markup
from werkzeug.wrappers import Response

from kispub.accounts.decorators import editor_required
from kispub.core.nonce import submit_once
from kispub.dossier import admin_pages, pages, queries
from kispub.dossier.admin_forms import (
    DossierForm,
    EditorForm,
    GroupForm,
    ItemForm,
    NewDossierForm,
    NewGroupForm,
    dossier_defaults,
    group_defaults,
    item_defaults,
    item_form,
)
from kispub.dossier.models import Dossier, DossierGroup, DossierItem, ItemKind
from kispub.dossier.services.editing import DossierError, save_dossier, save_group
from kispub.dossier.services.ordering import Direction, move_group, move_item
from kispub.dossier.services.publishing import (
    delete_item,
    publish_dossier,
    save_item_as_editor,
    unpublish_dossier,
    unpublish_item,
)
from kispub.themes.services import all_themes

bp = Blueprint("dossier_admin", __name__, url_prefix="/beheer/dossiers")


@bp.get("/")
@editor_required
def index() -> str:
    """Every dossier, drafts too, with its state and items."""
    return render_template("dossier/admin/index.html", rows=admin_pages.dossier_rows())


@bp.get("/<int:dossier_id>")
@editor_required
def show(dossier_id: int) -> str:
    """A dossier's groups and items, with their order, state and actions."""
    overview = admin_pages.dossier_overview(dossier_id)
    if overview is None:
        abort(404)
    return render_template("dossier/admin/dossier.html", overview=overview)


@bp.route("/nieuw", methods=["GET", "POST"])
@editor_required
def new_dossier() -> str | Response:
    """Create a dossier; submitting the same form twice creates one."""
    form = NewDossierForm()
    if form.validate_on_submit():
        data = form.to_data(None)

        def create() -> str:
            return url_for("dossier_admin.show", dossier_id=save_dossier(None, data).id)

        done = _once(form, create, _("Het dossier is aangemaakt."))
        if done:
            return done
    return _dossier_form(form, None)


@bp.route("/<int:dossier_id>/bewerken", methods=["GET", "POST"])
@editor_required
def edit_dossier(dossier_id: int) -> str | Response:
    """Change a dossier's texts, address, end date or publication."""
    dossier = _dossier_or_404(dossier_id)
    form = DossierForm(data=dossier_defaults(dossier))
    if form.validate_on_submit():
        try:
            save_dossier(dossier_id, form.to_data(dossier))
        except DossierError as error:
            _show_error(form, error)
        else:
            flash(_("Het dossier is opgeslagen."), "success")
            return redirect(url_for("dossier_admin.show", dossier_id=dossier_id))
    return _dossier_form(form, dossier)


def _dossier_form(form: DossierForm, dossier: Dossier | None) -> str:
    return render_template("dossier/admin/dossier_form.html", form=form, dossier=dossier)


@bp.post("/<int:dossier_id>/publiceren")
@editor_required
def publish(dossier_id: int) -> Response:
    """Make the dossier public now."""
    _dossier_or_404(dossier_id)
    publish_dossier(dossier_id)
    flash(_("Het dossier is gepubliceerd."), "success")
    return redirect(url_for("dossier_admin.show", dossier_id=dossier_id))


@bp.post("/<int:dossier_id>/offline")
@editor_required
def unpublish(dossier_id: int) -> Response:
    """Take the dossier offline: a draft again."""
    _dossier_or_404(dossier_id)
    unpublish_dossier(dossier_id)
    flash(_("Het dossier is offline gehaald; alleen redacteuren zien het nog."), "success")
    return redirect(url_for("dossier_admin.show", dossier_id=dossier_id))


@bp.get("/<int:dossier_id>/voorbeeld")
@editor_required
def preview(dossier_id: int) -> Response:
    """The public page as it will look, drafts and scheduled items included."""
    dossier = _dossier_or_404(dossier_id)
    page = pages.dossier_page(dossier.slug, queries.Filters(), preview=True)
    if page is None:
        abort(404)
    # The list from the page already built (render_listing would build it once more).
    listing = Markup(render_template("dossier/_listing.html", page=page))  # noqa: S704 - autoescaped
    response = make_response(render_template("dossier/dossier.html", page=page, listing=listing))
    response.headers["X-Robots-Tag"] = "noindex"
    return response


# -- groups ------------------------------------------------------------------------------


@bp.route("/<int:dossier_id>/groepen/nieuw", methods=["GET", "POST"])
@editor_required
def new_group(dossier_id: int) -> str | Response:
    """Add a group, last in the dossier."""
    dossier = _dossier_or_404(dossier_id)
    form = NewGroupForm()
    if form.validate_on_submit():
        data = form.to_data()

        def create() -> str:
            group = save_group(dossier_id, None, data)
            return url_for("dossier_admin.show", dossier_id=dossier_id, _anchor=f"groep-{group.id}")

        done = _once(form, create, _("De groep is toegevoegd."))
        if done:
            return done
    return _group_form(form, dossier, None)


@bp.route("/groepen/<int:group_id>/bewerken", methods=["GET", "POST"])
@editor_required
def edit_group(group_id: int) -> str | Response:
    """Change a group's title, anchor or text."""
    group = _group_or_404(group_id)
    form = GroupForm(data=group_defaults(group))
    if form.validate_on_submit():
        try:
            save_group(group.dossier_id, group_id, form.to_data())
        except DossierError as error:
            _show_error(form, error)
        else:
            flash(_("De groep is opgeslagen."), "success")
            return _back_to(group.dossier_id, f"groep-{group_id}")
    return _group_form(form, group.dossier, group)


def _group_form(form: GroupForm, dossier: Dossier, group: DossierGroup | None) -> str:
    return render_template("dossier/admin/group_form.html", form=form, dossier=dossier, group=group)


@bp.post("/groepen/<int:group_id>/verplaatsen")
@editor_required
def reorder_group(group_id: int) -> Response:
    """Move a group one place up or down."""
    group = _group_or_404(group_id)
    move_group(group_id, _direction())
    return _back_to(group.dossier_id, f"groep-{group_id}")


# -- items -------------------------------------------------------------------------------


@bp.route("/<int:dossier_id>/items/nieuw", methods=["GET", "POST"])
@editor_required
def new_item(dossier_id: int) -> str | Response:
    """First the kind of item, then its form (the fields depend on the kind)."""
    dossier = _dossier_or_404(dossier_id)
    kind = _kind(request.args.get("soort"))
    if kind is None:
        return render_template(
            "dossier/admin/item_kind.html", dossier=dossier, kinds=list(ItemKind)
        )
    form = _item_form(dossier, kind, None, new=True)
    if form.validate_on_submit():
        data, featured = form.to_data(None), form.featured()

        def create() -> str:
            item = save_item_as_editor(dossier_id, None, data, featured)
            return url_for("dossier_admin.show", dossier_id=dossier_id, _anchor=f"item-{item.id}")

        done = _once(form, create, _("Het item is toegevoegd."))
        if done:
            return done
    return _item_page(form, dossier, None)


@bp.route("/items/<int:item_id>/bewerken", methods=["GET", "POST"])
@editor_required
def edit_item(item_id: int) -> str | Response:
    """Change an item: texts, group, themes, date, featured place, publication."""
    item = _item_or_404(item_id)
    dossier = _dossier_or_404(item.dossier_id)
    form = _item_form(dossier, item.kind, item)
    if form.validate_on_submit():
        try:
            save_item_as_editor(dossier.id, item_id, form.to_data(item), form.featured())
        except DossierError as error:
            _show_error(form, error)
        else:
            flash(_("Het item is opgeslagen."), "success")
            return _back_to(dossier.id, f"item-{item_id}")
    return _item_page(form, dossier, item)


def _item_form(
    dossier: Dossier, kind: ItemKind, item: DossierItem | None, *, new: bool = False
) -> ItemForm:
    """The item form, with the picker's finds when the kind points at an episode or atelier."""
    search = request.args.get("zoek", "")[:100]
    chosen = request.form.get("link_id", type=int) or (item.link_id if item else None)
    return item_form(
        kind,
        groups=dossier.groups,
        themes=all_themes(),
        choices=admin_pages.picker_choices(kind, search, chosen),
        new=new,
        data=item_defaults(item) if item else None,
    )


def _item_page(form: ItemForm, dossier: Dossier, item: DossierItem | None) -> str:
    return render_template(
        "dossier/admin/item_form.html",
        form=form,
        dossier=dossier,
        item=item,
        kind=form.kind,
        search=request.args.get("zoek", "")[:100],
    )


@bp.post("/items/<int:item_id>/verplaatsen")
@editor_required
def reorder_item(item_id: int) -> Response:
    """Move an item one place up or down in its group."""
    item = _item_or_404(item_id)
    move_item(item_id, _direction())
    return _back_to(item.dossier_id, f"item-{item_id}")


@bp.post("/items/<int:item_id>/offline")
@editor_required
def unpublish_one(item_id: int) -> Response:
    """Take an item off the public page; it stays as a draft."""
    item = _item_or_404(item_id)
    unpublish_item(item_id)
    flash(_("'%(title)s' is offline gehaald.", title=item.title), "success")
    return _back_to(item.dossier_id, f"item-{item_id}")


@bp.route("/items/<int:item_id>/verwijderen", methods=["GET", "POST"])
@editor_required
def delete_one(item_id: int) -> str | Response:
    """Ask first; then delete the item for good."""
    item = _item_or_404(item_id)
    if request.method == "POST":
        dossier_id = delete_item(item_id)
        flash(_("'%(title)s' is verwijderd.", title=item.title), "success")
        return redirect(url_for("dossier_admin.show", dossier_id=dossier_id))
    return render_template("dossier/admin/item_delete.html", item=item)


# -- helpers -----------------------------------------------------------------------------


def _once(form: EditorForm, create: Callable[[], str], message: str) -> Response | None:
    """Run a create once per form (its nonce); None when the service refused the data."""
    try:
        outcome = submit_once(form["nonce"].data, create)
    except DossierError as error:
        _show_error(form, error)
        return None
    if not outcome.duplicate:
        flash(message, "success")
    return redirect(outcome.result_url)


def _show_error(form: EditorForm, error: DossierError) -> None:
    field = form.field_for(error.field)
    field.errors = [*field.errors, str(error)]


def _direction() -> Direction:
    try:
        return Direction(request.form.get("richting", ""))
    except ValueError:
        abort(400)


def _kind(value: str | None) -> ItemKind | None:
    if not value:
        return None
    try:
        return ItemKind(value)
    except ValueError:
        abort(404)


def _back_to(dossier_id: int, anchor: str) -> Response:
    return redirect(url_for("dossier_admin.show", dossier_id=dossier_id, _anchor=anchor))


def _dossier_or_404(dossier_id: int) -> Dossier:
    dossier = queries.dossier_with_groups(dossier_id)
    if dossier is None:
        abort(404)
    return dossier


def _group_or_404(group_id: int) -> DossierGroup:
    group = queries.get_group(group_id)
    if group is None:
        abort(404)
    return group


def _item_or_404(item_id: int) -> DossierItem:
    item = queries.get_item(item_id)
    if item is None:
        abort(404)
    return item
