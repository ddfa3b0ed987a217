"""Rows many tests start from: a source, and a document of it with a given text."""

from __future__ import annotations

from hashlib import sha256
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from portal.db import transaction
from portal.models import Document, Source


def add_document(
    session: Session, text: str, *, title: str = "A report", source: str = "S", **fields: Any
) -> Document:
    """A document in `session` (flushed, so it has its id), of the source named `source`,
    which is made when the database has none of that name yet."""
    row = session.scalar(select(Source).where(Source.name == source))
    if row is None:
        slug = sha256(source.encode()).hexdigest()[:8]
        row = Source(
            name=source,
            kind="rss",
            url=f"https://example.org/{slug}/feed",
            countries=[],
            themes=[],
            options={},
        )
        session.add(row)
        session.flush()
    digest = sha256(f"{title}\n{text}".encode()).hexdigest()
    fields.setdefault("url", f"https://example.org/{digest[:12]}")
    fields.setdefault("version", 1)
    doc = Document(source_id=row.id, title=title, text=text, content_sha256=digest, **fields)
    session.add(doc)
    session.flush()
    return doc


def one_document(factory: sessionmaker[Session], text: str, **kwargs: Any) -> int:
    """The id of a new document (see :func:`add_document`), committed."""
    with transaction(factory) as session:
        return add_document(session, text, **kwargs).id
