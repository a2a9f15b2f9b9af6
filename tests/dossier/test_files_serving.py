"""Serving an item's file and thumbnails: types, ranges, validators, names, who may see."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from kispub.accounts.models import Role, User
from kispub.dossier import queries
from kispub.dossier.models import CountKind, ItemKind
from kispub.extensions import db
from tests.dossier import file_samples as samples
from tests.dossier.file_helpers import attach_pdf, attach_png
from tests.dossier.helpers import make_dossier, make_item

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36"


@pytest.fixture
def publication(app: Flask) -> Any:
    dossier = make_dossier(slug="coronadossier")
    item = make_item(dossier, ItemKind.PUBLICATION, slug="tussen-verveling")
    attach_pdf(item, pages=4, filename="tussen-verveling.pdf")
    return item


BASE = "/dossiers/coronadossier/bestanden/tussen-verveling"
FILE = f"{BASE}/download/tussen-verveling.pdf"


def get(client: FlaskClient, path: str, agent: str | None = BROWSER, **headers: str) -> Any:
    """A browser's GET, read whole and closed (a file response holds the file open).

    A logged-in test keeps the test client's own User-Agent (``agent=None``): a login is
    bound to the browser it was made in."""
    if agent is not None:
        headers["User-Agent"] = agent
    with client.get(path, headers=headers) as response:
        response.get_data()
        return response


def test_the_file_is_served_as_what_it_is(client: FlaskClient, publication: Any) -> None:
    response = get(client, FILE)
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"] == 'inline; filename="tussen-verveling.pdf"'
    assert response.headers["Accept-Ranges"] == "bytes"
    assert response.headers["ETag"] and response.headers["Last-Modified"]
    assert "public" in response.headers["Cache-Control"]
    assert response.data == samples.pdf(pages=4)


def test_range_requests(client: FlaskClient, publication: Any) -> None:
    size = len(samples.pdf(pages=4))
    part = get(client, FILE, Range="bytes=0-7")
    assert part.status_code == 206
    assert part.data == b"%PDF-1.4"
    assert part.headers["Content-Range"] == f"bytes 0-7/{size}"
    tail = get(client, FILE, Range="bytes=-6")
    assert tail.status_code == 206 and tail.data == b"%%EOF\n"
    beyond = get(client, FILE, Range=f"bytes={size + 10}-")
    assert beyond.status_code == 416
    assert beyond.headers["Content-Range"] == f"bytes */{size}"


def test_conditional_requests_answer_304(client: FlaskClient, publication: Any) -> None:
    first = get(client, FILE)
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    again = get(client, FILE, **{"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert get(client, FILE, **{"If-Modified-Since": modified}).status_code == 304
    stale = get(client, FILE, **{"If-Range": '"other"', "Range": "bytes=0-7"})
    assert stale.status_code == 200  # a changed file is sent whole


def test_thumbnails_are_webp_and_png(client: FlaskClient, publication: Any) -> None:
    webp = get(client, f"{BASE}/miniatuur.webp")
    png = get(client, f"{BASE}/miniatuur.png")
    assert (webp.status_code, webp.mimetype, webp.data[8:12]) == (200, "image/webp", b"WEBP")
    assert (png.status_code, png.mimetype, png.data[:4]) == (200, "image/png", b"\x89PNG")
    assert webp.headers["X-Content-Type-Options"] == "nosniff"
    assert get(client, f"{BASE}/miniatuur.gif").status_code == 404


def total(item: Any) -> int:
    db.session.rollback()
    return queries.count_totals(item.dossier_id).get((item.id, CountKind.DOWNLOAD), 0)


def test_the_file_counts_as_a_download_thumbnails_do_not(
    client: FlaskClient, publication: Any
) -> None:
    get(client, f"{BASE}/miniatuur.webp")
    assert total(publication) == 0
    get(client, FILE)
    get(client, FILE)  # the same reader the same day
    assert total(publication) == 1


def test_an_old_name_leads_to_the_file(client: FlaskClient, publication: Any) -> None:
    response = get(client, f"{BASE}/download/oude-naam.pdf")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(FILE)


@pytest.mark.parametrize(
    ("uploaded", "header"),
    [
        ("rapport.pdf", 'inline; filename="rapport.pdf"'),
        (
            "Één “rapport”.pdf",
            "inline; filename=\"Een rapport.pdf\"; filename*=UTF-8''%C3%89%C3%A9n%20"
            "%E2%80%9Crapport%E2%80%9D.pdf",
        ),
        (
            'a"b\\c;d%e\r\nX-Evil: 1.pdf',
            'inline; filename="c-d-e X-Evil- 1.pdf"',  # a backslash separates folders
        ),
        ("../../etc/passwd", 'inline; filename="passwd.pdf"'),
        ("中文.pdf", "inline; filename=\"bestand.pdf\"; filename*=UTF-8''%E4%B8%AD%E6%96%87.pdf"),
        ("....pdf", 'inline; filename="bestand.pdf"'),
    ],
)
def test_odd_file_names_make_a_safe_header(
    app: Flask, client: FlaskClient, uploaded: str, header: str
) -> None:
    dossier = make_dossier(slug="coronadossier")
    item = make_item(dossier, ItemKind.GUIDE, slug="handleiding")
    file = attach_pdf(item, filename=uploaded)
    path = f"/dossiers/coronadossier/bestanden/handleiding/download/{file.filename}"
    response = get(client, path)
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == header
    assert "\n" not in response.headers["Content-Disposition"]


def test_an_infographic_image_is_served_for_its_page(app: Flask, client: FlaskClient) -> None:
    dossier = make_dossier(slug="coronadossier")
    item = make_item(dossier, ItemKind.INFOGRAPHIC, slug="vijf-stappen")
    attach_png(item)
    response = get(client, "/dossiers/coronadossier/bestanden/vijf-stappen/afbeelding")
    assert (response.status_code, response.mimetype) == (200, "image/png")
    assert total(item) == 0  # the page view counts, not its image


@pytest.fixture
def hidden(app: Flask) -> dict[str, str]:
    """Paths to the files of a draft item and of an item in a draft dossier."""
    public = make_dossier(slug="openbaar")
    draft_item = make_item(public, ItemKind.PUBLICATION, slug="concept", published_at=None)
    attach_pdf(draft_item)
    later = make_item(
        public, ItemKind.PUBLICATION, slug="later", published_at=datetime(2099, 1, 1, tzinfo=UTC)
    )
    attach_pdf(later)
    draft = make_dossier(slug="in-voorbereiding", published_at=None)
    inside = make_item(draft, ItemKind.PUBLICATION, slug="binnen")
    attach_pdf(inside)
    return {
        "draft item": "/dossiers/openbaar/bestanden/concept/download/publicatie.pdf",
        "scheduled item": "/dossiers/openbaar/bestanden/later/download/publicatie.pdf",
        "draft dossier": "/dossiers/in-voorbereiding/bestanden/binnen/download/publicatie.pdf",
        "thumbnail": "/dossiers/openbaar/bestanden/concept/miniatuur.webp",
    }


def test_unpublished_files_are_hidden_from_the_public(
    client: FlaskClient, hidden: dict[str, str], login_as: Callable[..., User]
) -> None:
    for path in hidden.values():
        assert get(client, path).status_code == 404, path
    login_as(role=Role.MEMBER)
    for path in hidden.values():
        assert get(client, path, agent=None).status_code == 404, path


def test_editors_see_unpublished_files_never_cached(
    client: FlaskClient, hidden: dict[str, str], editor: User
) -> None:
    for path in hidden.values():
        response = get(client, path, agent=None)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "private, no-store"


def test_missing_things_are_404(client: FlaskClient, publication: Any) -> None:
    for path in (
        "/dossiers/coronadossier/bestanden/bestaat-niet/download/x.pdf",
        "/dossiers/bestaat-niet/bestanden/tussen-verveling/download/tussen-verveling.pdf",
        "/dossiers/coronadossier/bestanden/afbeelding",  # no lead image
    ):
        assert get(client, path).status_code == 404, path
