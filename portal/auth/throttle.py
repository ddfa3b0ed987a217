"""Log-in rate limiting, kept in the database so that every web worker sees the same counts."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from portal import bookkeeping
from portal.models import LoginAttempt, utcnow

WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_USER = 5
MAX_FAILURES_PER_IP = 20


def is_throttled(session: Session, username: str, ip: str, now: datetime | None = None) -> bool:
    since = (now or utcnow()) - WINDOW
    failures = session.execute(
        select(
            func.count().filter(LoginAttempt.username == username),
            func.count().filter(LoginAttempt.ip == ip),
        ).where(
            LoginAttempt.at >= since,
            LoginAttempt.success.is_(False),
            or_(LoginAttempt.username == username, LoginAttempt.ip == ip),
        )
    ).one()
    return bool(failures[0] >= MAX_FAILURES_PER_USER or failures[1] >= MAX_FAILURES_PER_IP)


def note_attempt(session: Session, username: str, ip: str, success: bool) -> None:
    bookkeeping.add(session, LoginAttempt(username=username[:80], ip=ip[:64], success=success, at=utcnow()))
