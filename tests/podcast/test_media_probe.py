"""Audio probing: format sniffing, probing in the sandbox, durations, chapters, refusals.

The fixtures are real files made by scripts/make_audio_fixtures.py; their true durations are
those of the generated source sound (6.0 s for MP3, 5.0 s for M4A, 4.0 s for Ogg).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from mutagen.id3 import APIC, CHAP, CTOC, ID3, TIT2, CTOCFlags, PictureType
from mutagen.mp3 import MP3, BitrateMode
from mutagen.mp4 import MP4

from kispub.podcast.media.formats import AudioError, AudioInfo, Chapter, sniff_format
from kispub.podcast.media.mp3frames import id3v2_size, parse_header, scan_stream, skip_id3v2
from kispub.podcast.media.probe import describe_file, probe_audio, probe_file
from tests.processes import no_sandbox_children_left, wait_until

# The PostgreSQL run skips it: what it tests does not depend on the database.
pytestmark = pytest.mark.dialect_free

FIXTURES = Path(__file__).parent / "fixtures"
TRUE_SECONDS = {
    "cbr_tagged.mp3": 6.0,
    "vbr_xing.mp3": 6.0,
    "vbr_noxing.mp3": 6.0,
    "aac.m4a": 5.0,
    "vorbis.ogg": 4.0,
    "opus.opus": 4.0,
}
TITLE = "Testaflevering met hoofdstukken"
ARTIST = "Kennisplatform Integratie & Samenleving"
INVALID = "geen geldig MP3-, M4A- of Ogg-audiobestand"


def fixture(name: str) -> Path:
    """Path of a committed fixture."""
    return FIXTURES / name


def copy_fixture(name: str, tmp_path: Path, new_name: str | None = None) -> Path:
    """A writable copy of a fixture."""
    target = tmp_path / (new_name or name)
    shutil.copy(fixture(name), target)
    return target


# --- sniffing --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("cbr_tagged.mp3", "mp3"),
        ("vbr_noxing.mp3", "mp3"),
        ("aac.m4a", "m4a"),
        ("vorbis.ogg", "ogg-vorbis"),
        ("opus.opus", "ogg-opus"),
        ("flac.ogg", None),
        ("random.bin", None),
        ("png_named.mp3", None),
        ("wav_named.mp3", None),
        ("cover_1400.jpg", None),
    ],
)
def test_sniff_format_reads_content(name: str, expected: str | None) -> None:
    assert sniff_format(fixture(name).read_bytes()[:512]) == expected


def test_sniff_format_ignores_names_and_short_input() -> None:
    assert sniff_format(b"") is None
    assert sniff_format(b"ID3") is None
    assert sniff_format(b"OggS") is None
    assert sniff_format(b"\x00\x00\x00\x18ftypM4A \x00\x00\x00\x00") == "m4a"
    assert sniff_format(b"ID3\x04\x00\x00\x00\x00\x00\x00") == "mp3"
    assert sniff_format(b"ID3\x04\x00\x00\x80\x00\x00\x00") is None  # not synchsafe
    assert sniff_format(b"\xff\xfb\x90\x64") == "mp3"  # MPEG-1 Layer III, 128 kbit/s
    assert sniff_format(b"\xff\xfd\x90\x64") is None  # Layer II is not MP3


# --- accepted formats ------------------------------------------------------------------

EXPECTED = {
    "cbr_tagged.mp3": ("mp3", "audio/mpeg", ".mp3", 22050, TITLE),
    "vbr_xing.mp3": ("mp3", "audio/mpeg", ".mp3", 22050, None),
    "vbr_noxing.mp3": ("mp3", "audio/mpeg", ".mp3", 22050, None),
    "aac.m4a": ("m4a", "audio/mp4", ".m4a", 22050, TITLE),
    "vorbis.ogg": ("ogg-vorbis", "audio/ogg", ".ogg", 22050, TITLE),
    "opus.opus": ("ogg-opus", "audio/ogg", ".opus", 48000, TITLE),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_probe_reports_format_fields(name: str) -> None:
    fmt, mime, extension, rate, title = EXPECTED[name]
    info = probe_audio(fixture(name))
    assert isinstance(info, AudioInfo)
    assert (info.format, info.mime_type, info.extension) == (fmt, mime, extension)
    assert info.sample_rate == rate
    assert info.channels == 1
    assert info.title == title
    assert info.artist == (ARTIST if title else None)
    assert 6_000 <= info.bitrate <= 80_000
    assert info.bytes_per_second == pytest.approx(
        (fixture(name).stat().st_size - info.audio_offset) / (info.duration_ms / 1000), rel=0.15
    )


@pytest.mark.parametrize("name", sorted(TRUE_SECONDS))
def test_durations_match_the_source(name: str) -> None:
    info = probe_audio(fixture(name))
    # 0.1 s leaves room for encoder delay/priming; the VBR-without-Xing case is tested below.
    assert info.duration_ms / 1000 == pytest.approx(TRUE_SECONDS[name], abs=0.1)


def test_mp3_audio_offset_is_after_the_id3_tag() -> None:
    info = probe_audio(fixture("cbr_tagged.mp3"))
    data = fixture("cbr_tagged.mp3").read_bytes()
    assert info.audio_offset == id3v2_size(data) > 1000  # the tag holds chapters and art
    assert parse_header(data, info.audio_offset) is not None
    assert probe_audio(fixture("vbr_xing.mp3")).audio_offset == 0
    assert probe_audio(fixture("aac.m4a")).audio_offset == 0


def test_cbr_bitrate_and_bytes_per_second() -> None:
    info = probe_audio(fixture("cbr_tagged.mp3"))
    assert info.bitrate == 64_000
    assert info.bytes_per_second == pytest.approx(8_000, rel=0.03)


# --- VBR without Xing: the frame counter ---------------------------------------------


def test_vbr_without_xing_fools_mutagen_but_not_the_frame_counter() -> None:
    path = fixture("vbr_noxing.mp3")
    mutagen_info = MP3(path).info
    assert mutagen_info.bitrate_mode == BitrateMode.UNKNOWN
    assert abs(mutagen_info.length - 6.0) > 3.0  # off by more than half: the fixture bites
    info = probe_audio(path)
    assert abs(info.duration_ms / 1000 - 6.0) < 1.0
    assert info.duration_ms / 1000 == pytest.approx(6.0, abs=0.1)
    # The average bitrate comes from the frames, not from the near-silent first frame.
    assert info.bitrate > 2 * mutagen_info.bitrate


def test_frame_counter_agrees_with_the_xing_header() -> None:
    path = fixture("vbr_xing.mp3")
    with path.open("rb") as fileobj:
        scan = scan_stream(fileobj, skip_id3v2(fileobj), path.stat().st_size)
    assert scan.vbr_header is not None
    assert scan.vbr_header.kind == "Xing"
    assert scan.frames == scan.vbr_header.frames
    assert scan.garbage_bytes == 0
    assert scan.end_offset == path.stat().st_size
    assert scan.duration == pytest.approx(6.0, abs=0.1)


def test_small_damage_in_the_middle_is_tolerated(tmp_path: Path) -> None:
    data = bytearray(fixture("vbr_noxing.mp3").read_bytes())
    middle = len(data) // 2
    data[middle : middle + 300] = bytes(300)  # a short burst of zeros: < 10 % of the file
    path = tmp_path / "damaged.mp3"
    path.write_bytes(bytes(data))
    info = probe_audio(path)
    assert info.duration_ms / 1000 == pytest.approx(6.0, abs=0.3)


def test_mostly_junk_after_a_few_frames_is_refused(tmp_path: Path) -> None:
    data = fixture("vbr_noxing.mp3").read_bytes()[:3000]
    path = tmp_path / "junk.mp3"
    junk = random.Random(7).randbytes(40_000)  # noqa: S311 - reproducible junk, not secrets
    path.write_bytes(data + junk)
    with pytest.raises(AudioError, match="groot deel van het bestand"):
        probe_audio(path)


def test_trailing_id3v1_tag_is_not_junk(tmp_path: Path) -> None:
    path = tmp_path / "v1.mp3"
    path.write_bytes(fixture("vbr_noxing.mp3").read_bytes() + b"TAG" + bytes(125))
    assert probe_audio(path).duration_ms / 1000 == pytest.approx(6.0, abs=0.1)


# --- chapters and embedded art -------------------------------------------------------


def test_id3_chapters_in_ctoc_order() -> None:
    info = probe_audio(fixture("cbr_tagged.mp3"))
    assert info.chapters == (
        Chapter(start_ms=0, end_ms=2000, title="Opening"),
        Chapter(start_ms=2000, end_ms=4000, title="Gesprek"),
        Chapter(start_ms=4000, end_ms=6000, title="Afsluiting"),
    )


def _write_chapters(path: Path, order: list[str] | None) -> None:
    """Replace the chapters: CHAP frames written out of time order, optional CTOC order."""
    tags = ID3(path)
    tags.delall("CHAP")
    tags.delall("CTOC")
    for element_id, start, end in (("b", 3000, 0xFFFFFFFF), ("a", 0, 3000), ("c", 5000, 6000)):
        sub = [TIT2(encoding=3, text=f"Deel {element_id}")]
        tags.add(CHAP(element_id=element_id, start_time=start, end_time=end, sub_frames=sub))
    if order is not None:
        flags = CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED
        tags.add(CTOC(element_id="toc", flags=flags, child_element_ids=order, sub_frames=[]))
    tags.save(path)


def test_ctoc_order_wins_over_time_order(tmp_path: Path) -> None:
    path = copy_fixture("cbr_tagged.mp3", tmp_path)
    _write_chapters(path, ["c", "a", "b"])
    titles = [c.title for c in probe_audio(path).chapters]
    assert titles == ["Deel c", "Deel a", "Deel b"]


def test_without_ctoc_chapters_follow_time_and_open_ends_are_none(tmp_path: Path) -> None:
    path = copy_fixture("cbr_tagged.mp3", tmp_path)
    _write_chapters(path, None)
    chapters = probe_audio(path).chapters
    assert [c.title for c in chapters] == ["Deel a", "Deel b", "Deel c"]
    assert chapters[1] == Chapter(start_ms=3000, end_ms=None, title="Deel b")


def test_m4a_and_ogg_chapters() -> None:
    assert probe_audio(fixture("aac.m4a")).chapters[:1] == (Chapter(0, 2500, "Opening"),)
    assert [c.title for c in probe_audio(fixture("aac.m4a")).chapters] == ["Opening", "Gesprek"]
    assert probe_audio(fixture("vorbis.ogg")).chapters == (
        Chapter(0, 2500, "Opening"),
        Chapter(2500, 4000, "Gesprek"),
    )
    assert probe_audio(fixture("opus.opus")).chapters == ()


@pytest.mark.parametrize("name", ["cbr_tagged.mp3", "aac.m4a", "vorbis.ogg"])
def test_embedded_cover_art(name: str) -> None:
    image = probe_audio(fixture(name)).image
    assert image is not None
    assert image.mime_type == "image/jpeg"
    assert image.data.startswith(b"\xff\xd8\xff")
    assert len(image.data) > 200


def test_no_cover_art_is_none() -> None:
    assert probe_audio(fixture("opus.opus")).image is None
    assert probe_audio(fixture("vbr_xing.mp3")).image is None


def test_cover_mime_comes_from_the_bytes_and_front_cover_wins(tmp_path: Path) -> None:
    path = copy_fixture("cbr_tagged.mp3", tmp_path)
    tags = ID3(path)
    jpeg = tags.getall("APIC")[0].data
    png = fixture("png_named.mp3").read_bytes()
    tags.delall("APIC")
    tags.add(APIC(encoding=3, mime="image/jpeg", type=PictureType.ARTIST, desc="a", data=png))
    tags.add(APIC(encoding=3, mime="image/png", type=PictureType.COVER_FRONT, desc="b", data=jpeg))
    tags.save(path)
    image = probe_audio(path).image
    assert image is not None
    assert (image.data, image.mime_type) == (jpeg, "image/jpeg")


# --- refusals --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("truncated_xing.mp3", "afgekapt"),
        ("truncated.m4a", "afgekapt"),
        ("random.bin", INVALID),
        ("png_named.mp3", "PNG-afbeelding"),
        ("wav_named.mp3", "WAV-bestand"),
        ("flac.ogg", "geen Vorbis- of Opus-audio"),
        ("alac.m4a", "geen AAC-audio"),
        ("video.mp4", "bevat video"),
    ],
)
def test_refused_files(name: str, message: str) -> None:
    with pytest.raises(AudioError, match=message):
        probe_audio(fixture(name))


def test_truncated_message_says_how_much_is_missing() -> None:
    with pytest.raises(AudioError) as caught:
        probe_audio(fixture("truncated_xing.mp3"))
    assert str(caught.value).startswith("Het audiobestand lijkt afgekapt:")
    assert "volgens de kop 0:06" in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_slightly_short_m4a_is_accepted_but_half_is_not(tmp_path: Path) -> None:
    data = fixture("aac.m4a").read_bytes()
    path = tmp_path / "short.m4a"
    path.write_bytes(data[: len(data) - 300])  # a few hundred bytes of the last chunk
    assert probe_audio(path).format == "m4a"
    path.write_bytes(data[: len(data) * 2 // 3])
    with pytest.raises(AudioError, match="afgekapt"):
        probe_audio(path)


@pytest.mark.parametrize("name", ["vorbis.ogg", "opus.opus"])
def test_cut_ogg_is_refused(name: str, tmp_path: Path) -> None:
    data = fixture(name).read_bytes()
    path = tmp_path / name
    path.write_bytes(data[: len(data) * 3 // 4])
    with pytest.raises(AudioError, match="einde van de Ogg-audio ontbreekt"):
        probe_audio(path)


def test_m4a_cut_inside_its_header_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "cut.m4a"
    path.write_bytes(fixture("aac.m4a").read_bytes()[:600])  # faststart: moov comes first
    with pytest.raises(AudioError, match="afgekapt: het bestand houdt op midden in"):
        probe_audio(path)


def test_m4a_without_its_trailing_index_is_refused(tmp_path: Path) -> None:
    # Without faststart the moov box comes last; a cut file loses it and part of mdat.
    data = fixture("aac.m4a").read_bytes()
    kept = b"".join(data[a:b] for name, a, b in _top_level_boxes(data) if name != b"moov")
    path = tmp_path / "cut.m4a"
    path.write_bytes(kept[:-200])
    with pytest.raises(AudioError, match="beschrijving van de audio aan het eind"):
        probe_audio(path)


def _top_level_boxes(data: bytes) -> list[tuple[bytes, int, int]]:
    """(name, start, end) of each top-level MP4 box (32-bit sizes only)."""
    boxes, pos = [], 0
    while pos + 8 <= len(data):
        length = int.from_bytes(data[pos : pos + 4], "big")
        boxes.append((data[pos + 4 : pos + 8], pos, pos + length))
        pos += length
    return boxes


def test_parser_exceptions_that_are_not_mutagen_errors_become_audio_error(
    tmp_path: Path,
) -> None:
    # 5000 nested boxes drive mutagen's recursive box parser into RecursionError.
    depth, inner = 5000, b""
    for _ in range(depth):
        inner = (len(inner) + 8).to_bytes(4, "big") + b"trak" + inner
    moov = (len(inner) + 8).to_bytes(4, "big") + b"moov" + inner
    path = tmp_path / "nested.m4a"
    path.write_bytes(b"\x00\x00\x00\x14ftypM4A \x00\x00\x00\x00M4A " + moov)
    with pytest.raises(RecursionError):
        MP4(path)  # what the child runs into ...
    with pytest.raises(AudioError, match=INVALID):
        probe_audio(path)  # ... and what the caller sees


def test_empty_missing_and_directory(tmp_path: Path) -> None:
    empty = tmp_path / "empty.mp3"
    empty.write_bytes(b"")
    with pytest.raises(AudioError, match="leeg"):
        probe_audio(empty)
    with pytest.raises(AudioError, match="niet worden geopend"):
        probe_audio(tmp_path / "missing.mp3")
    with pytest.raises(AudioError, match="niet worden geopend"):
        probe_audio(tmp_path)


def test_id3_tag_in_front_of_non_mp3_data_is_refused(tmp_path: Path) -> None:
    tagged = fixture("cbr_tagged.mp3").read_bytes()
    tag = tagged[: id3v2_size(tagged)]
    path = tmp_path / "fake.mp3"
    path.write_bytes(tag + fixture("wav_named.mp3").read_bytes())
    with pytest.raises(AudioError, match=INVALID):
        probe_audio(path)


# --- the child process -----------------------------------------------------------------


def _warm_up() -> None:
    """Make sure the probe server is running, so timings measure only the probe."""
    assert probe_audio(fixture("opus.opus")).format == "ogg-opus"


def test_a_fifo_times_out_and_the_child_is_gone(tmp_path: Path) -> None:
    fifo = tmp_path / "hangs.mp3"
    os.mkfifo(fifo)  # opening it blocks forever: nobody writes
    _warm_up()
    started = time.monotonic()
    with pytest.raises(AudioError, match="niet binnen 0,5 seconden"):
        probe_audio(fifo, timeout=0.5)
    assert time.monotonic() - started < 2.0
    assert wait_until(no_sandbox_children_left, 3.0)


def test_a_crash_memory_exhaustion_and_a_timeout_become_dutch_messages(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The sandbox itself is tested in tests/core/test_sandbox.py; here: what an editor reads.
    from kispub.core import sandbox
    from kispub.podcast.media import probe

    for error, message in [
        (sandbox.SandboxCrashed("x"), "liep vast"),
        (sandbox.SandboxMemoryError("x"), "te veel geheugen"),
        (sandbox.SandboxTimeout("x"), "niet binnen 2,5 seconden"),
        (sandbox.SandboxUnavailable("x"), "Probeer het later opnieuw"),
        (RecursionError("deep"), INVALID),
    ]:

        def fail(*args: object, error: Exception = error, **kwargs: object) -> None:
            raise error

        monkeypatch.setattr(probe, "run_sandboxed", fail)
        with pytest.raises(AudioError, match=message):
            probe_audio(fixture("opus.opus"), timeout=2.5)


def test_relative_paths_work(monkeypatch: pytest.MonkeyPatch) -> None:
    probe_audio(fixture("opus.opus"))  # the server is running, in its own directory
    monkeypatch.chdir(FIXTURES)
    assert probe_audio("vorbis.ogg").format == "ogg-vorbis"


def test_concurrent_probes_from_threads() -> None:
    names = sorted(TRUE_SECONDS) * 4
    results: dict[int, int] = {}

    def work(index: int, name: str) -> None:
        results[index] = probe_audio(fixture(name)).duration_ms

    threads = [threading.Thread(target=work, args=item) for item in enumerate(names)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert len(results) == len(names)
    for index, name in enumerate(names):
        assert results[index] / 1000 == pytest.approx(TRUE_SECONDS[name], abs=0.1)


# --- mutation run ----------------------------------------------------------------------

MUTATION_SEED = 20200601
MUTANTS_PER_FIXTURE = 50
MUTATION_TIMEOUT = 5.0


def _mutate(data: bytes, rng: random.Random) -> bytes:
    """One random mutation: bit flips, a truncation, an insertion, or a header smash."""
    out = bytearray(data)
    kind = rng.randrange(4)
    if kind == 0:
        for _ in range(rng.randint(1, 20)):
            pos = rng.randrange(len(out))
            out[pos] ^= 1 << rng.randrange(8)
    elif kind == 1:
        del out[rng.randrange(1, len(out)) :]
    elif kind == 2:
        pos = rng.randrange(len(out))
        out[pos:pos] = rng.randbytes(rng.randint(1, 2000))
    else:  # the headers are where parsers get confused: hit the first kilobyte hard
        for _ in range(rng.randint(1, 8)):
            out[rng.randrange(min(len(out), 1024))] = rng.randrange(256)
    return bytes(out)


def test_mutants_never_escape_as_anything_but_audio_error(tmp_path: Path) -> None:
    rng = random.Random(MUTATION_SEED)  # noqa: S311 - reproducible mutants, not secrets
    slowest, outcomes = 0.0, {"ok": 0, "refused": 0}
    for name in sorted(TRUE_SECONDS):
        original = fixture(name).read_bytes()
        for index in range(MUTANTS_PER_FIXTURE):
            path = tmp_path / f"{index}-{name}"
            path.write_bytes(_mutate(original, rng))
            started = time.monotonic()
            try:
                result = probe_audio(path, timeout=MUTATION_TIMEOUT)
            except AudioError:
                outcomes["refused"] += 1
            else:
                assert isinstance(result, AudioInfo)
                assert result.duration_ms > 0
                outcomes["ok"] += 1
            slowest = max(slowest, time.monotonic() - started)
            path.unlink()
    assert slowest < MUTATION_TIMEOUT + 0.5
    assert outcomes["ok"] > 0
    assert outcomes["refused"] > 0
    assert sum(outcomes.values()) == MUTANTS_PER_FIXTURE * len(TRUE_SECONDS)


def test_the_probe_answers_plain_data_that_round_trips() -> None:
    """What crosses from the sandbox is JSON; AudioInfo is rebuilt and checked in the parent."""
    for name in sorted(TRUE_SECONDS):
        data = probe_file(str(fixture(name)))
        assert json.loads(json.dumps(data)) == data
        assert AudioInfo.from_data(json.loads(json.dumps(data))) == describe_file(
            str(fixture(name))
        )


@pytest.mark.parametrize(
    "damage",
    [
        lambda d: d.pop("format"),
        lambda d: d.update(duration_ms="lang"),
        lambda d: d.update(duration_ms=True),
        lambda d: d.update(chapters=[{"start_ms": 0}]),
        lambda d: d.update(image={"data": "geen base64!", "mime_type": "image/png"}),
        lambda d: d.update(image="x"),
        lambda d: d.clear(),
    ],
)
def test_malformed_probe_data_is_refused_as_invalid_audio(damage: Any) -> None:
    data = probe_file(str(fixture("cbr_tagged.mp3")))
    damage(data)
    with pytest.raises(AudioError, match="geen geldig"):
        AudioInfo.from_data(data)
    for junk in (None, [], "x", 3):
        with pytest.raises(AudioError):
            AudioInfo.from_data(junk)
