"""Links between channels' content, resolved through registered resolvers."""

from __future__ import annotations

from collections.abc import Sequence

from flask import Flask

from kispub.core.links import (
    LinkedItem,
    linked_ids,
    linked_items,
    linking_items,
    register_content_kind,
    set_links,
)


def _resolver(kind: str, public: set[int]):
    def resolve(ids: Sequence[int]) -> list[LinkedItem]:
        return [LinkedItem(kind, i, f"{kind} {i}", f"/{kind}/{i}") for i in ids if i in public]

    return resolve


def test_links_resolve_in_order_and_skip_what_is_not_public(app: Flask) -> None:
    register_content_kind(app, "episode", _resolver("episode", public={1, 3}))
    register_content_kind(app, "atelier", _resolver("atelier", public={7}))
    set_links("atelier", 7, "episode", [3, 2, 1, 3])
    assert linked_ids("atelier", 7, "episode") == [3, 2, 1]
    assert [i.title for i in linked_items("atelier", 7, "episode")] == ["episode 3", "episode 1"]
    assert [i.url for i in linking_items("episode", 3, "atelier")] == ["/atelier/7"]


def test_set_links_replaces_and_unknown_kinds_resolve_to_nothing(app: Flask) -> None:
    set_links("atelier", 7, "elders", [1, 2])
    set_links("atelier", 7, "elders", [2])
    assert linked_ids("atelier", 7, "elders") == [2]
    assert linked_items("atelier", 7, "elders") == []  # no channel offers that kind
