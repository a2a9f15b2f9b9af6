"""Staff's second factor: enrolment, the code step of a login, recovery codes, admin reset.

Codes are checked against the stored secret (kispub/accounts/totp.py). Each write that
accepts a code claims it with a conditional UPDATE (``last_step < step``, ``used_at IS
NULL``), so two requests racing with the same code cannot both pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from kispub.accounts import totp
from kispub.accounts.models import AccountEvent, RecoveryCode, SecondFactor, User, new_session_token
from kispub.accounts.services import AccountError, record_login
from kispub.core import clock
from kispub.core.database import write_transaction
from kispub.extensions import db


@dataclass(frozen=True)
class Enrolment:
    """What the enrolment page shows: the secret as text and as a QR code."""

    secret: str
    secret_grouped: str
    qr_svg: Markup


@dataclass(frozen=True)
class SecondStep:
    """How a second step passed; ``recovery_codes_left`` is set when a recovery code was used."""

    recovery_codes_left: int | None = None


@dataclass(frozen=True)
class FactorOverview:
    """A staff member's second factor, as their account page shows it."""

    enrolled_at: datetime | None
    recovery_codes_left: int


# Reads.
def _factor(user: User) -> SecondFactor | None:
    return db.session.get(SecondFactor, user.id)


def is_enrolled(user: User) -> bool:
    """Whether the user has confirmed an authenticator app."""
    factor = _factor(user)
    return factor is not None and factor.enrolled_at is not None


def recovery_codes_left(user: User) -> int:
    """How many of the user's recovery codes are still unused."""
    statement = select(func.count()).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
    )
    return db.session.scalar(statement) or 0


def overview(user: User) -> FactorOverview:
    """The user's second factor for their account page."""
    factor = _factor(user)
    enrolled_at = factor.enrolled_at if factor is not None else None
    return FactorOverview(enrolled_at=enrolled_at, recovery_codes_left=recovery_codes_left(user))


def factor_states() -> dict[int, bool]:
    """Per user with an authenticator app: whether it is confirmed (False: enrolment begun)."""
    rows = db.session.execute(select(SecondFactor.user_id, SecondFactor.enrolled_at))
    return {user_id: enrolled_at is not None for user_id, enrolled_at in rows}


# Enrolment.
def start_enrolment(user: User) -> Enrolment:
    """The secret to enrol with: made and stored (encrypted) at the first visit, then reused.

    Reusing it means a QR code scanned before a reload or a wrong first code keeps working.
    """
    try:
        secret = _pending_secret(user)
    except IntegrityError:  # another tab stored one at the same moment: use that one
        secret = _pending_secret(user)
    issuer = str(current_app.config["TOTP_ISSUER"])
    uri = totp.provisioning_uri(secret, user.email, issuer)
    label = _("QR-code om %(issuer)s toe te voegen aan uw authenticator-app", issuer=issuer)
    return Enrolment(secret, totp.format_secret(secret), totp.qr_code_svg(uri, label))


def _pending_secret(user: User) -> str:
    with write_transaction() as session:
        factor = session.get(SecondFactor, user.id)
        if factor is not None and factor.enrolled_at is not None:
            raise AccountError(_("U hebt al een authenticator-app ingesteld."))
        if factor is not None:
            try:
                return totp.decrypt_secret(factor.secret, user.id)
            except totp.SecretUnreadable:
                session.delete(factor)  # never confirmed, so nothing is lost: start afresh
                session.flush()
        secret = totp.new_secret()
        session.add(SecondFactor(user_id=user.id, secret=totp.encrypt_secret(secret, user.id)))
        session.flush()
    return secret


def confirm_enrolment(user: User, code: str) -> list[str]:
    """Finish enrolment with a first code from the app; returns the ten recovery codes.

    The codes are returned in plain text this once; only their hashes are kept. The login
    counts as complete: both factors have just been shown.
    """
    factor = _factor(user)
    if factor is None:
        raise AccountError(_("Begin opnieuw met het instellen van de tweede stap."))
    if factor.enrolled_at is not None:
        raise AccountError(_("U hebt al een authenticator-app ingesteld."))
    step = totp.matching_step(_secret(factor), code, clock.now())
    if step is None:
        raise AccountError(_("Deze code klopt niet. Controleer de tijd op uw telefoon."))
    with write_transaction() as session:
        claimed = session.execute(
            update(SecondFactor)
            .where(SecondFactor.user_id == user.id, SecondFactor.enrolled_at.is_(None))
            .values(enrolled_at=clock.now(), last_step=step)
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            raise AccountError(_("U hebt al een authenticator-app ingesteld."))
        codes = _replace_recovery_codes(user)
        session.add(AccountEvent(user_id=user.id, actor_id=user.id, action="totp-enrolled"))
        record_login(user, detail="totp")
    return codes


# The second step of a login.
def verify_second_step(user: User, code: str) -> SecondStep:
    """Check an app code or a recovery code and record the completed login.

    An app code is refused once a code of its time step (or a later one) was accepted; a
    recovery code works once. Raises AccountError, with a message for the user, otherwise.
    """
    factor = _factor(user)
    if factor is None or factor.enrolled_at is None:
        raise AccountError(_("Stel eerst uw authenticator-app in."))
    if totp.looks_like_code(code):
        step = _accepted_step(factor, code)
        with write_transaction():
            _claim_step(user, step)
            record_login(user, detail="totp")
        return SecondStep()
    with write_transaction() as session:
        _claim_recovery_code(user, code)
        left = recovery_codes_left(user)
        session.add(
            AccountEvent(
                user_id=user.id,
                actor_id=user.id,
                action="recovery-code-used",
                detail=f"nog {left} over",
            )
        )
        record_login(user, detail="recovery-code")
    return SecondStep(recovery_codes_left=left)


def _secret(factor: SecondFactor) -> str:
    try:
        return totp.decrypt_secret(factor.secret, factor.user_id)
    except totp.SecretUnreadable as error:
        raise AccountError(
            _(
                "Uw tweede stap kan niet worden gecontroleerd. Gebruik een herstelcode of "
                "vraag een beheerder om uw authenticator-app opnieuw te laten instellen."
            )
        ) from error


def _used() -> str:
    return _("Deze code is al gebruikt. Wacht op de volgende code in uw app.")


def _accepted_step(factor: SecondFactor, code: str) -> int:
    """The time step of a right app code that is later than the last accepted one."""
    step = totp.matching_step(_secret(factor), code, clock.now())
    if step is None:
        raise AccountError(_("Deze code klopt niet."))
    if factor.last_step is not None and step <= factor.last_step:
        raise AccountError(_used())
    return step


def _claim_step(user: User, step: int) -> None:
    """Record ``step`` as the last accepted one, unless a request just accepted it (or later)."""
    with write_transaction() as session:
        claimed = session.execute(
            update(SecondFactor)
            .where(
                SecondFactor.user_id == user.id,
                or_(SecondFactor.last_step.is_(None), SecondFactor.last_step < step),
            )
            .values(last_step=step)
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            raise AccountError(_used())


def _claim_recovery_code(user: User, code: str) -> None:
    """Mark an unused recovery code of the user as used, or refuse."""
    claimed = db.session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == totp.hash_recovery_code(user.id, code),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=clock.now())
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise AccountError(_("Deze code klopt niet of is al gebruikt."))


# Recovery codes.
def renew_recovery_codes(user: User, code: str) -> list[str]:
    """A new set of ten recovery codes for a code from the app; the old set stops working."""
    factor = _factor(user)
    if factor is None or factor.enrolled_at is None:
        raise AccountError(_("Stel eerst uw authenticator-app in."))
    step = _accepted_step(factor, code)
    with write_transaction() as session:
        _claim_step(user, step)
        codes = _replace_recovery_codes(user)
        session.add(AccountEvent(user_id=user.id, actor_id=user.id, action="recovery-codes-new"))
    return codes


def _replace_recovery_codes(user: User) -> list[str]:
    codes = totp.new_recovery_codes()
    with write_transaction() as session:
        session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
        session.add_all(
            RecoveryCode(user_id=user.id, code_hash=totp.hash_recovery_code(user.id, code))
            for code in codes
        )
    return codes


# Reset by an admin.
def reset_second_factor(user: User, actor: User | None) -> None:
    """Clear a lost second factor: the user enrols again at their next login.

    Their sessions end too, so nobody goes on without a second factor; the reset is logged
    with the admin who did it (``None``: from the command line).
    """
    if actor is not None and user.id == actor.id:
        raise AccountError(_("Uw eigen tweede stap laat u herstellen door een andere beheerder."))
    if _factor(user) is None:
        raise AccountError(_("%(name)s heeft geen tweede stap ingesteld.", name=user.name))
    with write_transaction() as session:
        session.execute(delete(SecondFactor).where(SecondFactor.user_id == user.id))
        session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
        user.session_token = new_session_token()
        session.add(
            AccountEvent(
                user_id=user.id,
                actor_id=actor.id if actor else None,
                action="totp-reset",
                detail="" if actor else "cli",
            )
        )
