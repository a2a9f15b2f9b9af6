"""Access-log lines exactly as nginx writes them, for the tests of the ingest and counting."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from flask import Flask

# deploy/nginx's log_format, as SPEC'd: the keys, in order, and the variables nginx fills in.
NGINX_FORMAT = (
    '{"time":"$time_iso8601","addr":"$remote_addr","method":"$request_method","uri":"$uri",'
    '"status":$status,"bytes":$body_bytes_sent,"range":"$sent_http_content_range",'
    '"ua":"$http_user_agent","gpc":"$http_sec_gpc","purpose":"$http_sec_purpose$http_purpose"}'
)
KEYS = ["time", "addr", "method", "uri", "status", "bytes", "range", "ua", "gpc", "purpose"]
_SHORT = {b'"': b'\\"', b"\\": b"\\\\", b"\n": b"\\n", b"\r": b"\\r", b"\t": b"\\t"}
_SHORT |= {b"\b": b"\\b", b"\f": b"\\f"}


def json_escaped(value: str | bytes) -> bytes:
    """nginx's escape=json: quote, backslash and control characters escaped, other bytes as
    they came (a percent-decoded path can hold bytes that are no UTF-8)."""
    raw = value.encode() if isinstance(value, str) else value
    out = bytearray()
    for byte in raw:
        char = bytes([byte])
        if char in _SHORT:
            out += _SHORT[char]
        elif byte < 0x20:
            out += b"\\u%04x" % byte
        else:
            out += char
    return bytes(out)


def nginx_line(
    time: datetime,
    uri: str | bytes,
    *,
    addr: str = "192.0.2.10",
    method: str = "GET",
    status: int = 200,
    sent: int = 0,
    content_range: str = "",
    ua: str | bytes = "",
    gpc: str = "",
    purpose: str = "",
) -> bytes:
    """One line of the kispub_json log, newline included."""
    values = {
        "$time_iso8601": time.isoformat(timespec="seconds"),
        "$remote_addr": addr,
        "$request_method": method,
        "$uri": uri,
        "$status": str(status),
        "$body_bytes_sent": str(sent),
        "$sent_http_content_range": content_range,
        "$http_user_agent": ua,
        "$http_sec_gpc": gpc,
        "$http_sec_purpose$http_purpose": purpose,
    }
    line = NGINX_FORMAT.encode()
    for variable, value in values.items():
        line = line.replace(variable.encode(), json_escaped(value), 1)
    return line + b"\n"


def log_path(app: Flask) -> Path:
    return Path(app.config["ACCESS_LOG"])


def append(path: Path, *lines: bytes) -> None:
    """Append as nginx does: to the end of the file, creating it when it is missing."""
    with path.open("ab") as log:
        log.write(b"".join(lines))
