"""The moderators' side of joining: who reaches the back office, decisions and their mail,
the daily reminder, trusted domains (admins only), the log, and staff-made accounts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from kispub import jobs
from kispub.accounts.models import Role, User
from kispub.accounts.services import find_user_by_email
from kispub.community.models import JoinedVia, MemberStatus, TrustedDomain
from kispub.community.services.joining import decide_request, remind_moderators
from kispub.community.services.rules import JoiningError
from kispub.extensions import db
from tests.clock import freeze
from tests.community.helpers import make_member, make_person, membership
from tests.community.joining_helpers import actions, events_of, mails_to, nonce, text
from tests.factories import DEFAULT_PASSWORD
from tests.second_factor import log_in

ADMIN = "/beheer/community"
DOMAINS = f"{ADMIN}/domeinen"


def _back_office_routes(app: Flask) -> list[tuple[str, str, str]]:
    """Every route of the back office, filled in: (endpoint, method, path)."""
    values = {"user_id": "1", "invitation_id": "1", "domain_id": "1", "post_id": "1",
              "thread_id": "1", "review_id": "1"}  # fmt: skip
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("community_admin."):
            path = rule.rule
            for name, value in values.items():
                path = path.replace(f"<int:{name}>", value)
            method = "GET" if "GET" in (rule.methods or ()) else "POST"
            routes.append((rule.endpoint, method, path))
    return sorted(routes)


def _client_of(app: Flask, user: User) -> FlaskClient:
    client = app.test_client()
    response = log_in(client, user, DEFAULT_PASSWORD)  # and the second step for staff
    assert response.status_code == 302
    return client


def test_the_back_office_is_for_staff_and_the_domains_for_admins(app: Flask) -> None:
    routes = _back_office_routes(app)
    assert len(routes) >= 12  # a new route is in this list without anyone adding it
    anonymous = app.test_client()
    people = {
        "member": _client_of(app, make_member()),
        "pending": _client_of(app, make_person(MemberStatus.PENDING)),
        "moderator": _client_of(app, make_member(role=Role.MODERATOR)),
        "admin": _client_of(app, make_member(role=Role.ADMIN)),
    }
    for endpoint, method, path in routes:
        response = anonymous.open(path, method=method)
        assert response.status_code == 302 and "/inloggen" in response.location, path
        for who in ("member", "pending"):
            assert people[who].open(path, method=method).status_code == 403, (who, path)
        moderator = people["moderator"].open(path, method=method)
        admin_only = endpoint in {"community_admin.domains_page", "community_admin.remove_domain"}
        assert (moderator.status_code == 403) is admin_only, path
        assert moderator.headers["Cache-Control"] == "private, no-store" or admin_only
        assert people["admin"].open(path, method=method).status_code != 403, path


def test_the_header_links_moderators_to_the_back_office(
    client: FlaskClient, login_as: Callable
) -> None:
    login_as(make_member(role=Role.MODERATOR))
    assert 'href="/beheer/"' in client.get("/").get_data(as_text=True)
    assert 'href="/beheer/community/aanvragen"' in client.get("/beheer/").get_data(as_text=True)


def test_a_member_sees_no_back_office_link(client: FlaskClient, login_as: Callable) -> None:
    login_as(make_member())
    assert "/beheer/community" not in client.get("/").get_data(as_text=True)


def test_a_moderator_approves_a_request_and_the_person_is_mailed(
    app: Flask, client: FlaskClient, login_as: Callable, outbox
) -> None:
    moderator = login_as(role=Role.MODERATOR, name="Mo Derator")
    noor = make_person(MemberStatus.PENDING, email="noor@example.org", name="Noor Bakker",
                       organisation="Vluchtelingenwerk")  # fmt: skip
    row = membership(noor)
    row.motivation, row.field_role = "Ik werk met statushouders.", None
    db.session.commit()
    listing = client.get(f"{ADMIN}/aanvragen").get_data(as_text=True)
    assert "Noor Bakker" in listing and f"/aanvragen/{noor.id}" in listing
    page = client.get(f"{ADMIN}/aanvragen/{noor.id}").get_data(as_text=True)
    for shown in ("Vluchtelingenwerk", "Ik werk met statushouders.", "Wacht op een moderator"):
        assert shown in page
    decision = {"message": "Welkom, fijn dat je er bent!", "approve": "y"}
    response = client.post(f"{ADMIN}/aanvragen/{noor.id}", data=decision)
    assert response.status_code == 302
    member = membership(noor)
    assert member.status is MemberStatus.APPROVED and member.decided_by_id == moderator.id
    assert member.approved_at is not None and member.decision_message.startswith("Welkom")
    [mail] = mails_to(outbox(), "noor@example.org")
    assert "Welkom" in mail["Subject"] and "fijn dat je er bent" in text(mail)
    # A double submit (or a second moderator) finds it decided: no second mail.
    again = client.post(f"{ADMIN}/aanvragen/{noor.id}", data=decision)
    assert again.status_code == 302
    assert "al behandeld" in client.get(again.location).get_data(as_text=True)
    assert len(mails_to(outbox(), "noor@example.org")) == 1
    assert actions(noor.id)[-1] == "approved"
    assert "Noor Bakker" not in client.get(f"{ADMIN}/aanvragen").get_data(as_text=True)


def test_declining_needs_a_message_and_the_person_reads_it(
    app: Flask, client: FlaskClient, login_as: Callable, outbox
) -> None:
    login_as(role=Role.EDITOR)
    piet = make_person(MemberStatus.PENDING, email="piet@example.org")
    empty = client.post(f"{ADMIN}/aanvragen/{piet.id}", data={"message": " ", "decline": "y"})
    assert empty.status_code == 200 and "Schrijf bij een afwijzing" in empty.get_data(as_text=True)
    assert membership(piet).status is MemberStatus.PENDING and outbox() == []
    reason = "De community is voor mensen die in het veld werken."
    client.post(f"{ADMIN}/aanvragen/{piet.id}", data={"message": reason, "decline": "y"})
    assert membership(piet).status is MemberStatus.DECLINED
    [mail] = mails_to(outbox(), "piet@example.org")
    assert "afgewezen" in mail["Subject"] and reason in text(mail)
    history = client.get(f"{ADMIN}/aanvragen/{piet.id}").get_data(as_text=True)
    assert "Afgewezen" in history and reason in history
    # The declined person, logged in, reads why the community is closed to them.
    person = _client_of(app, piet)
    closed = person.get("/community/")
    assert closed.status_code == 403 and "afgewezen" in closed.get_data(as_text=True)


@pytest.mark.parametrize(
    "status", [MemberStatus.UNVERIFIED, MemberStatus.DECLINED, MemberStatus.APPROVED]
)
def test_only_a_pending_request_can_be_decided(app: Flask, status: MemberStatus) -> None:
    person = make_person(status)
    with pytest.raises(JoiningError, match="al behandeld"):
        decide_request(make_member(role=Role.MODERATOR), person.id, True, "")
    assert membership(person).status is status


def test_a_member_cannot_decide(app: Flask) -> None:
    person = make_person(MemberStatus.PENDING)
    with pytest.raises(JoiningError):
        decide_request(make_member(), person.id, True, "")
    assert membership(person).status is MemberStatus.PENDING


def test_the_daily_reminder_mails_each_moderator_once_a_day(app: Flask, outbox) -> None:
    assert "community-pending-reminder" in jobs._jobs(app).tasks
    clock = freeze(app, datetime(2026, 3, 2, 7, 0, tzinfo=UTC))
    staff = [make_member(role=role) for role in (Role.MODERATOR, Role.EDITOR, Role.ADMIN)]
    away = make_member(role=Role.MODERATOR)
    away.active = False
    db.session.commit()
    make_member()  # a member is not reminded
    assert remind_moderators() == 0 and outbox() == []  # nothing pending, nothing mailed
    make_person(MemberStatus.PENDING, name="Noor Bakker", email="noor@example.org")
    make_person(MemberStatus.PENDING, name="Piet Jansen", email="piet@example.org")
    make_person(MemberStatus.UNVERIFIED, name="Nog Niet", email="niet@example.org")
    assert remind_moderators() == 3
    mails = outbox()
    assert sorted(mail["To"] for mail in mails) == sorted(user.email for user in staff)
    body = text(mails[0])
    assert "Noor Bakker" in body and "Piet Jansen" in body and "Nog Niet" not in body
    assert "https://kis.example/beheer/community/aanvragen" in body
    assert "2 aanvragen wachten" in mails[0]["Subject"]
    clock.advance(hours=10)
    assert remind_moderators() == 0 and len(outbox()) == 3  # once a day
    clock.advance(hours=14)
    assert remind_moderators() == 3 and len(outbox()) == 6


def test_admins_keep_the_trusted_domains(
    app: Flask, client: FlaskClient, login_as: Callable
) -> None:
    login_as(role=Role.ADMIN)

    def add(domain: str) -> str:
        data = {"domain": domain, "note": "Gemeenten", "nonce": nonce()}
        return client.post(DOMAINS, data=data, follow_redirects=True).get_data(as_text=True)

    assert "Het domein is toegevoegd." in add(" Gemeente.NL. ")
    assert "bücher.nl" in add("Bücher.nl")
    for bad, message in [
        ("@gemeente.nl", "zonder @"),
        ("gemeente", "heeft een punt"),
        ("exa mple.nl", "geen geldig domein"),
        ("under_score.nl", "geen geldig domein"),
        ("-begin.nl", "geen geldig domein"),
        ("192.168.0.1", "geen geldig domein"),
        ("a..b.nl", "geen geldig domein"),
        ("gemeente.nl", "staat al in de lijst"),
    ]:
        assert message in add(bad), bad
    stored = sorted(db.session.scalars(select(TrustedDomain.domain)))
    assert stored == ["gemeente.nl", "xn--bcher-kva.nl"]
    first = db.session.scalars(select(TrustedDomain).order_by(TrustedDomain.id)).first()
    removed = client.post(f"{DOMAINS}/{first.id}/verwijderen", follow_redirects=True)
    assert "gemeente.nl is verwijderd." in removed.get_data(as_text=True)
    db.session.expire_all()
    assert list(db.session.scalars(select(TrustedDomain.domain))) == ["xn--bcher-kva.nl"]


def test_the_log_shows_invitations_and_every_step_with_its_actor(
    client: FlaskClient, login_as: Callable, outbox
) -> None:
    login_as(role=Role.MODERATOR, name="Mo Derator")
    client.post(f"{ADMIN}/uitnodigingen/persoonlijk",
                data={"persoon-email": "sem@example.org", "persoon-name": "Sem",
                      "persoon-nonce": nonce()})  # fmt: skip
    person = make_person(MemberStatus.PENDING, name="Noor Bakker")
    client.post(f"{ADMIN}/aanvragen/{person.id}", data={"message": "", "approve": "y"})
    log = client.get(f"{ADMIN}/logboek").get_data(as_text=True)
    for shown in ("Persoonlijke uitnodiging gemaild", "sem@example.org", "Goedgekeurd",
                  "Noor Bakker", "Mo Derator"):  # fmt: skip
        assert shown in log, shown
    invitations = client.get(f"{ADMIN}/uitnodigingen").get_data(as_text=True)
    assert "Sem &lt;sem@example.org&gt;" in invitations and "Mo Derator" in invitations


@pytest.mark.parametrize("role", ["member", "moderator"])
def test_an_account_made_with_the_cli_is_an_approved_member_with_a_verified_address(
    runner: FlaskCliRunner, role: str
) -> None:
    args = ["users", "create", "Eva@KIS.example", "--name", "Eva", "--role", role,
            "--password-stdin"]  # fmt: skip
    result = runner.invoke(args=args, input=DEFAULT_PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    eva = find_user_by_email("eva@kis.example")
    member = membership(eva)
    assert member.status is MemberStatus.APPROVED and member.joined_via is JoinedVia.STAFF
    assert member.verified_at is not None and member.approved_at is not None
    assert [event.action for event in events_of(user_id=eva.id)] == ["approved"]
