"""The back office hub (/beheer/): who sees which back office, what needs attention, cost."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from kispub.accounts.models import Role, User
from kispub.ateliers.models import AtelierPublication, RegistrationStatus
from kispub.community.models import MemberStatus
from kispub.core import backoffice
from kispub.core.database import write_transaction
from kispub.core.mail import build_message
from kispub.core.outbox import OutboxMessage, OutboxStatus, queue_mail
from kispub.extensions import db
from kispub.podcast.models import Episode, EpisodeStatus, Series
from tests.ateliers.helpers import make_atelier, register
from tests.clock import freeze
from tests.community.helpers import make_person
from tests.dossier.helpers import make_dossier, make_item
from tests.factories import make_user
from tests.queries import count_queries

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
_n = itertools.count(1)


@pytest.fixture(autouse=True)
def _frozen(app: Flask) -> None:
    freeze(app, NOW)


def _episode(status: EpisodeStatus, publish_at: datetime | None) -> None:
    n = next(_n)
    with write_transaction() as session:
        series = session.query(Series).first() or Series(
            slug="serie", title="Serie", author="KIS", owner_name="KIS",
            owner_email="podcast@kis.example", podcast_guid="00000000-0000-0000-0000-000000000001",
        )  # fmt: skip
        session.add(series)
        session.flush()
        session.add(
            Episode(
                series_id=series.id,
                guid=f"guid-{n}",
                slug=f"aflevering-{n}",
                title=f"Aflevering {n}",
                status=status,
                publish_at=publish_at,
                audio_key=f"audio/{n}.mp3",
                audio_mime="audio/mpeg",
                audio_size=1,
                duration_ms=1000,
                bytes_per_second=1.0,
            )
        )


def _failed_mail() -> None:
    with write_transaction():
        key = f"test:{next(_n)}"
        queue_mail(build_message("iemand@example.org", "Onderwerp", "Tekst", key=key), key)
    with write_transaction():
        db.session.query(OutboxMessage).filter_by(key=key).one().status = OutboxStatus.FAILED


def _fill() -> None:
    """Something waiting in every back office."""
    _episode(EpisodeStatus.DRAFT, None)
    _episode(EpisodeStatus.PUBLISHED, NOW + timedelta(days=3))
    _episode(EpisodeStatus.PUBLISHED, NOW - timedelta(days=3))  # public: nothing to do
    make_person(MemberStatus.PENDING)
    atelier = make_atelier(capacity=1)
    register(atelier)
    assert register(atelier).status is RegistrationStatus.WAITLISTED
    dossier = make_dossier()
    make_item(dossier, published_at=None)
    make_item(dossier, published_at=NOW + timedelta(days=1))
    make_user(password=None, name="Nog Niet Aangenomen")
    _failed_mail()


def _hub(client: FlaskClient) -> str:
    response = client.get("/beheer/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_visitors_log_in_first_and_members_are_refused(
    client: FlaskClient, login_as: Callable[..., User]
) -> None:
    assert client.get("/beheer/").status_code == 302
    login_as(role=Role.MEMBER)
    assert client.get("/beheer/").status_code == 403
    assert ">Beheer<" not in client.get("/").get_data(as_text=True)


def test_a_moderator_sees_the_community_only(
    client: FlaskClient, login_as: Callable[..., User]
) -> None:
    make_person(MemberStatus.PENDING)
    login_as(role=Role.MODERATOR)
    assert ">Beheer<" in client.get("/").get_data(as_text=True)
    page = _hub(client)
    assert "/beheer/community/aanvragen" in page
    assert "1 aanvraag" in page
    for other in ("/beheer/podcast/", "/beheer/ateliers/", "/beheer/dossiers/", "/beheer/outbox"):
        assert other not in page


def test_an_editor_sees_the_channels_but_not_the_admins_pages(
    client: FlaskClient, login_as: Callable[..., User]
) -> None:
    _fill()
    login_as(role=Role.EDITOR)
    page = _hub(client)
    for label in (
        "1 concept", "1 gepland", "1 aanvraag", "1 atelier met een wachtlijst",
        "1 item niet gepubliceerd", "1 item gepland",
    ):  # fmt: skip
        assert label in page, label
    assert "/beheer/gebruikers" not in page
    assert "mislukte e-mail" not in page


def test_an_admin_sees_every_back_office_with_what_waits(
    client: FlaskClient, login_as: Callable[..., User]
) -> None:
    _fill()
    login_as(role=Role.ADMIN)
    page = _hub(client)
    assert "1 mislukte e-mail" in page
    assert "1 account zonder wachtwoord" in page
    assert "/beheer/gebruikers" in page and "/beheer/outbox" in page


def test_nothing_waiting_says_so(client: FlaskClient, login_as: Callable[..., User]) -> None:
    login_as(role=Role.ADMIN)
    page = _hub(client)
    assert "Niets dat op u wacht." in page
    assert "0 concepten" not in page


def test_the_hub_costs_the_same_number_of_queries_however_much_waits(
    client: FlaskClient, login_as: Callable[..., User]
) -> None:
    login_as(role=Role.ADMIN)
    _hub(client)
    with count_queries() as empty:
        _hub(client)
    _fill()
    _fill()
    with count_queries() as full:
        _hub(client)
    assert len(full) == len(empty)
    # One query or a few per back office, not one per item.
    assert len(full) <= 2 * len(backoffice_sections(client))


def backoffice_sections(client: FlaskClient) -> list[backoffice.Section]:
    with client.application.test_request_context():
        return backoffice.sections()


def test_a_later_attention_function_joins_its_section(app: Flask) -> None:
    extra = backoffice.Attention("2 extra", "/ergens", 2)
    backoffice.add_attention(app, "ateliers", lambda: [extra])
    admin = make_user(role=Role.ADMIN)
    with app.test_request_context():
        sections = {s.key: s for s in backoffice.hub_for(admin)}
    assert extra in sections["ateliers"].attention


def test_the_ateliers_section_counts_drafts_and_scheduled_ateliers(app: Flask) -> None:
    freeze(app, NOW)
    make_atelier(publication=AtelierPublication.DRAFT)
    make_atelier(publication=AtelierPublication.PUBLISHED, publish_at=NOW + timedelta(days=2))
    make_atelier(publication=AtelierPublication.PUBLISHED, publish_at=NOW - timedelta(days=2))
    editor = make_user(role=Role.EDITOR)
    with app.test_request_context():
        sections = {s.key: s for s in backoffice.hub_for(editor)}
    labels = [item.label for item in sections["ateliers"].attention]
    assert labels == ["1 concept", "1 gepland"]
