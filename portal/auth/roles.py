"""Role checks for views: every view states which roles reach it."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user, login_required

from portal.models import Role

F = TypeVar("F", bound=Callable[..., Any])

ALL_ROLES = (Role.admin, Role.researcher, Role.officer)
WRITERS = (Role.admin, Role.researcher)


def roles_required(*roles: Role) -> Callable[[F], F]:
    allowed = frozenset(roles or ALL_ROLES)

    def decorator(view: F) -> F:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if current_user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator
