"""Bearer-token authentication for API views; the caller is ``g.api_user``."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import g, request

from portal.api.errors import ApiError
from portal.api.tokens import user_for_token
from portal.extensions import db
from portal.models import Role

F = TypeVar("F", bound=Callable[..., Any])


def token_required(*roles: Role) -> Callable[[F], F]:
    allowed = frozenset(roles or (Role.admin, Role.researcher, Role.officer))

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            header = request.headers.get("Authorization", "")
            scheme, _, token = header.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise ApiError(401, "a bearer token is required (Authorization: Bearer <token>)")
            user = user_for_token(db.session, token.strip())
            if user is None:
                raise ApiError(401, "the token is not valid")
            if user.role not in allowed:
                raise ApiError(403, "your role does not allow this")
            g.api_user = user
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator
