"""Profile photos: cleaned by Pillow, refused with a clear message, shown to members only.

Every test image is drawn here with Pillow; the one with EXIF carries a GPS position,
an ICC profile, XMP and a comment, none of which may survive.
"""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image, ImageCms, PngImagePlugin

from kispub.accounts.models import User
from kispub.community.avatars import AvatarError, AvatarLimits, clean_avatar
from kispub.community.models import MemberStatus
from kispub.core.database import write_transaction
from kispub.core.storage import get_storage, referenced_keys
from tests.community.helpers import make_member, make_person, membership

MAX_BYTES = 200_000
MAX_PIXELS = 2_000_000
GPS = {1: "N", 2: (52.0, 5.0, 30.0), 3: "E", 4: (4.0, 53.0, 0.0)}


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    # Small limits keep the test images small.
    app_config["COMMUNITY_AVATAR_MAX_BYTES"] = MAX_BYTES
    app_config["COMMUNITY_AVATAR_MAX_PIXELS"] = MAX_PIXELS
    return app_config


def drawn(
    fmt: str = "JPEG", size: tuple[int, int] = (400, 300), mode: str = "RGB", **save: Any
) -> bytes:
    """An image whose left half is red and right half blue (in ``mode``; "1" is all black)."""
    image = Image.new("RGB", size, "red")
    image.paste("blue", (size[0] // 2, 0, size[0], size[1]))
    image = Image.new("1", size, 0) if mode == "1" else image.convert(mode)
    out = io.BytesIO()
    image.save(out, fmt, **save)
    return out.getvalue()


def transparent_png() -> bytes:
    image = Image.new("RGBA", (300, 500), (255, 0, 0, 255))
    image.paste((0, 0, 0, 0), (0, 0, 300, 250))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def with_metadata() -> bytes:
    """A JPEG rotated by its EXIF (orientation 6), with GPS, camera, ICC, XMP and a comment."""
    exif = Image.Exif()
    exif[0x010F] = "Fotocamera BV"  # Make
    exif[0x0112] = 6  # Orientation: turn 90 degrees clockwise to show
    exif[0x8825] = GPS  # GPSInfo
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    xmp = b"<x:xmpmeta xmlns:x='adobe:ns:meta/'>Utrechtseweg 12</x:xmpmeta>"
    data = drawn(exif=exif, icc_profile=icc, xmp=xmp, comment=b"thuis", quality=95)
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825) == GPS  # the test is honest
    return data


def header_only_png(width: int, height: int) -> bytes:
    """A PNG that claims ``width`` x ``height`` pixels and carries almost nothing."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


def upload(client: FlaskClient, data: bytes, filename: str = "foto.jpg") -> Any:
    return client.post(
        "/community/profiel",
        data={"name": "Fatima El Amrani", "avatar": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def stored_photo(user: User) -> Image.Image:
    key = membership(user).avatar_key
    assert key is not None
    path: Path = get_storage().path(key)
    return Image.open(io.BytesIO(path.read_bytes()))


def test_an_uploaded_photo_is_redrawn_without_any_metadata(
    app: Flask, client: FlaskClient, login_as: Callable[..., User]
) -> None:
    user = login_as(make_member(name="Fatima El Amrani"))

    response = upload(client, with_metadata())

    assert response.status_code == 302
    key = membership(user).avatar_key
    assert key is not None and key.endswith(".webp")
    raw = get_storage().path(key).read_bytes()
    photo = stored_photo(user)
    assert (photo.format, photo.size, photo.mode) == ("WEBP", (256, 256), "RGB")
    assert dict(photo.getexif()) == {}
    assert not {"exif", "icc_profile", "xmp", "XML:com.adobe.xmp", "comment"} & photo.info.keys()
    for marker in (b"EXIF", b"ICCP", b"XMP ", b"Exif", b"Fotocamera", b"Utrecht", b"thuis"):
        assert marker not in raw
    # The EXIF orientation was applied: the red left half is now on top.
    red, blue = photo.getpixel((128, 20)), photo.getpixel((128, 235))
    assert isinstance(red, tuple) and isinstance(blue, tuple)
    assert red[0] > 200 and red[2] < 60, red
    assert blue[2] > 200 and blue[0] < 60, blue


@pytest.mark.parametrize(
    ("data", "mode"),
    [
        (transparent_png(), "RGBA"),
        (drawn("PNG", (120, 80), mode="P"), "RGB"),
        (drawn("WEBP", (640, 480)), "RGB"),
        (drawn("JPEG", (50, 50), mode="L"), "RGB"),
        (drawn("JPEG", (500, 400), mode="CMYK"), "RGB"),
    ],
    ids=["png-transparent", "png-palette", "webp", "jpeg-grey", "jpeg-cmyk"],
)
def test_jpeg_png_and_webp_become_a_square_webp(data: bytes, mode: str) -> None:
    cleaned = Image.open(io.BytesIO(clean_avatar(data, AvatarLimits(MAX_BYTES, MAX_PIXELS))))

    assert (cleaned.format, cleaned.size, cleaned.mode) == ("WEBP", (256, 256), mode)


def test_png_text_chunks_do_not_survive() -> None:
    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", "Adres: Utrechtseweg 12")
    text.add_itxt("XML:com.adobe.xmp", "<x:xmpmeta>geheim</x:xmpmeta>")
    cleaned = clean_avatar(drawn("PNG", pnginfo=text), AvatarLimits(MAX_BYTES, MAX_PIXELS))

    assert b"Utrechtseweg" not in cleaned and b"geheim" not in cleaned


LIMITS = AvatarLimits(MAX_BYTES, MAX_PIXELS)
REFUSED = {
    "gif": (drawn("GIF"), "JPEG-, PNG- of WebP"),
    "bmp": (drawn("BMP", (60, 40)), "JPEG-, PNG- of WebP"),
    "tiff": (drawn("TIFF", (60, 40)), "JPEG-, PNG- of WebP"),
    "svg": (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "JPEG-"),
    "html": (b"<html><body>hallo</body></html>", "JPEG-"),
    "random": (bytes(range(256)) * 8, "JPEG-"),
    "empty": (b"", "leeg"),
    "truncated-jpeg": (drawn("JPEG", (400, 300))[:1500], "beschadigd"),
    "truncated-png": (drawn("PNG", (400, 300))[:200], "beschadigd"),
    "too-many-pixels": (drawn("PNG", (2000, 1001), mode="1"), "hoogstens 2 megapixel"),
    "bomb": (header_only_png(100_000, 100_000), "te veel pixels"),
    "bomb-below-pillows-limit": (header_only_png(5000, 5000), "te veel pixels"),
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_anything_else_is_refused_with_a_message(name: str) -> None:
    data, message = REFUSED[name]

    with pytest.raises(AvatarError, match=message):
        clean_avatar(data, LIMITS)


def test_a_file_above_the_byte_limit_is_refused_before_decoding() -> None:
    with pytest.raises(AvatarError, match="groter dan"):
        clean_avatar(b"\xff\xd8" + b"\0" * MAX_BYTES, LIMITS)


@pytest.mark.parametrize("name", ["gif", "random", "truncated-jpeg", "bomb"])
def test_a_refused_upload_is_a_form_error_not_a_500(
    client: FlaskClient, login_as: Callable[..., User], name: str
) -> None:
    user = login_as(make_member(name="Fatima El Amrani"))

    response = upload(client, REFUSED[name][0], filename="foto.jpg")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="avatar-error"' in page and REFUSED[name][1] in page
    assert membership(user).avatar_key is None


def test_an_oversized_upload_is_refused_in_the_form(
    client: FlaskClient, login_as: Callable[..., User]
) -> None:
    user = login_as(make_member(name="Fatima El Amrani"))

    # (Above 500 KB the test client would spool the request body to a file it never closes.)
    response = upload(client, b"\xff\xd8" + b"\0" * (MAX_BYTES + 10_000))

    assert response.status_code == 200
    assert "groter dan" in response.get_data(as_text=True)
    assert membership(user).avatar_key is None


def test_photos_are_shown_to_members_only_with_etag_and_304(
    app: Flask, client: FlaskClient, login_as: Callable[..., User]
) -> None:
    owner = login_as(make_member(name="Fatima El Amrani"))
    upload(client, drawn())
    key = membership(owner).avatar_key
    client.post("/uitloggen")
    url = "/community/leden/fatima-el-amrani/avatar.webp"

    anonymous = client.get(url)
    login_as(make_person(MemberStatus.PENDING, name="Wachtende"))
    pending = client.get(url)
    client.post("/uitloggen")
    login_as(make_member(name="Collega"))
    shown = client.get(url)
    body = shown.data
    shown.close()  # the body is a file
    again = client.get(url, headers={"If-None-Match": shown.headers["ETag"]})
    again.close()

    assert anonymous.status_code == 302 and "/inloggen" in anonymous.headers["Location"]
    assert pending.status_code == 403
    assert shown.status_code == 200 and shown.mimetype == "image/webp"
    assert body == get_storage().path(str(key)).read_bytes()
    assert shown.headers["Cache-Control"] == "private, no-store"
    assert again.status_code == 304 and again.data == b""
    directory = client.get("/community/leden").get_data(as_text=True)
    assert f'src="{url}" alt=""' in directory


def test_photos_of_people_who_are_not_members_are_never_served(
    client: FlaskClient, login_as: Callable[..., User]
) -> None:
    person = make_person(MemberStatus.DECLINED, name="Afgewezen Persoon")
    key = get_storage().save_bytes(clean_avatar(drawn(), LIMITS), ".webp").key
    with write_transaction():
        membership(person).avatar_key = key
    login_as(make_member(name="Collega"))
    handle = membership(person).handle

    assert client.get(f"/community/leden/{handle}/avatar.webp").status_code == 404
    assert client.get("/community/leden/niemand/avatar.webp").status_code == 404


def test_a_member_removes_their_photo_and_gets_initials(
    client: FlaskClient, login_as: Callable[..., User]
) -> None:
    user = login_as(make_member(name="Fatima El Amrani"))
    upload(client, drawn())
    key = membership(user).avatar_key
    assert key in referenced_keys()  # the media collector keeps it while it is used

    response = client.post("/community/profiel/foto-verwijderen")

    assert response.status_code == 302
    assert membership(user).avatar_key is None
    assert key not in referenced_keys()
    assert client.get("/community/leden/fatima-el-amrani/avatar.webp").status_code == 404
    page = client.get("/community/leden/fatima-el-amrani").get_data(as_text=True)
    assert "avatar-initials avatar-tone-" in page and 'aria-hidden="true">FA</span>' in page
    assert "<img" not in page.split("<main", 1)[1]
    assert "gravatar" not in page.lower()


def test_saving_the_profile_without_a_new_photo_keeps_the_old_one(
    client: FlaskClient, login_as: Callable[..., User]
) -> None:
    user = login_as(make_member(name="Fatima El Amrani"))
    upload(client, drawn())
    key = membership(user).avatar_key

    client.post(
        "/community/profiel",
        data={"name": "Fatima", "avatar": (io.BytesIO(b""), "")},
        content_type="multipart/form-data",
    )

    assert membership(user).avatar_key == key
    assert membership(user).user.name == "Fatima"
