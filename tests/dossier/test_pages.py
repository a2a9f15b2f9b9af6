"""The public dossier page: groups, featured cards, filters with their counts, item pages."""

from __future__ import annotations

import re

from kispub.dossier.models import ItemKind
from kispub.dossier.services.editing import feature_item
from tests.dossier.helpers import make_dossier, make_group, make_item
from tests.factories import make_theme
from tests.queries import count_queries


def test_the_coronadossier_lives_at_its_short_address(app, client) -> None:
    dossier = make_dossier(slug="coronadossier", title="Coronadossier")
    make_item(dossier, title="Corona helpdesk voor statushouders gestart")
    page = client.get("/coronadossier")
    assert page.status_code == 200
    assert "Corona helpdesk voor statushouders gestart" in page.text
    moved = client.get("/dossiers/coronadossier?type=artikel")
    assert moved.status_code == 301
    assert moved.headers["Location"].endswith("/coronadossier?type=artikel")


def test_groups_featured_and_filters_with_counts(app, client) -> None:
    migration = make_theme("Nieuwe migratie")
    participation = make_theme("Participatie")
    dossier = make_dossier()
    group = make_group(dossier, "Nieuwe migratie")
    article = make_item(dossier, title="Helpdesk", group_id=group.id, theme_slugs=(migration.slug,))
    make_item(
        dossier,
        ItemKind.INFOGRAPHIC,
        title="Inclusieve communicatie",
        theme_slugs=(migration.slug, participation.slug),
    )
    make_item(dossier, ItemKind.EXTERNAL, title="Elders", theme_slugs=(participation.slug,))
    feature_item(article.id, 1)

    page = client.get(f"/dossiers/{dossier.slug}").text
    assert re.search(r'id="groep-nieuwe-migratie"', page)
    assert re.search(r"Uitgelicht.*Helpdesk", page, re.S)
    assert "Overig" in page  # the items without a group
    assert re.search(r"Nieuwe migratie <span[^>]*>\(2\)", page)
    assert re.search(r"Participatie <span[^>]*>\(2\)", page)
    assert re.search(r"Infographics <span[^>]*>\(1\)", page)

    filtered = client.get(f"/dossiers/{dossier.slug}?thema=participatie&type=infographic").text
    results = filtered.split('id="resultaten"')[1].split("</section>")[0]
    assert "Inclusieve communicatie" in results and "Elders" not in results
    assert "1 item, nieuwste eerst." in filtered
    # The other filter's counts follow the chosen one: one infographic on Participatie.
    assert re.search(r"Alle soorten <span[^>]*>\(2\)", filtered)


def test_unknown_filters_and_unpublished_things_are_not_found(app, client) -> None:
    dossier = make_dossier()
    draft = make_item(dossier, published_at=None)
    assert client.get(f"/dossiers/{dossier.slug}?thema=bestaat-niet").status_code == 404
    assert client.get(f"/dossiers/{dossier.slug}?type=podcast").status_code == 404
    assert client.get(f"/dossiers/{dossier.slug}/{draft.slug}").status_code == 404
    unpublished = make_dossier(published_at=None)
    assert client.get(f"/dossiers/{unpublished.slug}").status_code == 404


def test_an_item_page_shows_the_html_version(app, client) -> None:
    dossier = make_dossier()
    item = make_item(dossier, ItemKind.PUBLICATION, body="De **HTML**-versie.")
    page = client.get(f"/dossiers/{dossier.slug}/{item.slug}")
    assert page.status_code == 200
    assert "<strong>HTML</strong>" in page.text
    external = make_item(dossier, ItemKind.EXTERNAL)
    assert client.get(f"/dossiers/{dossier.slug}/{external.slug}").status_code == 404


def fill(dossier, count: int, themes) -> None:
    group = make_group(dossier, f"Groep {count}")
    kinds = [ItemKind.ARTICLE, ItemKind.INFOGRAPHIC, ItemKind.EXTERNAL, ItemKind.PUBLICATION]
    for n in range(count):
        make_item(
            dossier,
            kinds[n % len(kinds)],
            group_id=group.id if n % 2 else None,
            theme_slugs=tuple(t.slug for t in themes[: 1 + n % len(themes)]),
        )


def test_the_page_sends_as_many_queries_for_40_items_as_for_4(app, client) -> None:
    themes = [make_theme("Nieuwe migratie"), make_theme("Participatie"), make_theme("Onderwijs")]
    few_dossier, many_dossier = make_dossier(), make_dossier()
    fill(few_dossier, 4, themes)
    fill(many_dossier, 40, themes)
    # The day's first view makes the day's counting key: let another dossier's view do that.
    assert client.get(f"/dossiers/{make_dossier().slug}").status_code == 200
    few_url, many_url = f"/dossiers/{few_dossier.slug}", f"/dossiers/{many_dossier.slug}"
    for query in ("", "?thema=participatie", "?type=artikel"):
        with count_queries() as few:
            assert client.get(few_url + query).status_code == 200
        with count_queries() as many:
            assert client.get(many_url + query).status_code == 200
        assert len(many) == len(few) <= 17, many  # with the view's counting (up to 6)
        with count_queries() as cached:  # the list again: a fragment kept for a while
            assert client.get(many_url + query).status_code == 200
        # One query: the head with its public count and the theme's name; the repeat view
        # is remembered by the process.
        assert len(cached) == 1, cached


def test_an_edit_and_a_scheduled_item_show_at_once_despite_the_cached_list(app, client) -> None:
    from datetime import UTC, datetime, timedelta

    from kispub.dossier.services.editing import GroupData, save_group
    from tests.clock import freeze

    now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    clock = freeze(app, now)
    dossier = make_dossier()
    group = make_group(dossier, "Participatie")
    make_item(dossier, title="Al gepubliceerd", group_id=group.id)
    make_item(
        dossier, title="Komt straks", group_id=group.id, published_at=now + timedelta(minutes=5)
    )
    path = f"/dossiers/{dossier.slug}"
    assert "Komt straks" not in client.get(path).text

    save_group(dossier.id, group.id, GroupData(title="Meedoen", slug=group.slug))
    assert ">Meedoen</h2>" in client.get(path).text  # same clock, same count: the revision

    clock.advance(minutes=6)
    assert "Komt straks" in client.get(path).text


def test_anonymous_readers_share_the_page_editors_and_messages_do_not(
    app, client, login_as
) -> None:
    from dataclasses import replace

    from kispub.accounts.models import Role
    from kispub.core.fragments import cached_fragment
    from kispub.dossier.services.editing import DossierData, save_dossier

    dossier = make_dossier(title="Gedeeld dossier")
    path, dossier_id = f"/dossiers/{dossier.slug}", dossier.id
    first = client.get(path).text
    assert first == client.get(path).text  # the same page, from the cache
    with app.test_request_context(path):  # it is the cached page, keyed on the address
        stored = [
            k for k in app.extensions["kispub_fragments"].entries if k[:2] == ("page", path + "?")
        ]
        assert len(stored) == 1 and cached_fragment(stored[0], lambda: "rebuilt") == first

    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Uw aanmelding is ontvangen.")]
    assert "Uw aanmelding is ontvangen." in client.get(path).text  # a message: rendered anew

    login_as(role=Role.EDITOR)
    assert "Dit dossier beheren" in client.get(path).text
    anonymous = app.test_client()
    assert "Dit dossier beheren" not in anonymous.get(path).text

    data = DossierData(
        title="Hernoemd dossier", slug=dossier.slug, published_at=dossier.published_at
    )
    save_dossier(dossier_id, replace(data, introduction="Nieuwe **inleiding**."))
    page = anonymous.get(path).text
    assert "<h1>Hernoemd dossier</h1>" in page and "<strong>inleiding</strong>" in page
