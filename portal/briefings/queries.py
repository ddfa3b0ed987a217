"""Reading briefings: published ones for readers, feeds, the API and the digests. No writes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from portal.briefings.models import Briefing, BriefingItem
from portal.models import Document


def _with_items(query: Select[tuple[Briefing]]) -> Select[tuple[Briefing]]:
    return query.options(
        selectinload(Briefing.items).selectinload(BriefingItem.document).selectinload(Document.source)
    )


def matches_countries(briefing: Briefing, countries: Sequence[str] | None) -> bool:
    if not countries:
        return True
    wanted = {c.upper() for c in countries}
    return bool(wanted & {c.upper() for c in briefing.countries or ()})


def published(
    session: Session,
    *,
    desk: str | None = None,
    countries: Sequence[str] | None = None,
    on: date | None = None,
    since: datetime | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[Briefing]:
    """Published briefings, newest first, optionally for one desk, countries, a date or since a time.

    Countries are kept in a JSON list, so that filter runs in Python over the matching rows.
    """
    if desk is not None and "\x00" in desk:
        return []  # no desk key holds a NUL (and PostgreSQL refuses one in a query)
    query: Any = select(Briefing).where(Briefing.status == "published")
    if desk:
        query = query.where(Briefing.desk_key == desk)
    if on is not None:
        query = query.where(Briefing.for_date == on)
    if since is not None:
        query = query.where(Briefing.published_at > since)
    query = _with_items(query.order_by(Briefing.published_at.desc(), Briefing.id.desc()))
    rows = [b for b in session.scalars(query) if matches_countries(b, countries)]
    return rows[offset : offset + limit]


def published_since(
    session: Session, since: datetime, countries: Sequence[str] | None = None
) -> list[Briefing]:
    """Briefings published after ``since``, oldest first, covering one of ``countries`` (all if None)."""
    rows = published(session, countries=countries, since=since, limit=10_000)
    return sorted(rows, key=lambda b: (b.published_at or since, b.id))


def superseded_by(session: Session, briefing_id: int) -> Briefing | None:
    """The newest version that corrects this one, if any."""
    return session.scalar(
        select(Briefing)
        .where(Briefing.supersedes_id == briefing_id)
        .order_by(Briefing.version.desc())
        .limit(1)
    )


def for_country(session: Session, code: str, limit: int = 5) -> list[Briefing]:
    return published(session, countries=[code], limit=limit)
