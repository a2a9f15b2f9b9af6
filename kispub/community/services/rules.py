"""What every way into the community shares: the error people read, who counts as staff,
and what an e-mail address and an e-mail domain are."""

from __future__ import annotations

import re

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _

from kispub.accounts.models import Role, User
from kispub.accounts.passwords import MIN_PASSWORD_LENGTH

# One DNS label in its ASCII (IDNA) form: letters, digits and inner hyphens, at most 63.
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
DOMAIN_MAX = 253


class JoiningError(ValueError):
    """A joining step that cannot be taken; the message is for the person who tried.

    ``field`` names the form field the message belongs to, when there is one.
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def require_staff(user: User) -> None:
    """Only active moderators, editors and admins invite, decide and see requests."""
    if not (user.active and user.has_role(Role.MODERATOR)):
        raise JoiningError(_("Alleen moderatoren, redacteuren en beheerders kunnen dit doen."))


def require_admin(user: User) -> None:
    """Only active admins manage the trusted domains."""
    if not (user.active and user.has_role(Role.ADMIN)):
        raise JoiningError(_("Alleen beheerders kunnen dit doen."))


def require_new_password(password: str) -> None:
    """A password chosen on joining is as long as the forms ask (they say so first)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise JoiningError(
            _("Kies een wachtwoord van minstens %(n)d tekens.", n=MIN_PASSWORD_LENGTH), "password"
        )


def normalise_domain(text: str) -> str:
    """An e-mail domain in the one form it is stored and compared in: lowercase ASCII.

    An internationalised domain becomes its IDNA form ("bücher.nl" -> "xn--bcher-kva.nl"),
    so an address typed either way matches. Raises ``JoiningError`` for anything that is not
    a domain name with at least two labels.
    """
    domain = text.strip().rstrip(".").lower()
    if "@" in domain:
        raise JoiningError(
            _("Vul alleen het domein in, zonder @ (bijvoorbeeld gemeente.nl)."), "domain"
        )
    if "." not in domain:
        raise JoiningError(_("Een domein heeft een punt, bijvoorbeeld gemeente.nl."), "domain")
    try:
        ascii_form = domain.encode("idna").decode("ascii")
    except UnicodeError as error:
        raise JoiningError(_("Dit is geen geldig domein."), "domain") from error
    labels = ascii_form.split(".")
    if (
        len(ascii_form) > DOMAIN_MAX
        or not all(_LABEL.fullmatch(label) for label in labels)
        or labels[-1].isdigit()  # an IP address, not a domain
    ):
        raise JoiningError(_("Dit is geen geldig domein."), "domain")
    return ascii_form


def email_domain(email: str) -> str | None:
    """The normalised domain of an address, or None when it has no valid one."""
    _local, at, domain = email.rpartition("@")
    if not at:
        return None
    try:
        return normalise_domain(domain)
    except JoiningError:
        return None


def valid_address(text: str) -> str | None:
    """The address in its stored form (trimmed, lowercase) if it is one, else None.

    The same check as the forms' e-mail fields (email-validator), without asking DNS.
    """
    address = text.strip()
    if not address or len(address) > 254:
        return None
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        return None
    return address.lower()
