"""Preview links: they open one item of one kind, and stop working when they expire."""

from __future__ import annotations

from datetime import UTC, datetime

from kispub.core.preview import preview_expires_at, preview_token, previewed_id
from tests.clock import freeze


def test_a_token_opens_its_own_item_only(app) -> None:
    with app.app_context():
        token = preview_token("episode", 7)
        assert previewed_id("episode", token) == 7
        assert previewed_id("atelier", token) is None
        payload, stamp, signature = token.rsplit(".", 2)
        # Another id under the same signature, and the same id under another signature.
        forged = preview_token("episode", 8).split(".", 1)[0]
        assert previewed_id("episode", f"{forged}.{stamp}.{signature}") is None
        other = "A" * len(signature) if signature != "A" * len(signature) else "B" * len(signature)
        assert previewed_id("episode", f"{payload}.{stamp}.{other}") is None
        assert previewed_id("episode", "not-a-token") is None


def test_a_token_expires_after_the_configured_days(app) -> None:
    app.config["PREVIEW_LINK_DAYS"] = 2
    clock = freeze(app, datetime(2027, 3, 1, 12, tzinfo=UTC))
    with app.app_context():
        token = preview_token("atelier", 3)
        assert preview_expires_at() == datetime(2027, 3, 3, 12, tzinfo=UTC)
        clock.advance(days=2, minutes=-1)
        assert previewed_id("atelier", token) == 3
        clock.advance(minutes=2)
        assert previewed_id("atelier", token) is None
