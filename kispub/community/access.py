"""Who may see the community: approved members only, on every route, with no exceptions.

The members' blueprint runs ``require_member`` before every view it has, so a route added
later is closed without anyone remembering to close it (tests/community/test_access.py
enumerates the routes to prove it). Anonymous visitors go to the login page; a logged-in
person who is not (yet) an approved member gets 403 with the reason.
"""

from __future__ import annotations

from flask import g, render_template
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from kispub.accounts.models import Role
from kispub.community import notices
from kispub.community.models import Member, MemberStatus
from kispub.core.security import CONTENT_SECURITY_POLICY
from kispub.extensions import db, login_manager

NO_STORE = "private, no-store"
# The site's policy with images from the site itself only: an image from elsewhere in a
# post would tell its server who read the post and when (a tracking pixel), and data: URLs
# are not needed by any community page.
COMMUNITY_CSP = "; ".join(
    "img-src 'self'" if directive.startswith("img-src ") else directive
    for directive in CONTENT_SECURITY_POLICY.split("; ")
)
# A member who follows a link in a post sends no Referer to the other site: it would tell
# that site which private thread the reader came from.
COMMUNITY_REFERRER_POLICY = "same-origin"


def membership(user_id: int) -> Member | None:
    """The membership row of a user, if they ever started joining."""
    return db.session.get(Member, user_id)


def refusal(member: Member | None) -> str:
    """Why a logged-in person without approved membership cannot come in (for the 403 page)."""
    if member is None:
        return _("U bent (nog) geen lid van de community. U kunt lidmaatschap aanvragen.")
    reasons = {
        MemberStatus.UNVERIFIED: _(
            "Bevestig eerst uw e-mailadres met de link die wij u hebben gemaild."
        ),
        MemberStatus.PENDING: _(
            "Uw aanvraag wacht op goedkeuring door een moderator. U krijgt bericht per e-mail."
        ),
        MemberStatus.DECLINED: _("Uw aanvraag voor lidmaatschap is afgewezen."),
        MemberStatus.SUSPENDED: _("Uw lidmaatschap van de community is geschorst."),
    }
    return reasons.get(member.status, "")


def require_member() -> ResponseReturnValue | None:
    """Before every members' view: let approved members through, stop everyone else."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    member, unread = notices.member_and_unread(current_user.id)  # the header's count too
    if member is None or member.status is not MemberStatus.APPROVED:
        page = render_template("community/closed.html", member=member, reason=refusal(member))
        return page, 403
    g.community_member = member
    notices.remember_unread(unread)
    return None


def current_member() -> Member:
    """The approved member of this request (set by ``require_member``)."""
    member: Member = g.community_member
    return member


def is_moderator() -> bool:
    """Whether the current user may moderate (moderators, editors and admins)."""
    return bool(current_user.is_authenticated and current_user.has_role(Role.MODERATOR))


def no_store(response: Response) -> Response:
    """After every community view: no cache may keep the page, no outside image or site
    learns of it. (The site's own headers, added after this, leave these in place.)"""
    response.headers["Cache-Control"] = NO_STORE
    response.headers["Content-Security-Policy"] = COMMUNITY_CSP
    response.headers["Referrer-Policy"] = COMMUNITY_REFERRER_POLICY
    return response
