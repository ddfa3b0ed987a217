"""Briefings, their items and the desks they are drafted for.

A published briefing is frozen: a session hook refuses to flush any change to it or its items.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, Float, ForeignKey, Integer, String, Text, UniqueConstraint, event, inspect
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from portal.db import Base
from portal.models import Document, User, UTCDateTime, utcnow


class Desk(Base):
    """A group of countries a briefing covers; without desks, each country is its own desk."""

    __tablename__ = "desks"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    countries: Mapped[list[str]] = mapped_column(JSON, default=list)
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)


class Briefing(Base):
    """A draft or published briefing. Published rows never change: a correction is a new version."""

    __tablename__ = "briefings"
    __table_args__ = (UniqueConstraint("desk_key", "for_date", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    desk_key: Mapped[str] = mapped_column(String(60), index=True)
    desk_name: Mapped[str] = mapped_column(String(200))
    countries: Mapped[list[str]] = mapped_column(JSON, default=list)
    for_date: Mapped[date] = mapped_column(Date, index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(20), default="draft")  # draft | published
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")  # Markdown
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("briefings.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True, index=True)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)

    items: Mapped[list[BriefingItem]] = relationship(
        back_populates="briefing", order_by="BriefingItem.position", cascade="all, delete-orphan"
    )
    published_by: Mapped[User | None] = relationship()


class BriefingItem(Base):
    __tablename__ = "briefing_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    briefing_id: Mapped[int] = mapped_column(ForeignKey("briefings.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"))
    cluster_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    score: Mapped[float] = mapped_column(Float, default=0.0)
    summary: Mapped[str] = mapped_column(Text, default="")  # Markdown
    annotation_ids: Mapped[list[int]] = mapped_column(JSON, default=list)

    briefing: Mapped[Briefing] = relationship(back_populates="items")
    document: Mapped[Document] = relationship()


class PublishedBriefingError(RuntimeError):
    """Raised when a flush would change or delete a published briefing or one of its items."""


def _was_published(briefing: Briefing) -> bool:
    history = inspect(briefing).attrs.status.history
    before = history.deleted[0] if history.deleted else briefing.status
    return bool(before == "published")


def _changed(session: Session, obj: object) -> bool:
    return obj in session.deleted or session.is_modified(obj, include_collections=False)


@event.listens_for(Session, "before_flush")
def _refuse_changes_to_published(session: Session, _context: object, _instances: object) -> None:
    """Published briefings never change: refuse in the ORM whatever view or job tries it.

    Publishing itself (draft -> published) passes: the guard looks at the status before the flush.
    """
    with session.no_autoflush:
        for obj in [*session.dirty, *session.deleted, *session.new]:
            parent: Briefing | None = None
            if isinstance(obj, Briefing) and obj not in session.new and _changed(session, obj):
                parent = obj
            elif isinstance(obj, BriefingItem) and (obj in session.new or _changed(session, obj)):
                parent = obj.briefing
                if parent is None and obj.briefing_id is not None:
                    parent = session.get(Briefing, obj.briefing_id)
                if parent is not None and parent in session.new:
                    parent = None
            if parent is not None and _was_published(parent):
                raise PublishedBriefingError(f"briefing {parent.id} is published and cannot change")
