"""A bounded mutation run through the upload form: broken audio never costs more than a refusal.

Two thousand files are derived with a seeded RNG from the small audio fixtures (bit flips,
truncation, inserted and deleted chunks, splices, absurd box and frame sizes). Each goes
through the real upload route. None may answer 500, a refused file must leave no staged or
stored file and no row, and every answer must come within the probe's time limit.
"""

from __future__ import annotations

import hashlib
import io
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from kispub.extensions import db
from kispub.podcast.models import Episode, Series
from tests.podcast.conftest import FIXTURES, episode_count, media_files

# The PostgreSQL run skips it: what it tests does not depend on the database.
pytestmark = pytest.mark.dialect_free

SEED = 20261129
RUNS = 2000
PROBE_TIMEOUT = 3.0
SLACK = 2.0  # request handling around the probe, on a busy shared machine
SOURCES = [
    "cbr_tagged.mp3",
    "vbr_noxing.mp3",
    "vbr_xing.mp3",
    "aac.m4a",
    "vorbis.ogg",
    "opus.opus",
    "truncated_xing.mp3",
]
Mutation = Callable[[random.Random, bytearray, list[bytes]], bytearray]


def _position(rng: random.Random, data: bytearray) -> int:
    # Half the time inside the first 4 KB, where the headers and box tables are.
    limit = min(len(data), 4096) if rng.random() < 0.5 else len(data)
    return rng.randrange(max(limit, 1))


def flip_bits(rng: random.Random, data: bytearray, _: list[bytes]) -> bytearray:
    for _ in range(rng.randint(1, 24)):
        pos = _position(rng, data)
        data[pos] ^= 1 << rng.randrange(8)
    return data


def truncate(rng: random.Random, data: bytearray, _: list[bytes]) -> bytearray:
    return data[: rng.randrange(len(data))]


def insert_random(rng: random.Random, data: bytearray, _: list[bytes]) -> bytearray:
    pos = _position(rng, data)
    return data[:pos] + bytearray(rng.randbytes(rng.randint(1, 2048))) + data[pos:]


def delete_chunk(rng: random.Random, data: bytearray, _: list[bytes]) -> bytearray:
    pos = _position(rng, data)
    return data[:pos] + data[pos + rng.randint(1, 4096) :]


def duplicate_chunk(rng: random.Random, data: bytearray, _: list[bytes]) -> bytearray:
    pos = _position(rng, data)
    chunk = data[pos : pos + rng.randint(1, 8192)]
    return data[:pos] + chunk * rng.randint(2, 6) + data[pos:]


def zero_range(rng: random.Random, data: bytearray, _: list[bytes]) -> bytearray:
    pos = _position(rng, data)
    length = rng.randint(1, 1024)
    data[pos : pos + length] = bytes(len(data[pos : pos + length]))
    return data


def absurd_size(rng: random.Random, data: bytearray, _: list[bytes]) -> bytearray:
    """Overwrite a 4-byte field with an extreme value (box sizes, tag sizes, frame counts)."""
    pos = min(_position(rng, data), max(len(data) - 4, 0))
    value = rng.choice([0, 1, 7, 8, 0x7FFFFFFF, 0xFFFFFFFF, len(data) * 3, rng.getrandbits(32)])
    data[pos : pos + 4] = value.to_bytes(4, "big")
    return data


def splice(rng: random.Random, data: bytearray, sources: list[bytes]) -> bytearray:
    other = rng.choice(sources)
    return data[: rng.randrange(len(data))] + bytearray(other[rng.randrange(len(other)) :])


MUTATIONS: list[Mutation] = [
    flip_bits,
    truncate,
    insert_random,
    delete_chunk,
    duplicate_chunk,
    zero_range,
    absurd_size,
    splice,
]


def mutants(count: int) -> list[tuple[str, bytes]]:
    """(description, bytes) pairs, the same ones on every run."""
    rng = random.Random(SEED)  # noqa: S311 - reproducible test data, not secrets
    sources = [(FIXTURES / name).read_bytes() for name in SOURCES]
    result = []
    for index in range(count):
        source = rng.randrange(len(sources))
        data = bytearray(sources[source])
        steps = rng.choices(MUTATIONS, k=rng.choice([1, 1, 1, 2, 3]))
        for step in steps:
            data = step(rng, data, sources) or bytearray(b"\x00")
        names = "+".join(step.__name__ for step in steps)
        result.append((f"#{index} {SOURCES[source]} {names}", bytes(data)))
    return result


def staging(app: Flask) -> list[Path]:
    folder = Path(app.config["MEDIA_ROOT"]) / ".staging"
    return list(folder.iterdir()) if folder.exists() else []


def referenced_files() -> set[str]:
    """Every stored file some row points at."""
    db.session.rollback()
    keys = db.session.execute(
        select(Episode.audio_key, Episode.cover_key, Episode.transcript_key)
    ).all()
    keys += db.session.execute(select(Series.cover_key)).all()
    return {key for row in keys for key in row if key}


@pytest.mark.slow
def test_mutated_uploads_never_fail_badly(
    app: Flask, client: FlaskClient, series: Series, editor: Any
) -> None:
    app.config["PODCAST_PROBE_TIMEOUT"] = PROBE_TIMEOUT
    episodes = episode_count()
    outcomes = {303: 0, 422: 0}
    slowest = 0.0
    for number, (description, data) in enumerate(mutants(RUNS)):
        form = {
            "series": str(series.id),
            "status": "draft",
            "episode_type": "full",
            "title": "Mutant",
            "nonce": f"mutation-run-{number:05d}",
            "audio": (io.BytesIO(data), "mutant.mp3"),
        }
        started = time.monotonic()
        with client.post("/beheer/podcast/nieuw", data=form) as response:
            body = response.get_data(as_text=True)
        elapsed = time.monotonic() - started
        slowest = max(slowest, elapsed)
        status = response.status_code
        assert status in outcomes, f"{description}: HTTP {status}"
        assert elapsed < PROBE_TIMEOUT + SLACK, f"{description}: {elapsed:.1f} s"
        assert staging(app) == [], f"{description}: staged file left behind"
        outcomes[status] += 1
        if status == 422:
            assert "error-summary" in body, description
            digest = hashlib.sha256(data).hexdigest()
            stored = Path(app.config["MEDIA_ROOT"], digest[:2])
            assert not list(stored.glob(f"{digest}.*")), f"{description}: refused but stored"
        else:
            episodes += 1
        assert episode_count() == episodes, f"{description}: rows do not match the answers"
        if number % 50 == 49:
            # No stored file without a row that points at it (nothing refused was kept).
            assert media_files(app) == referenced_files(), f"after {description}"
    assert media_files(app) == referenced_files()
    # The run must exercise both outcomes, or the mutations are too weak or too strong.
    assert outcomes[422] > RUNS // 4 and outcomes[303] > 10, outcomes
    print(f"mutation run: {outcomes}, slowest request {slowest:.2f} s")
