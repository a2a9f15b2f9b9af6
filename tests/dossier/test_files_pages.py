"""Files on the public pages: attachments in the list and on item pages, an infographic's
image above its text, the lead image, and no extra query per file."""

from __future__ import annotations

import io
import re

from flask import Flask
from flask.testing import FlaskClient

from kispub.dossier.models import ItemKind
from kispub.dossier.services.files import set_lead_image
from tests.dossier import file_samples as samples
from tests.dossier.file_helpers import attach_pdf, attach_png
from tests.dossier.helpers import make_dossier, make_item
from tests.factories import make_theme
from tests.queries import count_queries


def text(client: FlaskClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def test_the_list_shows_an_attachment_as_govuk_does(app: Flask, client: FlaskClient) -> None:
    app.config["DOSSIER_ACCESSIBILITY_EMAIL"] = "toegankelijk@kis.example"
    dossier = make_dossier(slug="coronadossier")
    item = make_item(dossier, ItemKind.PUBLICATION, title="Tussen verveling en vereenzaming")
    attach_pdf(item, pages=12)
    html = text(client, "/coronadossier")
    block = html[html.index('<div class="attachment">') :]
    block = block[: block.index("</div>\n</div>") + 12]
    # The thumbnail is decoration; the title is the one link to the file.
    assert re.search(r'<img src="[^"]+miniatuur\.png\?v=\w+" alt="" aria-hidden="true"', block)
    assert '<source srcset="' in block and 'type="image/webp"' in block
    links = re.findall(r'<a href="([^"]+)">', block)
    assert links[0].endswith("/download/publicatie.pdf")
    assert links[1].startswith("mailto:toegankelijk@kis.example?subject=")
    assert len(links) == 2
    assert re.search(r"PDF, \d kB, 12 pagina&#39;s", block)
    assert "Vraag een toegankelijke versie aan" in block


def test_a_publication_page_offers_its_pdf(app: Flask, client: FlaskClient) -> None:
    dossier = make_dossier(slug="coronadossier")
    item = make_item(dossier, ItemKind.PUBLICATION, slug="verveling")
    attach_pdf(item, pages=1)
    html = text(client, "/dossiers/coronadossier/verveling")
    assert '<h2 id="bestand">PDF-versie</h2>' in html
    assert "PDF, 1 kB, 1 pagina<" in html
    assert html.index("De HTML-versie van de publicatie.") < html.index("PDF-versie")


def test_an_infographic_page_shows_the_image_then_its_text(app: Flask, client: FlaskClient) -> None:
    dossier = make_dossier(slug="coronadossier")
    item = make_item(dossier, ItemKind.INFOGRAPHIC, slug="vijf-stappen", title="Vijf stappen")
    attach_png(item)
    html = text(client, "/dossiers/coronadossier/vijf-stappen")
    image = re.search(r'<img src="([^"]+)" alt="([^"]+)" width="600" height="900">', html)
    assert image is not None
    assert image[1].startswith("/dossiers/coronadossier/bestanden/vijf-stappen/afbeelding?v=")
    assert image[2] == "Infographic: Vijf stappen. Wat erop staat, leest u onder de afbeelding."
    assert html.index(image[0]) < html.index("Wat de infographic laat zien")
    assert "PNG-afbeelding" in html
    with client.get(image[1]) as served:
        assert served.status_code == 200


def test_the_dossier_shows_its_lead_image_with_its_alt_text(
    app: Flask, client: FlaskClient
) -> None:
    dossier = make_dossier(slug="coronadossier")
    image = io.BytesIO(samples.jpeg((1200, 500), metadata=False))
    set_lead_image(dossier.id, image, "kop.jpg", "Buren op een bankje in het park")
    html = text(client, "/coronadossier")
    found = re.search(r'<img class="dossier-lead-image" src="([^"]+)" alt="([^"]*)">', html)
    assert found is not None and found[2] == "Buren op een bankje in het park"
    with client.get(found[1]) as response:
        assert (response.status_code, response.mimetype) == (200, "image/jpeg")


def fill(dossier: object, count: int) -> None:
    theme = make_theme(f"Thema {count}")
    for n in range(count):
        kind = (ItemKind.PUBLICATION, ItemKind.INFOGRAPHIC, ItemKind.ARTICLE)[n % 3]
        item = make_item(dossier, kind, theme_slugs=(theme.slug,))  # type: ignore[arg-type]
        if kind is ItemKind.PUBLICATION:
            attach_pdf(item, pages=n + 1)
        elif kind is ItemKind.INFOGRAPHIC:
            attach_png(item)


def test_files_cost_no_query_each(app: Flask, client: FlaskClient) -> None:
    few, many = make_dossier(), make_dossier()
    fill(few, 3)
    fill(many, 30)
    assert client.get(f"/dossiers/{make_dossier().slug}").status_code == 200  # the day's key
    for query in ("", "?type=publicatie"):
        with count_queries() as for_few:
            assert "pagina" in text(client, f"/dossiers/{few.slug}{query}")
        with count_queries() as for_many:
            assert text(client, f"/dossiers/{many.slug}{query}").count("attachment-title") == (
                20 if not query else 10
            )
        assert len(for_many) == len(for_few), for_many
