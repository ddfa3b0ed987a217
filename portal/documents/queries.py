"""The document with all that its page and its API answer show, in one place."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from portal.models import Document, DocumentVersion, Mention


def full_document(session: Session, doc_id: int) -> Document | None:
    """The document with its source, countries, topics, mentions (with their entities) and
    versions (with their stored copies), or None."""
    return session.scalar(
        select(Document)
        .where(Document.id == doc_id)
        .options(
            selectinload(Document.source),
            selectinload(Document.countries),
            selectinload(Document.topics),
            selectinload(Document.versions).selectinload(DocumentVersion.snapshots),
            selectinload(Document.mentions).selectinload(Mention.entity),
        )
    )
