"""Screen a list of names against the person entities the tagger stored.

Reads the CSV a researcher hands in (header ``name,aliases,birth_year,nationality,unit``; only
``name`` is required; aliases separated by ``;``), builds a :class:`nlp.names.NameIndex` of every
person entity (its canonical name and aliases), and answers, per input name, the candidates best
first with their scores, reasons and the documents that mention them. The groups co-mentioned in
those documents count as the person's units when the query names one.

The index of person names is built once per process and database, and built again only when the
database's people change (see :func:`_fingerprint`): building it for 100,000 names takes longer
than screening a list against it.

What it does not do: store the list or the answers (:mod:`portal.screening.lists` does), or index
anything for search.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, cast, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, aliased

from nlp.names import DEFAULT_THRESHOLD, Candidate, NameIndex, NameQuery, StoredName, read_cell
from portal.models import Entity, Mention

__all__ = ["ScreeningError", "decode_list", "documents_of", "parse_list", "people_index", "screen"]

MAX_NAMES = 1000
GROUP_KINDS = ("armed_group", "state_force")


class ScreeningError(ValueError):
    """The list cannot be read; the message says where."""


@dataclass(frozen=True)
class Entry:
    query: NameQuery


def parse_list(text: str) -> list[NameQuery]:
    """The names of a screening list in CSV; :class:`ScreeningError` on a bad list."""
    try:
        return _parse_list(text)
    except csv.Error as exc:  # a broken line: say so rather than fail
        raise ScreeningError(f"the list is not readable CSV: {exc}") from None


def decode_list(raw: bytes) -> str:
    """The text of an uploaded list: UTF-8, with or without its byte-order mark, or UTF-16 with its
    mark (Excel's "Unicode text"); :class:`UnicodeDecodeError` otherwise."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16")
    return raw.decode("utf-8-sig")


def _delimiter(header: str) -> str:
    """The delimiter of a list's header line: a comma, or the semicolon that spreadsheets write where
    the decimal sign is a comma, or a tab (Excel's "Unicode text")."""
    counts = {delimiter: header.count(delimiter) for delimiter in (",", ";", "\t")}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def _parse_list(text: str) -> list[NameQuery]:
    text = text.lstrip("\ufeff")
    header = text.split("\n", 1)[0]
    reader = csv.DictReader(io.StringIO(text), delimiter=_delimiter(header))
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
        # other names and a year written in the name's cell: "Yusuf Haddad a.k.a. Abu Layla (1979)"
        name, written, year = read_cell(name)
        queries.append(
            NameQuery(
                name=name,
                aliases=tuple(dict.fromkeys([*aliases, *written])),
                birth_year=int(year_text) if year_text else year,
                nationality=(row.get("nationality") or "").strip() or None,
                unit=(row.get("unit") or "").strip() or None,
            )
        )
        if len(queries) > MAX_NAMES:
            raise ScreeningError(f"a list holds at most {MAX_NAMES} names")
    if not queries:
        raise ScreeningError("the list holds no names")
    return queries


@dataclass(frozen=True)
class PeopleIndex:
    """The person names of one state of the database, with the units co-mentioned with each."""

    fingerprint: tuple[Any, ...]
    names: NameIndex


_CACHE: dict[str, PeopleIndex] = {}
_CACHE_LOCK = threading.Lock()


def _fingerprint(session: Session) -> tuple[Any, ...]:
    """A cheap summary that changes whenever the names, merges or mentions of people may have changed.

    New or re-tagged mentions raise the mentions' highest id or count; a new person raises the
    entities'; an alias makes the aliases longer; a merge sets ``merged_into_id``.
    """
    people = session.execute(
        select(
            func.count(Entity.id),
            func.max(Entity.id),
            func.count(Entity.merged_into_id),
            func.sum(func.length(Entity.canonical_name)),
            func.sum(func.length(cast(Entity.aliases, String))),
        ).where(Entity.kind == "person")
    ).one()
    mentions = session.execute(select(func.count(Mention.id), func.max(Mention.id))).one()
    return (*people, *mentions)


def _build(session: Session, fingerprint: tuple[Any, ...], previous: PeopleIndex | None) -> PeopleIndex:
    person = aliased(Mention)
    group = aliased(Mention)
    units: dict[int, list[str]] = defaultdict(list)
    for entity_id, name in session.execute(
        select(person.entity_id, Entity.canonical_name)
        .join(group, group.document_id == person.document_id)
        .join(Entity, Entity.id == group.entity_id)
        .where(person.kind == "person", group.kind.in_(GROUP_KINDS))
        .distinct()
    ):
        units[int(entity_id)].append(str(name))
    stored: list[StoredName] = []
    # the aliases as JSON text: most people have none, and decoding "[]" 100,000 times costs
    people = session.execute(
        select(Entity.id, Entity.canonical_name, cast(Entity.aliases, String)).where(
            Entity.kind == "person", Entity.merged_into_id.is_(None)
        )
    )
    for entity_id, canonical_name, aliases_json in people:
        person_units = tuple(sorted(units.get(entity_id, ())))
        aliases = json.loads(aliases_json) if aliases_json and aliases_json.strip() != "[]" else []
        for name in {canonical_name, *aliases}:
            stored.append(StoredName(key=str(entity_id), name=name, units=person_units))
    return PeopleIndex(fingerprint, NameIndex(stored, reuse=previous.names if previous else None))


def people_index(session: Session) -> PeopleIndex:
    """The index of the database ``session`` reads, reused while :func:`_fingerprint` is unchanged."""
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    key = engine.url.render_as_string(hide_password=True)
    fingerprint = _fingerprint(session)
    with _CACHE_LOCK:
        cached = _CACHE.get(key)
        if cached is not None and cached.fingerprint == fingerprint:
            return cached
        built = _build(session, fingerprint, cached)
        _CACHE[key] = built
        return built


def documents_of(session: Session, entity_ids: Iterable[int]) -> dict[int, list[int]]:
    """The documents that mention each of these persons, by id."""
    ids = sorted(set(entity_ids))
    found: dict[int, list[int]] = {i: [] for i in ids}
    for start in range(0, len(ids), 500):
        for entity_id, document_id in session.execute(
            select(Mention.entity_id, Mention.document_id)
            .where(Mention.entity_id.in_(ids[start : start + 500]), Mention.kind == "person")
            .distinct()
        ):
            found[int(entity_id)].append(int(document_id))
    return {i: sorted(docs) for i, docs in found.items()}


def screen(session: Session, queries: list[NameQuery], *, limit: int = 5) -> list[dict[str, Any]]:
    """For each query: ``{"query", "candidates": [{"entity_id", "name", "score", "match", "reasons",
    "documents"}]}``, best first; ``match`` is true at or above the default threshold."""
    index = people_index(session).names
    found: list[tuple[NameQuery, list[Candidate]]] = []
    for query in queries:
        seen: set[str] = set()
        candidates: list[Candidate] = []
        for candidate in index.search(query, limit=limit * 3):
            if candidate.key in seen:
                continue
            seen.add(candidate.key)
            candidates.append(candidate)
            if len(candidates) == limit:
                break
        found.append((query, candidates))
    documents = documents_of(session, (int(c.key) for _, candidates in found for c in candidates))
    return [
        {
            "query": query.name,
            "candidates": [
                {
                    "entity_id": int(c.key),
                    "name": c.name,
                    "score": c.score,
                    "match": c.score >= DEFAULT_THRESHOLD,
                    "reasons": list(c.reasons),
                    "documents": documents.get(int(c.key), []),
                }
                for c in candidates
            ],
        }
        for query, candidates in found
    ]
