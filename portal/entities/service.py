"""Curating entities: adding aliases (with the mentions they reveal) and merging duplicates.

Every document whose mentions change gets an ``IndexChange`` so the search index follows; the
index itself is written by the index job, never here. No Flask: the views add the audit events.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, selectinload

from portal.models import Document, Entity, IndexChange, Mention

MAX_ALIAS = 300
MAX_ALIASES = 200
GROUP_KINDS = frozenset({"armed_group", "state_force"})


class EntityError(ValueError):
    """A curation request that cannot be carried out, with a message for the user."""


def resolve(session: Session, entity: Entity) -> Entity:
    """Follow merges to the entity that absorbed this one (guards against cycles)."""
    seen = {entity.id}
    while entity.merged_into_id is not None:
        target = session.get(Entity, entity.merged_into_id)
        if target is None or target.id in seen:
            break
        seen.add(target.id)
        entity = target
    return entity


def fill_from_gazetteer(entity: Entity) -> bool:
    """Fill a group's or force's missing type, UCDP name and Wikidata id from the gazetteer."""
    if entity.kind not in GROUP_KINDS:
        return False
    from nlp.lookup import group_info

    info: dict[str, Any] | None = group_info(entity.key)
    if not info:
        return False
    changed = False
    if not entity.entity_type and info.get("type"):
        entity.entity_type = str(info["type"])[:60]
        changed = True
    if not entity.ucdp_name and info.get("ucdp"):
        entity.ucdp_name = str(info["ucdp"])[:300]
        changed = True
    if not entity.wikidata_id and info.get("wikidata"):
        entity.wikidata_id = str(info["wikidata"])[:20]
        changed = True
    return changed


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def occurrences(text: str, alias: str) -> list[tuple[int, int]]:
    """Where ``alias`` stands as whole words in ``text``, case-sensitive."""
    pattern = re.compile(r"(?<!\w)" + re.escape(alias) + r"(?!\w)")
    return [(m.start(), m.end()) for m in pattern.finditer(text)]


@dataclass(frozen=True)
class AliasResult:
    alias: str
    mentions: int
    documents: tuple[int, ...]


def add_alias(session: Session, entity: Entity, alias: str) -> AliasResult:
    """Add an alias and a mention for each of its occurrences not yet covered by another mention."""
    alias = " ".join(alias.split())
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in alias):
        raise EntityError(_("an alias holds no control characters"))
    if len(alias) < 2 or len(alias) > MAX_ALIAS:
        raise EntityError(_("an alias has 2 to %(n)s characters", n=MAX_ALIAS))
    if entity.merged_into_id is not None:
        raise EntityError(_("this entity was merged into another: add the alias there"))
    if alias == entity.canonical_name or alias in (entity.aliases or []):
        raise EntityError(
            _("“%(alias)s” is already a name of %(name)s", alias=alias, name=entity.canonical_name)
        )
    if len(entity.aliases or []) >= MAX_ALIASES:
        raise EntityError(_("an entity holds at most %(n)s aliases", n=MAX_ALIASES))
    entity.aliases = [*(entity.aliases or []), alias]
    candidates = session.execute(
        select(Document.id, Document.text).where(Document.text.like(_like_pattern(alias), escape="\\"))
    ).all()
    added = 0
    touched: list[int] = []
    for doc_id, text in candidates:
        spans = occurrences(text, alias)
        if not spans:
            continue
        taken = session.execute(select(Mention.start, Mention.end).where(Mention.document_id == doc_id)).all()
        new = [(s, e) for s, e in spans if not any(s < te and ts < e for ts, te in taken)]
        for start, end in new:
            session.add(
                Mention(
                    document_id=doc_id,
                    entity_id=entity.id,
                    start=start,
                    end=end,
                    text=alias[:500],
                    kind=entity.kind,
                )
            )
        if new:
            added += len(new)
            touched.append(doc_id)
            session.add(IndexChange(document_id=doc_id, op="upsert"))
    session.flush()
    return AliasResult(alias, added, tuple(touched))


@dataclass(frozen=True)
class MergeResult:
    target_id: int
    merged_id: int
    mentions: int
    documents: tuple[int, ...]


def merge(session: Session, target: Entity, duplicate: Entity) -> MergeResult:
    """Merge ``duplicate`` into ``target``: its mentions, names and identifiers move to ``target``."""
    if target.id == duplicate.id:
        raise EntityError(_("an entity cannot be merged into itself"))
    if duplicate.merged_into_id is not None:
        raise EntityError(_("%(name)s was merged already", name=duplicate.canonical_name))
    if target.merged_into_id is not None:
        raise EntityError(_("%(name)s was itself merged into another entity", name=target.canonical_name))
    doc_ids = tuple(
        sorted(
            session.scalars(select(Mention.document_id).where(Mention.entity_id == duplicate.id).distinct())
        )
    )
    moved = session.execute(
        update(Mention).where(Mention.entity_id == duplicate.id).values(entity_id=target.id)
    )
    names = [*(target.aliases or [])]
    for name in [duplicate.canonical_name, *(duplicate.aliases or [])]:
        if name and name != target.canonical_name and name not in names:
            names.append(name[:MAX_ALIAS])
    target.aliases = names[:MAX_ALIASES]
    target.country_codes = sorted({*(target.country_codes or []), *(duplicate.country_codes or [])})
    target.ucdp_name = target.ucdp_name or duplicate.ucdp_name
    target.wikidata_id = target.wikidata_id or duplicate.wikidata_id
    target.entity_type = target.entity_type or duplicate.entity_type
    duplicate.merged_into_id = target.id
    session.execute(
        update(Entity).where(Entity.merged_into_id == duplicate.id).values(merged_into_id=target.id)
    )
    for doc_id in doc_ids:
        session.add(IndexChange(document_id=doc_id, op="upsert"))
    session.flush()
    return MergeResult(target.id, duplicate.id, int(getattr(moved, "rowcount", 0) or 0), doc_ids)


# ---------------------------------------------------------------- reading


def mention_count(session: Session, entity_id: int) -> int:
    return int(
        session.scalar(select(func.count()).select_from(Mention).where(Mention.entity_id == entity_id)) or 0
    )


def timeline(session: Session, entity_id: int) -> list[tuple[str, int]]:
    """Mentions per month (YYYY-MM) of the documents' dates, oldest first, with empty months filled."""
    dates = session.scalars(
        select(func.coalesce(Document.published_at, Document.retrieved_at))
        .join(Mention, Mention.document_id == Document.id)
        .where(Mention.entity_id == entity_id)
    ).all()
    counts = Counter(d.strftime("%Y-%m") for d in dates if d is not None)
    if not counts:
        return []
    first, last = min(counts), max(counts)
    months: list[tuple[str, int]] = []
    year, month = int(first[:4]), int(first[5:])
    while f"{year:04d}-{month:02d}" <= last and len(months) < 600:
        key = f"{year:04d}-{month:02d}"
        months.append((key, counts.get(key, 0)))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def co_mentioned(session: Session, entity_id: int, limit: int = 15) -> list[tuple[Entity, int]]:
    """Other entities by the number of documents they share with this one."""
    docs = select(Mention.document_id).where(Mention.entity_id == entity_id).distinct().scalar_subquery()
    shared = func.count(func.distinct(Mention.document_id))
    rows = session.execute(
        select(Mention.entity_id, shared)
        .where(Mention.document_id.in_(docs), Mention.entity_id != entity_id)
        .group_by(Mention.entity_id)
        .order_by(shared.desc(), Mention.entity_id)
        .limit(limit)
    ).all()
    entities = {e.id: e for e in session.scalars(select(Entity).where(Entity.id.in_([r[0] for r in rows])))}
    return [(entities[e], int(n)) for e, n in rows if e in entities]


def latest_documents(session: Session, entity_id: int, limit: int = 15) -> list[Document]:
    when = func.coalesce(Document.published_at, Document.retrieved_at)
    return list(
        session.scalars(
            select(Document)
            .where(Document.id.in_(select(Mention.document_id).where(Mention.entity_id == entity_id)))
            .options(selectinload(Document.source))
            .order_by(when.desc(), Document.id.desc())
            .limit(limit)
        )
    )
