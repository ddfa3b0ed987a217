"""Log-in throttling, kept in the database so that every web worker sees the same counts.

Two limits, neither of which lets a stranger lock a user out:

- per (account, address) pair, with a delay that doubles with each failure after the first few: a
  stranger's wrong passwords slow down only the stranger's own address for that account;
- per address, a wider limit on failures across many accounts (password spraying). An account that
  logged in successfully from that address recently is exempt, so that an office proxy shared with a
  sprayer does not lock out the colleagues behind it.

Does not record attempts (see :func:`note_attempt`, written at the request's commit point) nor decide
what the user is told.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from portal import bookkeeping
from portal.models import LoginAttempt, utcnow

WINDOW = timedelta(minutes=15)
FREE_FAILURES = 3  # per pair, before any delay
FIRST_DELAY = 2.0  # seconds, doubled with every further failure
MAX_DELAY = WINDOW.total_seconds()
MAX_ACCOUNTS_PER_IP = 30  # distinct accounts with failures from one address in the window
KNOWN_ADDRESS = timedelta(days=30)


def pair_delay(failures: int) -> float:
    """Seconds to wait after the last failure of a pair that has failed ``failures`` times."""
    if failures < FREE_FAILURES:
        return 0.0
    return float(min(FIRST_DELAY * 2 ** (failures - FREE_FAILURES), MAX_DELAY))


def retry_after(session: Session, username: str, ip: str, now: datetime | None = None) -> int:
    """Seconds the (account, address) pair must wait before trying again; 0 when it may try now."""
    now = now or utcnow()
    since = now - WINDOW
    pair = session.execute(
        select(func.count(), func.max(LoginAttempt.at)).where(
            LoginAttempt.username == username,
            LoginAttempt.ip == ip,
            LoginAttempt.at >= since,
            LoginAttempt.success.is_(False),
        )
    ).one()
    wait = 0.0
    if pair[0]:
        last = pair[1]
        if last.tzinfo is None:  # SQLite gives naive UTC
            last = last.replace(tzinfo=now.tzinfo)
        wait = pair_delay(int(pair[0])) - (now - last).total_seconds()
    accounts = session.scalar(
        select(func.count(distinct(LoginAttempt.username))).where(
            LoginAttempt.ip == ip, LoginAttempt.at >= since, LoginAttempt.success.is_(False)
        )
    )
    if (accounts or 0) >= MAX_ACCOUNTS_PER_IP and not _known_address(session, username, ip, now):
        wait = max(wait, WINDOW.total_seconds())
    return max(0, int(wait + 0.999))


def _known_address(session: Session, username: str, ip: str, now: datetime) -> bool:
    found = session.scalar(
        select(LoginAttempt.id)
        .where(
            LoginAttempt.username == username,
            LoginAttempt.ip == ip,
            LoginAttempt.success.is_(True),
            LoginAttempt.at >= now - KNOWN_ADDRESS,
        )
        .limit(1)
    )
    return found is not None


def is_throttled(session: Session, username: str, ip: str, now: datetime | None = None) -> bool:
    return retry_after(session, username, ip, now) > 0


def note_attempt(session: Session, username: str, ip: str, success: bool) -> None:
    bookkeeping.add(session, LoginAttempt(username=username[:80], ip=ip[:64], success=success, at=utcnow()))
