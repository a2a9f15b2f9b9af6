"""Draft, scheduled and published ateliers; "Afgelopen"; editors' links and preview links."""

from __future__ import annotations

import html as html_lib
import re
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from kispub.accounts.models import User
from kispub.ateliers.links import atelier_choices, resolve_ateliers, theme_section
from kispub.ateliers.models import Atelier, AtelierPublication, AtelierStatus, DisplayStatus
from kispub.ateliers.queries import atelier_by_slug, member_ateliers
from kispub.ateliers.services.registration import RegistrationError
from kispub.core.database import write_transaction
from kispub.core.preview import preview_token
from kispub.core.public import publish
from kispub.extensions import db
from tests.ateliers.helpers import make_atelier, move_to, parse_calendar, register, soon
from tests.clock import Clock
from tests.factories import make_theme, make_user

DRAFT = AtelierPublication.DRAFT
PUBLISHED = AtelierPublication.PUBLISHED


def text(client: FlaskClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return html_lib.unescape(response.get_data(as_text=True))


def uids(client: FlaskClient, path: str) -> set[str]:
    response = client.get(path)
    assert response.status_code == 200, path
    return {str(event["UID"]) for event in parse_calendar(response.data).events}


def hidden_ateliers(clock: Clock) -> list[Atelier]:
    """A draft and one scheduled for tomorrow, both on the theme "Onderwijs"."""
    theme = make_theme("Onderwijs")
    draft = make_atelier(title="Nog een concept", theme_slugs=(theme.slug,), publication=DRAFT)
    scheduled = make_atelier(
        title="Nog ingepland",
        theme_slugs=(theme.slug,),
        publication=PUBLISHED,
        publish_at=clock.now + timedelta(days=1),
    )
    return [draft, scheduled]


def test_a_draft_or_scheduled_atelier_is_nowhere_public(
    app: Flask, client: FlaskClient, clock: Clock
) -> None:
    hidden = hidden_ateliers(clock)
    public = make_atelier(title="Al openbaar", theme_slugs=("onderwijs",))
    index, theme_page = text(client, "/kennisateliers/"), text(client, "/themas/onderwijs")

    assert "Al openbaar" in index and "Al openbaar" in theme_page
    for atelier in hidden:
        assert atelier.title not in index and atelier.title not in theme_page
        assert atelier.title not in text(client, "/kennisateliers/?thema=onderwijs")
        for path in ("", "/aanmelden", ".ics"):
            assert client.get(f"/kennisateliers/{atelier.slug}{path}").status_code == 404
        assert client.post(f"/kennisateliers/{atelier.slug}/aanmelden").status_code == 404
        with pytest.raises(RegistrationError):
            register(atelier)
    public_uid = f"atelier-{public.id}@kis.example"
    for feed in ("/kennisateliers.ics", "/kennisateliers/thema/onderwijs.ics"):
        assert uids(client, feed) == {public_uid}
    with app.test_request_context():
        ids = [public.id, *(atelier.id for atelier in hidden)]
        assert [item.id for item in resolve_ateliers(ids)] == [public.id]
        section = theme_section(make_theme("Arbeidsmarkt"))
        assert section is not None and section.items == ()
        # Editors may still link a draft (it shows once public).
        assert {a.id for a in hidden} <= {item.id for item in atelier_choices()}


def test_a_scheduled_atelier_appears_at_its_moment(client: FlaskClient, clock: Clock) -> None:
    _, scheduled = hidden_ateliers(clock)
    assert client.get(f"/kennisateliers/{scheduled.slug}").status_code == 404

    clock.advance(days=1)

    assert "Nog ingepland" in text(client, f"/kennisateliers/{scheduled.slug}")
    assert "Nog ingepland" in text(client, "/kennisateliers/")
    assert f"atelier-{scheduled.id}@kis.example" not in uids(client, "/kennisateliers.ics")
    with client.application.app_context():
        publish()  # the calendar file follows at the worker's run, each minute
    assert f"atelier-{scheduled.id}@kis.example" in uids(client, "/kennisateliers.ics")
    register(scheduled)  # registration opens with it


def test_a_seat_at_an_atelier_taken_back_to_draft_leaves_the_personal_feed(
    app: Flask, clock: Clock
) -> None:
    atelier = make_atelier()
    member = make_user(email="lid@example.org")
    register(atelier, "lid@example.org")
    assert [a.id for a in member_ateliers(member)] == [atelier.id]
    with write_transaction():
        stored = db.session.get(Atelier, atelier.id)
        assert stored is not None
        stored.publication = DRAFT

    assert member_ateliers(member) == []


def test_content_files_publish_unless_they_say_draft(app: Flask, clock: Clock) -> None:
    from kispub.ateliers.loader import load_ateliers

    base = {"starts_at": soon(days=3).replace(tzinfo=None), "venue_name": "Zaal"}
    base["ends_at"] = base["starts_at"] + timedelta(hours=2)
    load_ateliers(
        [
            {**base, "slug": "openbaar", "title": "Openbaar"},
            {**base, "slug": "concept", "title": "Concept", "publication": "draft"},
        ],
        Path(app.root_path),
    )
    published, draft = atelier_by_slug("openbaar"), atelier_by_slug("concept")

    assert published is not None and published.is_public(clock.now)
    assert published.publish_at == clock.now
    assert draft is not None and not draft.is_public(clock.now)


# -- the editors' form -------------------------------------------------------------------------


def form(**overrides: str) -> dict[str, str]:
    values = {
        "title": "Taal en werk",
        "starts_at": "2027-02-12T14:00",
        "ends_at": "2027-02-12T16:00",
        "venue_name": "Zaal De Populier",
        "status": "scheduled",
        "nonce": "een-nonce-van-minstens-16-tekens",
    }
    values.update(overrides)
    return values


@pytest.mark.usefixtures("editor")
def test_a_new_atelier_starts_as_a_draft_with_a_preview_link(
    client: FlaskClient, clock: Clock
) -> None:
    new = text(client, "/beheer/ateliers/nieuw")
    assert re.search(r'value="draft"[^>]*checked|checked[^>]*value="draft"', new)

    response = client.post("/beheer/ateliers/nieuw", data=form())
    atelier = atelier_by_slug("taal-en-werk")
    assert response.status_code == 302 and atelier is not None
    assert atelier.publication is DRAFT
    assert client.get("/kennisateliers/taal-en-werk").status_code == 404
    edit = text(client, f"/beheer/ateliers/{atelier.id}/bewerken")
    assert "Concept" in edit
    overview = text(client, "/beheer/ateliers/")
    assert 'href="/kennisateliers/taal-en-werk"' not in overview
    assert f'<a href="/beheer/ateliers/{atelier.id}/bewerken">Taal en werk</a>' in overview
    link = re.search(r'href="(https?://[^"]+/kennisateliers/voorbeeld/[^"]+)"', edit)
    assert link is not None
    # Seven days (PREVIEW_LINK_DAYS) from Monday 2 November 10:00, Amsterdam time.
    assert "De link werkt tot maandag 9 november 2026 om 10:00 uur." in edit
    assert "Voorbeeld — nog niet gepubliceerd" in text(client, "/" + link[1].split("/", 3)[3])


@pytest.mark.usefixtures("editor")
def test_an_editor_publishes_now_or_schedules(client: FlaskClient, clock: Clock) -> None:
    client.post("/beheer/ateliers/nieuw", data=form())
    atelier = atelier_by_slug("taal-en-werk")
    assert atelier is not None
    edit = f"/beheer/ateliers/{atelier.id}/bewerken"

    client.post(edit, data=form(publication="published", publish_at="2026-11-05T08:30"))
    assert client.get("/kennisateliers/taal-en-werk").status_code == 404
    assert "Ingepland" in text(client, edit)
    assert "voorbeeld" in text(client, edit)
    clock.advance(days=3, hours=1)  # 5 November 10:00 UTC: after 08:30 Amsterdam
    assert client.get("/kennisateliers/taal-en-werk").status_code == 200
    assert "Gepubliceerd" in text(client, edit)
    assert "/kennisateliers/voorbeeld/" not in text(client, edit)

    client.post(edit, data=form(publication="draft"))
    assert client.get("/kennisateliers/taal-en-werk").status_code == 404
    client.post(edit, data=form(publication="published"))
    assert client.get("/kennisateliers/taal-en-werk").status_code == 200


def test_editors_see_a_bewerken_link_visitors_do_not(
    client: FlaskClient, login_as, clock: Clock
) -> None:
    from kispub.accounts.models import Role

    atelier = make_atelier()
    path = f"/kennisateliers/{atelier.slug}"
    edit = f'href="/beheer/ateliers/{atelier.id}/bewerken"'
    assert edit not in text(client, path)
    login_as(email="lid@example.org")
    assert edit not in text(client, path)
    login_as(role=Role.EDITOR)
    assert edit in text(client, path)


# -- preview links -----------------------------------------------------------------------------


def preview_path(app: Flask, atelier_id: int, kind: str = "atelier") -> str:
    with app.test_request_context():
        return f"/kennisateliers/voorbeeld/{preview_token(kind, atelier_id)}"


def test_a_preview_link_shows_the_draft_to_anyone_never_indexed(
    app: Flask, client: FlaskClient, clock: Clock
) -> None:
    atelier = make_atelier(title="Nog geheim", publication=DRAFT)
    response = client.get(preview_path(app, atelier.id))
    page = html_lib.unescape(response.get_data(as_text=True))

    assert response.status_code == 200
    assert response.headers["X-Robots-Tag"] == "noindex"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert '<meta name="robots" content="noindex">' in page
    assert "Voorbeeld — nog niet gepubliceerd" in page and "Nog geheim" in page
    assert "/aanmelden" not in page and "application/ld+json" not in page
    assert "<form" not in page.split("<main", 1)[-1]
    assert ".ics" not in page.split("<main", 1)[-1]


def test_a_preview_link_expires_and_cannot_be_forged(
    app: Flask, client: FlaskClient, clock: Clock
) -> None:
    atelier = make_atelier(publication=DRAFT)
    path = preview_path(app, atelier.id)

    assert client.get(path[:-2] + "xx").status_code == 404
    assert client.get(preview_path(app, atelier.id, kind="episode")).status_code == 404
    assert client.get(preview_path(app, 2**40)).status_code == 404
    clock.advance(days=app.config["PREVIEW_LINK_DAYS"], seconds=-1)
    assert client.get(path).status_code == 200
    clock.advance(seconds=2)
    assert client.get(path).status_code == 404


# -- "Afgelopen" -------------------------------------------------------------------------------


def test_an_ended_atelier_shows_afgelopen_cancelled_keeps_its_label(
    client: FlaskClient, editor: User, clock: Clock
) -> None:
    ended = make_atelier(title="Was gepland")
    cancelled = make_atelier(title="Ging niet door", status=AtelierStatus.CANCELLED)
    for atelier in (ended, cancelled):
        move_to(atelier, soon(days=-3))
    db.session.expire_all()

    assert ended.display_status(clock.now) is DisplayStatus.ENDED
    assert cancelled.display_status(clock.now) is DisplayStatus.CANCELLED
    index = text(client, "/kennisateliers/")
    past = index.split("Eerdere kennisateliers", 1)[1]
    assert "Afgelopen" in past and "Geannuleerd" in past
    assert "Afgelopen." in text(client, f"/kennisateliers/{ended.slug}")
    admin = text(client, "/beheer/ateliers/")
    row = admin.split("Was gepland", 1)[1].split("</tr>", 1)[0]
    assert "Afgelopen" in row and "Gepland" not in row
    assert "Afgelopen" in text(client, f"/beheer/ateliers/{ended.id}/deelnemers")
    assert "Geannuleerd" in admin.split("Ging niet door", 1)[1].split("</tr>", 1)[0]


def test_the_index_lists_upcoming_then_past_newest_first(client: FlaskClient, clock: Clock) -> None:
    make_atelier(title="Straks", starts_at=soon(days=10))
    make_atelier(title="Eerst", starts_at=soon(days=2))
    for title, days in (("Lang geleden", -30), ("Vorige week", -7)):
        move_to(make_atelier(title=title), soon(days=days))
    page = text(client, "/kennisateliers/")
    upcoming, past = page.split("Eerdere kennisateliers", 1)

    assert upcoming.index("Eerst") < upcoming.index("Straks")
    assert "Vorige week" not in upcoming and "Lang geleden" not in upcoming
    assert past.index("Vorige week") < past.index("Lang geleden")
