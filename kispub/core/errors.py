"""Styled error pages; a CSRF failure or a too-large upload is a clear message, not a 500."""

from __future__ import annotations

from flask import Flask, current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError, SecurityError

from kispub.core.storage import StorageFull

MESSAGES = {
    400: (_l("Ongeldig verzoek"), _l("Het verzoek kon niet worden verwerkt.")),
    403: (_l("Geen toegang"), _l("U hebt geen toegang tot deze pagina.")),
    404: (_l("Pagina niet gevonden"), _l("De pagina die u zoekt bestaat niet (meer).")),
    405: (_l("Niet toegestaan"), _l("Deze actie is hier niet mogelijk.")),
    413: (_l("Bestand te groot"), _l("Het bestand is groter dan is toegestaan.")),
    429: (
        _l("Te veel pogingen"),
        _l("U hebt het te vaak geprobeerd. Wacht even en probeer het opnieuw."),
    ),
    507: (
        _l("De opslag is vol"),
        _l(
            "De opslag is vol: het bestand kon niet worden bewaard. Er is niets opgeslagen; "
            "probeer het later opnieuw of meld het de beheerder."
        ),
    ),
    500: (_l("Er ging iets mis"), _l("Er ging aan onze kant iets mis. Probeer het later opnieuw.")),
}


def init_app(app: Flask) -> None:
    """Render every HTTP error with the site's error template."""
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(SecurityError, _untrusted_host)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(InternalServerError, _server_error)
    app.register_error_handler(StorageFull, _storage_full)


def render_error(code: int, detail: str | None = None) -> tuple[str, int]:
    """The error page for ``code``."""
    title, message = MESSAGES.get(code, MESSAGES[400 if code < 500 else 500])
    page = render_template("errors/error.html", code=code, title=title, message=detail or message)
    return page, code


def _csrf_error(error: CSRFError) -> tuple[str, int]:
    return render_error(
        400,
        _("Het formulier is verlopen of ongeldig. Laad de pagina opnieuw en probeer het nog eens."),
    )


def _untrusted_host(error: SecurityError) -> ResponseReturnValue:
    """A Host header outside TRUSTED_HOSTS: plain text, for no URL can be built for it."""
    return str(MESSAGES[400][1]), 400, {"Content-Type": "text/plain; charset=utf-8"}


def _http_error(error: HTTPException) -> ResponseReturnValue:
    if error.code is None or error.code < 400 or request.method == "HEAD":
        return error
    page, code = render_error(error.code)
    # Keep what the exception says besides its body: Content-Range on 416, Allow on 405.
    headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
    return page, code, headers


def _storage_full(error: StorageFull) -> tuple[str, int]:
    # 507 Insufficient Storage (RFC 4918): the request was fine, the disk is not.
    current_app.logger.error("media storage full: %s", error.__cause__)
    return render_error(507)


def _server_error(error: InternalServerError) -> tuple[str, int]:
    return render_error(500)
