"""gunicorn entry point in a checkout: ``gunicorn wsgi:app`` (installed: ``kispub.wsgi:app``)."""

from kispub.wsgi import app

__all__ = ["app"]
