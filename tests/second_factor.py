"""Staff's second step in tests: enrol through the service, then type real codes.

Codes are computed with pyotp from the secret the service stored, at the app's own clock
(real or frozen), exactly as an authenticator app would compute them. A code is refused once
a code of its 30-second step was used, so a staff member who logs in again within the same
step types the next step's code (accepted for clock drift); the helper picks it.
"""

from __future__ import annotations

import time
from datetime import datetime

import pyotp
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from kispub.accounts import second_factor
from kispub.accounts.models import SecondFactor, User
from kispub.accounts.services import AccountError
from kispub.accounts.totp import decrypt_secret
from kispub.core import clock
from kispub.extensions import db

CODE_PAGE = "/inloggen/tweede-stap"
INTERVAL = 30


def secret_of(user: User) -> str:
    """The secret the user's authenticator app holds (decrypted from the database)."""
    db.session.expire_all()
    factor = db.session.get(SecondFactor, user.id)
    assert factor is not None, f"{user.email} has no authenticator app"
    return decrypt_secret(factor.secret, user.id)


def enrol_with_codes(user: User) -> tuple[str, list[str]]:
    """Add an authenticator app to the user's account as the enrolment page does: the secret
    and the ten recovery codes.

    The confirming code is the one of the step before now (accepted for drift), which leaves
    the current and the next step's codes for logins.
    """
    secret = second_factor.start_enrolment(user).secret
    now = clock.now().timestamp()
    try:
        codes = second_factor.confirm_enrolment(user, pyotp.TOTP(secret).at(now - INTERVAL))
    except AccountError:  # the step changed in between: the current one then
        codes = second_factor.confirm_enrolment(user, pyotp.TOTP(secret).at(now))
    return secret, codes


def enrol(user: User) -> str:
    """Add an authenticator app to the user's account; its secret."""
    return enrol_with_codes(user)[0]


def next_code(user: User) -> str:
    """A code of the user's app that the next login accepts (enrolling the user if needed)."""
    if not second_factor.is_enrolled(user):
        enrol(user)
    secret = secret_of(user)
    factor = db.session.get(SecondFactor, user.id)
    assert factor is not None
    last = factor.last_step if factor.last_step is not None else -1
    current = int(clock.now().timestamp()) // INTERVAL
    if last + 1 > current + 1:
        current = _wait_for_step(last)
    step = max(current, last + 1)
    return pyotp.TOTP(secret).at(step * INTERVAL)


def _wait_for_step(last: int) -> int:
    """Both steps a login may use now are spent: wait for real time to reach a fresh one."""
    frozen = clock.now()
    if abs((datetime.now(frozen.tzinfo) - frozen).total_seconds()) > 1:
        raise AssertionError("log a staff member in at most twice per 30 s of a frozen clock")
    deadline = time.monotonic() + 3 * INTERVAL
    while int(clock.now().timestamp()) // INTERVAL < last:
        assert time.monotonic() < deadline, "the clock does not move"
        time.sleep(0.2)
    return int(clock.now().timestamp()) // INTERVAL


def complete_second_step(client: FlaskClient, user: User) -> TestResponse:
    """After the right password: type a real code on the code page; the final answer."""
    return client.post(CODE_PAGE, data={"code": next_code(user)})


def log_in(
    client: FlaskClient,
    user: User,
    password: str,
    path: str = "/inloggen",
    csrf_token: str | None = None,
) -> TestResponse:
    """Log in through the real forms, the second step too for staff; the last answer.

    With CSRF protection on, pass the token of the login page: the session keeps it for the
    second step's form.
    """
    token = {"csrf_token": csrf_token} if csrf_token else {}
    response = client.post(path, data={"email": user.email, "password": password, **token})
    if user.needs_second_factor and response.status_code == 302:
        assert response.headers["Location"] == CODE_PAGE, response.headers["Location"]
        response = client.post(CODE_PAGE, data={"code": next_code(user), **token})
    return response
