"""Addresses shown as text wrap after a slash or before a dot, never inside a word."""

from __future__ import annotations

from flask import Flask, render_template_string

from kispub.core.formatting import breakable_url


def test_a_feed_address_may_wrap_after_slashes_and_before_dots() -> None:
    shown = breakable_url("https://kis.example/podcast/denkers-en-doeners/feed.xml")
    assert shown == (
        "https://<wbr>kis<wbr>.example/<wbr>podcast/<wbr>denkers-en-doeners/<wbr>feed<wbr>.xml"
    )
    assert shown.striptags() == "https://kis.example/podcast/denkers-en-doeners/feed.xml"


def test_the_address_is_escaped_and_the_query_may_wrap_too() -> None:
    shown = breakable_url('https://kis.example/a?b=<x>&c="y"')
    assert "<x>" not in shown and '"y"' not in shown
    assert shown == (
        "https://<wbr>kis<wbr>.example/<wbr>a<wbr>?b<wbr>=&lt;x&gt;<wbr>&amp;c<wbr>=&#34;y&#34;"
    )


def test_templates_have_the_filter(app: Flask) -> None:
    with app.test_request_context():
        shown = render_template_string("{{ url|breakable_url }}", url="https://kis.example/x.ics")
    assert shown == "https://<wbr>kis<wbr>.example/<wbr>x<wbr>.ics"
