"""Screening lists kept in the database: made from a CSV text, read back with what the sources say,
decided on, and deleted with everything they hold.

A list is private: :func:`visible_list` gives it to its author and to admins only. Nothing here
writes an ``IndexChange``, so no list reaches the search index. No Flask: the views add the audit
events and turn stored copies into addresses.
"""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from portal.briefings.citations import Citation, cite
from portal.models import Document, DocumentTopic, Entity, Mention, Role, Topic, User, utcnow
from portal.screening.models import (
    DECISIONS,
    ScreeningCandidate,
    ScreeningDecision,
    ScreeningEntry,
    ScreeningList,
)
from portal.screening.service import ScreeningError, parse_list, screen

MAX_TITLE = 200
MAX_COMMENT = 2000
#: documents shown (and cited) per candidate, newest first
DOCUMENTS_SHOWN = 10
#: passages shown per document
PASSAGES_SHOWN = 2
#: how far a passage reaches on each side of a mention when no sentence ends nearer
REACH = 200
UNIT_KINDS = ("armed_group", "state_force")
PLACE_KINDS = ("country", "region", "city", "location")


def input_rows(text: str) -> list[list[str]]:
    """The CSV's lines as lists of cells, as handed in (blank lines left out)."""
    return [row for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))) if any(c.strip() for c in row)]


def create_list(session: Session, user: User, title: str, text: str) -> ScreeningList:
    """Screen the names of a CSV text and keep the list with its candidates; :class:`ScreeningError`
    on a bad list."""
    queries = parse_list(text)
    title = " ".join(title.split())[:MAX_TITLE]
    if any(ord(ch) < 32 for ch in title):
        raise ScreeningError("the title holds control characters")
    answers = screen(session, queries)
    row = ScreeningList(
        user_id=user.id,
        title=title or f"{len(queries)} name(s), {utcnow():%Y-%m-%d %H:%M} UTC",
        rows=input_rows(text),
    )
    for position, (query, answer) in enumerate(zip(queries, answers, strict=True)):
        entry = ScreeningEntry(
            position=position,
            name=query.name[:300],
            aliases=list(query.aliases),
            birth_year=query.birth_year,
            nationality=(query.nationality or "")[:100] or None,
            unit=(query.unit or "")[:300] or None,
        )
        for rank, found in enumerate(answer["candidates"]):
            entry.candidates.append(
                ScreeningCandidate(
                    rank=rank,
                    entity_id=found["entity_id"],
                    name=found["name"][:300],
                    score=found["score"],
                    match=found["match"],
                    reasons=found["reasons"],
                    documents=found["documents"],
                )
            )
        row.entries.append(entry)
    session.add(row)
    session.flush()
    return row


def visible_list(session: Session, list_id: int, user: User) -> ScreeningList | None:
    """The list, for its author or an admin; ``None`` for anyone else and for a list that is gone."""
    row = session.scalar(
        select(ScreeningList)
        .where(ScreeningList.id == list_id)
        .options(
            selectinload(ScreeningList.entries)
            .selectinload(ScreeningEntry.candidates)
            .selectinload(ScreeningCandidate.decision)
        )
    )
    if row is None or not (row.user_id == user.id or user.role == Role.admin):
        return None
    return row


def lists_of(session: Session, user: User) -> list[tuple[ScreeningList, int]]:
    """A user's own lists, newest first, with their number of names."""
    names = func.count(ScreeningEntry.id)
    rows = session.execute(
        select(ScreeningList, names)
        .outerjoin(ScreeningEntry, ScreeningEntry.list_id == ScreeningList.id)
        .where(ScreeningList.user_id == user.id)
        .group_by(ScreeningList.id)
        .order_by(ScreeningList.created_at.desc(), ScreeningList.id.desc())
    ).all()
    return [(row, int(n)) for row, n in rows]


def others_lists(session: Session, user: User) -> list[tuple[ScreeningList, str]]:
    """For an admin: the lists of every other user, newest first, with their author's name."""
    if user.role != Role.admin:
        return []
    rows = session.execute(
        select(ScreeningList, User.username)
        .join(User, User.id == ScreeningList.user_id)
        .where(ScreeningList.user_id != user.id)
        .order_by(ScreeningList.created_at.desc(), ScreeningList.id.desc())
    ).all()
    return [(row, str(name)) for row, name in rows]


def decide(
    session: Session, candidate: ScreeningCandidate, user: User, decision: str, comment: str = ""
) -> ScreeningDecision:
    """Store (or replace) the decision on a candidate."""
    if decision not in DECISIONS:
        raise ScreeningError(f"a decision is one of {', '.join(DECISIONS)}")
    comment = comment.strip()
    if len(comment) > MAX_COMMENT:
        raise ScreeningError(f"a comment has at most {MAX_COMMENT} characters")
    row = candidate.decision or ScreeningDecision(candidate_id=candidate.id)
    row.decision = decision
    row.user_id = user.id
    row.username = user.username
    row.decided_at = utcnow()
    row.comment = comment
    candidate.decision = row
    session.flush()
    return row


def delete_list(session: Session, row: ScreeningList) -> None:
    """Delete the list with its entries, candidates and decisions."""
    session.delete(row)
    session.flush()


# ---------------------------------------------------------------- what the sources say


@dataclass(frozen=True)
class Passage:
    before: str
    mention: str
    after: str

    @property
    def text(self) -> str:
        return f"{self.before}{self.mention}{self.after}"


def passage(text: str, start: int, end: int, reach: int = REACH) -> Passage:
    """The sentence around ``text[start:end]``, cut at ``reach`` characters on each side."""
    left = max(text.rfind(". ", 0, start) + 2, text.rfind("\n", 0, start) + 1, 0)
    if start - left > reach:
        left = start - reach
        space = text.find(" ", left, start)
        left = space + 1 if space != -1 else left
    stops = [i for i in (text.find(". ", end), text.find("\n", end)) if i != -1]
    right = min(stops) + 1 if stops else len(text)
    if right - end > reach:
        right = end + reach
        space = text.rfind(" ", end, right)
        right = space if space != -1 else right
    before = ("… " if left > 0 else "") + text[left:start]
    after = text[end:right].rstrip() + (" …" if right < len(text.rstrip()) else "")
    return Passage(before, text[start:end], after)


@dataclass(frozen=True)
class Source:
    """A document that mentions a candidate, with the passages and its citation."""

    document: Document
    passages: tuple[Passage, ...]
    citation: Citation


@dataclass(frozen=True)
class CandidateView:
    candidate: ScreeningCandidate
    sources: tuple[Source, ...]
    more: int  # documents beyond those shown
    units: tuple[tuple[Entity, int], ...]  # co-mentioned units and groups, by documents shared
    places: tuple[tuple[Entity, int], ...]
    topics: tuple[tuple[Topic, int], ...]


@dataclass
class _Gathered:
    documents: dict[int, Document] = field(default_factory=dict)
    mentions: dict[tuple[int, int], list[Mention]] = field(default_factory=lambda: defaultdict(list))
    context: dict[int, list[tuple[str, Entity]]] = field(default_factory=lambda: defaultdict(list))
    topics: dict[int, list[Topic]] = field(default_factory=lambda: defaultdict(list))


def _when(doc: Document) -> datetime:
    return doc.published_at or doc.retrieved_at


def _gather(session: Session, candidates: list[ScreeningCandidate]) -> _Gathered:
    ids = sorted({d for c in candidates for d in c.documents})
    people = sorted({c.entity_id for c in candidates if c.entity_id is not None})
    found = _Gathered()
    entities: dict[int, Entity] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for doc in session.scalars(
            select(Document).where(Document.id.in_(chunk)).options(selectinload(Document.source))
        ):
            found.documents[doc.id] = doc
        for mention in session.scalars(
            select(Mention)
            .where(Mention.document_id.in_(chunk), Mention.entity_id.in_(people))
            .order_by(Mention.document_id, Mention.start)
        ):
            found.mentions[(mention.document_id, mention.entity_id)].append(mention)
        pairs = session.execute(
            select(Mention.document_id, Mention.entity_id)
            .where(Mention.document_id.in_(chunk), Mention.kind.in_((*UNIT_KINDS, *PLACE_KINDS)))
            .distinct()
        ).all()
        wanted = {int(e) for _, e in pairs} - set(entities)
        for entity in session.scalars(select(Entity).where(Entity.id.in_(sorted(wanted)))):
            entities[entity.id] = entity
        for document_id, entity_id in pairs:
            entity = entities[int(entity_id)]
            found.context[int(document_id)].append((entity.kind, entity))
        for document_id, topic in session.execute(
            select(DocumentTopic.document_id, Topic)
            .join(Topic, Topic.id == DocumentTopic.topic_id)
            .where(DocumentTopic.document_id.in_(chunk))
        ):
            found.topics[int(document_id)].append(topic)
    return found


def candidate_views(session: Session, row: ScreeningList) -> dict[int, CandidateView]:
    """For each candidate of the list (by id): the documents and passages that mention it, newest
    first, with citations, and the units, places and topics of those documents."""
    candidates = [c for entry in row.entries for c in entry.candidates]
    found = _gather(session, candidates)
    citations: dict[int, Citation] = {}
    views: dict[int, CandidateView] = {}
    for candidate in candidates:
        docs = sorted(
            (found.documents[d] for d in candidate.documents if d in found.documents),
            key=lambda d: (_when(d), d.id),
            reverse=True,
        )
        sources = []
        for doc in docs[:DOCUMENTS_SHOWN]:
            if doc.id not in citations:
                citations[doc.id] = cite(session, doc)
            mentions = found.mentions.get((doc.id, candidate.entity_id or 0), [])
            passages = tuple(
                passage(doc.text, m.start, m.end)
                for m in mentions[:PASSAGES_SHOWN]
                if 0 <= m.start < m.end <= len(doc.text)
            )
            sources.append(Source(doc, passages, citations[doc.id]))
        units: Counter[int] = Counter()
        places: Counter[int] = Counter()
        topics: Counter[str] = Counter()
        entities: dict[int, Entity] = {}
        topic_rows: dict[str, Topic] = {}
        for doc in docs:
            for kind, entity in found.context.get(doc.id, []):
                entities[entity.id] = entity
                (units if kind in UNIT_KINDS else places)[entity.id] += 1
            for topic in found.topics.get(doc.id, []):
                topic_rows[topic.id] = topic
                topics[topic.id] += 1
        views[candidate.id] = CandidateView(
            candidate=candidate,
            sources=tuple(sources),
            more=max(0, len(docs) - DOCUMENTS_SHOWN),
            units=tuple((entities[i], n) for i, n in _ranked(units, entities)),
            places=tuple((entities[i], n) for i, n in _ranked(places, entities)),
            topics=tuple(
                (topic_rows[t], n) for t, n in sorted(topics.items(), key=lambda kv: (-kv[1], kv[0]))
            ),
        )
    return views


def _ranked(counts: Counter[int], entities: dict[int, Entity], limit: int = 12) -> list[tuple[int, int]]:
    return sorted(counts.items(), key=lambda kv: (-kv[1], entities[kv[0]].canonical_name))[:limit]
