"""Public pages: the dossiers, a dossier with its filters, its Atom feeds, and an item's own
page."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, url_for
from markupsafe import Markup
from werkzeug.wrappers import Response

from kispub.core import clock
from kispub.core.fragments import cached_fragment, sees_shared_page
from kispub.core.http import conditional_document
from kispub.dossier import counting, pages, queries
from kispub.dossier.feed.documents import FEED_MAX_AGE, feed_document
from kispub.dossier.queries import Filters

bp = Blueprint("dossier", __name__)
CORONADOSSIER = "coronadossier"


@bp.get("/dossiers/")
def index() -> str:
    """Every published dossier."""
    return render_template("dossier/index.html", dossiers=queries.public_dossiers(clock.now()))


@bp.get("/coronadossier")
def coronadossier() -> str:
    """The coronadossier at its short address."""
    return _dossier(CORONADOSSIER)


@bp.get("/dossiers/<slug>")
def show(slug: str) -> str | Response:
    """A dossier; the coronadossier lives at its short address."""
    if slug == CORONADOSSIER:
        args: dict[str, Any] = request.args.to_dict()
        return redirect(url_for("dossier.coronadossier", **args), 301)
    return _dossier(slug)


def _dossier(slug: str) -> str:
    try:
        head = pages.dossier_head(slug, request.args.get("thema"), request.args.get("type"))
    except pages.UnknownFilter:
        abort(404)
    if head is None:
        abort(404)
    counting.count_view(head.dossier.id, None)
    if not sees_shared_page():
        return _render_dossier(slug, head)
    # Anonymous readers share the whole page: the key holds all it depends on (the list's key
    # with the dossier's revision, the archive state, and the address the page links back to).
    key = ("page", request.full_path, head.archived, *head.listing_key)
    return cached_fragment(key, lambda: Markup(_render_dossier(slug, head)))  # noqa: S704


def _render_dossier(slug: str, head: pages.DossierHead) -> str:
    listing = cached_fragment(head.listing_key, lambda: render_listing(slug, head.filters))
    return render_template("dossier/dossier.html", page=head, listing=listing)


def render_listing(slug: str, filters: Filters, *, preview: bool = False) -> Markup:
    """The dossier's list (featured, filters, groups or the filtered list, history)."""
    page = pages.dossier_page(slug, filters, preview=preview)
    if page is None:  # unpublished between the head's query and this one
        abort(404)
    return Markup(render_template("dossier/_listing.html", page=page))  # noqa: S704 - autoescaped


@bp.get("/dossiers/<slug>/<item_slug>")
def item(slug: str, item_slug: str) -> str:
    """An article, publication, guide or infographic on a page of its own."""
    page = pages.item_page(slug, item_slug)
    if page is None:
        abort(404)
    counting.count_view(page.dossier.id, page.item.id)
    return render_template("dossier/item.html", page=page)


@bp.get("/coronadossier/feed.atom")
def coronadossier_feed() -> Response:
    """The coronadossier's Atom feed, beside its short address."""
    return _feed(CORONADOSSIER)


@bp.get("/dossiers/<slug>/feed.atom")
def feed(slug: str) -> Response:
    """A dossier's Atom feed, or its filtered list's (the page's filters, the same rules)."""
    if slug == CORONADOSSIER:
        args: dict[str, Any] = request.args.to_dict()
        return redirect(url_for("dossier.coronadossier_feed", **args), 301)
    return _feed(slug)


def _feed(slug: str) -> Response:
    document = feed_document(slug, filters_or_404())
    if document is None:
        abort(404)
    return conditional_document(document, FEED_MAX_AGE)


def filters_or_404() -> Filters:
    """The request's ``thema`` and ``type`` as filters; a value that names nothing is a 404."""
    try:
        return pages.parse_filters(request.args.get("thema"), request.args.get("type"))
    except pages.UnknownFilter:
        abort(404)
