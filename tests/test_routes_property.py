"""Every public route, thousands of generated requests each: not one answers 5xx.

The routes come from the app's URL map, so a new route is covered without editing this
file. Each request fills every path argument, a few query values, the conditional and
range headers, and (for routes that take POST) the form fields of the public forms, with
values from a known-good one to huge integers, control characters, ``..``, unicode and
percent-encodings. It runs as an anonymous visitor against the demo content plus an atelier
open for registration, on SQLite and on PostgreSQL (KISPUB_TEST_DATABASE=postgresql).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.routing import Rule

from kispub import create_app
from kispub.ateliers.services.editing import AtelierData, create_atelier
from kispub.content import demo_files, load_content
from kispub.core import clock
from kispub.extensions import db as _db
from kispub.podcast.models import Episode, Series
from kispub.themes.models import Theme
from tests.conftest import (
    POSTGRES,
    IsolatedClient,
    _base_config,
    postgres_schema_url,
    worker_schema,
)

# Requests per route; every request carries a value for every parameter at once, so this is
# also the number of values each path argument of a route gets, while each header, query
# value and form field gets it once per route (45 routes: thousands each). A request costs
# 5-40 ms (public pages render templates), so the default keeps the sweep near a minute
# per database; KISPUB_PROPERTY_EXAMPLES=2000 runs the full search (about 20 minutes).
EXAMPLES = int(os.environ.get("KISPUB_PROPERTY_EXAMPLES", "120"))
# Routes left out, with the reason (none yet: a route that cannot be exercised says why).
SKIPPED: dict[str, str] = {}

HUGE_INTS = st.one_of(
    st.sampled_from(["0", "-1", str(2**31 - 1), str(2**31), str(2**63), "9" * 5000, "1e9"]),
    st.integers(min_value=2**31 - 2, max_value=2**80).map(str),
    st.integers().map(str),
)
NASTY = st.sampled_from(
    ["..", ".", "%2e%2e", "%00", "%0a", "%0d%0a", "%ff", "%", "%zz", "\x00", "\n", "\x01",
     "\u2028", "\ufffe", "é", "漢字", "🎙️", " ", "a b", "../../etc/passwd", "a.mp3", "x.ics",
     "feed.xml", "-", "--", "A" * 300, ";", "'", '"', "<script>", "\\"]
)  # fmt: skip
ANY_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40)
HEADER_TEXT = st.text(st.characters(min_codepoint=32, max_codepoint=255), max_size=40)


def _segment(known: list[str]) -> st.SearchStrategy[str]:
    """A path argument: mostly something that resolves, else anything, percent-encoded."""
    raw = st.one_of(HUGE_INTS, NASTY, ANY_TEXT)
    encoded = raw.map(lambda value: quote(value, safe=""))
    options = [encoded, raw.filter(lambda v: "/" not in v and "?" not in v and "#" not in v)]
    anything = st.one_of(*options)
    if not known:
        return anything
    # Half of the requests reach the code behind a route that resolves (one_of alone is not
    # uniform and would rarely pick the known values).
    return st.booleans().flatmap(lambda resolve: st.sampled_from(known) if resolve else anything)


HEADERS = st.fixed_dictionaries(
    {},
    optional={
        "Range": st.one_of(
            HEADER_TEXT,
            st.builds("bytes={}-{}".format, HUGE_INTS | st.just(""), HUGE_INTS | st.just("")),
            st.builds("bytes=-{}".format, HUGE_INTS),
            st.just("bytes=0-0,5-9,-1"),
        ),
        "If-None-Match": st.one_of(HEADER_TEXT, st.just("*"), st.just('W/"x", "y"')),
        "If-Modified-Since": st.one_of(
            HEADER_TEXT,
            st.sampled_from(
                [
                    "Mon, 01 Jan 0001 00:00:00 GMT",
                    "Fri, 31 Dec 9999 23:59:59 GMT",
                    "Sun, 06 Nov 1994 08:49:37 GMT",
                    "0",
                    "-1",
                ]
            ),
        ),
        "If-Range": st.one_of(
            HEADER_TEXT, st.just('"etag"'), st.just("Mon, 01 Jan 0001 00:00:00 GMT")
        ),
        "Accept-Language": st.one_of(HEADER_TEXT, st.just("nl;q=2, en;q=-1, *;q=0.5")),
        "Accept-Encoding": st.one_of(HEADER_TEXT, st.just("gzip;q=0")),
    },
)
QUERY_VALUE = st.one_of(HUGE_INTS, NASTY, ANY_TEXT)
# The names the views read, each present half of the time, and one they do not know.
QUERY = st.fixed_dictionaries(
    {}, optional=dict.fromkeys(("pagina", "thema", "next", "x"), QUERY_VALUE)
)
FORM = st.dictionaries(
    st.sampled_from(["name", "email", "organisation", "password", "remember", "nonce", "confirm"]),
    st.one_of(ANY_TEXT, NASTY, HUGE_INTS, st.just("noor@example.org")),
    max_size=7,
)


def _config(tmp: Path) -> dict[str, Any]:
    if POSTGRES:  # a schema of its own, per xdist worker: the other tests truncate theirs
        url = postgres_schema_url(worker_schema("kispub_property"))
    else:
        url = f"sqlite:///{tmp / 'kispub.sqlite3'}"
    # No throttling here: the point is to reach the forms' code, thousands of times.
    return {**_base_config(url, tmp), "RATELIMIT_ENABLED": False}


def _routes() -> list[Rule]:
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule)


@pytest.fixture(scope="module")
def site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Flask, dict[str, list[str]]]]:
    """The app with the demo content and an atelier open for registration, built once.

    Built once for the module (the demo load takes seconds) in its own SQLite file or
    PostgreSQL schema, so no other test sees its rows.
    """
    tmp = tmp_path_factory.mktemp("property")
    config = _config(tmp)
    app = create_app(config)
    app.test_client_class = IsolatedClient
    with app.app_context():
        _db.create_all()
        for path in demo_files():
            load_content(path)
        starts_at = clock.now() + timedelta(days=30)
        create_atelier(
            AtelierData(
                title="Open atelier", slug="open-atelier", starts_at=starts_at,
                ends_at=starts_at + timedelta(hours=2), venue_name="Zaal", capacity=5,
            )
        )  # fmt: skip
        yield app, _known_values()
        _db.session.remove()
        _db.engine.dispose()
    shutil.rmtree(tmp, ignore_errors=True)


def _known_values() -> dict[str, list[str]]:
    """Values that make each path argument resolve, by argument name."""
    episodes = list(_db.session.scalars(_db.select(Episode)))
    series = list(_db.session.scalars(_db.select(Series)))
    themes = [t.slug for t in _db.session.scalars(_db.select(Theme))]
    return {
        "series": [s.slug for s in series],
        "episode": [e.slug for e in episodes],
        "guid": [e.guid for e in episodes],
        "key": [k for k in [s.cover_key for s in series] + [e.cover_key for e in episodes] if k],
        "slug": ["open-atelier", *themes],
        "filename": ["css/site.css", "favicon.svg"],
    }


@pytest.mark.parametrize("rule", _routes(), ids=lambda rule: f"{rule.endpoint}")
def test_no_input_makes_a_route_answer_5xx(
    site: tuple[Flask, dict[str, list[str]]], rule: Rule
) -> None:
    if rule.endpoint in SKIPPED:
        pytest.skip(SKIPPED[rule.endpoint])
    app, known = site
    client = app.test_client()
    methods = sorted((rule.methods or set()) & {"GET", "POST", "HEAD"})
    arguments = sorted(rule.arguments)
    segments = st.fixed_dictionaries({name: _segment(known.get(name, [])) for name in arguments})

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(segments, QUERY, HEADERS, FORM, st.sampled_from(methods))
    def request(
        values: dict[str, str],
        query: dict[str, str],
        headers: dict[str, str],
        form: dict[str, str],
        method: str,
    ) -> None:
        path = _fill(rule, values)
        response = client.open(
            path,
            method=method,
            query_string=query,
            headers=headers,
            data=form if method == "POST" else None,
        )
        response.close()
        assert response.status_code < 500, (method, path, query, headers, form)

    request()


def _fill(rule: Rule, values: dict[str, str]) -> str:
    """The rule's path with each ``<converter:name>`` replaced by its generated value."""
    path = ""
    for is_dynamic, data in rule._trace:
        if is_dynamic:
            path += values[data]
        elif data != "|":  # the trace starts with the (empty) host part, ended by "|"
            path += data
    return path if path.startswith("/") else "/" + path
