"""What a country page shows, read from the database. No writes, no Flask.

A document belongs to a country when the tagger linked it to that country, as focus or mention.
Dates are the publication date, or the retrieval date for undated documents.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ColumnElement, case, distinct, func, select
from sqlalchemy.orm import Session, defer, selectinload

from portal.models import Document, DocumentCountry, DocumentTopic, Entity, Mention, Source, Topic

ACTOR_KINDS = ("armed_group", "state_force", "person", "organisation")
WEEKS = 26


def doc_date() -> ColumnElement[datetime]:
    return func.coalesce(Document.published_at, Document.retrieved_at)


def in_country(code: str) -> ColumnElement[bool]:
    """For counts over all the country's documents: its document ids are read once."""
    return Document.id.in_(select(DocumentCountry.document_id).where(DocumentCountry.country_code == code))


def of_country(code: str) -> ColumnElement[bool]:
    """For the country's newest documents, or those of a recent window: each document read down
    the date index (ix_documents_date) is checked, instead of reading every document of the
    country to keep the recent ones."""
    return (
        select(DocumentCountry.document_id)
        .where(DocumentCountry.document_id == Document.id, DocumentCountry.country_code == code)
        .exists()
    )


@dataclass(frozen=True)
class CountryCount:
    code: str
    documents: int
    focus: int


def countries_with_documents(session: Session) -> list[CountryCount]:
    rows = session.execute(
        select(
            DocumentCountry.country_code,
            func.count(DocumentCountry.document_id),
            func.sum(case((DocumentCountry.role == "focus", 1), else_=0)),
        ).group_by(DocumentCountry.country_code)
    ).all()
    return [CountryCount(code, int(total), int(focus or 0)) for code, total, focus in rows]


@dataclass(frozen=True)
class TopicGroup:
    topic_id: str
    label: str
    documents: tuple[Document, ...]
    total: int


def documents_by_topic(
    session: Session, code: str, now: datetime, days: int = 30, per_topic: int = 5
) -> list[TopicGroup]:
    since = now - timedelta(days=days)
    rows = session.execute(
        select(DocumentTopic.topic_id, Document)
        .join(Document, Document.id == DocumentTopic.document_id)
        .where(of_country(code), doc_date() >= since)
        .order_by(doc_date().desc(), Document.id.desc())
        .options(defer(Document.text), selectinload(Document.source))
    ).all()
    grouped: dict[str, list[Document]] = defaultdict(list)
    for topic_id, doc in rows:
        grouped[topic_id].append(doc)
    labels: dict[str, str] = {
        topic_id: label
        for topic_id, label in session.execute(
            select(Topic.id, Topic.label_en).where(Topic.id.in_(list(grouped)))
        )
    }
    groups = [
        TopicGroup(t, labels.get(t, t), tuple(docs[:per_topic]), len(docs)) for t, docs in grouped.items()
    ]
    groups.sort(key=lambda g: (-g.total, g.label))
    return groups


@dataclass(frozen=True)
class ActiveEntity:
    entity: Entity
    recent: int  # mentions in the short window
    longer: int  # mentions in the long window


def active_entities(
    session: Session, code: str, now: datetime, short: int = 30, long: int = 90, limit: int = 25
) -> list[ActiveEntity]:
    """Groups, forces, persons and organisations by mentions in the country's documents."""
    short_since, long_since = now - timedelta(days=short), now - timedelta(days=long)
    rows = session.execute(
        select(Mention.entity_id, doc_date())
        .join(Document, Document.id == Mention.document_id)
        .join(Entity, Entity.id == Mention.entity_id)
        .where(
            of_country(code),
            Entity.kind.in_(ACTOR_KINDS),
            doc_date() >= long_since,
        )
    ).all()
    recent: Counter[int] = Counter()
    longer: Counter[int] = Counter()
    for entity_id, when in rows:
        longer[entity_id] += 1
        if _aware(when) >= short_since:
            recent[entity_id] += 1
    top = sorted(longer, key=lambda e: (-recent[e], -longer[e], e))[:limit]
    entities = {e.id: e for e in session.scalars(select(Entity).where(Entity.id.in_(top)))}
    return [ActiveEntity(entities[e], recent[e], longer[e]) for e in top if e in entities]


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Week:
    start: date
    count: int


def weekly_volume(session: Session, code: str, today: date, weeks: int = WEEKS) -> list[Week]:
    """Documents per week (Monday to Sunday) for the ``weeks`` weeks up to and including this one."""
    this_monday = today - timedelta(days=today.weekday())
    first = this_monday - timedelta(weeks=weeks - 1)
    start = datetime.combine(first, time(), tzinfo=UTC)
    dates = session.scalars(select(doc_date()).where(of_country(code), doc_date() >= start)).all()
    counts: Counter[date] = Counter()
    for value in dates:
        day = _aware(value).date()
        counts[day - timedelta(days=day.weekday())] += 1
    return [Week(first + timedelta(weeks=i), counts[first + timedelta(weeks=i)]) for i in range(weeks)]


@dataclass(frozen=True)
class ProvinceCount:
    code: str  # ISO 3166-2
    name: str
    documents: int


def documents_by_province(session: Session, code: str) -> list[ProvinceCount]:
    """The country's first-level divisions by the number of documents naming a place in each.

    Counted like the search's ``province`` facet: every tagged document with such a place, whatever
    its focus country, so that each figure is what the search filtered on that province finds.
    """
    documents = func.count(distinct(Mention.document_id))
    rows = session.execute(
        select(Mention.province_code, func.max(Mention.province_name), documents)
        .where(Mention.province_code.startswith(f"{code.upper()}-", autoescape=True))
        .group_by(Mention.province_code)
        .order_by(documents.desc(), Mention.province_code)
    ).all()
    return [ProvinceCount(str(p), str(name or p), int(n)) for p, name, n in rows if p]


@dataclass(frozen=True)
class KeySource:
    source: Source
    documents: int


def key_sources(session: Session, code: str, limit: int = 10) -> list[KeySource]:
    count = func.count(Document.id)
    rows = session.execute(
        select(Source, count)
        .join(Document, Document.source_id == Source.id)
        .where(in_country(code))
        .group_by(Source.id)
        .order_by(count.desc(), Source.name)
        .limit(limit)
    ).all()
    return [KeySource(source, int(n)) for source, n in rows]
