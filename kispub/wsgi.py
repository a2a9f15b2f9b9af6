"""The production app for a WSGI server: ``gunicorn kispub.wsgi:app``.

Installed from the wheel there is no checkout, so the entry point lives in the package; the
checkout's top-level ``wsgi.py`` imports this one. Refuses to start without a secret key.
"""

from kispub import create_app

app = create_app(production=True)
