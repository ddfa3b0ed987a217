"""Drafting the morning briefings: which desks, which stories, in which order.

Reads documents, their clusters, sources and topics; ranks stories with
:func:`portal.briefings.ranking.rank`; writes draft briefings. Does not publish, send or index anything.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from portal.briefings.models import Briefing, BriefingItem, Desk
from portal.briefings.ranking import RankedStory, Story, StoryDoc, rank
from portal.models import Document, DocumentCountry, DocumentTopic

WINDOW = timedelta(hours=24)
MAX_ITEMS = 15


@dataclass(frozen=True)
class DeskSpec:
    key: str
    name: str
    countries: tuple[str, ...]
    topics: tuple[str, ...] = ()


def country_desk(code: str) -> DeskSpec:
    from portal.templating import country_name

    return DeskSpec(key=f"country-{code}", name=country_name(code) or code, countries=(code,))


def desks(session: Session, start: datetime, end: datetime) -> list[DeskSpec]:
    """The configured desks; without any, one desk per country with focus documents in the window."""
    rows = session.scalars(select(Desk).order_by(Desk.key)).all()
    if rows:
        return [
            DeskSpec(key=d.key, name=d.name, countries=tuple(d.countries or ()), topics=tuple(d.topics or ()))
            for d in rows
        ]
    codes = session.scalars(
        select(DocumentCountry.country_code)
        .join(Document, Document.id == DocumentCountry.document_id)
        .where(DocumentCountry.role == "focus", Document.created_at >= start, Document.created_at < end)
        .distinct()
        .order_by(DocumentCountry.country_code)
    ).all()
    return [country_desk(code) for code in codes]


def stories(session: Session, countries: Sequence[str], start: datetime, end: datetime) -> list[Story]:
    """Stories (clusters) with a document of the window whose focus is one of ``countries``.

    A story holds every document of its cluster created in the window, whatever its focus, so
    that corroboration counts every source that carried it.
    """
    if not countries:
        return []
    in_window = (Document.created_at >= start, Document.created_at < end)
    focus_docs = session.execute(
        select(Document.id, Document.cluster_id)
        .join(DocumentCountry, DocumentCountry.document_id == Document.id)
        .where(DocumentCountry.role == "focus", DocumentCountry.country_code.in_(list(countries)), *in_window)
        .distinct()
    ).all()
    cluster_ids = {c for _, c in focus_docs if c is not None}
    loose = {d for d, c in focus_docs if c is None}
    query = select(Document).options(selectinload(Document.source), selectinload(Document.topics))
    docs: list[Document] = []
    if cluster_ids:
        docs.extend(session.scalars(query.where(Document.cluster_id.in_(cluster_ids), *in_window)))
    if loose:
        docs.extend(session.scalars(query.where(Document.id.in_(loose))))
    grouped: dict[int, list[StoryDoc]] = defaultdict(list)
    for doc in docs:
        story_id = doc.cluster_id if doc.cluster_id is not None else -doc.id
        grouped[story_id].append(
            StoryDoc(
                document_id=doc.id,
                source_id=doc.source_id,
                reliability=doc.source.reliability,
                publisher_type=doc.source.publisher_type,
                topic_scores=_topic_scores(doc.topics),
            )
        )
    return [Story(cluster_id=k, documents=tuple(v)) for k, v in sorted(grouped.items())]


def _topic_scores(topics: Sequence[DocumentTopic]) -> dict[str, float]:
    return {t.topic_id: t.score for t in topics}


def ranked_stories(
    session: Session, desk: DeskSpec, start: datetime, end: datetime, limit: int = MAX_ITEMS
) -> list[RankedStory]:
    return rank(stories(session, desk.countries, start, end), desk.topics)[:limit]


def briefing_title(desk_name: str, for_date: date) -> str:
    return f"{desk_name}: briefing of {for_date.isoformat()}"


def has_briefing(session: Session, desk_key: str, for_date: date) -> bool:
    found = session.scalar(
        select(Briefing.id).where(Briefing.desk_key == desk_key, Briefing.for_date == for_date).limit(1)
    )
    return found is not None


def draft(session: Session, desk: DeskSpec, for_date: date, end: datetime) -> Briefing | None:
    """A draft for one desk and date from the 24 hours before ``end``; None when one exists already."""
    if has_briefing(session, desk.key, for_date):
        return None
    ranked = ranked_stories(session, desk, end - WINDOW, end)
    briefing = Briefing(
        desk_key=desk.key,
        desk_name=desk.name,
        countries=list(desk.countries),
        for_date=for_date,
        version=1,
        status="draft",
        title=briefing_title(desk.name, for_date),
        summary="",
        created_at=end,
        updated_at=end,
    )
    for position, story in enumerate(ranked):
        briefing.items.append(
            BriefingItem(
                position=position,
                document_id=story.lead_document_id,
                cluster_id=story.cluster_id if story.cluster_id > 0 else None,
                score=story.score,
                summary="",
                annotation_ids=[],
            )
        )
    session.add(briefing)
    session.flush()
    return briefing
