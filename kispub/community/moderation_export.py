"""The moderation log as CSV for moderators, safe to open in a spreadsheet.

Times are Amsterdam time; every cell goes through ``core.spreadsheet.neutralise_cell``, so
a reason or a thread title that starts like a formula stays text.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from kispub.community.models import ModerationAction
from kispub.community.moderation_queries import all_log_entries
from kispub.core.spreadsheet import csv_text

LOCAL = ZoneInfo("Europe/Amsterdam")
HEADER = (
    "Tijdstip",
    "Moderator",
    "Moderator-id",
    "Actie",
    "Actie (code)",
    "Soort",
    "Id",
    "Waarover",
    "Lid-id",
    "Reden",
)


def moderation_log_csv(action: ModerationAction | None = None) -> str:
    """The whole log (or one action's entries), oldest first."""
    rows = (
        (
            f"{entry.at.astimezone(LOCAL):%Y-%m-%d %H:%M:%S}",
            entry.actor_name,
            entry.actor_id,
            entry.action.label,
            entry.action.value,
            entry.target_kind.label,
            entry.target_id,
            entry.target_label,
            entry.subject_id,
            entry.reason,
        )
        for entry in all_log_entries(action)
    )
    return csv_text(HEADER, rows)
