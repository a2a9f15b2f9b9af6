"""Invitations by staff: a personal link makes an approved member at once; a shared link
makes an unverified account without a password that is approved (and given the password
chosen) once its address is confirmed. Refusals, the hash-only storage, counting uses
under concurrency, throttles, and the ways around that fail."""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from kispub.accounts.models import Role, User
from kispub.accounts.services import find_user_by_email
from kispub.community.models import Invitation, InvitationKind, JoinedVia, MemberStatus
from kispub.community.services import joining
from kispub.community.services.invitations import (
    Acceptance,
    InviteLink,
    LinkRefused,
    PersonalInvitation,
    accept_invitation,
    create_invite_link,
    invite_person,
)
from kispub.community.services.rules import JoiningError
from kispub.extensions import db
from tests.clock import freeze
from tests.community.helpers import make_member, make_person, membership
from tests.community.joining_helpers import (
    CHECK_MAIL,
    accept_form,
    actions,
    ask_to_join,
    can_log_in,
    confirm,
    events_of,
    link,
    mails_to,
    nonce,
    text,
    verify_link,
)

INVITE = "/community/lid-worden/uitnodiging/"
PERSONAL = "/beheer/community/uitnodigingen/persoonlijk"
LINK = "/beheer/community/uitnodigingen/link"


def _invitations() -> list[Invitation]:
    db.session.expire_all()
    return list(db.session.scalars(select(Invitation).order_by(Invitation.id)))


def _shared(inviter: User, **spec: object) -> str:
    """A shared link's path, made through the service."""
    values = {"max_uses": 5, "days": 7, **spec}
    _invitation, url = create_invite_link(inviter, InviteLink(**values))  # type: ignore[arg-type]
    return url.removeprefix("https://kis.example")


def _personal(inviter: User, outbox, email: str = "sem@example.org") -> str:
    """A personal invitation's path, made through the service and read from its mail."""
    invite_person(inviter, PersonalInvitation(email, "Sem de Vries", "Pharos"))
    return link(mails_to(outbox(), email)[-1], INVITE)


def test_a_personal_invitation_makes_an_approved_member_at_once(
    app: Flask, client: FlaskClient, login_as: Callable, outbox
) -> None:
    moderator = login_as(role=Role.MODERATOR, name="Mo Derator")
    assert client.get("/beheer/community/uitnodigingen").status_code == 200
    fields = {"email": "Sem@Example.org", "name": "Sem de Vries", "organisation": "Pharos",
              "note": "congres", "nonce": nonce()}  # fmt: skip
    data = {f"persoon-{name}": value for name, value in fields.items()}
    response = client.post(PERSONAL, data=data)
    assert response.status_code == 302
    [invitation] = _invitations()
    assert invitation.kind is InvitationKind.SINGLE and invitation.email == "sem@example.org"
    assert invitation.created_by_id == moderator.id and invitation.max_uses == 1
    [mail] = mails_to(outbox(), "sem@example.org")
    assert "Mo Derator nodigt u uit" in text(mail)
    path = link(mail, INVITE)
    secret = path.removeprefix(INVITE)
    # Only the hash of the secret is stored; the secret is nowhere in the row.
    assert invitation.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in repr([getattr(invitation, c.key) for c in Invitation.__table__.c])
    [invited] = events_of(invitation_id=invitation.id)
    assert invited.action == "invited" and invited.actor_id == moderator.id
    # The invited person chooses a password and is a member, logged in, at once.
    sem = app.test_client()
    page = sem.get(path)
    assert page.status_code == 200 and 'value="Sem de Vries"' in page.get_data(as_text=True)
    accepted = sem.post(path, data=accept_form())
    assert accepted.status_code == 302 and accepted.location == "/community/"
    assert sem.get("/community/").status_code == 200
    user = find_user_by_email("sem@example.org")
    member = membership(user)
    assert member.status is MemberStatus.APPROVED and member.joined_via is JoinedVia.INVITATION
    assert member.verified_at is not None and member.decided_by_id == moderator.id
    assert member.invitation_id == invitation.id and user.role is Role.MEMBER
    assert actions(user.id) == ["accepted", "verified", "approved"]
    approved = events_of(user_id=user.id, action="approved")[0]
    assert approved.actor_id == moderator.id
    assert _invitations()[0].use_count == 1
    # Used: the link admits nobody else.
    again = app.test_client().get(path)
    assert again.status_code == 410 and "al gebruikt" in again.get_data(as_text=True)


def test_a_personal_invitation_is_refused_for_an_address_taken_or_invited(
    client: FlaskClient, login_as: Callable, outbox
) -> None:
    login_as(role=Role.EDITOR)
    make_member(email="anna@example.org")
    base = {"persoon-name": "X", "persoon-nonce": nonce()}
    taken = client.post(PERSONAL, data={**base, "persoon-email": "anna@example.org"})
    assert taken.status_code == 200 and "Er bestaat al een account" in taken.get_data(as_text=True)
    first = {**base, "persoon-email": "bo@example.org", "persoon-nonce": nonce()}
    assert client.post(PERSONAL, data=first).status_code == 302
    second = client.post(PERSONAL, data={**first, "persoon-nonce": nonce()})
    assert "openstaande uitnodiging" in second.get_data(as_text=True)
    # The same form twice (a double click) mails once.
    assert client.post(PERSONAL, data=first).status_code == 302
    assert len(_invitations()) == 1 and len(outbox()) == 1


def test_refused_links_say_why(app: Flask, client: FlaskClient, outbox) -> None:
    clock = freeze(app, datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    moderator = make_member(role=Role.MODERATOR)
    unknown = client.get(INVITE + "verzonnen-geheim")
    assert unknown.status_code == 404 and "bestaat niet" in unknown.get_data(as_text=True)
    expiring = _personal(moderator, outbox, "a@example.org")
    revoked = _personal(moderator, outbox, "b@example.org")
    from kispub.community.services.invitations import revoke_invitation

    revoke_invitation(moderator, _invitations()[1].id)
    page = client.get(revoked)
    assert page.status_code == 410 and "ingetrokken" in page.get_data(as_text=True)
    # A POST to a revoked link is refused the same way and makes no account.
    assert client.post(revoked, data=accept_form()).status_code == 410
    assert find_user_by_email("b@example.org") is None
    clock.advance(days=15)
    expired = client.get(expiring)
    assert expired.status_code == 410 and "verlopen op 16 maart 2026" in expired.get_data(
        as_text=True
    )


def test_a_shared_link_is_shown_once_and_approves_after_the_address_is_confirmed(
    app: Flask, client: FlaskClient, login_as: Callable, outbox
) -> None:
    moderator = login_as(role=Role.MODERATOR)
    form = {"link-max_uses": "2", "link-days": "7", "link-domain": "", "link-note": "Congres",
            "link-nonce": nonce()}  # fmt: skip
    made = client.post(LINK, data=form)
    html = made.get_data(as_text=True)
    assert made.status_code == 200 and "maar één keer getoond" in html
    found = re.search(
        r'value="https://kis\.example(/community/lid-worden/uitnodiging/[^"]+)"', html
    )
    assert found
    path = found[1]
    # The same form again (a double submit) makes no second link and shows none.
    again = client.post(LINK, data=form)
    assert again.status_code == 302 and path not in client.get(again.location).get_data(
        as_text=True
    )
    [invitation] = _invitations()
    assert invitation.kind is InvitationKind.MULTI and invitation.max_uses == 2
    assert events_of(invitation_id=invitation.id)[0].action == "link_created"
    # Someone with the link: an unverified account without a password, and a mail to
    # confirm the address; the form asks no password (one sent along is ignored).
    guest = app.test_client()
    assert 'type="password"' not in guest.get(path).get_data(as_text=True)
    response = guest.post(path, data=accept_form(email="gast@example.org"))
    assert response.status_code == 302 and response.location == CHECK_MAIL
    user = find_user_by_email("gast@example.org")
    member = membership(user)
    assert member.status is MemberStatus.UNVERIFIED and member.invitation_id == invitation.id
    assert user.password_hash is None
    assert not can_log_in("gast@example.org", accept_form()["password"], guest)
    confirmed = confirm(guest, verify_link(mails_to(outbox(), "gast@example.org")[0]))
    assert confirmed.location == "/community/"
    member = membership(user)
    assert member.status is MemberStatus.APPROVED and member.decided_by_id == moderator.id
    assert actions(user.id) == ["unverified", "accepted", "verified", "approved"]
    assert events_of(user_id=user.id, action="approved")[0].actor_id == moderator.id
    assert guest.get("/community/").status_code == 200
    # Second use fine, third refused: the maximum.
    second = app.test_client().post(path, data=accept_form(email="twee@example.org"))
    assert second.location == CHECK_MAIL
    third = app.test_client().post(path, data=accept_form(email="drie@example.org"))
    assert third.status_code == 410 and "maximale aantal" in third.get_data(as_text=True)
    assert find_user_by_email("drie@example.org") is None


def test_a_shared_link_for_a_domain_refuses_other_addresses(app: Flask, outbox) -> None:
    path = _shared(make_member(role=Role.MODERATOR), domain="Gemeente.NL")
    client = app.test_client()
    for outside in ("x@elders.nl", "x@afdeling.gemeente.nl", "x@gemeente.nl.example.org"):
        response = client.post(path, data=accept_form(email=outside))
        assert response.status_code == 200
        assert "alleen voor e-mailadressen die eindigen op @gemeente.nl" in response.get_data(
            as_text=True
        )
        assert find_user_by_email(outside) is None
    assert _invitations()[0].use_count == 0
    assert client.post(path, data=accept_form(email="X@Gemeente.nl")).location == CHECK_MAIL


def test_a_shared_link_used_with_an_address_that_has_an_account_reveals_nothing(
    app: Flask, outbox
) -> None:
    path = _shared(make_member(role=Role.MODERATOR))
    anna = make_person(MemberStatus.PENDING, email="anna@example.org")
    response = app.test_client().post(path, data=accept_form(email="anna@example.org"))
    assert response.status_code == 302 and response.location == CHECK_MAIL
    assert membership(anna).status is MemberStatus.PENDING  # the link approved nothing
    assert _invitations()[0].use_count == 0
    assert "al een account" in mails_to(outbox(), "anna@example.org")[0]["Subject"]


def test_a_link_revoked_after_it_was_accepted_sends_the_rest_to_a_moderator(
    app: Flask, login_as: Callable, client: FlaskClient, outbox
) -> None:
    login_as(role=Role.MODERATOR)
    path = _shared(make_member(role=Role.MODERATOR))
    app.test_client().post(path, data=accept_form(email="laat@example.org"))
    revoked = client.post(f"/beheer/community/uitnodigingen/{_invitations()[0].id}/intrekken")
    assert revoked.status_code == 302 and _invitations()[0].revoked_at is not None
    confirm(app.test_client(), verify_link(mails_to(outbox(), "laat@example.org")[0]))
    assert membership(find_user_by_email("laat@example.org")).status is MemberStatus.PENDING
    assert events_of(invitation_id=_invitations()[0].id, action="revoked")


def test_a_personal_link_admits_only_its_own_address(app: Flask, outbox) -> None:
    path = _personal(make_member(role=Role.MODERATOR), outbox)
    # A posted address is ignored: the account is the invitation's address.
    app.test_client().post(path, data=accept_form(email="iemand-anders@example.org"))
    assert find_user_by_email("iemand-anders@example.org") is None
    assert membership(find_user_by_email("sem@example.org")).is_approved


def test_only_staff_can_invite(app: Flask) -> None:
    member = make_member()
    with pytest.raises(JoiningError):
        invite_person(member, PersonalInvitation("x@example.org", "X"))
    with pytest.raises(JoiningError):
        create_invite_link(member, InviteLink(max_uses=5, days=7))
    suspended = make_member(role=Role.ADMIN)
    suspended.active = False
    with pytest.raises(JoiningError):
        invite_person(suspended, PersonalInvitation("x@example.org", "X"))
    assert _invitations() == []


def test_concurrent_acceptances_never_exceed_the_maximum(app: Flask, outbox) -> None:
    secret = _shared(make_member(role=Role.MODERATOR), max_uses=3).removeprefix(INVITE)
    outcomes: list[str] = []

    def accept(n: int) -> None:
        with app.app_context():
            acceptance = Acceptance(name=f"P {n}", password="x" * 12, email=f"p{n}@example.org")
            try:
                accept_invitation(secret, acceptance)
            except LinkRefused:
                outcomes.append("refused")
            else:
                outcomes.append("accepted")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=accept, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["accepted"] * 3 + ["refused"] * 5
    assert _invitations()[0].use_count == 3
    invited = select(func.count()).select_from(User).where(User.email.like("p%@example.org"))
    assert db.session.scalar(invited) == 3


def test_an_account_with_a_password_at_the_invited_address_is_not_approved(
    app: Flask, outbox
) -> None:
    # An unconfirmed account with a password (made before passwords waited for the address,
    # or given one through a reset link): sem's link must not make it a member.
    path = _personal(make_member(role=Role.MODERATOR), outbox)
    squatter = make_person(MemberStatus.UNVERIFIED, email="sem@example.org", name="Niet Sem")
    response = app.test_client().post(path, data=accept_form())
    assert response.status_code == 409 and "Log in" in response.get_data(as_text=True)
    assert membership(squatter).status is MemberStatus.UNVERIFIED
    assert _invitations()[0].use_count == 0


def test_the_invited_person_takes_over_an_account_nobody_proved_for_their_address(
    app: Flask, outbox
) -> None:
    # Someone asks to join with sem's address after sem was invited, and never confirms it.
    moderator = make_member(role=Role.MODERATOR)
    path = _personal(moderator, outbox)
    ask_to_join(app.test_client(), email="sem@example.org", name="Niet Sem", motivation="Ha")
    squatter = find_user_by_email("sem@example.org")
    old_link = verify_link(mails_to(outbox(), "sem@example.org")[-1])
    sem = app.test_client()
    chosen = "sems-eigen-wachtwoord"
    accepted = sem.post(path, data=accept_form(password=chosen, confirm=chosen))
    assert accepted.status_code == 302 and accepted.location == "/community/"
    assert sem.get("/community/").status_code == 200
    user = find_user_by_email("sem@example.org")
    member = membership(user)
    assert user.id == squatter.id and user.name == "Sem de Vries"
    assert member.is_approved and member.joined_via is JoinedVia.INVITATION
    assert member.handle == "sem-de-vries" and member.motivation == ""
    assert member.verified_at is not None and member.decided_by_id == moderator.id
    assert actions(user.id) == ["unverified", "accepted", "verified", "approved"]
    assert can_log_in("sem@example.org", chosen, app.test_client())
    # The squatter's confirmation link (in sem's mailbox anyway) finds nothing to confirm.
    assert confirm(app.test_client(), old_link, "een ander wachtwoord").status_code == 302
    assert not can_log_in("sem@example.org", "een ander wachtwoord", app.test_client())


def test_personal_invitations_are_not_throttled_together(app: Flask, outbox) -> None:
    # Accepting a personal invitation mails nothing and has no address field: the limit
    # on mail per address (3 an hour in the tests) must not count them all as one.
    moderator = make_member(role=Role.MODERATOR)
    paths = [_personal(moderator, outbox, f"collega{n}@example.org") for n in range(5)]
    statuses = [
        app.test_client()
        .post(path, data=accept_form(), environ_base={"REMOTE_ADDR": f"192.0.2.{n}"})
        .status_code
        for n, path in enumerate(paths)
    ]
    assert statuses == [302] * 5
    for n in range(5):
        assert membership(find_user_by_email(f"collega{n}@example.org")).is_approved


def test_a_shared_link_answers_a_concurrently_taken_address_as_any_taken_one(
    app: Flask, monkeypatch: pytest.MonkeyPatch, outbox
) -> None:
    # The address gets an account between the check and the insert (a concurrent request):
    # the answer is still "check your mail", and its owner gets the mail.
    path = _shared(make_member(role=Role.MODERATOR))
    make_member(email="anna@example.org")
    real = joining.find_user_by_email
    looked: list[str] = []

    def too_early_once(email: str) -> User | None:
        looked.append(email)
        return None if len(looked) == 1 else real(email)

    monkeypatch.setattr(joining, "find_user_by_email", too_early_once)
    response = app.test_client().post(path, data=accept_form(email="anna@example.org"))
    assert response.status_code == 302 and response.location == CHECK_MAIL
    assert len(looked) == 2  # looked again after the insert failed, and found the account
    assert "al een account" in mails_to(outbox(), "anna@example.org")[0]["Subject"]
    assert _invitations()[0].use_count == 0


def test_a_new_link_logs_until_when_it_is_valid(app: Flask) -> None:
    freeze(app, datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    _shared(make_member(role=Role.MODERATOR), max_uses=4, days=30)
    [created] = events_of(action="link_created")
    assert created.note == "4 keer, tot 1 april 2026"  # the short date format


def test_the_made_link_shows_its_domain_as_stored(client: FlaskClient, login_as: Callable) -> None:
    login_as(role=Role.ADMIN)
    form = {"link-max_uses": "3", "link-days": "", "link-domain": " Gemeente.NL ",
            "link-nonce": nonce()}  # fmt: skip
    empty_days = client.post(LINK, data=form)
    assert empty_days.status_code == 200 and "Dit veld is verplicht." in empty_days.text
    made = client.post(LINK, data={**form, "link-days": "14"})
    assert "alleen voor adressen @gemeente.nl" in made.text and "Gemeente.NL" not in made.text
    assert _invitations()[0].domain == "gemeente.nl"
    page = client.get("/beheer/community/uitnodigingen").text
    assert 'value="14"' in page  # the default validity for a new link (COMMUNITY_INVITATION_DAYS)
