"""Tables of the digests and of the scheduler's run log.

* :class:`DigestSubscription`: one per user, what they follow and when they want it;
* :class:`DigestDelivery`: the delivery log, one row per (user, period), the guarantee that a
  digest is sent at most once and no period is skipped;
* :class:`JobRun` and :class:`ScheduledJob`: what the scheduler ran and what it plans, for the
  admin page and ``coi jobs`` (read by processes that do not run the scheduler).

The tables are created by the Alembic revision ``0003``; this module only describes them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base
from portal.models import SavedSearch, User, UTCDateTime, utcnow

FREQUENCIES = ("daily", "weekly")

# delivery states: pending (claimed, to send), sending (taken by one sender, SMTP not yet given
# the message), transmitting (message handed to SMTP, outcome not yet known), sent, empty
# (nothing new: nothing sent), skipped (no address), failed (refused for good), uncertain
# (the outcome of a transmission is unknown: never re-sent automatically)
DELIVERY_STATES = (
    "pending",
    "sending",
    "transmitting",
    "sent",
    "empty",
    "skipped",
    "failed",
    "uncertain",
)

subscription_saved_searches = Table(
    "digest_saved_searches",
    Base.metadata,
    Column(
        "subscription_id",
        ForeignKey("digest_subscriptions.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column(
        "saved_search_id",
        ForeignKey("saved_searches.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


class DigestSubscription(Base):
    """A user's digest: countries, topics, saved searches, briefings; daily or weekly at a local time."""

    __tablename__ = "digest_subscriptions"
    __table_args__ = (
        CheckConstraint("frequency IN ('daily', 'weekly')", name="frequency"),
        CheckConstraint("weekday >= 0 AND weekday <= 6", name="weekday"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    countries: Mapped[list[str]] = mapped_column(JSON, default=list)  # ISO alpha-2
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)  # nlp.topics ids
    briefings: Mapped[bool] = mapped_column(Boolean, default=False)
    frequency: Mapped[str] = mapped_column(String(10), default="daily")
    weekday: Mapped[int] = mapped_column(Integer, default=0)  # 0 = Monday, used when weekly
    send_at: Mapped[str] = mapped_column(String(5), default="07:00")  # HH:MM, local time
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Amsterdam")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()
    saved_searches: Mapped[list[SavedSearch]] = relationship(
        secondary=subscription_saved_searches, order_by="SavedSearch.name"
    )

    @property
    def follows_anything(self) -> bool:
        return bool(self.countries or self.topics or self.saved_searches or self.briefings)


class DigestDelivery(Base):
    """One digest for one user and one period (a local date, or an ISO week such as 2026-W48)."""

    __tablename__ = "digest_deliveries"
    __table_args__ = (
        UniqueConstraint("user_id", "period"),
        Index("ix_digest_deliveries_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    period: Mapped[str] = mapped_column(String(16))
    frequency: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(20), default="pending")
    window_start: Mapped[datetime] = mapped_column(UTCDateTime)
    window_end: Mapped[datetime] = mapped_column(UTCDateTime)
    message_id: Mapped[str] = mapped_column(String(300))
    recipient: Mapped[str] = mapped_column(String(300), default="")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claim_token: Mapped[str | None] = mapped_column(String(64), nullable=True)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    item_count: Mapped[int] = mapped_column(Integer, default=0)
    document_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    user: Mapped[User] = relationship()


class JobRun(Base):
    """One run of one scheduled job: when, whether it worked, the error or a short result."""

    __tablename__ = "job_runs"
    __table_args__ = (Index("ix_job_runs_job_started", "job_id", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[str] = mapped_column(String(100))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    ok: Mapped[bool | None] = mapped_column(Boolean, nullable=True)  # None while running
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    result: Mapped[str] = mapped_column(String(1000), default="")

    def as_dict(self) -> dict[str, Any]:
        return {
            "job_id": self.job_id,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "ok": self.ok,
            "error": self.error,
            "result": self.result,
        }


class ScheduledJob(Base):
    """A job as the running scheduler last published it (its trigger and next run)."""

    __tablename__ = "scheduled_jobs"

    job_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str] = mapped_column(String(300), default="")
    trigger: Mapped[str] = mapped_column(String(300), default="")
    next_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
