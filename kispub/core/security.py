"""Security headers on every response, and who may cache what."""

from __future__ import annotations

from flask import Flask, Response, current_app, request, session
from flask_login import current_user

# No inline script or style anywhere: every asset is a file the app serves itself.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "media-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}


# Browsers remember for a year to use https only; subdomains included, so a cookie set for
# the site can never be read over plain http on one of them.
HSTS = "max-age=31536000; includeSubDomains"
BACK_OFFICE = "/beheer"


def init_app(app: Flask) -> None:
    """Add the headers to every response, including errors and static files."""
    app.after_request(_add_headers)


def _add_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if str(current_app.config["BASE_URL"]).startswith("https://"):
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    _limit_caching(response)
    return response


def _limit_caching(response: Response) -> None:
    """Keep what only editors or members may see out of shared caches.

    The back office is never public: every answer there is ``private, no-store``, whatever
    the view set. To a logged-in user, whatever the view did not explicitly mark public
    (feeds, public audio, images and static files are the same for everyone) is private, and
    so is any answer that sets a cookie.
    """
    if request.path == BACK_OFFICE or request.path.startswith(BACK_OFFICE + "/"):
        response.headers["Cache-Control"] = "private, no-store"
        return
    if request.endpoint == "static":
        # Stylesheets, scripts and icons are the same for everyone: shared caches may keep them.
        response.cache_control.public = True
    if response.mimetype == "text/html":
        # Pages can be personal; never let a shared cache keep them.
        response.headers.setdefault("Cache-Control", "no-store")
    if response.cache_control.public and (session.modified or "Set-Cookie" in response.headers):
        # This answer carries someone's session cookie: no shared cache may keep it.
        response.cache_control.public = False
        response.cache_control.private = True
    if current_user.is_authenticated and not response.cache_control.public:
        response.cache_control.private = True
