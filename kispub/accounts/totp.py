"""The second factor's engine: TOTP codes, the secret's encryption, the QR code, recovery codes.

Plain functions without the database; kispub/accounts/second_factor.py stores and checks.

- Codes are RFC 6238 TOTP as every authenticator app makes them (SHA-1, 6 digits, 30 s),
  computed by pyotp. A code of the step before or after the server's is accepted too, for
  a phone whose clock is a little off and for a code typed as it changed.
- The secret is encrypted at rest with AES-GCM under a key derived from SECRET_KEY (HKDF),
  with the user's id as associated data, so a copied database (a backup, a dump for a
  developer) does not hand out second factors, and a secret moved to another account's row
  does not decrypt. Changing SECRET_KEY therefore makes every staff member enrol again
  (`flask --app kispub users reset-second-factor EMAIL` clears one).
- Recovery codes are 10 random characters (about 50 bits) and single use. They are stored as
  an HMAC-SHA-256 keyed by another key derived from SECRET_KEY, not argon2: argon2 makes
  guessing a *chosen* password expensive, while a random 50-bit code cannot be guessed offline
  without the key anyway, and a fast hash lets the login look a code up directly instead of
  running ten argon2 checks (640 MiB of memory) for every attempt.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import io
import os
import secrets
from datetime import datetime

import pyotp
import segno
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from markupsafe import Markup, escape

DIGITS = 6
INTERVAL = 30  # seconds per time step
DRIFT_STEPS = 1  # steps accepted either side of the server's
RECOVERY_CODE_COUNT = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
RECOVERY_CODE_LENGTH = 10
_FORMAT_VERSION = "v1"  # prefix of the stored form, should the scheme ever change
_NONCE_BYTES = 12


class SecretUnreadable(ValueError):
    """The stored secret does not decrypt (SECRET_KEY changed, or the row was tampered with)."""


def new_secret() -> str:
    """A fresh base32 secret of 160 bits (RFC 4226's recommended length)."""
    return pyotp.random_base32(32)


def _derived_key(purpose: str) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose.encode())
    return hkdf.derive(str(current_app.config["SECRET_KEY"]).encode())


def _associated(user_id: int) -> bytes:
    return f"kispub-totp-user:{user_id}".encode()


def encrypt_secret(secret: str, user_id: int) -> str:
    """The secret as stored: version, then base64 of a random nonce and the AES-GCM output."""
    nonce = os.urandom(_NONCE_BYTES)
    sealed = AESGCM(_derived_key("kispub totp secret")).encrypt(
        nonce, secret.encode(), _associated(user_id)
    )
    return f"{_FORMAT_VERSION}:{base64.urlsafe_b64encode(nonce + sealed).decode()}"


def decrypt_secret(stored: str, user_id: int) -> str:
    """The secret from its stored form; raises SecretUnreadable when it cannot be read."""
    version, _, payload = stored.partition(":")
    if version != _FORMAT_VERSION:
        raise SecretUnreadable(stored[:8])
    try:
        raw = base64.urlsafe_b64decode(payload.encode())
        opened = AESGCM(_derived_key("kispub totp secret")).decrypt(
            raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], _associated(user_id)
        )
    except (InvalidTag, ValueError, binascii.Error) as error:
        raise SecretUnreadable("the secret does not decrypt") from error
    return opened.decode()


def time_step(now: datetime) -> int:
    """The TOTP counter for a moment (Unix time // 30)."""
    return int(now.timestamp()) // INTERVAL


def code_at(secret: str, step: int) -> str:
    """The code an authenticator app shows during ``step``."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL).generate_otp(step)


def looks_like_code(text: str) -> bool:
    """Whether what was typed is an app code (six digits, spaces allowed) not a recovery code."""
    digits = text.replace(" ", "")
    return len(digits) == DIGITS and digits.isascii() and digits.isdigit()


def matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step whose code ``code`` is, within the accepted drift; None when none is."""
    typed = code.replace(" ", "")
    if not looks_like_code(typed):
        return None
    current = time_step(now)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(code_at(secret, step), typed):
            return step
    return None


def provisioning_uri(secret: str, account: str, issuer: str) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code."""
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL)
    return totp.provisioning_uri(name=account, issuer_name=issuer)


def qr_code_svg(uri: str, label: str) -> Markup:
    """The QR code of ``uri`` as inline SVG markup, with ``label`` as its text alternative.

    segno writes only presentation attributes (fill, stroke), no ``style``: the strict
    Content-Security-Policy, which forbids inline styles, lets it render. A white square
    behind the modules keeps the code readable on a dark page.
    """
    out = io.BytesIO()
    segno.make(uri, error="m").save(
        out,
        kind="svg",
        xmldecl=False,
        svgns=True,
        nl=False,
        omitsize=True,  # sized by the stylesheet (.qr-code) through the viewBox
        svgclass="qr-code",
        lineclass=None,
        dark="#000",
        light="#fff",
        title=label,
    )
    # segno escapes the title; role="img" and a name make screen readers announce one image,
    # not a drawing of paths.
    named = f'<svg role="img" aria-label="{escape(label)}" '
    svg = out.getvalue().decode().replace("<svg ", named, 1)
    return Markup(svg)  # noqa: S704 - segno's own markup, every text in it escaped


def format_secret(secret: str) -> str:
    """The secret in groups of four, as it is typed into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def new_recovery_codes() -> list[str]:
    """Ten fresh recovery codes, written as two groups of five (``abcde-fghjk``)."""
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    return codes


def normalise_recovery_code(text: str) -> str:
    """A recovery code as typed, without case, spaces or hyphens."""
    return "".join(char for char in text.lower() if char not in " -")


def hash_recovery_code(user_id: int, code: str) -> str:
    """The keyed hash stored for a recovery code (bound to its user)."""
    message = f"{user_id}:{normalise_recovery_code(code)}".encode()
    return hmac.new(_derived_key("kispub recovery code"), message, hashlib.sha256).hexdigest()
