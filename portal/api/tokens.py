"""API tokens: random, shown once, stored as a SHA-256 hash."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from portal import bookkeeping
from portal.models import ApiToken, User, utcnow

PREFIX = "coi_"


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


#: how exactly a token's last use is kept
LAST_USE_GRAIN = timedelta(minutes=1)


def create_token(session: Session, user: User, name: str = "") -> str:
    token = PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, name=name[:100], token_sha256=digest(token)))
    return token


#: a live token with its user, in one statement built once (every API request runs it)
_TOKEN = (
    select(ApiToken, User)
    .join(User, User.id == ApiToken.user_id)
    .where(ApiToken.token_sha256 == bindparam("sha256"), ApiToken.revoked_at.is_(None))
)


def user_for_token(session: Session, token: str) -> User | None:
    if not token.startswith(PREFIX) or len(token) > 200:
        return None
    found = session.execute(_TOKEN, {"sha256": digest(token)}).tuples().first()
    if found is None:
        return None
    row, user = found
    if not user.active:
        return None
    token_id, now = row.id, utcnow()
    if row.last_used_at is None or now - row.last_used_at >= LAST_USE_GRAIN:
        # kept to the minute: a script's every request need not be a write
        bookkeeping.defer(
            session,
            lambda s: s.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now)),
        )
    return user
