"""Work claimed in batches by any number of workers, and jobs that must not run twice at once.

Tagging: a worker claims up to ``size`` untagged documents in one short transaction. It selects
candidates ``FOR UPDATE SKIP LOCKED`` (so two workers claiming at the same moment pick different
rows on PostgreSQL) that have no live lease, and writes a lease row per document with
``INSERT … ON CONFLICT DO UPDATE … WHERE expired RETURNING``: only the rows it really got come
back, so a race between two snapshots can never hand one document to two workers. It tags
outside any transaction, then stores the tags and drops its leases in one transaction. A worker
killed mid-batch has stored nothing; its leases expire after ``lease`` and another worker takes
the documents. Plain ``SELECT … FOR UPDATE SKIP LOCKED`` on the database the portal already uses
was chosen over a task queue such as procrastinate: the work items already exist as rows (a
document without ``processed_at``), so a queue would duplicate them and add a dependency.

On SQLite (one machine, one writer) the same code runs; ``FOR UPDATE`` is simply not emitted.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from portal.cluster.models import JobClaim, WorkClaim
from portal.db import transaction
from portal.models import Document, utcnow

TAG = "tag"
DEFAULT_LEASE = timedelta(minutes=10)


def worker_name() -> str:
    """This process, as recorded on its claims: ``host:pid``."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _insert(session: Session, table: Any) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def claim_untagged(
    factory: sessionmaker[Session],
    *,
    worker: str,
    size: int,
    lease: timedelta = DEFAULT_LEASE,
    now: datetime | None = None,
) -> list[int]:
    """Lease up to ``size`` untagged documents that nobody holds a live lease on; their ids."""
    now = now or utcnow()
    with transaction(factory) as session:
        live = select(WorkClaim.item_id).where(WorkClaim.kind == TAG, WorkClaim.expires_at > now)
        candidates = list(
            session.scalars(
                select(Document.id)
                .where(Document.processed_at.is_(None), Document.id.not_in(live))
                .order_by(Document.id)
                .limit(size)
                .with_for_update(skip_locked=True)
            )
        )
        if not candidates:
            return []
        stmt = _insert(session, WorkClaim).values(
            [
                {"kind": TAG, "item_id": i, "worker": worker, "claimed_at": now, "expires_at": now + lease}
                for i in candidates
            ]
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=["kind", "item_id"],
            set_={"worker": worker, "claimed_at": now, "expires_at": now + lease},
            where=WorkClaim.expires_at <= now,
        ).returning(WorkClaim.item_id)
        got = sorted(session.scalars(stmt))
    return got


def release(session: Session, ids: Sequence[int], *, worker: str, kind: str = TAG) -> None:
    """Drop this worker's leases on ``ids`` (in the transaction that stores their results)."""
    if ids:
        session.execute(
            delete(WorkClaim).where(
                WorkClaim.kind == kind, WorkClaim.item_id.in_(list(ids)), WorkClaim.worker == worker
            )
        )


def process_claimed(
    factory: sessionmaker[Session],
    *,
    model: str | None,
    worker: str | None = None,
    batch_size: int = 64,
    limit: int | None = None,
    lease: timedelta = DEFAULT_LEASE,
    progress: Callable[[int], None] | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> int:
    """Tag untagged documents batch by batch, each batch claimed first; how many were tagged."""
    from nlp.pipeline import tag  # spaCy is imported here, never in the web process
    from portal.pipeline import store_tags, tag_inputs

    worker = worker or worker_name()
    done = 0
    while limit is None or done < limit:
        size = batch_size if limit is None else min(batch_size, limit - done)
        ids = claim_untagged(factory, worker=worker, size=size, lease=lease, now=clock())
        if not ids:
            break
        with transaction(factory) as session:
            docs = session.scalars(select(Document).where(Document.id.in_(ids)).order_by(Document.id)).all()
            inputs = tag_inputs(session, docs)
            versions = {d.id: d.version for d in docs}
        results = list(tag(inputs, model=model)) if inputs else []
        with transaction(factory) as session:
            store_tags(session, results, versions)
            release(session, ids, worker=worker)
        done += len(ids)
        if progress is not None:
            progress(len(ids))
    return done


def claim_run(
    factory: sessionmaker[Session], job_id: str, *, gap: timedelta, worker: str, now: datetime
) -> bool:
    """True when this caller may run ``job_id`` now: nobody claimed it within the last ``gap``.

    One atomic upsert, so of two schedulers that overlap for a moment only one gets True.
    """
    with transaction(factory) as session:
        stmt = (
            _insert(session, JobClaim)
            .values(job_id=job_id, worker=worker, claimed_at=now)
            .on_conflict_do_update(
                index_elements=["job_id"],
                set_={"worker": worker, "claimed_at": now},
                where=JobClaim.claimed_at <= now - gap,
            )
            .returning(JobClaim.job_id)
        )
        got = session.scalars(stmt).first()
    return got is not None
