"""Screen a list of names against the person entities the tagger stored.

Reads the CSV a researcher hands in (header ``name,aliases,birth_year,nationality,unit``; only
``name`` is required; aliases separated by ``;``), builds a :class:`nlp.names.NameIndex` of every
person entity (its canonical name and aliases), and answers, per input name, the candidates best
first with their scores, reasons and the documents that mention them. The groups co-mentioned in
those documents count as the person's units when the query names one.

What it does not do: store the list or the answers (the caller decides), or index anything for
search.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from nlp.names import DEFAULT_THRESHOLD, NameIndex, NameQuery, StoredName
from portal.models import Entity, Mention

__all__ = ["ScreeningError", "parse_list", "screen"]

MAX_NAMES = 1000
GROUP_KINDS = ("armed_group", "state_force")


class ScreeningError(ValueError):
    """The list cannot be read; the message says where."""


@dataclass(frozen=True)
class Entry:
    query: NameQuery


def parse_list(text: str) -> list[NameQuery]:
    """The names of a screening list in CSV; :class:`ScreeningError` on a bad list."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    fields = [f.strip().lower() for f in reader.fieldnames or []]
    if "name" not in fields:
        raise ScreeningError("the list needs a header line with a 'name' column")
    reader.fieldnames = fields
    queries: list[NameQuery] = []
    for line, row in enumerate(reader, start=2):
        name = (row.get("name") or "").strip()
        if not name:
            continue
        year_text = (row.get("birth_year") or "").strip()
        if year_text and not (year_text.isdigit() and 1900 <= int(year_text) <= 2100):
            raise ScreeningError(f"line {line}: birth_year must be a year, not {year_text!r}")
        aliases = tuple(a.strip() for a in (row.get("aliases") or "").split(";") if a.strip())
        queries.append(
            NameQuery(
                name=name,
                aliases=aliases,
                birth_year=int(year_text) if year_text else None,
                nationality=(row.get("nationality") or "").strip() or None,
                unit=(row.get("unit") or "").strip() or None,
            )
        )
        if len(queries) > MAX_NAMES:
            raise ScreeningError(f"a list holds at most {MAX_NAMES} names")
    if not queries:
        raise ScreeningError("the list holds no names")
    return queries


def _index(session: Session) -> tuple[NameIndex, dict[str, list[int]]]:
    people = session.scalars(select(Entity).where(Entity.kind == "person", Entity.merged_into_id.is_(None)))
    documents: dict[str, list[int]] = defaultdict(list)
    for entity_id, document_id in session.execute(
        select(Mention.entity_id, Mention.document_id).where(Mention.kind == "person").distinct()
    ):
        documents[str(entity_id)].append(int(document_id))
    units: dict[int, set[str]] = defaultdict(set)
    for document_id, name in session.execute(
        select(Mention.document_id, Entity.canonical_name)
        .join(Entity, Entity.id == Mention.entity_id)
        .where(Mention.kind.in_(GROUP_KINDS))
        .distinct()
    ):
        units[int(document_id)].add(str(name))
    stored: list[StoredName] = []
    for person in people:
        key = str(person.id)
        person_units = tuple(sorted({u for d in documents.get(key, []) for u in units.get(d, set())}))
        for name in {person.canonical_name, *(person.aliases or [])}:
            stored.append(StoredName(key=key, name=name, units=person_units))
    return NameIndex(stored), documents


def screen(session: Session, queries: list[NameQuery], *, limit: int = 5) -> list[dict[str, Any]]:
    """For each query: ``{"query", "candidates": [{"name", "score", "match", "reasons",
    "documents"}]}``, best first; ``match`` is true at or above the default threshold."""
    index, documents = _index(session)
    answers: list[dict[str, Any]] = []
    for query in queries:
        seen: set[str] = set()
        candidates = []
        for candidate in index.search(query, limit=limit * 3):
            if candidate.key in seen:
                continue
            seen.add(candidate.key)
            candidates.append(
                {
                    "entity_id": int(candidate.key),
                    "name": candidate.name,
                    "score": candidate.score,
                    "match": candidate.score >= DEFAULT_THRESHOLD,
                    "reasons": list(candidate.reasons),
                    "documents": sorted(documents.get(candidate.key, [])),
                }
            )
            if len(candidates) == limit:
                break
        answers.append({"query": query.name, "candidates": candidates})
    return answers
