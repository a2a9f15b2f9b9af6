"""The content version: one cheap query, and a statement psycopg keeps parsed."""

from __future__ import annotations

from flask import Flask
from sqlalchemy.dialects import postgresql

from kispub.core import clock
from kispub.core.pagecache import _version_statement, content_version
from tests.clock import freeze
from tests.queries import count_queries

# psycopg caches its conversion of a statement up to these sizes (psycopg/_queries.py).
PSYCOPG_CACHED_LENGTH = 4096
PSYCOPG_CACHED_PARAMETERS = 50


def test_the_version_is_one_query_over_every_channel(app: Flask) -> None:
    with app.test_request_context("/"), count_queries() as queries:
        version = content_version()
    assert len(queries) == 1
    assert len(version) >= 10  # podcast, ateliers, dossiers, themes and links each add parts


def test_the_version_statement_stays_within_psycopgs_cache(app: Flask) -> None:
    with app.test_request_context("/"):
        compiled = _version_statement().compile(dialect=postgresql.dialect())
    assert len(str(compiled)) < PSYCOPG_CACHED_LENGTH
    assert len(compiled.params) <= PSYCOPG_CACHED_PARAMETERS


def test_the_version_moves_with_the_clock_only_where_something_is_due(app: Flask) -> None:
    """Nothing is scheduled in an empty site: a later moment gives the same version."""
    moment = freeze(app, clock.now())
    with app.test_request_context("/"):
        before = content_version()
        moment.advance(hours=1)
        assert content_version() == before
