"""Creating, finding and re-anchoring annotations; who may see and change them."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import Session

from portal.annotations.anchoring import Anchor, make_anchor, resolve
from portal.annotations.models import Annotation
from portal.models import Document, User, utcnow

MAX_COMMENT = 20_000
MAX_TAGS = 20
_TAG = re.compile(r"[^\w\- ]+", re.UNICODE)


class AnnotationError(ValueError):
    """A request to annotate that cannot be carried out, with a message for the user."""


def clean_tags(raw: Iterable[str] | str) -> list[str]:
    items = raw.split(",") if isinstance(raw, str) else list(raw)
    tags: list[str] = []
    for item in items:
        tag = _TAG.sub("", str(item)).strip().lower()[:40]
        if tag and tag not in tags:
            tags.append(tag)
    return tags[:MAX_TAGS]


def create(
    session: Session,
    doc: Document,
    user: User,
    start: int,
    end: int,
    comment: str = "",
    tags: Iterable[str] | str = (),
    shared: bool = True,
) -> Annotation:
    try:
        anchor = make_anchor(doc.text, start, end)
    except ValueError as exc:
        raise AnnotationError(str(exc)) from None
    if len(comment) > MAX_COMMENT:
        raise AnnotationError(f"a comment holds at most {MAX_COMMENT} characters")
    note = Annotation(
        document_id=doc.id,
        user_id=user.id,
        version=doc.version,
        start=anchor.start,
        end=anchor.end,
        exact=anchor.exact,
        prefix=anchor.prefix,
        suffix=anchor.suffix,
        comment=comment,
        tags=clean_tags(tags),
        shared=shared,
        orphaned=False,
    )
    session.add(note)
    session.flush()
    return note


def reanchor(session: Session, doc: Document) -> tuple[int, int]:
    """Find every annotation of ``doc`` in its current text; returns (re-anchored, orphaned)."""
    moved = orphaned = 0
    notes = session.scalars(
        select(Annotation).where(Annotation.document_id == doc.id, Annotation.version != doc.version)
    ).all()
    for note in notes:
        found = resolve(doc.text, Anchor(note.start, note.end, note.exact, note.prefix, note.suffix))
        note.version = doc.version
        if found is None:
            note.orphaned = True
            orphaned += 1
        else:
            note.start, note.end, note.orphaned = found.start, found.end, False
            moved += 1
    return moved, orphaned


def visible_to(user: User) -> Any:
    """The condition for annotations a user may read: their own and those shared with the team."""
    return _readable_by(user.id)


def _readable_by(user_id: Any) -> Any:
    return or_(Annotation.user_id == user_id, Annotation.shared.is_(True))


def can_change(note: Annotation, user: User) -> bool:
    return note.user_id == user.id


#: the notes on one document that a user may read, newest first: built once, since every document
#: page shows them
_ON_DOCUMENT = (
    select(Annotation)
    .where(Annotation.document_id == bindparam("document_id"), _readable_by(bindparam("user_id")))
    .order_by(Annotation.id.desc())
    .limit(bindparam("limit"))
)


def on_document(session: Session, user: User, document_id: int, limit: int = 500) -> Sequence[Annotation]:
    """The notes on document ``document_id`` that ``user`` may read (as :func:`search` with only
    ``document_id``)."""
    return session.scalars(
        _ON_DOCUMENT, {"document_id": document_id, "user_id": user.id, "limit": limit}
    ).all()


def search(
    session: Session,
    user: User,
    *,
    query: str = "",
    tag: str = "",
    mine_only: bool = False,
    document_id: int | None = None,
    limit: int = 200,
    offset: int = 0,
) -> Sequence[Annotation]:
    stmt = select(Annotation).where(visible_to(user)).order_by(Annotation.id.desc())
    if mine_only:
        stmt = stmt.where(Annotation.user_id == user.id)
    if document_id is not None:
        stmt = stmt.where(Annotation.document_id == document_id)
    if query:
        like = f"%{query.lower()[:200]}%"
        from sqlalchemy import func

        stmt = stmt.where(
            or_(func.lower(Annotation.exact).like(like), func.lower(Annotation.comment).like(like))
        )
    rows = session.scalars(stmt.limit(limit * 4 if tag else limit).offset(offset)).all()
    if tag:
        wanted = clean_tags([tag])
        rows = [r for r in rows if wanted and wanted[0] in (r.tags or [])][:limit]
    return rows


def as_dict(note: Annotation) -> dict[str, Any]:
    return {
        "id": note.id,
        "document_id": note.document_id,
        "document_title": note.document.title,
        "author": note.user.username,
        "version": note.version,
        "start": note.start,
        "end": note.end,
        "exact": note.exact,
        "prefix": note.prefix,
        "suffix": note.suffix,
        "orphaned": note.orphaned,
        "comment": note.comment,
        "tags": list(note.tags or []),
        "shared": note.shared,
        "created_at": note.created_at.isoformat(),
        "updated_at": note.updated_at.isoformat(),
    }


def to_json(notes: Iterable[Annotation]) -> str:
    return json.dumps([as_dict(n) for n in notes], ensure_ascii=False, indent=2)


CSV_FIELDS = [
    "id",
    "document_id",
    "document_title",
    "author",
    "exact",
    "comment",
    "tags",
    "shared",
    "orphaned",
    "version",
    "start",
    "end",
    "created_at",
    "updated_at",
]


def to_csv(notes: Iterable[Annotation]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, extrasaction="ignore")
    writer.writeheader()
    for note in notes:
        row = as_dict(note)
        row["tags"] = ";".join(row["tags"])
        # keep spreadsheet programs from running cell contents as formulas
        for key in ("document_title", "exact", "comment", "tags"):
            if str(row[key]).startswith(("=", "+", "-", "@")):
                row[key] = "'" + str(row[key])
        writer.writerow(row)
    return out.getvalue()


def touch(note: Annotation) -> None:
    note.updated_at = utcnow()
