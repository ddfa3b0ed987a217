"""What the start page shows, read from the database. No writes, no Flask.

A researcher sees the newest documents on the countries and topics of their desks (the
countries and topics they follow in their digest settings, else every configured desk), the
story clusters told by several sources this week, and the drafts waiting. An officer sees the
countries they follow (else the most documented ones), each with its latest documents, and the
published briefings on them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, defer, selectinload

from portal.briefings.models import Briefing, Desk
from portal.briefings.queries import published
from portal.countries.queries import doc_date, in_country, of_country
from portal.models import Document, DocumentCountry, DocumentTopic, Source, StoryCluster

NEWEST = 10
CLUSTER_DAYS = 7


@dataclass(frozen=True)
class Focus:
    """The countries and topics a user's start page is about."""

    countries: tuple[str, ...]
    topics: tuple[str, ...]


@dataclass(frozen=True)
class Story:
    document: Document
    sources: int


@dataclass(frozen=True)
class CountryPanel:
    code: str
    documents: tuple[Document, ...]
    total: int


def followed(session: Session, user_id: int) -> Focus:
    """What the user follows in their digest settings (empty when they follow nothing)."""
    from portal.digests.models import DigestSubscription

    sub = session.scalar(select(DigestSubscription).where(DigestSubscription.user_id == user_id))
    if sub is None:
        return Focus((), ())
    return Focus(tuple(sub.countries or ()), tuple(sub.topics or ()))


def desk_focus(session: Session, user_id: int) -> Focus:
    own = followed(session, user_id)
    if own.countries or own.topics:
        return own
    countries: list[str] = []
    topics: list[str] = []
    for desk in session.scalars(select(Desk).order_by(Desk.key)):
        countries += [c for c in desk.countries or () if c not in countries]
        topics += [t for t in desk.topics or () if t not in topics]
    return Focus(tuple(countries), tuple(topics))


def newest_documents(session: Session, focus: Focus, limit: int = NEWEST) -> list[Document]:
    """The newest documents on the focus countries or topics (on anything when there is no focus)."""
    date = func.coalesce(Document.published_at, Document.retrieved_at)
    query = select(Document)
    conditions = []
    # EXISTS, tested document by document down the date index (ix_documents_date), stops at
    # the `limit`-th match; IN would collect every matching document first and sort them all
    if focus.countries:
        conditions.append(
            select(DocumentCountry.document_id)
            .where(
                DocumentCountry.document_id == Document.id, DocumentCountry.country_code.in_(focus.countries)
            )
            .exists()
        )
    if focus.topics:
        conditions.append(
            select(DocumentTopic.document_id)
            .where(DocumentTopic.document_id == Document.id, DocumentTopic.topic_id.in_(focus.topics))
            .exists()
        )
    if conditions:
        query = query.where(or_(*conditions))
    query = (
        query.order_by(date.desc(), Document.id.desc())
        .limit(limit)
        .options(defer(Document.text), selectinload(Document.source), selectinload(Document.countries))
    )
    return list(session.scalars(query))


def multi_source_stories(session: Session, now: datetime, limit: int = 8) -> list[Story]:
    """Story clusters of this week told by at least two sources, newest first, one document each."""
    since = now - timedelta(days=CLUSTER_DAYS)
    date = func.coalesce(Document.published_at, Document.retrieved_at)
    rows = session.execute(
        select(Document.cluster_id, func.count(func.distinct(Document.source_id)), func.max(date))
        .join(StoryCluster, StoryCluster.id == Document.cluster_id)
        .where(Document.cluster_id.is_not(None), date >= since)
        .group_by(Document.cluster_id)
        .having(func.count(func.distinct(Document.source_id)) >= 2)
        .order_by(func.max(date).desc())
        .limit(limit)
    ).all()
    stories: list[Story] = []
    for cluster_id, sources, _ in rows:
        doc = session.scalar(
            select(Document)
            .where(Document.cluster_id == cluster_id)
            .order_by(date.desc(), Document.id.desc())
            .limit(1)
            .options(selectinload(Document.source))
        )
        if doc is not None:
            stories.append(Story(doc, int(sources)))
    return stories


def drafts_waiting(session: Session, limit: int = 10) -> list[Briefing]:
    return list(
        session.scalars(
            select(Briefing)
            .where(Briefing.status == "draft")
            .order_by(Briefing.for_date.desc(), Briefing.desk_key)
            .limit(limit)
        )
    )


def officer_countries(session: Session, user_id: int, limit: int = 6) -> list[str]:
    """The countries the officer follows, else those with the most focus documents."""
    own = followed(session, user_id)
    if own.countries:
        return list(own.countries)
    rows = session.execute(
        select(DocumentCountry.country_code, func.count())
        .where(DocumentCountry.role == "focus")
        .group_by(DocumentCountry.country_code)
        .order_by(func.count().desc(), DocumentCountry.country_code)
        .limit(limit)
    ).all()
    return [code for code, _ in rows]


def country_panels(session: Session, codes: list[str], per_country: int = 3) -> list[CountryPanel]:
    panels = []
    for code in codes:
        total = session.scalar(select(func.count()).select_from(Document).where(in_country(code))) or 0
        docs = session.scalars(
            select(Document)
            .where(of_country(code))
            .order_by(doc_date().desc(), Document.id.desc())
            .limit(per_country)
            .options(defer(Document.text), selectinload(Document.source))
        )
        panels.append(CountryPanel(code, tuple(docs), int(total)))
    return panels


def briefings_for(session: Session, codes: list[str], limit: int = 5) -> list[Briefing]:
    return published(session, countries=codes or None, limit=limit)


def source_names(session: Session) -> list[str]:
    return list(session.scalars(select(Source.name).order_by(Source.name)))
