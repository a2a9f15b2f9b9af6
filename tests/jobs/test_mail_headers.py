"""Every message is built by core.mail: stable ids, threading, unsubscribe, parts."""

from __future__ import annotations

from email.utils import parseaddr

import pytest
from flask import Flask
from itsdangerous import BadSignature

from kispub.core.mail import (
    Attachment,
    build_message,
    message_id,
    read_unsubscribe_token,
    unsubscribe_link,
)
from tests.jobs.helpers import parse


def test_message_id_is_stable_per_key_and_on_the_site_host(app: Flask) -> None:
    first = parse(build_message("a@example.org", "X", "x", key="invitation:7").as_bytes())
    again = parse(build_message("a@example.org", "X", "x", key="invitation:7").as_bytes())
    other = parse(build_message("a@example.org", "X", "x", key="invitation:8").as_bytes())
    assert first["Message-ID"] == again["Message-ID"] == message_id("invitation:7")
    assert other["Message-ID"] != first["Message-ID"]
    local, host = first["Message-ID"].strip("<>").split("@")
    assert host == "kis.example" and len(local) == 32
    assert "invitation" not in local  # the key itself is not disclosed


def test_replies_carry_in_reply_to_and_the_whole_thread(app: Flask) -> None:
    raw = build_message(
        "a@example.org",
        "Re: Onderwerp",
        "Antwoord",
        key="post:3",
        references=["topic:1", "post:2"],
        in_reply_to="post:2",
    ).as_bytes()
    message = parse(raw)
    assert message["In-Reply-To"] == message_id("post:2")
    assert message["References"].split() == [message_id("topic:1"), message_id("post:2")]
    only_parent = parse(build_message("a@example.org", "Re", "x", in_reply_to="topic:1").as_bytes())
    assert only_parent["References"] == only_parent["In-Reply-To"] == message_id("topic:1")
    plain = parse(build_message("a@example.org", "Nieuw", "x").as_bytes())
    assert plain["In-Reply-To"] is None and plain["References"] is None


def test_notifications_offer_one_click_unsubscribe_with_a_signed_token(app: Flask) -> None:
    url = unsubscribe_link("accounts.reset_password", {"uid": 3, "list": "themes"})
    raw = build_message("a@example.org", "Nieuw in uw thema", "x", key="n:1", unsubscribe_url=url)
    message = parse(raw.as_bytes())
    assert message["List-Unsubscribe"] == f"<{url}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Auto-Submitted"] == "auto-generated"
    assert url.startswith("https://kis.example/")
    token = url.rsplit("/", 1)[1]
    assert read_unsubscribe_token(token) == {"uid": 3, "list": "themes"}
    with pytest.raises(BadSignature):
        read_unsubscribe_token(token[:-2] + "xx")
    personal = parse(build_message("a@example.org", "Reset", "x").as_bytes())
    assert personal["List-Unsubscribe"] is None and personal["Auto-Submitted"] == "auto-generated"


def test_html_alternative_and_attachments(app: Flask) -> None:
    ics = Attachment("atelier.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text", "calendar")
    raw = build_message(
        "Anna de Vries <anna@example.org>",
        "Bevestiging é",
        "Tot dan, café!",
        (ics,),
        html="<p>Tot dan, <strong>café</strong>!</p>",
        key="k",
    ).as_bytes()
    assert max(raw) < 128, "stored bytes are 7-bit clean for any SMTP server"
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    message = parse(raw)
    assert parseaddr(message["To"])[1] == "anna@example.org"
    assert message["Subject"] == "Bevestiging é"
    assert message.get_content_type() == "multipart/mixed"
    body = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert body is not None and body.get_content().strip() == "Tot dan, café!"
    assert html is not None and "<strong>café</strong>" in html.get_content()
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == "atelier.ics"
    assert attachment.get_content_type() == "text/calendar"


def test_a_long_unsubscribe_url_stays_one_readable_line_on_the_wire(app: Flask) -> None:
    """Folded as an ordinary header, a URL longer than a line became RFC 2047 encoded words
    (=?utf-8?q?=3Chttps...), which mail programs do not read as a URL."""
    url = unsubscribe_link("accounts.reset_password", {"uid": 3, "list": "x" * 120})
    raw = build_message("a@example.org", "X", "x", key="n:2", unsubscribe_url=url).as_bytes()
    assert f"\r\nList-Unsubscribe: <{url}>\r\n".encode() in raw
    assert b"=?utf-8?" not in raw.split(b"\r\n\r\n", 1)[0]
    assert parse(raw)["List-Unsubscribe"] == f"<{url}>"
    with pytest.raises(ValueError, match="printable ASCII"):
        build_message("a@example.org", "X", "x", unsubscribe_url="https://x.example/a\r\nBcc: b")
