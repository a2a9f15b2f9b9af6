"""Sending alerts: *Direct* when an item becomes public (now, or when its time comes), the
daily and weekly summaries at their hour, each once however often the jobs run, only what
the subscriber's filters choose; and the mail as a real SMTP server receives it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest

from kispub.core.outbox import OutboxMessage
from kispub.dossier.models import DossierItem, ItemKind
from kispub.dossier.services.alert_sending import announce_new_items, send_due_summaries
from kispub.extensions import db
from kispub.podcast import services as podcast_services
from kispub.podcast.models import Episode, EpisodeStatus
from kispub.podcast.services import EpisodeData, EpisodeFiles
from tests.clock import freeze
from tests.dossier.alert_helpers import mails_to, stranger, subscribe, subscription, text
from tests.dossier.helpers import make_dossier, make_item
from tests.factories import make_theme
from tests.jobs.conftest import SMTPServer, allow_smtp_to
from tests.jobs.helpers import parse
from tests.podcast.conftest import FIXTURES, make_series

MONDAY = datetime(2026, 12, 14, 9, 0, tzinfo=UTC)  # 10:00 in Amsterdam
NOOR = "noor@example.org"


@pytest.fixture
def clock(app):
    return freeze(app, MONDAY)


@pytest.fixture
def dossier(app, clock):
    make_theme("Participatie")
    make_theme("Nieuwe migratie")
    return make_dossier(title="Coronadossier", slug="corona")


def alerts(outbox, address: str = NOOR) -> list:
    """The alert mails to ``address`` (not the confirmation)."""
    return [m for m in mails_to(outbox(), address) if not m["Subject"].startswith("Bevestig")]


def publish(dossier, clock, title: str, **overrides) -> DossierItem:
    """An item that becomes public now (or at ``published_at``)."""
    overrides.setdefault("published_at", clock.now)
    return make_item(dossier, title=title, **overrides)


def test_direct_mails_a_new_item_once(client, outbox, dossier, clock) -> None:
    subscribe(client, outbox, dossier)
    clock.advance(hours=1)
    item = publish(dossier, clock, "Tussen verveling en vereenzaming", slug="verveling")
    assert alerts(outbox) == []  # the worker's job sends, not the editor's request
    assert announce_new_items() == 1
    [mail] = alerts(outbox)
    assert mail["Subject"] == "Coronadossier: Tussen verveling en vereenzaming"
    body = text(mail)
    assert "https://kis.example/dossiers/corona/verveling" in body
    assert (
        "Afmelden (één klik, zonder in te loggen): https://kis.example/dossiers/e-mail/afmelden/"
        in body
    )
    assert db.session.get(DossierItem, item.id).announced_at == clock.now
    for _ in range(2):  # the job again, and again later: nothing new, no mail
        clock.advance(minutes=5)
        assert announce_new_items() == 0
    assert len(alerts(outbox)) == 1
    publish(dossier, clock, "Het volgende")
    announce_new_items()
    assert [m["Subject"] for m in alerts(outbox)][1:] == ["Coronadossier: Het volgende"]


def test_a_scheduled_item_is_mailed_when_its_time_comes(client, outbox, dossier, clock) -> None:
    subscribe(client, outbox, dossier)
    publish(dossier, clock, "Later", published_at=clock.now + timedelta(hours=2))
    clock.advance(hours=1)
    announce_new_items()
    assert alerts(outbox) == []
    clock.advance(hours=1, minutes=4)
    announce_new_items()
    [mail] = alerts(outbox)
    assert mail["Subject"] == "Coronadossier: Later"


def test_several_new_items_come_in_one_mail(client, outbox, dossier, clock) -> None:
    subscribe(client, outbox, dossier)
    clock.advance(minutes=1)
    publish(dossier, clock, "Een")
    publish(dossier, clock, "Twee")
    announce_new_items()
    [mail] = alerts(outbox)
    assert mail["Subject"] == "Coronadossier: 2 nieuwe items"
    assert "Een" in text(mail) and "Twee" in text(mail)


def test_only_what_the_filters_choose(client, outbox, dossier, clock) -> None:
    subscribe(client, outbox, dossier, query="thema=participatie&type=artikel")
    subscribe(client, outbox, dossier, "alles@example.org")
    clock.advance(minutes=1)
    publish(dossier, clock, "Artikel elders", theme_slugs=("nieuwe-migratie",))
    publish(dossier, clock, "Infographic", kind=ItemKind.INFOGRAPHIC, theme_slugs=("participatie",))
    announce_new_items()
    assert alerts(outbox) == []
    assert "2 nieuwe items" in alerts(outbox, "alles@example.org")[0]["Subject"]
    clock.advance(minutes=5)
    publish(dossier, clock, "Artikel over participatie", theme_slugs=("participatie",))
    announce_new_items()
    [mail] = alerts(outbox)
    assert mail["Subject"] == "Coronadossier: Artikel over participatie"
    assert "artikelen over Participatie, direct" in text(mail)


def test_what_was_public_before_confirming_is_not_news(client, outbox, dossier, clock) -> None:
    publish(dossier, clock, "Al gepubliceerd", published_at=clock.now - timedelta(minutes=3))
    subscribe(client, outbox, dossier)  # the job had not run yet: the item is unannounced
    clock.advance(minutes=2)
    announce_new_items()
    assert alerts(outbox) == []


def test_an_item_of_an_unpublished_dossier_waits(client, outbox, app, clock) -> None:
    draft = make_dossier(slug="concept", published_at=None)
    make_item(draft, title="In een concept", published_at=clock.now)
    announce_new_items()
    assert db.session.scalars(db.select(DossierItem.announced_at)).all() == [None]


def scheduled_episode(app, publish_at: datetime) -> Episode:
    """A podcast episode that becomes public at ``publish_at``."""
    series = make_series(app)
    data = EpisodeData(
        title="Aflevering over corona", status=EpisodeStatus.PUBLISHED, publish_at=publish_at
    )
    with app.test_request_context(), (FIXTURES / "cbr_tagged.mp3").open("rb") as stream:
        created = podcast_services.create_episode(series.id, data, EpisodeFiles(stream))
    assert created.item is not None
    return created.item


def test_an_item_standing_for_an_episode_waits_for_the_episode(
    app, client, outbox, dossier, clock
) -> None:
    episode = scheduled_episode(app, clock.now + timedelta(hours=2))
    subscribe(client, outbox, dossier)
    clock.advance(minutes=1)
    with app.test_request_context():  # the editor's form lists episodes by their address
        publish(dossier, clock, "De podcast", kind=ItemKind.EPISODE, link_id=episode.id)
    announce_new_items()
    assert alerts(outbox) == []  # its page is not public yet, nor is it on the dossier page
    clock.advance(hours=2)
    announce_new_items()
    [mail] = alerts(outbox)
    assert f"https://kis.example/podcast/{episode.series.slug}/{episode.slug}" in text(mail)


def test_the_daily_summary_comes_once_at_its_hour(client, outbox, dossier, clock) -> None:
    subscribe(client, outbox, dossier, frequency="daily")
    subscribe(client, outbox, dossier, "direct@example.org")
    clock.advance(hours=3)
    publish(dossier, clock, "Maandagmiddag")
    announce_new_items()
    assert alerts(outbox) == []  # a daily subscriber hears nothing at once
    clock.now = datetime(2026, 12, 15, 5, 30, tzinfo=UTC)  # Tuesday 06:30 in Amsterdam
    publish(dossier, clock, "Dinsdagochtend vroeg")
    assert send_due_summaries() == 0  # not 7:00 yet
    clock.now = datetime(2026, 12, 15, 6, 2, tzinfo=UTC)
    publish(dossier, clock, "Na zevenen")
    assert send_due_summaries() == 1
    assert send_due_summaries() == 0  # run twice: mailed once
    [mail] = alerts(outbox)
    assert mail["Subject"] == "Coronadossier: 2 nieuwe items (dagoverzicht)"
    assert "Maandagmiddag" in text(mail) and "Dinsdagochtend vroeg" in text(mail)
    assert "Na zevenen" not in text(mail)
    assert len(alerts(outbox, "direct@example.org")) == 1  # direct: no summaries
    clock.advance(hours=1)
    assert send_due_summaries() == 0
    clock.now = datetime(2026, 12, 16, 6, 2, tzinfo=UTC)
    send_due_summaries()
    assert "Na zevenen" in text(alerts(outbox)[-1]) and len(alerts(outbox)) == 2
    clock.now = datetime(2026, 12, 17, 6, 2, tzinfo=UTC)
    assert send_due_summaries() == 0  # nothing new: no mail


def test_the_weekly_summary_comes_on_monday(client, outbox, dossier, clock) -> None:
    subscribe(client, outbox, dossier, frequency="weekly", query="thema=participatie")
    for day in range(1, 7):  # Tuesday to Sunday, with the daily run every morning
        clock.now = datetime(2026, 12, 14 + day, 6, 2, tzinfo=UTC)
        publish(dossier, clock, f"Dag {day}", theme_slugs=("participatie",) if day % 2 else ())
        send_due_summaries()
    assert alerts(outbox) == []
    clock.now = datetime(2026, 12, 21, 6, 2, tzinfo=UTC)
    assert send_due_summaries() == 1
    assert send_due_summaries() == 0
    [mail] = alerts(outbox)
    assert mail["Subject"] == "Coronadossier: 3 nieuwe items (weekoverzicht)"
    assert re.findall(r"Dag \d", text(mail)) == ["Dag 5", "Dag 3", "Dag 1"]
    assert subscription(dossier, NOOR).sent_until == datetime(2026, 12, 21, 6, 0, tzinfo=UTC)


def test_a_missed_summary_is_caught_up_by_the_next(client, outbox, dossier, clock) -> None:
    subscribe(client, outbox, dossier, frequency="daily")
    clock.advance(hours=1)
    publish(dossier, clock, "Gemist")
    clock.now = datetime(2026, 12, 15, 20, 0, tzinfo=UTC)  # the worker was down all day
    assert send_due_summaries() == 0  # too late for Tuesday's; none in the evening
    clock.now = datetime(2026, 12, 16, 6, 5, tzinfo=UTC)
    assert send_due_summaries() == 1
    assert "Gemist" in text(alerts(outbox)[0])


def test_two_workers_at_once_mail_once(client, outbox, dossier, clock, make_app) -> None:
    subscribe(client, outbox, dossier)
    subscribe(client, outbox, dossier, "dag@example.org", frequency="daily")
    clock.advance(minutes=1)
    publish(dossier, clock, "Nieuw")
    other = make_app()
    freeze(other, clock.now)
    with other.app_context():
        announce_new_items()
    announce_new_items()
    clock.now = datetime(2026, 12, 15, 6, 2, tzinfo=UTC)
    freeze(other, clock.now)
    with other.app_context():
        send_due_summaries()
    send_due_summaries()
    assert len(alerts(outbox)) == 1 and len(alerts(outbox, "dag@example.org")) == 1
    assert db.session.query(OutboxMessage).count() == 4  # two confirmations, two alerts


@pytest.fixture
def smtp_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[SMTPServer]:
    """A real SMTP server on loopback; this test's process may send to it and nowhere else."""
    server = SMTPServer()
    allow_smtp_to(monkeypatch, server.port)
    yield server
    server.stop()


def test_mail_as_delivered_by_smtp_unsubscribes_in_one_click(
    app, client, outbox, dossier, clock, smtp_server: SMTPServer
) -> None:
    subscribe(client, outbox, dossier)
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port, MAIL_USE_TLS=False)
    clock.advance(minutes=1)
    publish(dossier, clock, "Per post")
    announce_new_items()

    [raw] = smtp_server.handler.accepted
    head = raw.split(b"\r\n\r\n", 1)[0].decode("ascii")
    message = parse(raw)
    assert message["To"] == NOOR
    assert re.fullmatch(r"<[0-9a-f]{32}@kis\.example>", message["Message-ID"])
    assert "Auto-Submitted: auto-generated" in head
    # RFC 8058 as mail programs read it: the URL on one line, the one-click marker.
    found = re.search(r"\r\nList-Unsubscribe: <(https://[^>\s]+)>\r\n", head)
    assert found is not None, head
    assert "\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n" in head
    assert found.group(1) in text(message)  # the same link, visible at the bottom

    # What a mail program does with it: a POST without cookie, session or CSRF token.
    app.config["WTF_CSRF_ENABLED"] = True
    path = found.group(1).removeprefix("https://kis.example")
    response = stranger(app).post(path, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert subscription(dossier, NOOR) is None
    clock.advance(minutes=5)
    publish(dossier, clock, "Na het afmelden")
    announce_new_items()
    assert len(smtp_server.handler.accepted) == 1


def test_the_same_mail_has_the_same_message_id(client, outbox, dossier, clock) -> None:
    subscribe(client, outbox, dossier)
    subscribe(client, outbox, dossier, "bert@example.org")
    clock.advance(minutes=1)
    publish(dossier, clock, "Nieuw", dated_on=date(2020, 5, 1))
    announce_new_items()
    ids = {m["Message-ID"] for m in alerts(outbox) + alerts(outbox, "bert@example.org")}
    assert len(ids) == 2  # one per subscriber; the outbox key gives each its own
