"""How a briefing item is cited: the publisher, dates, original address and the stored copy.

A citation in an asylum decision must point to what the portal kept, not to a live page that
may change: the stored copy is the newest snapshot of the document version the item shows.
No writes, no Flask (the caller turns the copy into an address).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Document, DocumentVersion, Snapshot


def english_day(value: datetime) -> str:
    return value.strftime("%d %B %Y")


@dataclass(frozen=True)
class Wording:
    """How a citation reads in one language: its sentence (%-style placeholders) and its dates."""

    line: str = "%(publisher)s, “%(title)s”, %(published)s, %(kept)s, accessed %(accessed)s; original %(url)s"
    kept: str = "stored copy %(url)s (SHA-256 %(sha)s)"
    undated: str = "undated"
    day: Callable[[datetime], str] = field(default=english_day)


@dataclass(frozen=True)
class Citation:
    document_id: int
    title: str
    publisher: str
    published_at: datetime | None
    accessed_at: datetime
    url: str
    snapshot_id: int | None
    sha256: str | None

    def text(self, copy_url: str | None, wording: Wording | None = None) -> str:
        """The citation as one line of text (the stored copy's address when there is one), in the
        language of ``wording`` (English by default)."""
        words = wording or Wording()
        published = words.day(self.published_at) if self.published_at else words.undated
        where = copy_url or self.url
        kept = words.kept % {"url": where, "sha": self.sha256[:12]} if copy_url and self.sha256 else where
        return words.line % {
            "publisher": self.publisher,
            "title": self.title,
            "published": published,
            "kept": kept,
            "accessed": words.day(self.accessed_at),
            "url": self.url,
        }


def stored_copy(session: Session, document_id: int) -> Snapshot | None:
    """The newest snapshot of the newest version of a document that has one."""
    return session.scalar(
        select(Snapshot)
        .join(DocumentVersion, DocumentVersion.id == Snapshot.version_id)
        .where(DocumentVersion.document_id == document_id)
        .order_by(DocumentVersion.version.desc(), Snapshot.id.desc())
        .limit(1)
    )


def cite(session: Session, doc: Document) -> Citation:
    snap = stored_copy(session, doc.id)
    return Citation(
        document_id=doc.id,
        title=doc.title,
        publisher=doc.source.publisher or doc.source.name,
        published_at=doc.published_at,
        accessed_at=snap.fetched_at if snap is not None else doc.retrieved_at,
        url=doc.url,
        snapshot_id=snap.id if snap is not None else None,
        sha256=snap.sha256 if snap is not None else None,
    )
