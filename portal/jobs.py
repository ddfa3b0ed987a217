"""Scheduled jobs and the single scheduler process that runs them.

Exactly one scheduler runs per instance: a process must hold an exclusive lock on
``<instance>/scheduler.lock`` to start one, so several gunicorn workers or a second
``coi worker`` never run the jobs twice. Web workers never start a scheduler (``create_app``
does not); ``coi run`` embeds one beside the web server through :func:`start_embedded`, which
also refuses to start in the watching parent of the Werkzeug reloader; ``coi worker`` runs one
alone.

The jobs (APScheduler 3, in-memory job store, misfires coalesced, one instance of each job at
a time):

* ``collect:<source id>``: one job per enabled source, at the source's own interval
  (``Source.update_minutes``) with jitter; ``sources`` re-reads the sources every few minutes
  and adds, removes or reschedules these jobs. One job per source (rather than one job polling
  for due sources) lets a slow source run beside the others instead of delaying them, keeps
  each source's interval across restarts (the first run is placed after its last success) and
  shows every source's next run on the admin page;
* ``process`` (tagging of new documents), ``index`` (search index updates);
* ``digests``: the e-mail digests, every minute (each user's local send time is checked in
  :mod:`portal.digests.send`);
* ``statistics`` (PostgreSQL only), where autovacuum is off: what it would do, a vacuum of the
  tables with many dead or new rows (:func:`portal.db.vacuum_tables`) and the query planner's
  statistics of the tables that changed much (:func:`portal.db.refresh_statistics`);
* ``briefings``: the morning briefing drafts at 06:00 in ``Settings.timezone``, only when
  ``portal.briefings.jobs`` exists.

Every run is recorded in ``job_runs`` (start, end, ok, error, a short result) and errors are
logged with their traceback, then re-raised so that APScheduler sees them too. The running
scheduler publishes its jobs and their next runs in ``scheduled_jobs`` for the admin page and
``coi jobs``, which run in other processes.
"""

from __future__ import annotations

import fcntl
import importlib
import importlib.util
import inspect
import json
import logging
import os
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_SCHEDULER_STARTED, SchedulerEvent
from apscheduler.job import Job
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from portal.cluster.leader import AdvisoryLeaderLock, LeaderLockedError, is_postgres
from portal.config import Settings
from portal.db import make_engine, make_session_factory, refresh_statistics, transaction, vacuum_tables
from portal.digests.models import JobRun, ScheduledJob
from portal.models import Source, utcnow

log = logging.getLogger(__name__)

SOURCE_SYNC_MINUTES = 5
STATISTICS_MINUTES = 10
JOB_RUNS_KEPT = timedelta(days=14)
MAX_JITTER_SECONDS = 300


class SchedulerLockedError(RuntimeError):
    pass


class SchedulerLock:
    """An exclusive, process-wide lock file; released when the process ends."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle: IO[str] | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a+")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            raise SchedulerLockedError(
                f"another scheduler already runs for this instance (lock {self.path})"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._handle = handle

    def release(self) -> None:
        if self._handle is not None:
            fcntl.flock(self._handle.fileno(), fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None

    @property
    def held(self) -> bool:
        return self._handle is not None

    def held_elsewhere(self) -> bool:
        """True when some scheduler (another process, or another lock object) holds the lock."""
        if self._handle is not None:
            return False
        try:
            self.acquire()
        except SchedulerLockedError:
            return True
        self.release()
        return False


def lock_for(settings: Settings) -> SchedulerLock | AdvisoryLeaderLock:
    """The lock file in the instance folder on SQLite; an advisory lock in the database on PostgreSQL."""
    if is_postgres(settings.db_url):
        return AdvisoryLeaderLock(settings.db_url)
    return SchedulerLock(settings.instance_path / "scheduler.lock")


def is_reloader_watcher(use_reloader: bool) -> bool:
    """True in the Werkzeug reloader's watching parent, which must not run jobs.

    With the reloader on, Werkzeug runs the application in a child process that has
    ``WERKZEUG_RUN_MAIN=true`` and restarts it on code changes; the parent only watches files.
    """
    return use_reloader and os.environ.get("WERKZEUG_RUN_MAIN") != "true"


def _summary(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        text = value
    else:
        try:
            text = json.dumps(value, default=str, ensure_ascii=False)
        except (TypeError, ValueError):
            text = repr(value)
    return text[:1000]


class Jobs:
    """The work the scheduler does, each job with its own sessions and its own error log."""

    def __init__(
        self,
        settings: Settings,
        factory: sessionmaker[Session] | None = None,
        *,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.settings = settings
        self._engine: Engine | None = None
        if factory is None:
            self._engine = make_engine(settings.db_url)
            factory = make_session_factory(self._engine)
        self.factory = factory
        self.clock = clock
        self._client: Any = None
        self.last_results: dict[str, dict[str, Any]] = {}

    def close(self) -> None:
        """Release the database connections, if these jobs opened their own."""
        if self._engine is not None:
            self._engine.dispose()

    @property
    def client(self) -> Any:
        if self._client is None:
            from portal import pipeline

            self._client = pipeline.default_client(self.settings.user_agent_contact)
        return self._client

    def _record(self, name: str, fn: Callable[[], Any]) -> Any:
        """Run ``fn`` as job ``name``: recorded in ``job_runs``, errors logged and re-raised."""
        started = self.clock()
        run_id: int | None = None
        try:
            with transaction(self.factory) as session:
                row = JobRun(job_id=name, started_at=started, result="")
                session.add(row)
                session.flush()
                run_id = row.id
        except Exception:
            log.exception("job %s: its run could not be recorded", name)
        try:
            value = fn()
        except Exception as exc:
            log.exception("job %s failed", name)
            error = f"{type(exc).__name__}: {exc}"
            self.last_results[name] = {"at": started.isoformat(), "ok": False, "error": error}
            self._finish_record(run_id, ok=False, error=error[:4000], result="")
            raise
        self.last_results[name] = {"at": started.isoformat(), "ok": True, "result": value}
        self._finish_record(run_id, ok=True, error=None, result=_summary(value))
        return value

    def _finish_record(self, run_id: int | None, *, ok: bool, error: str | None, result: str) -> None:
        if run_id is None:
            return
        try:
            with transaction(self.factory) as session:
                session.execute(
                    update(JobRun)
                    .where(JobRun.id == run_id)
                    .values(finished_at=self.clock(), ok=ok, error=error, result=result)
                )
        except Exception:
            log.exception("job run %s could not be recorded", run_id)

    # -------------------------------------------------------------- the jobs

    def collect_source(self, source_id: int) -> dict[str, Any]:
        def run() -> dict[str, Any]:
            from portal import pipeline
            from portal.cluster.claims import claim_run, worker_name

            with transaction(self.factory) as session:
                source = session.get(Source, source_id)
                minutes = source.update_minutes if source is not None else 0
            if minutes:
                gap = timedelta(minutes=max(1, minutes)) / 2  # a second scheduler's run of this interval
                if not claim_run(
                    self.factory, f"collect:{source_id}", gap=gap, worker=worker_name(), now=self.clock()
                ):
                    return {"skipped": "already collected in this interval by another scheduler"}
            summary = pipeline.run_source(self.factory, source_id, self.settings, self.client, now=self.clock)
            if summary is None:
                return {"skipped": "source removed, disabled or backing off"}
            data: dict[str, Any] = summary.as_dict()
            return data

        result: dict[str, Any] = self._record(f"collect:{source_id}", run)
        return result

    def collect_due(self) -> int:
        """Collect every due source now (by hand; the scheduler runs one job per source)."""

        def run() -> int:
            from portal import pipeline

            count = 0
            for source_id in pipeline.due_sources(self.factory, self.clock()):
                if pipeline.run_source(self.factory, source_id, self.settings, self.client, now=self.clock):
                    count += 1
            return count

        result: int = self._record("collect", run)
        return result

    def process(self) -> int:
        from portal.cluster.claims import process_claimed

        result: int = self._record(
            "process",
            lambda: process_claimed(self.factory, model=self.settings.spacy_model, clock=self.clock),
        )
        return result

    def index(self) -> int:
        def run() -> int:
            from portal import pipeline

            index = self.settings.search_index()
            try:
                count: int = pipeline.update_index(self.factory, index)
            finally:
                index.close()
            return count

        result: int = self._record("index", run)
        return result

    def digests(self) -> dict[str, Any]:
        def run() -> dict[str, Any]:
            from portal.digests.send import DigestSender

            report = DigestSender(self.factory, self.settings, clock=self.clock).run()
            data = report.as_dict()
            data.pop("previews", None)
            return data

        result: dict[str, Any] = self._record("digests", run)
        return result

    def briefings(self) -> Any:
        def run() -> Any:
            draft = briefings_job()
            if draft is None:
                return "the briefings area is not installed"
            accepted = inspect.signature(draft).parameters
            offered = {"factory": self.factory, "settings": self.settings, "now": self.clock()}
            kwargs = {k: v for k, v in offered.items() if k in accepted}
            return draft(**kwargs)

        return self._record("briefings", run)

    def statistics(self) -> list[str]:
        """What autovacuum would do where it is off (PostgreSQL): vacuum the tables past its
        thresholds, then gather the planner's statistics of those that changed much. Returns
        "vacuum TABLE" and "analyze TABLE" for each."""

        def run() -> list[str]:
            with self.factory() as session:
                engine = session.get_bind().engine
            vacuumed = vacuum_tables(engine)
            return [f"vacuum {t}" for t in vacuumed] + [f"analyze {t}" for t in refresh_statistics(engine)]

        value: list[str] = self._record("statistics", run)
        return value

    def prune_runs(self) -> int:
        with transaction(self.factory) as session:
            result = session.execute(delete(JobRun).where(JobRun.started_at < self.clock() - JOB_RUNS_KEPT))
        return int(getattr(result, "rowcount", 0) or 0)


def briefings_job() -> Callable[..., Any] | None:
    """``portal.briefings.jobs.draft_briefings`` when that module exists, else None."""
    try:
        if importlib.util.find_spec("portal.briefings") is None:
            return None
        if importlib.util.find_spec("portal.briefings.jobs") is None:
            return None
    except ModuleNotFoundError:
        return None
    module = importlib.import_module("portal.briefings.jobs")
    draft: Callable[..., Any] | None = getattr(module, "draft_briefings", None)
    return draft


# ---------------------------------------------------------------- per-source jobs


def _jitter_seconds(minutes: int) -> int:
    return max(1, min(MAX_JITTER_SECONDS, minutes * 6))  # a tenth of the interval, at most 5 min


def source_trigger(minutes: int) -> IntervalTrigger:
    return IntervalTrigger(minutes=max(1, minutes), jitter=_jitter_seconds(minutes), timezone=UTC)


def first_run(last_success: datetime | None, minutes: int, now: datetime) -> datetime:
    """A source's first run after a (re)start: one interval after its last success, soon at the earliest."""
    soon = now + timedelta(seconds=random.uniform(5, 60))
    if last_success is None:
        return soon
    return max(soon, last_success + timedelta(minutes=minutes))


def sync_source_jobs(scheduler: BaseScheduler, jobs: Jobs) -> dict[str, int]:
    """Make the ``collect:<id>`` jobs match the enabled sources and their intervals."""
    now = jobs.clock()
    with transaction(jobs.factory) as session:
        wanted = {
            sid: (minutes, last)
            for sid, minutes, last in session.execute(
                select(Source.id, Source.update_minutes, Source.last_success_at).where(
                    Source.enabled.is_(True)
                )
            )
        }
    current = {j.id: j for j in scheduler.get_jobs() if j.id.startswith("collect:")}
    added = removed = changed = 0
    for job_id, job in current.items():
        sid = int(job_id.split(":", 1)[1])
        if sid not in wanted:
            scheduler.remove_job(job_id)
            removed += 1
            continue
        minutes = wanted[sid][0]
        trigger = job.trigger
        if isinstance(trigger, IntervalTrigger) and trigger.interval != timedelta(minutes=max(1, minutes)):
            scheduler.reschedule_job(job_id, trigger=source_trigger(minutes))
            changed += 1
    for sid, (minutes, last) in wanted.items():
        job_id = f"collect:{sid}"
        if job_id in current:
            continue
        scheduler.add_job(
            jobs.collect_source,
            source_trigger(minutes),
            args=[sid],
            id=job_id,
            name=f"collect source {sid} every {minutes} min",
            next_run_time=first_run(last, minutes, now),
            replace_existing=True,
        )
        added += 1
    return {"sources": len(wanted), "added": added, "removed": removed, "rescheduled": changed}


# ---------------------------------------------------------------- the scheduler


def _describe_trigger(trigger: Any) -> str:
    return str(trigger)[:300]


def publish_schedule(scheduler: BaseScheduler, factory: sessionmaker[Session], now: datetime) -> None:
    """Write the scheduler's jobs and next runs to ``scheduled_jobs`` (replacing what was there)."""
    rows = [
        ScheduledJob(
            job_id=job.id,
            name=job.name or job.id,
            trigger=_describe_trigger(job.trigger),
            next_run_at=getattr(job, "next_run_time", None),
            updated_at=now,
        )
        for job in scheduler.get_jobs()
    ]
    with transaction(factory) as session:
        session.execute(delete(ScheduledJob))
        session.add_all(rows)


def build_scheduler(
    settings: Settings,
    *,
    blocking: bool,
    jobs: Jobs | None = None,
    publish: bool = True,
) -> BaseScheduler:
    """A scheduler with every job added (not started). Start it only while holding the lock."""
    jobs = jobs or Jobs(settings)
    defaults = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 300}
    scheduler: BaseScheduler
    if blocking:
        scheduler = BlockingScheduler(timezone=settings.timezone, job_defaults=defaults)
    else:
        scheduler = BackgroundScheduler(timezone=settings.timezone, job_defaults=defaults)

    def sync() -> dict[str, int]:
        def run() -> dict[str, int]:
            result = sync_source_jobs(scheduler, jobs)
            jobs.prune_runs()
            return result

        value: dict[str, int] = jobs._record("sources", run)
        return value

    scheduler.add_job(
        sync,
        "interval",
        minutes=SOURCE_SYNC_MINUTES,
        id="sources",
        name="re-read the sources and their intervals",
    )
    try:
        sync_source_jobs(scheduler, jobs)
    except Exception:
        log.exception("the sources could not be read; their jobs are added at the next re-read")
    scheduler.add_job(jobs.process, "interval", minutes=1, jitter=5, id="process", name="tag new documents")
    scheduler.add_job(jobs.index, "interval", seconds=30, id="index", name="update the search index")
    scheduler.add_job(jobs.digests, "interval", minutes=1, id="digests", name="send the e-mail digests")
    if is_postgres(settings.db_url):
        scheduler.add_job(
            jobs.statistics,
            "interval",
            minutes=STATISTICS_MINUTES,
            # a worker started after a bulk import gathers them within a minute, not ten
            next_run_time=datetime.now(UTC) + timedelta(minutes=1),
            id="statistics",
            name="vacuum and refresh the query planner's statistics",
        )
    if briefings_job() is not None:
        scheduler.add_job(
            jobs.briefings,
            CronTrigger(hour=6, minute=0, timezone=settings.timezone),
            id="briefings",
            name="draft the morning briefings",
        )
    if publish:
        lock = threading.Lock()

        def on_event(event: SchedulerEvent) -> None:
            if not scheduler.running:
                return
            with lock:
                try:
                    publish_schedule(scheduler, jobs.factory, jobs.clock())
                except Exception:
                    log.exception("the schedule could not be published")

        # after start and after each run (job changes come from the ``sources`` job, so its own
        # run publishes them); never from events raised while the scheduler holds its job lock
        scheduler.add_listener(on_event, EVENT_SCHEDULER_STARTED | EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
    return scheduler


@dataclass
class EmbeddedScheduler:
    scheduler: BaseScheduler
    lock: SchedulerLock | AdvisoryLeaderLock
    jobs: Jobs

    def stop(self) -> None:
        try:
            self.scheduler.shutdown(wait=False)
        finally:
            self.lock.release()
            self.jobs.close()


def start_embedded(
    settings: Settings, *, use_reloader: bool = False, jobs: Jobs | None = None
) -> EmbeddedScheduler | None:
    """Start a background scheduler in this (web) process, unless one must not or already runs.

    Returns None in the reloader's watching parent and when another process holds the lock.
    """
    if is_reloader_watcher(use_reloader):
        log.info("not starting a scheduler in the reloader's watching process")
        return None
    lock = lock_for(settings)
    try:
        lock.acquire()
    except (SchedulerLockedError, LeaderLockedError) as exc:
        log.info("not starting a scheduler: %s", exc)
        return None
    jobs = jobs or Jobs(settings)
    try:
        scheduler = build_scheduler(settings, blocking=False, jobs=jobs)
        scheduler.start()
    except BaseException:
        lock.release()
        jobs.close()
        raise
    return EmbeddedScheduler(scheduler, lock, jobs)


# ---------------------------------------------------------------- overview


def _next_planned(job: Job, now: datetime) -> datetime | None:
    planned: datetime | None = getattr(job, "next_run_time", None)
    if planned is None:
        planned = job.trigger.get_next_fire_time(None, now)
    return planned


def job_overview(
    settings: Settings, factory: sessionmaker[Session], now: datetime | None = None
) -> dict[str, Any]:
    """Every job with its next run and last result.

    While a scheduler runs, the jobs and next runs are the ones it published; otherwise they are
    the jobs it would run, with next runs computed from now.
    """
    now = now or utcnow()
    running = lock_for(settings).held_elsewhere()
    with transaction(factory) as session:
        published = list(session.scalars(select(ScheduledJob).order_by(ScheduledJob.job_id)))
        latest = select(func.max(JobRun.id)).group_by(JobRun.job_id).scalar_subquery()
        last = {r.job_id: r.as_dict() for r in session.scalars(select(JobRun).where(JobRun.id.in_(latest)))}
        failures = {
            job_id: count
            for job_id, count in session.execute(
                select(JobRun.job_id, func.count())
                .where(JobRun.ok.is_(False), JobRun.started_at >= now - timedelta(days=1))
                .group_by(JobRun.job_id)
            )
        }
    entries: list[dict[str, Any]] = []
    if running and published:
        for row in published:
            entries.append(
                {"id": row.job_id, "name": row.name, "trigger": row.trigger, "next_run_at": row.next_run_at}
            )
    else:
        quiet = logging.getLogger("apscheduler")
        level = quiet.level
        quiet.setLevel(logging.WARNING)  # no "added job" lines for a scheduler that never starts
        try:
            scheduler = build_scheduler(settings, blocking=False, jobs=Jobs(settings, factory), publish=False)
        finally:
            quiet.setLevel(level)
        for job in scheduler.get_jobs():
            entries.append(
                {
                    "id": job.id,
                    "name": job.name,
                    "trigger": _describe_trigger(job.trigger),
                    "next_run_at": _next_planned(job, now),
                }
            )
    for entry in entries:
        if entry["next_run_at"] is not None:
            entry["next_run_at"] = entry["next_run_at"].astimezone(UTC)
        entry["last_run"] = last.get(entry["id"])
        entry["failures_24h"] = failures.get(entry["id"], 0)
    entries.sort(key=lambda e: (e["id"].startswith("collect:"), e["id"]))
    return {"scheduler_running": running, "generated_at": now, "jobs": entries}
