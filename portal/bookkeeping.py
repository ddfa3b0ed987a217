"""Writes a request makes about itself (audit events, log-in attempts, a token's last use).

Inside a request they are queued, never added to the request's session, so that no later read can
autoflush them and hold SQLite's write lock while the request goes on reading. The queue is written
at one fixed point, the request's commit point (:meth:`portal.extensions.Database._commit`):

- if the request itself wrote (it flushed, or has pending changes), the queued writes join its
  transaction and are committed with it;
- otherwise the request's read transaction is ended first and the queue is written in one short
  transaction of its own;
- if the request failed (status 400 or more) its changes are rolled back, but the queue is still
  written: a refused log-in is recorded.

In a served web process (``COI_BOOKKEEPING_BATCH_MS`` above 0), the queue of a plain read (GET)
goes instead to the process's :class:`BatchWriter`, which writes the queues of many requests in
one transaction a moment later.

Outside a request (the CLI, the worker) the writes go straight into the caller's session.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from flask import g, has_request_context
from sqlalchemy import Insert, event
from sqlalchemy.orm import Session, sessionmaker

from portal.db import transaction

log = logging.getLogger(__name__)

Write = Callable[[Session], object]


def defer(session: Session, write: Write) -> None:
    """Queue ``write`` to the request's commit point, or run it now outside a request."""
    if has_request_context():
        g.setdefault("coi_bookkeeping", []).append(write)
    else:
        write(session)


@dataclass(frozen=True)
class NewRow:
    """A write that adds one row with a plain INSERT (no ORM object, nothing read back).

    The batch writer gives all the new rows of one statement in a batch to one execution.
    """

    statement: Insert
    row: dict[str, Any]

    def __call__(self, session: Session) -> None:
        session.execute(self.statement, [self.row])


def add(session: Session, row: Any) -> None:
    """Queue a new row (see :func:`defer`)."""
    defer(session, lambda s: s.add(row))


def pending() -> list[Write]:
    queue: list[Write] = g.pop("coi_bookkeeping", [])
    return queue


def track_writes(factory: sessionmaker[Session]) -> None:
    """Mark a session that has flushed a change, so that the commit point knows it holds a write."""

    @event.listens_for(factory, "after_flush")
    def _wrote(session: Session, _context: Any) -> None:
        session.info["wrote"] = True

    @event.listens_for(factory, "after_commit")
    def _clean(session: Session) -> None:
        session.info.pop("wrote", None)

    @event.listens_for(factory, "after_rollback")
    def _clean_rollback(session: Session) -> None:
        session.info.pop("wrote", None)


def wrote(session: Session) -> bool:
    return bool(session.info.get("wrote") or session.new or session.dirty or session.deleted)


class BatchWriter:
    """Writes the bookkeeping of read-only requests from one thread of the web process, in batches.

    A page view then pays for no transaction of its own and never waits for the database's write
    lock: its audit event joins those of the views around it, and under load many views share
    one commit. An event reaches the database within about ``delay`` seconds (plus the time of a
    write). What is queued is written when the process ends normally (gunicorn ends a worker with
    ``sys.exit``); only a killed process loses its last ``delay`` seconds of page views.

    Changes people make, and every write of a request that is not a plain read (a log-in
    attempt, above all), stay at the request's own commit point.
    """

    def __init__(
        self, factory: sessionmaker[Session], lock: AbstractContextManager[object], delay: float
    ) -> None:
        self._factory = factory
        self._lock = lock
        self._delay = delay
        self._queue: list[Write] = []
        self._ready = threading.Condition()
        self._writing = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pid = 0
        self._closed = False
        atexit.register(self.flush)

    def submit(self, writes: list[Write]) -> None:
        if self._closed:
            self._write(writes)
            return
        with self._ready:
            self._queue.extend(writes)
            if self._thread is None or self._pid != os.getpid():
                # started on first use, in the process that serves (never across a fork)
                self._pid = os.getpid()
                self._thread = threading.Thread(target=self._run, name="coi-bookkeeping", daemon=True)
                self._thread.start()
            self._ready.notify()

    def flush(self) -> None:
        """Write everything queued now, in the caller's thread; returns when all submitted so far
        is written (a batch the writer's thread has taken included)."""
        with self._writing:
            with self._ready:
                batch, self._queue = self._queue, []
            if batch:
                self._write(batch)

    def close(self) -> None:
        """Write what is queued and stop the thread (an app that is done with, as in tests)."""
        with self._ready:
            self._closed = True
            self._ready.notify()
        thread = self._thread
        if thread is not None and thread.is_alive() and thread is not threading.current_thread():
            thread.join(10)
        self.flush()
        atexit.unregister(self.flush)

    def _run(self) -> None:
        while True:
            with self._ready:
                while not self._queue and not self._closed:
                    self._ready.wait()
                if self._closed:
                    return
            time.sleep(self._delay)  # let the requests around this one add theirs
            self.flush()

    def _write(self, batch: list[Write]) -> None:
        try:
            with self._lock, transaction(self._factory) as session:
                new_rows: defaultdict[Insert, list[dict[str, Any]]] = defaultdict(list)
                for write in batch:
                    if isinstance(write, NewRow):
                        new_rows[write.statement].append(write.row)
                    else:
                        write(session)
                for statement, rows in new_rows.items():
                    session.execute(statement, rows)  # one execution for the many page views
        except Exception:
            if len(batch) == 1:
                log.exception("a bookkeeping write failed and is lost")
                return
            # one bad write (a token deleted meanwhile...) must not lose the others
            log.warning("a batch of %d bookkeeping writes failed; writing them one by one", len(batch))
            for write in batch:
                self._write([write])
