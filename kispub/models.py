"""Every model module, imported in one place so that Alembic and tests see all tables."""

from kispub.accounts.models import AccountEvent, RecoveryCode, SecondFactor, User
from kispub.ateliers.models import Atelier, AtelierFeed, AtelierPerson, Registration
from kispub.community.models import (
    DigestRun,
    Invitation,
    Member,
    MembershipEvent,
    Mention,
    Notification,
    Post,
    PostRevision,
    ReadState,
    SearchEntry,
    ThemeActivity,
    ThemeWatch,
    Thread,
    ThreadWatch,
    TrustedDomain,
)
from kispub.core.accesslog import AccessLogCursor
from kispub.core.links import ContentLink
from kispub.core.nonce import FormSubmission
from kispub.core.outbox import OutboxMessage
from kispub.dossier.models import (
    Dossier,
    DossierChange,
    DossierCountDay,
    DossierCountKey,
    DossierFile,
    DossierGroup,
    DossierItem,
    DossierSeen,
    DossierSubscription,
)
from kispub.podcast.models import Download, DownloadDay, Episode, Guest, ListenerSalt, Series
from kispub.themes.models import Theme

__all__ = ["AccessLogCursor", "ContentLink", "FormSubmission", "OutboxMessage", "Theme", "User"]
__all__ += ["Atelier", "AtelierFeed", "AtelierPerson", "Registration"]
__all__ += ["Download", "DownloadDay", "Episode", "Guest", "ListenerSalt", "Series"]
__all__ += ["Invitation", "Member", "MembershipEvent", "Mention", "Post", "PostRevision"]
__all__ += ["ReadState", "SearchEntry", "ThemeActivity", "Thread", "TrustedDomain"]
__all__ += ["DigestRun", "Notification", "ThemeWatch", "ThreadWatch"]
__all__ += ["AccountEvent"]
__all__ += ["RecoveryCode", "SecondFactor"]
__all__ += ["Dossier", "DossierChange", "DossierCountDay", "DossierCountKey", "DossierFile"]
__all__ += ["DossierGroup", "DossierItem", "DossierSeen", "DossierSubscription"]
