"""The audit log: who did what, when and from where. Written here, never edited."""

from __future__ import annotations

from typing import Any

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy.orm import Session

from portal import bookkeeping
from portal.models import AuditEvent, User


def record(
    session: Session,
    action: str,
    target: str = "",
    details: dict[str, Any] | None = None,
    user: User | None = None,
) -> None:
    """Queue an event to the request's commit point (see :mod:`portal.bookkeeping`)."""
    if user is None and has_request_context() and current_user.is_authenticated:
        user = current_user._get_current_object()  # type: ignore[attr-defined]
    ip = ""
    agent = ""
    if has_request_context():
        ip = request.remote_addr or ""
        agent = (request.user_agent.string or "")[:300]
    bookkeeping.add(
        session,
        AuditEvent(
            user_id=user.id if user is not None else None,
            username=user.username if user is not None else "",
            action=action,
            target=target[:500],
            details=details or {},
            ip=ip,
            user_agent=agent,
        ),
    )
