"""Work claimed in batches: disjoint claims, leases that expire, once-only job runs."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from portal.cluster.claims import claim_run, claim_untagged, process_claimed
from portal.cluster.models import WorkClaim
from portal.db import transaction
from portal.models import Document, Source, utcnow


def _documents(factory: sessionmaker[Session], n: int) -> list[int]:
    """``n`` untagged sample documents."""
    with transaction(factory) as session:
        source = Source(
            name="Sample", kind="rss", url="https://example.org/f", countries=[], themes=[], options={}
        )
        session.add(source)
        session.flush()
        docs = [
            Document(
                source_id=source.id,
                url=f"https://example.org/sample/{i}",
                title=f"Sample report {i}",
                text=f"Sample text number {i} about a town and its market.",
                content_sha256=f"{i:064x}",
                version=1,
            )
            for i in range(n)
        ]
        session.add_all(docs)
        session.flush()
        return [d.id for d in docs]


def test_concurrent_claims_are_disjoint_and_cover_everything(factory: sessionmaker[Session]) -> None:
    ids = _documents(factory, 60)
    got: dict[str, list[int]] = {"a": [], "b": [], "c": []}
    barrier = threading.Barrier(3)

    def claimer(name: str) -> None:
        barrier.wait()
        while batch := claim_untagged(factory, worker=name, size=7):
            got[name].extend(batch)

    threads = [threading.Thread(target=claimer, args=(n,)) for n in got]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    claimed = [i for batch in got.values() for i in batch]
    assert sorted(claimed) == sorted(ids)  # every document claimed, none twice


def test_a_dead_workers_batch_is_retaken_after_its_lease(factory: sessionmaker[Session]) -> None:
    ids = _documents(factory, 5)
    now = utcnow()
    first = claim_untagged(factory, worker="dead", size=3, lease=timedelta(minutes=10), now=now)
    assert first == ids[:3]
    # while the lease lives, another worker gets only the rest
    assert claim_untagged(factory, worker="other", size=10, now=now + timedelta(minutes=1)) == ids[3:]
    # the first worker died without storing anything: after the lease the batch is taken again
    later = now + timedelta(minutes=10, seconds=30)  # the other lease still lives
    assert claim_untagged(factory, worker="other", size=10, now=later) == ids[:3]
    with transaction(factory) as session:
        owners = set(session.scalars(select(WorkClaim.worker).where(WorkClaim.item_id.in_(ids[:3]))))
    assert owners == {"other"}


def test_process_claimed_tags_each_document_once_and_drops_its_claims(factory: sessionmaker[Session]) -> None:
    ids = _documents(factory, 9)
    done = process_claimed(factory, model=None, worker="w1", batch_size=4)
    assert done == len(ids)
    with transaction(factory) as session:
        untagged = session.scalar(select(func.count()).where(Document.processed_at.is_(None)))
        claims = session.scalar(select(func.count()).select_from(WorkClaim))
    assert untagged == 0
    assert claims == 0
    assert process_claimed(factory, model=None, worker="w2") == 0


def test_a_job_run_is_claimed_once_within_its_gap(factory: sessionmaker[Session]) -> None:
    now = utcnow()
    gap = timedelta(minutes=30)
    assert claim_run(factory, "collect:1", gap=gap, worker="a", now=now)
    assert not claim_run(factory, "collect:1", gap=gap, worker="b", now=now + timedelta(minutes=1))
    assert claim_run(factory, "collect:2", gap=gap, worker="b", now=now)
    assert claim_run(factory, "collect:1", gap=gap, worker="b", now=now + timedelta(minutes=31))


def test_overlapping_leaders_collect_once(factory: sessionmaker[Session]) -> None:
    now = utcnow()
    results: list[bool] = []
    barrier = threading.Barrier(4)

    def leader(name: str) -> None:
        barrier.wait()
        results.append(claim_run(factory, "collect:9", gap=timedelta(minutes=5), worker=name, now=now))

    threads = [threading.Thread(target=leader, args=(f"l{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(results) == [False, False, False, True]
