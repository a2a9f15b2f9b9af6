"""The community's pages, on blueprints with different doors.

- ``bp`` (``/community``): everything members see. ``require_member`` runs before each of
  its views and every answer is ``private, no-store``; nothing on it is reachable otherwise.
- ``join_bp`` (``/community/lid-worden``): the only community pages outsiders reach: asking
  to join, accepting an invitation, confirming an address.
- ``mail_bp`` (``/community/afmelden``): the stop links in community mail, which work
  without logging in because their signed token names the member (``views/mail``).
- the moderators' back office (``/beheer/community``: requests, invitations, trusted
  domains) is ``community_admin`` in ``community/admin.py``, guarded there.
"""

from __future__ import annotations

from flask import Blueprint

from kispub.community.access import no_store, require_member

bp = Blueprint("community", __name__, url_prefix="/community")
bp.before_request(require_member)
bp.after_request(no_store)

join_bp = Blueprint("community_join", __name__, url_prefix="/community/lid-worden")
join_bp.after_request(no_store)

mail_bp = Blueprint("community_mail", __name__, url_prefix="/community/afmelden")
mail_bp.after_request(no_store)

# The view modules add their routes to the blueprints above when imported.
from kispub.community.views import (  # noqa: E402, F401
    discussion,
    flags,
    joining,
    mail,
    notifications,
    profiles,
    search,
)
