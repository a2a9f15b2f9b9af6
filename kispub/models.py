"""Every model module, imported in one place so that Alembic and tests see all tables."""

from kispub.accounts.models import User
from kispub.core.links import ContentLink
from kispub.core.nonce import FormSubmission
from kispub.themes.models import Theme

__all__ = ["ContentLink", "FormSubmission", "Theme", "User"]
