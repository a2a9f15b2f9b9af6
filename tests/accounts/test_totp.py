"""Staff's second factor: enrolment at the next login, codes, replays, throttling, recovery
codes, an admin's reset, and members left as they were.

Every code is computed with pyotp from the secret, as an authenticator app computes it.
"""

from __future__ import annotations

import html
import re

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from kispub.accounts import second_factor, totp
from kispub.accounts.devices import COOKIE_NAME
from kispub.accounts.models import AccountEvent, RecoveryCode, Role, SecondFactor, User
from kispub.accounts.services import set_password
from kispub.core import clock
from kispub.extensions import db
from tests.clock import freeze
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.second_factor import CODE_PAGE, enrol, enrol_with_codes, secret_of

ENROL_PAGE = "/inloggen/tweede-stap/instellen"
ACCOUNT_PAGE = "/account"
CODES_PAGE = "/account/tweede-stap"


def _password(client: FlaskClient, user: User, path: str = "/inloggen", **extra: str):
    """The login form's first step: the right password."""
    return client.post(path, data={"email": user.email, "password": DEFAULT_PASSWORD, **extra})


def _logged_in(client: FlaskClient) -> bool:
    return client.get(ACCOUNT_PAGE).status_code == 200


def _events(user: User, action: str) -> list[AccountEvent]:
    db.session.expire_all()
    statement = select(AccountEvent).where(
        AccountEvent.user_id == user.id, AccountEvent.action == action
    )
    return list(db.session.scalars(statement))


def _code(secret: str, steps_ahead: int = 0) -> str:
    """The app's code now (or ``steps_ahead`` 30-second steps later, within the drift)."""
    return pyotp.TOTP(secret).at(clock.now().timestamp() + 30 * steps_ahead)


def _shown_codes(page: TestResponse) -> list[str]:
    return re.findall(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>", page.text)


def test_staff_without_a_second_factor_enrol_at_their_next_login(client: FlaskClient) -> None:
    editor = make_user(role=Role.EDITOR)
    answer = _password(client, editor, "/inloggen?next=/beheer/outbox", remember="y")
    assert answer.headers["Location"] == CODE_PAGE
    assert not _logged_in(client)  # the right password alone is not a login
    assert client.get(CODE_PAGE).headers["Location"] == ENROL_PAGE

    page = client.get(ENROL_PAGE)
    assert page.status_code == 200 and "no-store" in page.headers["Cache-Control"]
    svg = re.search(r"<svg [^>]*>.*?</svg>", page.text, re.S)
    assert svg is not None and 'role="img"' in svg[0] and "aria-label=" in svg[0]
    assert "<title>" in svg[0] and "style" not in svg[0]  # the CSP forbids inline styles
    shown = re.search(r'class="totp-secret"><code>([A-Z2-7 ]+)</code>', page.text)
    assert shown is not None
    secret = shown[1].replace(" ", "")
    assert client.get(ENROL_PAGE).text.count(shown[1]) == 1  # a reload shows the same secret

    stored = db.session.get(SecondFactor, editor.id)
    assert stored is not None and secret not in stored.secret and stored.enrolled_at is None
    wrong = client.post(ENROL_PAGE, data={"code": "000000" if _code(secret) != "000000" else "1"})
    assert "Deze code klopt niet" in wrong.text and not _logged_in(client)

    done = client.post(ENROL_PAGE, data={"code": _code(secret)})
    assert done.status_code == 200 and "no-store" in done.headers["Cache-Control"]
    codes = _shown_codes(done)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert 'href="/beheer/outbox"' in done.text  # "next" survives the second step
    assert client.get_cookie("remember_token") is not None  # and so does "remember me"
    assert client.get_cookie(COOKIE_NAME, path="/inloggen") is not None
    assert _logged_in(client)
    assert second_factor.is_enrolled(editor)
    assert [e.detail for e in _events(editor, "login")] == ["totp"]
    assert len(_events(editor, "totp-enrolled")) == 1
    assert client.get(ENROL_PAGE).status_code == 302  # a session no longer half-way


def test_enrolled_staff_log_in_with_a_code_from_their_app(client: FlaskClient) -> None:
    admin = make_user(role=Role.ADMIN)
    secret = enrol(admin)  # its code of the step before now confirmed the enrolment
    logins = len(_events(admin, "login"))
    answer = _password(client, admin, "/inloggen?next=/beheer/gebruikers")
    assert answer.headers["Location"] == CODE_PAGE
    assert client.get("/beheer/gebruikers").status_code == 302
    assert len(_events(admin, "login")) == logins  # not yet a login
    page = client.get(CODE_PAGE)
    assert page.status_code == 200 and 'autocomplete="one-time-code"' in page.text
    done = client.post(CODE_PAGE, data={"code": _code(secret)})
    assert done.status_code == 302 and done.headers["Location"] == "/beheer/gebruikers"
    assert client.get("/beheer/gebruikers").status_code == 200
    assert _events(admin, "login")[-1].detail == "totp"
    assert client.get_cookie("remember_token") is None  # not asked for


def test_a_wrong_code_is_refused(client: FlaskClient) -> None:
    editor = make_user(role=Role.EDITOR)
    secret = enrol(editor)
    _password(client, editor)
    right = _code(secret)
    wrong = str((int(right) + 1) % 1_000_000).zfill(6)
    for typed in (wrong, "12345", "abcdef", "1234567"):
        answer = client.post(CODE_PAGE, data={"code": typed})
        assert answer.status_code == 200, typed
        assert "Deze code klopt niet" in html.unescape(answer.text), typed
    assert not _logged_in(client)
    assert client.post(CODE_PAGE, data={"code": right}).status_code == 302


def test_a_code_cannot_be_used_twice(app: Flask) -> None:
    editor = make_user(role=Role.EDITOR)
    secret = enrol(editor)
    first, second = app.test_client(), app.test_client()
    _password(first, editor)
    _password(second, editor)
    code = _code(secret)
    assert first.post(CODE_PAGE, data={"code": code}).status_code == 302
    replayed = second.post(CODE_PAGE, data={"code": code})  # an overheard code, same step
    assert replayed.status_code == 200 and "al gebruikt" in replayed.text
    assert not _logged_in(second)
    # An earlier step's code (still within the drift) is refused too; the next one works.
    assert "al gebruikt" in second.post(CODE_PAGE, data={"code": _code(secret, -1)}).text
    assert second.post(CODE_PAGE, data={"code": _code(secret, 1)}).status_code == 302


def test_the_code_step_is_throttled_per_account(app: Flask) -> None:
    editor, other = make_user(role=Role.EDITOR), make_user(role=Role.MODERATOR)
    secret, other_secret = enrol(editor), enrol(other)
    right = _code(secret)
    wrong = str((int(right) + 1) % 1_000_000).zfill(6)
    # Guesses from two browsers at many addresses share the account's allowance, even from
    # a browser already logged in to another account (a member's, say).
    browsers = [app.test_client(), app.test_client()]
    _password(browsers[1], make_user())
    for browser in browsers:
        _password(browser, editor)
    statuses = [
        browsers[n % 2]
        .post(CODE_PAGE, data={"code": wrong}, environ_base={"REMOTE_ADDR": f"10.3.0.{n}"})
        .status_code
        for n in range(6)
    ]
    assert statuses == [200] * 5 + [429]
    assert browsers[0].post(CODE_PAGE, data={"code": right}).status_code == 429
    # Another account is not held up.
    bystander = app.test_client()
    _password(bystander, other)
    assert bystander.post(CODE_PAGE, data={"code": _code(other_secret)}).status_code == 302


def test_right_codes_do_not_use_up_the_allowance(app: Flask) -> None:
    editor = make_user(role=Role.EDITOR)
    enrol(editor)
    moment = freeze(app, clock.now())
    for n in range(6):  # logins a minute apart by the app's clock, many within the limiter's
        moment.advance(minutes=1)
        browser = app.test_client()
        browser.post(
            "/inloggen",
            data={"email": editor.email, "password": DEFAULT_PASSWORD},
            environ_base={"REMOTE_ADDR": f"10.4.0.{n}"},  # the login form's own limit per IP
        )
        code = pyotp.TOTP(secret_of(editor)).at(moment.now)
        assert browser.post(CODE_PAGE, data={"code": code}).status_code == 302


def test_recovery_codes_work_once_each_and_are_stored_hashed(app: Flask) -> None:
    editor = make_user(role=Role.EDITOR)
    _secret, codes = enrol_with_codes(editor)
    stored = list(db.session.scalars(select(RecoveryCode.code_hash)))
    assert len(stored) == 10
    for code in codes:
        plain = code.replace("-", "")
        assert all(code not in value and plain not in value for value in stored)
        assert totp.hash_recovery_code(editor.id, code) in stored  # keyed, bound to the user

    browser = app.test_client()
    _password(browser, editor)
    answer = browser.post(CODE_PAGE, data={"code": codes[0].upper().replace("-", " ")})
    assert answer.status_code == 302
    landed = browser.get(ACCOUNT_PAGE)
    assert landed.status_code == 200 and "nog 9" in landed.text  # logged in, and warned
    assert [e.detail for e in _events(editor, "recovery-code-used")] == ["nog 9 over"]

    again = app.test_client()
    _password(again, editor)
    reused = again.post(CODE_PAGE, data={"code": codes[0]})
    assert reused.status_code == 200 and "al gebruikt" in reused.text
    assert again.post(CODE_PAGE, data={"code": codes[1]}).status_code == 302
    assert second_factor.recovery_codes_left(editor) == 8
    assert "8 van de 10" in again.get(CODES_PAGE).text


def test_a_new_set_of_recovery_codes_voids_the_old_one(client: FlaskClient) -> None:
    moderator = make_user(role=Role.MODERATOR)
    secret, old = enrol_with_codes(moderator)  # the previous step's code confirmed it
    _password(client, moderator)
    assert client.post(CODE_PAGE, data={"code": _code(secret)}).status_code == 302
    page = client.get(CODES_PAGE)
    assert page.status_code == 200 and "10 van de 10" in page.text
    assert "Tweede stap en herstelcodes" in client.get(ACCOUNT_PAGE).text
    refused = client.post(CODES_PAGE, data={"code": "000000" if _code(secret) != "000000" else "1"})
    assert refused.status_code == 200 and "klopt niet" in refused.text
    answer = client.post(CODES_PAGE, data={"code": _code(secret, 1)})
    new = _shown_codes(answer)
    assert len(new) == 10 and not set(new) & set(old)
    assert "no-store" in answer.headers["Cache-Control"]
    assert len(_events(moderator, "recovery-codes-new")) == 1
    client.post("/uitloggen")
    _password(client, moderator)
    assert "al gebruikt" in client.post(CODE_PAGE, data={"code": old[0]}).text
    assert client.post(CODE_PAGE, data={"code": new[0]}).status_code == 302


def test_members_log_in_with_their_password_alone(client: FlaskClient) -> None:
    member = make_user()
    answer = _password(client, member, "/inloggen?next=/themas/")
    assert answer.headers["Location"] == "/themas/" and _logged_in(client)
    assert db.session.get(SecondFactor, member.id) is None
    assert client.get(CODES_PAGE).status_code == 403  # no second factor to manage
    assert [e.detail for e in _events(member, "login")] == [""]


def test_a_password_change_voids_a_half_finished_login(client: FlaskClient) -> None:
    editor = make_user(role=Role.EDITOR)
    secret = enrol(editor)
    _password(client, editor)
    set_password(editor, "een ander lang wachtwoord")  # the owner, on another device
    answer = client.post(CODE_PAGE, data={"code": _code(secret, 1)})
    assert answer.status_code == 302 and answer.headers["Location"] == "/inloggen"
    assert not _logged_in(client)


def test_a_half_finished_login_expires(app: Flask, client: FlaskClient) -> None:
    editor = make_user(role=Role.EDITOR)
    secret = enrol(editor)
    moment = freeze(app, clock.now())
    _password(client, editor)
    moment.advance(minutes=app.config["TOTP_PENDING_MINUTES"], seconds=1)
    code = pyotp.TOTP(secret).at(moment.now)
    assert client.post(CODE_PAGE, data={"code": code}).headers["Location"] == "/inloggen"
    assert client.get(CODE_PAGE).headers["Location"] == "/inloggen"


def test_the_second_step_pages_need_a_right_password_first(client: FlaskClient) -> None:
    for path in (CODE_PAGE, ENROL_PAGE):
        assert client.get(path).headers["Location"] == "/inloggen"
        assert client.post(path, data={"code": "123456"}).headers["Location"] == "/inloggen"


def test_an_admin_resets_a_lost_second_factor_and_it_is_logged(
    app: Flask, client: FlaskClient, login_as
) -> None:
    editor = make_user(role=Role.EDITOR)
    secret = enrol(editor)
    editors_browser = app.test_client()
    _password(editors_browser, editor)
    editors_browser.post(CODE_PAGE, data={"code": _code(secret)})
    assert _logged_in(editors_browser)

    admin = login_as(role=Role.ADMIN)
    users = client.get("/beheer/gebruikers").text
    reset_page = f"/beheer/gebruikers/{editor.id}/tweede-stap"
    assert reset_page in users
    assert f"/beheer/gebruikers/{admin.id}/tweede-stap" not in users  # not one's own
    assert client.get(reset_page).status_code == 200
    unconfirmed = client.post(reset_page, data={})
    assert unconfirmed.status_code == 200 and second_factor.is_enrolled(editor)
    confirmed = client.post(reset_page, data={"confirm": "y"})
    assert confirmed.headers["Location"] == "/beheer/gebruikers"

    db.session.expire_all()
    assert db.session.get(SecondFactor, editor.id) is None
    assert db.session.scalars(select(RecoveryCode)).all() != []  # the admin's own set
    assert (
        db.session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == editor.id)).all()
        == []
    )
    (event,) = _events(editor, "totp-reset")
    assert event.actor_id == admin.id
    assert not _logged_in(editors_browser)  # no session goes on without a second factor
    _password(editors_browser, editor)
    assert editors_browser.get(CODE_PAGE).headers["Location"] == ENROL_PAGE
    own = client.post(f"/beheer/gebruikers/{admin.id}/tweede-stap", data={"confirm": "y"})
    assert own.status_code == 200 and "andere beheerder" in own.text
    assert second_factor.is_enrolled(admin)


def test_the_secret_is_encrypted_for_one_user_under_the_secret_key(make_app) -> None:
    app = make_app()
    with app.app_context():
        stored = totp.encrypt_secret("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", 7)
        assert "JBSWY3DP" not in stored
        assert totp.decrypt_secret(stored, 7) == "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
        with pytest.raises(totp.SecretUnreadable):
            totp.decrypt_secret(stored, 8)  # moved to another account's row
    with make_app(SECRET_KEY="another key").app_context(), pytest.raises(totp.SecretUnreadable):
        totp.decrypt_secret(stored, 7)


def test_an_unreadable_secret_is_explained(app: Flask, client: FlaskClient) -> None:
    editor = make_user(role=Role.EDITOR)
    secret = enrol(editor)
    app.config["SECRET_KEY"] = "rotated without resetting the second factors"
    _password(client, editor)
    answer = client.post(CODE_PAGE, data={"code": _code(secret, 1)})
    assert answer.status_code == 200 and "beheerder" in answer.text
    assert not _logged_in(client)


def test_the_command_line_resets_the_last_admins_second_factor(runner) -> None:
    admin = make_user(role=Role.ADMIN)
    enrol(admin)
    result = runner.invoke(args=["users", "reset-second-factor", admin.email.upper()])
    assert result.exit_code == 0, result.output
    assert not second_factor.is_enrolled(admin)
    (event,) = _events(admin, "totp-reset")
    assert event.actor_id is None and event.detail == "cli"
    again = runner.invoke(args=["users", "reset-second-factor", admin.email])
    assert again.exit_code != 0 and "geen tweede stap" in again.output
