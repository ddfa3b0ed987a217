"""One scheduler per instance, its jobs, and the record of their runs."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from portal.config import Settings
from portal.db import transaction
from portal.digests.models import JobRun, ScheduledJob
from portal.jobs import (
    Jobs,
    SchedulerLock,
    SchedulerLockedError,
    briefings_job,
    build_scheduler,
    first_run,
    is_reloader_watcher,
    job_overview,
    lock_for,
    start_embedded,
    sync_source_jobs,
)
from portal.models import IndexChange, Source

if TYPE_CHECKING:
    from conftest import Clock, Corpus

ROOT = Path(__file__).resolve().parents[2]


def _env(settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COI_")}
    env.update(
        COI_DATABASE_URL=settings.db_url,
        COI_INSTANCE_PATH=str(settings.instance_path),
        COI_SECRET_KEY=settings.secret_key or "",
        COI_SPACY_MODEL="none",
        PYTHONPATH=str(ROOT),
    )
    return env


WORKER = textwrap.dedent(
    """
    import sys, time
    from portal.config import Settings
    from portal.jobs import start_embedded
    embedded = start_embedded(Settings.from_env())
    print("started" if embedded is not None else "refused", flush=True)
    time.sleep(float(sys.argv[1]))
    if embedded is not None:
        embedded.stop()
    """
)


def test_only_one_of_several_web_workers_starts_a_scheduler(settings: Settings, engine: object) -> None:
    """Like gunicorn workers each calling start_embedded at the same time."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, "4"],
            env=_env(settings),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    outputs = []
    for p in procs:
        out, err = p.communicate(timeout=60)
        assert p.returncode == 0, err
        outputs.append(out.strip())
    assert sorted(outputs) == ["refused", "refused", "started"]
    # once they are gone, the lock is free again
    lock = lock_for(settings)
    lock.acquire()
    lock.release()


def test_coi_worker_refuses_while_another_scheduler_holds_the_lock(
    settings: Settings, engine: object
) -> None:
    if settings.db_url.startswith("postgresql"):
        pytest.skip("on PostgreSQL a second worker waits to take over (tests/cluster/test_leader.py)")
    lock = lock_for(settings)
    lock.acquire()
    try:
        result = subprocess.run(
            [str(Path(sys.executable).parent / "coi"), "worker"],
            env=_env(settings),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        lock.release()
    assert result.returncode == 1
    assert "another scheduler already runs" in result.stderr


def test_lock_is_exclusive_between_lock_objects(tmp_path: Path) -> None:
    first = SchedulerLock(tmp_path / "scheduler.lock")
    second = SchedulerLock(tmp_path / "scheduler.lock")
    first.acquire()
    assert second.held_elsewhere()
    with pytest.raises(SchedulerLockedError):
        second.acquire()
    first.release()
    assert not second.held_elsewhere()
    second.acquire()
    assert second.held
    second.release()


def test_reloader_watcher_never_starts_a_scheduler(
    settings: Settings, engine: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WERKZEUG_RUN_MAIN", raising=False)
    assert is_reloader_watcher(use_reloader=True)
    assert not is_reloader_watcher(use_reloader=False)
    assert start_embedded(settings, use_reloader=True) is None
    assert not lock_for(settings).held_elsewhere()  # it did not even take the lock
    monkeypatch.setenv("WERKZEUG_RUN_MAIN", "true")  # the reloader's serving child
    assert not is_reloader_watcher(use_reloader=True)
    embedded = start_embedded(settings, use_reloader=True)
    assert embedded is not None
    try:
        assert lock_for(settings).held_elsewhere()
        assert start_embedded(settings) is None  # a second one in the same process is refused too
    finally:
        embedded.stop()


def test_jobs_registered_with_coalescing_and_per_source_intervals(
    settings: Settings, factory: sessionmaker[Session], corpus: Corpus, clock: Clock
) -> None:
    with transaction(factory) as session:
        session.execute(update(Source).where(Source.name == "Conflict Monitor").values(update_minutes=240))
        session.add(Source(name="Disabled", kind="rss", url="https://off.example/feed", enabled=False))
    jobs = Jobs(settings, factory, clock=clock)
    started = build_scheduler(settings, blocking=False, jobs=jobs, publish=False)
    started.start(paused=True)  # job defaults apply once the scheduler holds the jobs
    found = {j.id: j for j in started.get_jobs()}
    started.shutdown(wait=False)
    expected = {"sources", "process", "index", "digests", "collect:1", "collect:2"}
    if settings.db_url.startswith("postgresql"):  # the planner's statistics, where autovacuum is off
        expected.add("statistics")
        assert found["statistics"].trigger.interval == timedelta(minutes=10)
    if briefings_job() is not None:  # only once portal.briefings.jobs exists
        expected.add("briefings")
        cron = found["briefings"].trigger
        assert isinstance(cron, CronTrigger) and str(cron.timezone) == "Europe/Amsterdam"
        assert str(cron.fields[5]) == "6" and str(cron.fields[6]) == "0"  # hour, minute
    assert set(found) == expected
    for job in found.values():
        assert job.coalesce is True and job.max_instances == 1 and job.misfire_grace_time == 300
    trigger = found["collect:2"].trigger
    assert isinstance(trigger, IntervalTrigger)
    assert trigger.interval == timedelta(minutes=240) and trigger.jitter == 300
    assert found["collect:1"].trigger.interval == timedelta(minutes=60)
    scheduler = build_scheduler(settings, blocking=False, jobs=jobs, publish=False)

    # sources change: one is added, one disabled, one gets another interval
    with transaction(factory) as session:
        session.execute(update(Source).where(Source.name == "Disabled").values(enabled=True))
        session.execute(update(Source).where(Source.id == 1).values(enabled=False))
        session.execute(update(Source).where(Source.id == 2).values(update_minutes=30))
    assert sync_source_jobs(scheduler, jobs) == {"sources": 2, "added": 1, "removed": 1, "rescheduled": 1}
    found = {j.id: j for j in scheduler.get_jobs()}
    assert "collect:1" not in found and "collect:3" in found
    assert found["collect:2"].trigger.interval == timedelta(minutes=30)


def test_first_run_keeps_the_interval_across_restarts() -> None:
    now = datetime(2026, 3, 2, 12, tzinfo=UTC)
    assert first_run(now - timedelta(minutes=10), 60, now) == now + timedelta(minutes=50)
    soon = first_run(None, 60, now)
    assert now + timedelta(seconds=5) <= soon <= now + timedelta(seconds=60)
    overdue = first_run(now - timedelta(days=2), 60, now)
    assert overdue <= now + timedelta(seconds=60)


def test_failing_job_is_logged_recorded_and_reraised(
    settings: Settings, factory: sessionmaker[Session], caplog: pytest.LogCaptureFixture
) -> None:
    not_a_folder = settings.instance_path / "plain-file"
    not_a_folder.write_text("the index cannot live under a file")
    jobs = Jobs(settings.with_overrides(instance_path=not_a_folder), factory)
    with transaction(factory) as session:
        session.add(IndexChange(document_id=1, op="delete"))  # work for the index job
    with pytest.raises(Exception) as raised:
        jobs.index()
    assert "job index failed" in caplog.text
    with transaction(factory) as session:
        [run] = session.scalars(select(JobRun)).all()
    assert run.job_id == "index" and run.ok is False and run.finished_at is not None
    assert type(raised.value).__name__ in (run.error or "")
    assert jobs.digests()["claimed"] == 0  # an ordinary run is recorded as ok
    with transaction(factory) as session:
        ok = session.scalar(select(JobRun).where(JobRun.job_id == "digests"))
    assert ok is not None and ok.ok is True and '"sent": 0' in ok.result


def test_running_scheduler_runs_a_job_and_publishes_its_schedule(
    settings: Settings, factory: sessionmaker[Session]
) -> None:
    embedded = start_embedded(settings, jobs=Jobs(settings, factory))
    assert embedded is not None
    try:
        embedded.scheduler.modify_job("digests", next_run_time=datetime.now(UTC))
        deadline = time.monotonic() + 20
        done = None
        while time.monotonic() < deadline and done is None:
            time.sleep(0.1)
            with transaction(factory) as session:
                done = session.scalar(select(JobRun).where(JobRun.job_id == "digests", JobRun.ok.is_(True)))
        assert done is not None
        overview = job_overview(settings, factory)
        assert overview["scheduler_running"] is True
        published = {j["id"]: j for j in overview["jobs"]}
        assert {"sources", "process", "index", "digests"} <= set(published)
        assert published["digests"]["last_run"]["ok"] is True
        with transaction(factory) as session:
            nxt = session.scalar(select(ScheduledJob.next_run_at).where(ScheduledJob.job_id == "digests"))
        assert nxt is not None and nxt > datetime.now(UTC)
    finally:
        embedded.stop()
