"""The audit log: who did what, when and from where. Written here, never edited."""

from __future__ import annotations

from typing import Any, cast

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from portal import bookkeeping
from portal.models import AuditEvent, User, utcnow

_INSERT = insert(cast(Table, AuditEvent.__table__))


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
    row = {
        "at": utcnow(),
        "user_id": user.id if user is not None else None,
        "username": user.username if user is not None else "",
        "action": action,
        "target": target[:500],
        "details": details or {},
        "ip": ip,
        "user_agent": agent,
    }
    # a plain INSERT: an event is never read back in the request, so it needs no ORM object
    # (nor the unit of work's flush, which cost more than the statement)
    bookkeeping.defer(session, bookkeeping.NewRow(_INSERT, row))
