"""What an officer reads first on a country page: latest and key documents, figures per topic,
the groups active in the country without tagging noise. No writes, no Flask.

Key documents are those cited most: as items of briefings and as annotated documents.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, defer, selectinload

from portal.annotations.models import Annotation
from portal.briefings.models import Briefing, BriefingItem
from portal.countries.queries import ActiveEntity, doc_date, in_country, of_country
from portal.models import Document, DocumentTopic, Topic

# words that make an all-capitals "organisation" a placeholder, not an actor
NOISE_WORDS = frozenset(
    {"SAMPLE", "DATA", "TEST", "DEMO", "EXAMPLE", "PLACEHOLDER", "LOREM", "IPSUM", "DUMMY"}
)
LOW_SIGNAL_KINDS = ("person", "organisation")


def latest_documents(session: Session, code: str, limit: int = 10) -> list[Document]:
    return list(
        session.scalars(
            select(Document)
            .where(of_country(code))
            .order_by(doc_date().desc(), Document.id.desc())
            .limit(limit)
            .options(defer(Document.text), selectinload(Document.source))
        )
    )


@dataclass(frozen=True)
class KeyDocument:
    document: Document
    in_briefings: int
    annotations: int


def key_documents(session: Session, code: str, limit: int = 8) -> list[KeyDocument]:
    """The country's documents cited most in published briefings and in shared annotations."""
    briefed: Counter[int] = Counter(
        {
            doc_id: int(n)
            for doc_id, n in session.execute(
                select(BriefingItem.document_id, func.count(func.distinct(BriefingItem.briefing_id)))
                .join(Document, Document.id == BriefingItem.document_id)
                .join(Briefing, Briefing.id == BriefingItem.briefing_id)
                .where(in_country(code), Briefing.status == "published")
                .group_by(BriefingItem.document_id)
            )
        }
    )
    noted: Counter[int] = Counter(
        {
            doc_id: int(n)
            for doc_id, n in session.execute(
                select(Annotation.document_id, func.count())
                .join(Document, Document.id == Annotation.document_id)
                .where(in_country(code), Annotation.shared.is_(True))
                .group_by(Annotation.document_id)
            )
        }
    )
    ids = sorted(set(briefed) | set(noted), key=lambda d: (-(briefed[d] + noted[d]), -briefed[d], -d))[:limit]
    docs = {
        d.id: d
        for d in session.scalars(
            select(Document).where(Document.id.in_(ids)).options(selectinload(Document.source))
        )
    }
    return [KeyDocument(docs[d], briefed[d], noted[d]) for d in ids if d in docs]


@dataclass(frozen=True)
class TopicFigure:
    topic_id: str
    label: str
    recent: int
    total: int
    label_nl: str | None = None

    @property
    def label_en(self) -> str:
        return self.label


def topic_figures(session: Session, code: str, now: datetime, days: int = 30) -> list[TopicFigure]:
    """Documents per topic: in the last ``days`` days and in all, one line per topic."""
    since = now - timedelta(days=days)
    rows = session.execute(
        select(
            DocumentTopic.topic_id,
            Topic.label_en,
            Topic.label_nl,
            func.sum(case((doc_date() >= since, 1), else_=0)),
            func.count(),
        )
        .join(Document, Document.id == DocumentTopic.document_id)
        .join(Topic, Topic.id == DocumentTopic.topic_id)
        .where(in_country(code))
        .group_by(DocumentTopic.topic_id, Topic.label_en, Topic.label_nl)
    ).all()
    figures = [
        TopicFigure(t, label, int(recent or 0), int(total), label_nl)
        for t, label, label_nl, recent, total in rows
    ]
    return sorted(figures, key=lambda f: (-f.recent, -f.total, f.label))


def is_noise(name: str) -> bool:
    """A tagged name that is a placeholder or a fragment, not an actor ("SAMPLE DATA", "X")."""
    words = re.findall(r"[A-Za-z]+", name)
    if len(name.strip()) < 3 or not words:
        return True
    return name.upper() == name and any(w.upper() in NOISE_WORDS for w in words)


def active_groups(actors: list[ActiveEntity]) -> list[ActiveEntity]:
    """Actors without noise: placeholders dropped, persons and organisations only if seen twice."""
    return [
        a
        for a in actors
        if not is_noise(a.entity.canonical_name) and (a.entity.kind not in LOW_SIGNAL_KINDS or a.longer >= 2)
    ]
