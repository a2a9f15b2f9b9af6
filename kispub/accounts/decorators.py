"""Access checks, in one place."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from flask import abort
from flask_login import current_user

from kispub.accounts.models import Role
from kispub.extensions import login_manager

P = ParamSpec("P")
R = TypeVar("R")


def role_required(role: Role) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Allow the view to users with at least ``role``; others log in first or get 403."""

    def decorator(view: Callable[P, R]) -> Callable[P, R]:
        @wraps(view)
        def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.has_role(role):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


login_required = role_required(Role.MEMBER)
editor_required = role_required(Role.EDITOR)
moderator_required = role_required(Role.MODERATOR)
admin_required = role_required(Role.ADMIN)
