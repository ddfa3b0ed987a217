"""Scheduled jobs and the single scheduler process that runs them.

Exactly one scheduler runs per instance: a process must hold an exclusive lock on
``<instance>/scheduler.lock`` to start one. Web workers never start a scheduler; ``coi run``
embeds one beside the web server, ``coi worker`` runs one alone.
"""

from __future__ import annotations

import fcntl
import logging
import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from sqlalchemy.orm import Session, sessionmaker

from portal import pipeline
from portal.config import Settings
from portal.db import make_engine, make_session_factory

log = logging.getLogger(__name__)


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


class Jobs:
    """The work the scheduler does, each job with its own sessions and its own error log."""

    def __init__(self, settings: Settings, factory: sessionmaker[Session] | None = None) -> None:
        self.settings = settings
        self.factory = factory or make_session_factory(make_engine(settings.db_url))
        self.client = pipeline.default_client(settings.user_agent_contact)
        self.last_results: dict[str, dict[str, Any]] = {}

    def _record(self, name: str, fn: Callable[[], Any]) -> Any:
        started = datetime.now().astimezone()
        try:
            value = fn()
        except Exception as exc:
            log.exception("job %s failed", name)
            self.last_results[name] = {"at": started.isoformat(), "ok": False, "error": str(exc)}
            raise
        self.last_results[name] = {"at": started.isoformat(), "ok": True, "result": value}
        return value

    def collect_due(self) -> int:
        def run() -> int:
            from portal.demo import ensure_demo_server_for

            ensure_demo_server_for(self.factory)
            count = 0
            for source_id in pipeline.due_sources(self.factory):
                pipeline.collect_source(self.factory, source_id, self.client)
                count += 1
            return count

        result: int = self._record("collect", run)
        return result

    def process(self) -> int:
        result: int = self._record(
            "process", lambda: pipeline.process_pending(self.factory, model=self.settings.spacy_model)
        )
        return result

    def index(self) -> int:
        def run() -> int:
            from search_index import SearchIndex

            return pipeline.update_index(self.factory, SearchIndex(self.settings.index_path))

        result: int = self._record("index", run)
        return result


def build_scheduler(settings: Settings, *, blocking: bool, jobs: Jobs | None = None) -> BaseScheduler:
    jobs = jobs or Jobs(settings)
    defaults = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 300}
    scheduler: BaseScheduler
    if blocking:
        scheduler = BlockingScheduler(timezone=settings.timezone, job_defaults=defaults)
    else:
        scheduler = BackgroundScheduler(timezone=settings.timezone, job_defaults=defaults)
    scheduler.add_job(
        jobs.collect_due, "interval", minutes=1, jitter=10, id="collect", name="collect due sources"
    )
    scheduler.add_job(jobs.process, "interval", minutes=1, jitter=5, id="process", name="tag new documents")
    scheduler.add_job(jobs.index, "interval", seconds=30, id="index", name="update the search index")
    return scheduler
