"""The access log: lines as the app and nginx write them, and an ingest that reads each once."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from kispub.core.accesslog import (
    AccessLogCursor,
    ByteRange,
    LogLine,
    ingest,
    parse_line,
    register_log_handler,
    write_line,
)
from kispub.core.logfile import MAX_LINE_BYTES
from kispub.extensions import db
from tests.accesslog import KEYS, append, log_path, nginx_line
from tests.clock import freeze

T = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def line(n: int, **fields: object) -> bytes:
    """Line number ``n``: its number is in the path, to tell lines apart."""
    return nginx_line(T + timedelta(seconds=n), f"/pagina/{n}", **fields)


class Seen:
    """A handler that remembers the numbers of the lines it was given, per batch."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []
        self.lock = threading.Lock()

    def __call__(self, lines: Sequence[LogLine]) -> int:
        with self.lock:
            self.batches.append([int(line.uri.rsplit("/", 1)[1]) for line in lines])
        return len(lines)

    @property
    def numbers(self) -> list[int]:
        return sorted(n for batch in self.batches for n in batch)


@pytest.fixture
def seen(app: Flask) -> Seen:
    handler = Seen()
    register_log_handler(app, handler)
    return handler


@pytest.fixture
def log(app: Flask) -> Path:
    return log_path(app)


def cursor(app: Flask) -> tuple[int, int]:
    db.session.rollback()
    row = db.session.get(AccessLogCursor, app.config["ACCESS_LOG"])
    assert row is not None
    return row.inode, row.byte_offset


# --- the line format -------------------------------------------------------------------


def test_the_app_writes_the_line_nginx_writes_and_it_reads_back(app: Flask, log: Path) -> None:
    freeze(app, T)
    headers = {"User-Agent": 'Podcast "App"/1.0 \\ é', "Sec-GPC": "1", "Purpose": "prefetch"}
    with app.test_request_context(
        "/podcast/audio/abc.mp3?x=1", headers=headers, environ_base={"REMOTE_ADDR": "2001:db8::1"}
    ):
        write_line(206, 100, "bytes 100-199/5000")
    raw = log.read_bytes()
    assert raw.endswith(b"\n") and raw.count(b"\n") == 1
    assert list(json.loads(raw)) == KEYS
    expected = nginx_line(
        T,
        "/podcast/audio/abc.mp3",
        addr="2001:db8::1",
        status=206,
        sent=100,
        content_range="bytes 100-199/5000",
        ua='Podcast "App"/1.0 \\ é',
        gpc="1",
        purpose="prefetch",
    )
    assert raw == expected
    assert parse_line(raw[:-1]) == LogLine(
        time=T,
        addr="2001:db8::1",
        method="GET",
        uri="/podcast/audio/abc.mp3",
        status=206,
        bytes=100,
        range=ByteRange(100, 200, 5000),
        ua='Podcast "App"/1.0 \\ é',
        gpc="1",
        purpose="prefetch",
    )


def test_lines_of_several_writers_never_interleave(app: Flask, log: Path) -> None:
    def write(n: int) -> None:
        with app.test_request_context(f"/pagina/{n}", headers={"User-Agent": "x" * 3000}):
            for _ in range(50):
                write_line(200, n)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    lines = log.read_bytes().splitlines()
    assert len(lines) == 400
    assert all(parse_line(raw) is not None for raw in lines)


def test_a_log_that_cannot_be_written_costs_the_request_nothing(
    app: Flask, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    app.config["ACCESS_LOG"] = str(tmp_path / "missing" / "access.log")
    with app.test_request_context("/x"):
        write_line(200, 1)
    assert "could not write to the access log" in caplog.text


# Written by Debian's nginx 1.22 with the kispub_json format (curl against a static file).
NGINX_WROTE = [
    b'{"time":"2026-12-07T21:01:56+00:00","addr":"127.0.0.1","method":"GET","uri":'
    b'"/podcast/audio/abc.mp3","status":206,"bytes":100,"range":"bytes 100-199/5000","ua":'
    b'"AppleCoreMedia/1.0 \\"quoted\\" \\\\back","gpc":"","purpose":""}',
    b'{"time":"2026-12-07T21:01:57+00:00","addr":"::1","method":"GET","uri":'
    b'"/podcast/audio/abc.mp3","status":200,"bytes":5000,"range":"","ua":"","gpc":"1",'
    b'"purpose":"prefetch"}',
    b'{"time":"2026-12-07T21:01:57+00:00","addr":"127.0.0.1","method":"GET","uri":'
    b'"/podcast/audio/abc.mp3","status":416,"bytes":197,"range":"bytes */5000","ua":'
    b'"curl/7.88.1","gpc":"","purpose":""}',
    b'{"time":"2026-12-07T21:01:57+00:00","addr":"127.0.0.1","method":"GET","uri":'
    b'"/podcast/audio/\xff x.mp3","status":404,"bytes":153,"range":"","ua":"tab\\there '
    b'\xc3\xa9","gpc":"","purpose":""}',
    b'{"time":"2026-12-07T21:01:57+00:00","addr":"127.0.0.1","method":"GET","uri":'
    b'"/podcast/audio/abc.mp3","status":206,"bytes":202,"range":"","ua":"curl/7.88.1",'
    b'"gpc":"","purpose":""}',
    b'{"time":"2026-12-07T21:02:00+01:00","addr":"127.0.0.1","method":"","uri":"","status":'
    b'400,"bytes":157,"range":"","ua":"","gpc":"","purpose":""}',
]


def test_lines_nginx_wrote_are_read() -> None:
    first, ipv6, unsatisfiable, odd_bytes, multipart, bad_request = map(parse_line, NGINX_WROTE)
    assert first is not None and first.ua == 'AppleCoreMedia/1.0 "quoted" \\back'
    assert first.range == ByteRange(100, 200, 5000)
    assert ipv6 is not None and (ipv6.addr, ipv6.ua, ipv6.range) == ("::1", "", None)
    assert (ipv6.gpc, ipv6.purpose) == ("1", "prefetch")
    assert unsatisfiable is not None and unsatisfiable.range is None
    assert odd_bytes is not None and odd_bytes.uri == "/podcast/audio/\ufffd x.mp3"
    assert odd_bytes.ua == "tab\there é"
    assert multipart is not None and (multipart.status, multipart.range) == (206, None)
    assert bad_request is not None and (bad_request.method, bad_request.uri) == ("", "")
    assert bad_request.time == datetime(2026, 12, 7, 21, 2, tzinfo=timezone(timedelta(hours=1)))
    assert NGINX_WROTE[1] + b"\n" == nginx_line(
        ipv6.time, ipv6.uri, addr="::1", sent=5000, gpc="1", purpose="prefetch"
    )


MALFORMED = {
    "not JSON": b"GET /pagina/1 HTTP/1.1",
    "an empty line": b"",
    "a list": b"[1, 2]",
    "a field missing": line(1).replace(b',"gpc":""', b"").rstrip(),
    "a huge number": line(1).replace(b'"bytes":0', b'"bytes":' + b"9" * 30).rstrip(),
    "a number too long to read": line(1).replace(b'"bytes":0', b'"bytes":' + b"9" * 5000).rstrip(),
    "a negative number": line(1).replace(b'"status":200', b'"status":-200').rstrip(),
    "a fraction": line(1).replace(b'"status":200', b'"status":200.5').rstrip(),
    "true for a number": line(1).replace(b'"bytes":0', b'"bytes":true').rstrip(),
    "a number for a string": line(1).replace(b'"ua":""', b'"ua":5').rstrip(),
    "a raw control character": line(1).replace(b'"ua":""', b'"ua":"a\x01b"').rstrip(),
    "an escaped control character in the path": line(1).replace(b"/pagina/", b"/\\u0000/").rstrip(),
    "a time without offset": line(1).replace(b"+00:00", b"").rstrip(),
    "no time at all": line(1).replace(b"2026-03-02T", b"gisteren ").rstrip(),
    "a broken range": line(1).replace(b'"range":""', b'"range":"bytes 9-3/10"').rstrip(),
    "a range of another unit": line(1).replace(b'"range":""', b'"range":"items 1-2/3"').rstrip(),
}


@pytest.mark.parametrize("raw", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_lines_are_not_lines(raw: bytes) -> None:
    assert parse_line(raw) is None


# --- the ingest ------------------------------------------------------------------------


def test_malformed_lines_are_skipped_with_a_message_and_the_rest_read(
    app: Flask, log: Path, seen: Seen, caplog: pytest.LogCaptureFixture
) -> None:
    append(log, line(1), *(raw + b"\n" for raw in MALFORMED.values()), line(2))
    append(log, b"x" * (MAX_LINE_BYTES * 3) + b"\n", line(3))  # far too long: passed over
    report = ingest()
    assert seen.numbers == [1, 2, 3]
    assert (report.lines, report.skipped) == (len(MALFORMED) + 3, len(MALFORMED) + 1)
    assert f"skipped {len(MALFORMED) + 1} malformed line(s)" in caplog.text
    assert cursor(app)[1] == log.stat().st_size


def test_lines_are_read_in_batches_and_never_again(app: Flask, log: Path, seen: Seen) -> None:
    assert ingest().lines == 0  # no log yet
    append(log, *(line(n) for n in range(1, 8)))
    report = ingest(batch_lines=3)
    assert seen.batches == [[1, 2, 3], [4, 5, 6], [7]]
    assert (report.lines, report.counted, report.skipped) == (7, 7, 0)
    assert ingest().lines == 0
    append(log, line(8))
    assert ingest().lines == 1
    assert seen.numbers == list(range(1, 9))
    assert cursor(app) == (log.stat().st_ino, log.stat().st_size)


def test_a_restarted_worker_continues_where_the_database_says(
    app: Flask, log: Path, seen: Seen, make_app: Callable[..., Flask]
) -> None:
    append(log, line(1), line(2))
    ingest()
    restarted = make_app()
    again = Seen()
    register_log_handler(restarted, again)
    append(log, line(3))
    with restarted.app_context():
        assert ingest().lines == 1
        assert ingest().lines == 0
    assert (seen.numbers, again.numbers) == ([1, 2], [3])


def test_a_half_written_last_line_waits_for_its_end(app: Flask, log: Path, seen: Seen) -> None:
    whole = line(2)
    append(log, line(1), whole[:20])
    assert ingest().lines == 1
    assert cursor(app)[1] == len(line(1))
    append(log, whole[20:-1])  # still no newline
    assert ingest().lines == 0
    append(log, b"\n")
    assert ingest().lines == 1
    assert seen.numbers == [1, 2]


def test_a_rotated_log_is_finished_before_the_new_one_is_read(
    app: Flask, log: Path, seen: Seen
) -> None:
    append(log, line(1), line(2))
    ingest()
    append(log, line(3))
    log.rename(log.with_name("access.log.1"))  # logrotate: rename, then create
    log.touch()
    append(log.with_name("access.log.1"), line(4))  # nginx writes on until it reopens
    assert ingest().lines == 2
    assert cursor(app)[0] == log.with_name("access.log.1").stat().st_ino
    append(log, line(5), line(6))  # reopened: the new file gets lines
    assert ingest().lines == 2
    assert ingest().lines == 0
    assert seen.numbers == [1, 2, 3, 4, 5, 6]
    assert cursor(app) == (log.stat().st_ino, log.stat().st_size)


def test_half_a_line_at_the_end_of_a_rotated_log_does_not_hold_the_new_one_up(
    app: Flask, log: Path, seen: Seen, caplog: pytest.LogCaptureFixture
) -> None:
    append(log, line(1), line(2)[:30])  # the writer died in the middle of line 2
    assert ingest().lines == 1
    log.rename(log.with_name("access.log.1"))
    append(log, line(3))
    assert ingest().lines == 1
    assert "ends in half a line" in caplog.text
    assert seen.numbers == [1, 3]


def test_a_log_rotated_twice_since_is_given_up_with_a_message(
    app: Flask, log: Path, seen: Seen, caplog: pytest.LogCaptureFixture
) -> None:
    append(log, line(1))
    ingest()
    log.rename(log.with_name("access.log.2"))
    append(log, line(2))
    assert ingest().lines == 1
    assert "unread lines are lost" in caplog.text
    assert seen.numbers == [1, 2]


def test_a_truncated_log_is_read_from_its_start(app: Flask, log: Path, seen: Seen) -> None:
    append(log, line(1), line(2), line(3))
    ingest()
    with log.open("r+b") as handle:  # logrotate's copytruncate
        handle.truncate(0)
    append(log, line(4))
    assert ingest().lines == 1
    assert seen.numbers == [1, 2, 3, 4]


def test_a_failing_batch_is_rolled_back_and_read_again(app: Flask, log: Path, seen: Seen) -> None:
    calls = []

    def fails_once_on_the_second_batch(lines: Sequence[LogLine]) -> int:
        calls.append(len(lines))
        if len(calls) == 2:
            raise RuntimeError("the database went away")
        return 0

    register_log_handler(app, fails_once_on_the_second_batch)
    append(log, *(line(n) for n in range(1, 8)))
    with pytest.raises(RuntimeError, match="went away"):
        ingest(batch_lines=3)
    assert cursor(app)[1] == sum(len(line(n)) for n in (1, 2, 3))
    ingest(batch_lines=3)
    assert seen.batches == [[1, 2, 3], [4, 5, 6], [4, 5, 6], [7]]  # Seen keeps no transaction
    assert calls == [3, 3, 3, 1]
    assert cursor(app)[1] == log.stat().st_size


def test_two_workers_ingesting_at_once_read_every_line_once(
    app: Flask, log: Path, seen: Seen, make_app: Callable[..., Flask]
) -> None:
    ingest()  # no log yet: the cursor row exists before the race
    append(log, *(line(n) for n in range(1, 2001)))
    workers = [make_app(), make_app()]
    for worker in workers:
        register_log_handler(worker, seen)
    errors: list[BaseException] = []

    def run(worker: Flask) -> None:
        try:
            with worker.app_context():
                ingest(batch_lines=25)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run, args=(worker,)) for worker in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert seen.numbers == list(range(1, 2001))


def test_the_worker_ingests_every_minute_and_the_command_on_demand(
    app: Flask, log: Path, seen: Seen
) -> None:
    from kispub.jobs import huey_of

    due = {type(task).__name__ for task in huey_of(app).read_periodic(T + timedelta(minutes=7))}
    assert "access-log-ingest" in due
    append(log, line(1), b"junk\n", line(2))
    result = app.test_cli_runner().invoke(args=["access-log", "ingest"])
    assert result.exit_code == 0, result.output
    assert "Read 3 new lines" in result.output and "2 counted, 1 malformed" in result.output
    assert seen.numbers == [1, 2]


def test_the_cursor_holds_no_more_than_where_it_is(app: Flask, log: Path) -> None:
    append(log, line(1, addr="198.51.100.7", ua="Secret/1.0"))
    ingest()
    rows = db.session.execute(select(AccessLogCursor.__table__)).all()
    assert len(rows) == 1
    assert "198.51.100.7" not in repr(rows) and "Secret" not in repr(rows)
