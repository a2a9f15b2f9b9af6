"""Telling visitors apart without knowing who they are: an address prefix and a keyed hash.

Channels that count (podcast downloads, dossier views) call a visitor an HMAC of the
address prefix and the User-Agent under a random key that they replace daily and then
delete; the address itself is never stored.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from functools import lru_cache

from werkzeug.datastructures import Headers

# Headers with which browsers announce a request nobody asked to see (yet): speculative
# prefetches and prerenders (Chrome, Edge: Sec-Purpose; older Chrome: Purpose; Firefox:
# X-Moz) and Safari's Top Sites thumbnails (X-Purpose: preview).
_PURPOSE_HEADERS = ("Sec-Purpose", "Purpose", "X-Purpose", "X-Moz")
_SPECULATIVE = ("prefetch", "prerender", "preview")


def ip_prefix(address: str) -> str:
    """The part of an address that identifies a visitor: IPv4 whole, IPv6 its /64."""
    if ":" not in address:
        # IPv4: an address ipaddress accepts is already written the one way it would write it.
        return address or "-"
    return _ipv6_prefix(address)


@lru_cache(maxsize=4096)  # parsing IPv6 is slow, and a listener's requests come in runs
def _ipv6_prefix(address: str) -> str:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address or "-"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


def visitor_hash(key: str, address: str, user_agent: str) -> str:
    """The visitor under ``key``: HMAC-SHA256 (hex) of the address prefix and User-Agent."""
    identity = f"{ip_prefix(address)}\n{user_agent}".encode()
    return hmac.new(key.encode(), identity, hashlib.sha256).hexdigest()


def is_prefetch(headers: Headers) -> bool:
    """Whether the browser fetches this ahead of (or instead of) a person looking at it."""
    return any(
        word in (headers.get(name) or "").lower()
        for name in _PURPOSE_HEADERS
        for word in _SPECULATIVE
    )
