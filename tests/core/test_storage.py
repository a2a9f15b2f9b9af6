"""Content-addressed, atomic media storage."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest

from kispub.core.storage import (
    FileSystemStorage,
    StorageError,
    StoredKey,
    TooLarge,
    content_hash,
    is_valid_key,
    key_for,
    parse_key,
)


class ExplodingStream(io.RawIOBase):
    """A client that hangs up half-way through an upload."""

    def __init__(self, good: int) -> None:
        self.left = good

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray) -> int:  # type: ignore[override]
        if self.left <= 0:
            raise OSError("connection reset")
        n = min(len(buffer), self.left)
        buffer[:n] = b"x" * n
        self.left -= n
        return n


def _files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def test_save_stores_by_content_hash_once(tmp_path: Path) -> None:
    storage = FileSystemStorage(tmp_path)
    data = b"ID3" + bytes(range(256)) * 100
    first = storage.save(io.BytesIO(data), ".mp3")
    second = storage.save(io.BytesIO(data), ".mp3")
    digest = hashlib.sha256(data).hexdigest()
    assert first == second
    assert first.key == f"{digest[:2]}/{digest}.mp3" and first.size == len(data)
    assert storage.path(first.key).read_bytes() == data
    assert _files(tmp_path) == [storage.path(first.key)]
    # nginx, another user, sends published audio from here (tests/deploy/ runs it so).
    assert storage.path(first.key).stat().st_mode & 0o777 == 0o644


def test_too_large_upload_leaves_nothing_behind(tmp_path: Path) -> None:
    storage = FileSystemStorage(tmp_path)
    with pytest.raises(TooLarge, match="groter dan 1 MB"):
        storage.save(io.BytesIO(b"a" * (1024 * 1024 + 1)), ".mp3", max_bytes=1024 * 1024)
    assert _files(tmp_path) == []


def test_broken_stream_and_rejected_check_leave_nothing_behind(tmp_path: Path) -> None:
    storage = FileSystemStorage(tmp_path)
    with pytest.raises(OSError, match="reset"):
        storage.save(io.BufferedReader(ExplodingStream(600_000)), ".mp3")
    with (
        pytest.raises(ValueError, match="geen audio"),
        storage.staged(io.BytesIO(b"abc")) as staged,
    ):
        assert staged.path.read_bytes() == b"abc"
        raise ValueError("geen audio")  # a parser refusing the staged file
    assert _files(tmp_path) == []


def test_keys_cannot_escape_the_root(tmp_path: Path) -> None:
    storage = FileSystemStorage(tmp_path / "media")
    with pytest.raises(StorageError):
        storage.path("../secret_key")
    with pytest.raises(StorageError):
        storage.path("/etc/passwd")


DIGEST = hashlib.sha256(b"kis").hexdigest()


def test_a_key_is_built_and_parsed_only_one_way(tmp_path: Path) -> None:
    key = key_for(DIGEST, ".mp3")
    assert key == f"{DIGEST[:2]}/{DIGEST}.mp3"
    assert parse_key(key) == StoredKey(DIGEST, ".mp3")
    assert parse_key(key).key == key
    assert parse_key(key_for(DIGEST, "")) == StoredKey(DIGEST, "")
    stored = FileSystemStorage(tmp_path).save_bytes(b"kis", ".vtt")
    assert parse_key(stored.key) == StoredKey(stored.sha256, ".vtt")


@pytest.mark.parametrize(
    "key",
    [
        "",
        f"{DIGEST}.mp3",  # no fan-out folder
        f"ff/{DIGEST}.mp3",  # folder does not match the hash
        f"{DIGEST[:2]}/{DIGEST[:-1]}.mp3",  # hash too short
        f"{DIGEST[:2]}/{DIGEST.upper()}.mp3",
        f"{DIGEST[:2]}/{DIGEST}.MP3",
        f"{DIGEST[:2]}/{DIGEST}.mp3/../x",
        f"../{DIGEST[:2]}/{DIGEST}.mp3",
    ],
)
def test_anything_else_is_not_a_key(key: str) -> None:
    assert not is_valid_key(key)
    with pytest.raises(StorageError):
        parse_key(key)


def test_key_for_refuses_what_parse_key_would_refuse() -> None:
    with pytest.raises(ValueError, match="not a storage key"):
        key_for("abc", ".mp3")
    with pytest.raises(ValueError, match="not a storage key"):
        key_for(DIGEST, "mp3")


def test_content_hash_is_the_hash_a_stream_is_stored_under(tmp_path: Path) -> None:
    data = bytes(range(256)) * 5000
    stored = FileSystemStorage(tmp_path).save(io.BytesIO(data), ".bin")
    assert content_hash(io.BytesIO(data)) == stored.sha256 == parse_key(stored.key).sha256
