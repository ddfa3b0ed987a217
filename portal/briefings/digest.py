"""The hook the e-mail digests read: briefings published in a window, as title, path and date."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from portal.briefings.queries import published_since


def published_between(session: Session, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """Briefings published in ``(start, end]`` with a portal path the digest makes absolute."""
    return [
        {
            "title": f"{b.title} (version {b.version})" if b.version > 1 else b.title,
            "url": f"/briefings/{b.id}",
            "published_at": b.published_at,
            "summary": b.summary[:400],
        }
        for b in published_since(session, start)
        if b.published_at is not None and b.published_at <= end
    ]
