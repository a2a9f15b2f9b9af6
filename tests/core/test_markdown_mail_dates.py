"""Sanitised Markdown, the development outbox, and Dutch dates."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask

from kispub.core.database import write_transaction
from kispub.core.dates import long_date, long_datetime
from kispub.core.mail import Attachment, build_message
from kispub.core.markdown import markdown_to_text, render_markdown
from kispub.core.outbox import queue_mail


def test_markdown_keeps_formatting_and_drops_anything_active() -> None:
    html = str(render_markdown(
        "## Kop\n\n**vet** [link](https://kis.nl) [kwaad](javascript:alert(1))\n\n"
        "<script>alert(1)</script><img src=x onerror=alert(1)>"
    ))  # fmt: skip
    assert "<h2>Kop</h2>" in html and "<strong>vet</strong>" in html
    assert 'href="https://kis.nl"' in html and 'rel="noopener noreferrer nofollow"' in html
    # Raw HTML stays visible as text, never as markup; the javascript: link is not a link.
    assert "<script" not in html and "<img" not in html and "&lt;script&gt;" in html
    assert 'href="javascript' not in html


def test_markdown_to_text_is_plain() -> None:
    assert markdown_to_text("**Hallo** _wereld_ & co") == "Hallo wereld & co"


def test_mail_goes_to_the_outbox_with_attachments(app: Flask, outbox) -> None:
    ics = Attachment("atelier.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text", "calendar")
    with write_transaction():
        queue_mail(build_message("anna@example.org", "Bevestiging", "Tot dan!", (ics,)), "k")
    [message] = outbox()
    assert message["To"] == "anna@example.org" and message["Subject"] == "Bevestiging"
    body, attachment = list(message.iter_parts())
    assert body.get_content().strip() == "Tot dan!"
    assert attachment.get_filename() == "atelier.ics"
    assert attachment.get_content_type() == "text/calendar"


def test_dates_are_dutch_and_in_amsterdam_time(app: Flask) -> None:
    with app.test_request_context():
        moment = datetime(2020, 11, 24, 13, 0, tzinfo=UTC)  # 14:00 in Amsterdam
        assert long_date(moment) == "dinsdag 24 november 2020"
        assert long_datetime(moment) == "dinsdag 24 november 2020 om 14:00"
        summer = datetime(2020, 6, 2, 12, 30, tzinfo=UTC)  # 14:30 in Amsterdam
        assert long_datetime(summer) == "dinsdag 2 juni 2020 om 14:30"


def test_file_sizes_read_at_a_glance(app: Flask) -> None:
    from kispub.core.formatting import file_size

    with app.test_request_context():
        assert file_size(35_400) == "35 kB"
        assert file_size(120) == "1 kB"
        assert file_size(24_300_000) == "24,3 MB"
        assert file_size(2_000_000) == "2 MB"
