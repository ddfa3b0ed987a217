"""Tables for work shared by several workers: leases on batches and claims on job runs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base
from portal.models import UTCDateTime


class WorkClaim(Base):
    """A worker's lease on one item (``kind`` ``tag``: a document to tag) until ``expires_at``.

    A worker killed mid-batch leaves its rows behind; once they expire another worker takes the
    items again, because the work itself (the document's ``processed_at``) was never marked done.
    """

    __tablename__ = "work_claims"

    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    item_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    worker: Mapped[str] = mapped_column(String(200))
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class JobClaim(Base):
    """The last run of a job that must not run twice in a short time (``collect:7``), and who ran it."""

    __tablename__ = "job_claims"

    job_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    worker: Mapped[str] = mapped_column(String(200))
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime)
