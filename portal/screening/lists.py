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
from collections.abc import Callable, Iterable
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


def _names(count: int) -> str:
    return f"{count} name" if count == 1 else f"{count} names"


def create_list(
    session: Session, user: User, title: str, text: str, untitled: Callable[[int], str] = _names
) -> ScreeningList:
    """Screen the names of a CSV text and keep the list with its candidates; :class:`ScreeningError`
    on a bad list. A list without a title is named by ``untitled`` (its number of names, in the
    author's language) and the time."""
    queries = parse_list(text)
    title = " ".join(title.split())[:MAX_TITLE]
    if any(ord(ch) < 32 for ch in title):
        raise ScreeningError("the title holds control characters")
    answers = screen(session, queries)
    row = ScreeningList(
        user_id=user.id,
        title=title or f"{untitled(len(queries))}, {utcnow():%Y-%m-%d %H:%M} UTC",
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
    """A sentence quoted from a document, in pieces: the names of the candidate marked."""

    pieces: tuple[tuple[str, bool], ...]  # (text, is a mention of the candidate)

    @property
    def text(self) -> str:
        return "".join(piece for piece, _ in self.pieces)

    def _first(self) -> int:
        return next((i for i, (_, marked) in enumerate(self.pieces) if marked), len(self.pieces))

    @property
    def before(self) -> str:
        """The text before the first mention."""
        return "".join(piece for piece, _ in self.pieces[: self._first()])

    @property
    def mention(self) -> str:
        """The first mention."""
        first = self._first()
        return self.pieces[first][0] if first < len(self.pieces) else ""

    @property
    def after(self) -> str:
        """The text after the first mention."""
        return "".join(piece for piece, _ in self.pieces[self._first() + 1 :])


def _bounds(text: str, start: int, end: int, reach: int) -> tuple[int, int]:
    """Where the sentence around ``text[start:end]`` begins and ends, cut at ``reach`` characters
    on each side."""
    stop = text.rfind(". ", 0, start)
    left = max(stop + 2 if stop != -1 else 0, text.rfind("\n", 0, start) + 1)
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
    return left, right


def _excerpt(text: str, left: int, right: int, spans: list[tuple[int, int]]) -> Passage:
    pieces: list[tuple[str, bool]] = [("… " if left > 0 else "", False)]
    at = left
    for start, end in sorted(spans, key=lambda span: (span[0], -span[1])):
        if start < at:
            continue  # overlaps the (longer) mention before it
        pieces += [(text[at:start], False), (text[start:end], True)]
        at = end
    tail = text[at:right].rstrip() + (" …" if right < len(text.rstrip()) else "")
    pieces.append((tail, False))
    merged: list[tuple[str, bool]] = []
    for piece, marked in pieces:
        if merged and not marked and not merged[-1][1]:
            merged[-1] = (merged[-1][0] + piece, False)
        elif piece or marked:
            merged.append((piece, marked))
    return Passage(tuple(merged))


def passage(text: str, start: int, end: int, reach: int = REACH) -> Passage:
    """The sentence around ``text[start:end]``, cut at ``reach`` characters on each side."""
    return _excerpt(text, *_bounds(text, start, end, reach), [(start, end)])


def passages(
    text: str, spans: Iterable[tuple[int, int]], limit: int = PASSAGES_SHOWN, reach: int = REACH
) -> tuple[Passage, ...]:
    """The sentences around the first ``limit`` sentences' worth of ``spans``, one passage per
    sentence: two names of the candidate in one sentence ("Yusuf Haddad, known as Abu Layla")
    are marked in one quote, not quoted twice."""
    windows: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for start, end in spans:
        if not 0 <= start < end <= len(text):
            continue
        bounds = _bounds(text, start, end, reach)
        if bounds not in windows:
            if len(windows) >= limit:
                continue
            windows[bounds] = []
        windows[bounds].append((start, end))
    return tuple(_excerpt(text, left, right, found) for (left, right), found in windows.items())


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
            quoted = passages(doc.text, ((m.start, m.end) for m in mentions))
            sources.append(Source(doc, quoted, citations[doc.id]))
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
