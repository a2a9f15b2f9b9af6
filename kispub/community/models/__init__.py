"""The community: memberships and how people join, threads and posts, read state, search.

Only approved members see any of it (see ``access``). A member is a ``User`` (accounts)
with a ``Member`` row: the row holds where the person stands in the joining rule (the
README's "Joining the community") and their profile.
"""

from __future__ import annotations

from kispub.community.models.discussion import (
    Mention,
    Post,
    PostRevision,
    ReadState,
    SearchEntry,
    ThemeActivity,
    Thread,
)
from kispub.community.models.membership import (
    EMAIL_MODE_LABELS,
    STATUS_LABELS,
    EmailMode,
    FieldRole,
    Invitation,
    InvitationKind,
    JoinedVia,
    Member,
    MembershipEvent,
    MemberStatus,
    TrustedDomain,
    member_theme,
)
from kispub.community.models.moderation import (
    FLAG_REASON_LABELS,
    MODERATION_ACTION_LABELS,
    REVIEW_STATUS_LABELS,
    TARGET_KIND_LABELS,
    Flag,
    FlagReason,
    FlagReview,
    ModerationAction,
    ModerationLogEntry,
    ReviewStatus,
    TargetKind,
)
from kispub.community.models.notifications import (
    WATCH_LABELS,
    DigestRun,
    Notification,
    NotificationKind,
    ThemeWatch,
    ThreadWatch,
    WatchLevel,
    WatchReason,
)

__all__ = [
    "EMAIL_MODE_LABELS",
    "FLAG_REASON_LABELS",
    "MODERATION_ACTION_LABELS",
    "REVIEW_STATUS_LABELS",
    "STATUS_LABELS",
    "TARGET_KIND_LABELS",
    "WATCH_LABELS",
    "DigestRun",
    "EmailMode",
    "FieldRole",
    "Flag",
    "FlagReason",
    "FlagReview",
    "Invitation",
    "InvitationKind",
    "JoinedVia",
    "Member",
    "MemberStatus",
    "MembershipEvent",
    "Mention",
    "ModerationAction",
    "ModerationLogEntry",
    "Notification",
    "NotificationKind",
    "Post",
    "PostRevision",
    "ReadState",
    "ReviewStatus",
    "SearchEntry",
    "TargetKind",
    "ThemeActivity",
    "ThemeWatch",
    "Thread",
    "ThreadWatch",
    "TrustedDomain",
    "WatchLevel",
    "WatchReason",
    "member_theme",
]
