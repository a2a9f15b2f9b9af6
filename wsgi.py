"""Entry point for gunicorn: ``gunicorn wsgi:app``. Refuses to start without a secret key."""

from kispub import create_app

app = create_app(production=True)
