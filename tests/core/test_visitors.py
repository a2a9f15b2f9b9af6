"""Telling visitors apart without knowing them: bots, prefetches, address prefixes, hashes."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import Headers

from kispub.core.bots import is_bot
from kispub.core.visitors import ip_prefix, is_prefetch, visitor_hash

PEOPLE = [
    "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 13; CUBOT KingKong 9) AppleWebKit/537.36 Chrome/124.0 Mobile",
    "AppleCoreMedia/1.0.0.20E252 (iPhone; U; CPU OS 16_4 like Mac OS X; nl_nl)",
    "AntennaPod/3.2.0",
]
BOTS = [
    None,
    "",
    "   ",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; SomethingBot/1.0)",
    "facebookexternalhit/1.1",
    "curl/8.5.0",
    "python-requests/2.32.3",
    "Mozilla/5.0",
    "Overcast/1.0 Podcast Sync (123 subscribers; feed-id=456; +http://overcast.fm/)",
]


@pytest.mark.parametrize("agent", PEOPLE)
def test_people_are_not_bots(agent: str) -> None:
    assert not is_bot(agent)


@pytest.mark.parametrize("agent", BOTS)
def test_bots_and_missing_user_agents_are(agent: str | None) -> None:
    assert is_bot(agent)


def test_prefetches_are_recognised_by_their_headers() -> None:
    assert is_prefetch(Headers({"Sec-Purpose": "prefetch;prerender"}))
    assert is_prefetch(Headers({"purpose": "Prefetch"}))
    assert is_prefetch(Headers({"X-Moz": "prefetch"}))
    assert is_prefetch(Headers({"X-Purpose": "preview"}))
    assert not is_prefetch(Headers({"Accept": "text/html"}))


def test_a_visitor_is_a_keyed_hash_of_address_prefix_and_browser() -> None:
    agent = PEOPLE[0]
    assert ip_prefix("2001:db8:1:2:3:4:5:6") == "2001:db8:1:2::/64"
    assert ip_prefix("::ffff:192.0.2.1") == "192.0.2.1"
    assert ip_prefix("") == "-"
    one = visitor_hash("key-of-monday", "2001:db8:1:2::7", agent)
    assert len(one) == 64 and int(one, 16) >= 0
    assert one == visitor_hash("key-of-monday", "2001:db8:1:2::8", agent)  # one household
    assert one != visitor_hash("key-of-tuesday", "2001:db8:1:2::7", agent)
    assert one != visitor_hash("key-of-monday", "2001:db8:1:3::7", agent)
    assert one != visitor_hash("key-of-monday", "2001:db8:1:2::7", PEOPLE[1])
