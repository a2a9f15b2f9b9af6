"""The editors' upload pages: an item's file and a dossier's lead image, through the forms."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from kispub.accounts.models import User
from kispub.dossier.models import Dossier, DossierItem, ItemKind
from kispub.extensions import db
from tests.dossier import file_samples as samples
from tests.dossier.file_helpers import attach_png
from tests.dossier.helpers import make_dossier, make_item
from tests.dossier.test_files_checks import BAD


def page(item: DossierItem) -> str:
    return f"/beheer/dossiers/items/{item.id}/bestand"


def upload(client: FlaskClient, item: DossierItem, data: bytes, name: str = "bestand.pdf") -> Any:
    form = {"upload-file": (io.BytesIO(data), name), "upload-submit": "Uploaden"}
    return client.post(page(item), data=form, content_type="multipart/form-data")


@pytest.fixture
def publication(app: Flask) -> DossierItem:
    return make_item(make_dossier(), ItemKind.PUBLICATION, title="Tussen verveling")


def test_only_editors_reach_the_pages(
    client: FlaskClient, publication: DossierItem, login_as: Any
) -> None:
    assert client.get(page(publication)).status_code == 302  # to the login page
    login_as()
    assert client.get(page(publication)).status_code == 403


def test_an_editor_uploads_replaces_and_removes_a_pdf(
    client: FlaskClient, publication: DossierItem, editor: User
) -> None:
    html = client.get(page(publication)).get_data(as_text=True)
    assert "Dit item heeft nog geen bestand." in html
    assert 'enctype="multipart/form-data"' in html
    response = upload(client, publication, samples.pdf(pages=12), "Tussen verveling.pdf")
    assert response.status_code == 302
    html = client.get(page(publication)).get_data(as_text=True)
    assert "Het bestand is opgeslagen." in html
    assert re.search(r"PDF, \d kB, 12 pagina&#39;s", html)
    assert upload(client, publication, samples.pdf(pages=2)).status_code == 302
    db.session.rollback()
    assert publication.file is not None and publication.file.page_count == 2
    unconfirmed = client.post(page(publication), data={"remove-submit": "Verwijderen"})
    assert "Vink aan dat u het bestand wilt verwijderen." in unconfirmed.get_data(as_text=True)
    confirmed = {"remove-confirm": "y", "remove-submit": "Verwijderen"}
    assert client.post(page(publication), data=confirmed).status_code == 302
    db.session.rollback()
    assert publication.file is None


SAMPLE = [
    name
    for name in sorted(BAD)
    if not name.startswith(("pdf-cut", "png-cut", "jpeg-cut", "webp-cut", "png-ihdr", "random"))
    or name.endswith(("-0", "-1", "-12", "-100", "-900", "-2000"))
][:60]


@pytest.mark.parametrize("name", SAMPLE)
def test_bad_files_through_the_form_get_their_message_never_a_5xx(
    client: FlaskClient, publication: DossierItem, editor: User, name: str
) -> None:
    response = upload(client, publication, BAD[name], f"{name}.pdf")
    assert response.status_code == 200, name
    html = response.get_data(as_text=True)
    assert 'class="error-summary"' in html and 'class="error"' in html
    assert 'aria-invalid="true"' in html
    db.session.rollback()
    assert publication.file is None


@pytest.fixture
def small_limit(app_config: dict[str, Any]) -> None:
    # Small enough that the test client's body stays in memory (it spools large ones to an
    # unnamed temporary file that nobody closes).
    app_config["DOSSIER_MAX_FILE_BYTES"] = 100_000


def test_a_file_over_the_limit_is_refused_with_the_limit(
    small_limit: None, client: FlaskClient, publication: DossierItem, editor: User
) -> None:
    response = upload(client, publication, samples.pdf(pages=1000))
    assert response.status_code == 200
    assert "Het bestand is groter dan 0,1 MB." in response.get_data(as_text=True)


def test_an_infographic_refuses_a_pdf_and_has_no_remove_form(
    client: FlaskClient, app: Flask, editor: User
) -> None:
    infographic = make_item(make_dossier(), ItemKind.INFOGRAPHIC)
    attach_png(infographic)
    response = upload(client, infographic, samples.pdf())
    assert "Een infographic moet een afbeelding zijn" in response.get_data(as_text=True)
    assert "remove-confirm" not in response.get_data(as_text=True)


def test_kinds_without_files_have_no_page(client: FlaskClient, app: Flask, editor: User) -> None:
    article = make_item(make_dossier(), ItemKind.ARTICLE)
    assert client.get(page(article)).status_code == 404
    assert client.get("/beheer/dossiers/items/99999999999/bestand").status_code == 404


def test_the_lead_image_needs_alt_text_unless_decorative(
    client: FlaskClient, app: Flask, editor: User
) -> None:
    dossier = make_dossier()
    path = f"/beheer/dossiers/{dossier.id}/afbeelding"
    image = samples.jpeg((1200, 600))

    def send(**fields: Any) -> Any:
        form = {"image-image": (io.BytesIO(image), "kop.jpg"), "image-submit": "Opslaan"}
        return client.post(path, data={**form, **fields}, content_type="multipart/form-data")

    refused = send(**{"image-alt": ""})
    assert refused.status_code == 200
    assert "Beschrijf wat de afbeelding laat zien" in refused.get_data(as_text=True)
    assert send(**{"image-alt": "Mensen in een buurthuis"}).status_code == 302
    db.session.rollback()
    saved = db.session.get(Dossier, dossier.id)
    assert saved is not None and saved.lead_image_key and saved.lead_image_alt
    html = client.get(path).get_data(as_text=True)
    assert 'alt="Mensen in een buurthuis"' in html
    assert send(**{"image-decorative": "y"}).status_code == 302
    db.session.rollback()
    assert saved.lead_image_alt == ""


def test_the_back_office_links_to_the_file_pages(
    client: FlaskClient, publication: DossierItem, editor: User
) -> None:
    item_form = client.get(f"/beheer/dossiers/items/{publication.id}/bewerken")
    assert f'href="{page(publication)}"' in item_form.get_data(as_text=True)
    dossier_form = client.get(f"/beheer/dossiers/{publication.dossier_id}/bewerken")
    path = f"/beheer/dossiers/{publication.dossier_id}/afbeelding"
    assert f'href="{path}"' in dossier_form.get_data(as_text=True)
    html = client.get(page(publication)).get_data(as_text=True)
    assert 'href="/beheer/dossiers/"' in html  # the breadcrumbs back
