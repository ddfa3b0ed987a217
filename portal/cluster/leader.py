"""Scheduler leadership on PostgreSQL: a session-level advisory lock on a dedicated connection.

The lock lives exactly as long as the connection that took it. When the leading worker is
killed, its operating system closes the socket and PostgreSQL releases the lock at once; when
its machine disappears, the TCP keepalives set on both sides end the session within about half
a minute. A waiting worker retries every ``retry`` seconds (15 by default), so another takes
over within a minute. The leader checks its connection every few seconds and stops its
scheduler the moment the connection is gone, so two schedulers overlap for at most that long;
jobs that must happen once are guarded by claims besides (:mod:`portal.cluster.claims`, the
digest delivery log).

SQLite instances keep the lock file of :mod:`portal.jobs` (one machine, one folder).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy.engine import make_url

log = logging.getLogger(__name__)

# "COI scheduler" as a 64-bit advisory lock key: the same in every process of one database
LEADER_KEY = 0x434F49_5343_4844
KEEPALIVE_SECONDS = {"idle": 10, "interval": 5, "count": 3}


class LeaderLockedError(RuntimeError):
    pass


def conninfo(url: str) -> str:
    """A libpq connection string for a SQLAlchemy PostgreSQL URL (any driver name)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def is_postgres(url: str) -> bool:
    return url.startswith("postgresql")


class AdvisoryLeaderLock:
    """An exclusive lock across every process using one PostgreSQL database."""

    def __init__(self, url: str, key: int = LEADER_KEY) -> None:
        self.url = url
        self.key = key
        self._conn: Any = None

    def _connect(self) -> Any:
        import psycopg

        k = KEEPALIVE_SECONDS
        conn = psycopg.connect(
            conninfo(self.url),
            autocommit=True,
            application_name="coi scheduler",
            keepalives=1,
            keepalives_idle=k["idle"],
            keepalives_interval=k["interval"],
            keepalives_count=k["count"],
            connect_timeout=10,
        )
        # the server side notices a vanished client just as fast
        conn.execute(f"SET tcp_keepalives_idle = {k['idle']}")
        conn.execute(f"SET tcp_keepalives_interval = {k['interval']}")
        conn.execute(f"SET tcp_keepalives_count = {k['count']}")
        return conn

    def acquire(self) -> None:
        conn = self._connect()
        try:
            row = conn.execute("SELECT pg_try_advisory_lock(%s)", (self.key,)).fetchone()
        except BaseException:
            conn.close()
            raise
        if not row or not row[0]:
            conn.close()
            raise LeaderLockedError("another worker leads the scheduler for this database")
        self._conn = conn

    def release(self) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            conn.execute("SELECT pg_advisory_unlock(%s)", (self.key,))
        except Exception as exc:  # the connection is gone, and the lock with it
            log.info("the scheduler lock went with its connection: %s", exc)
        finally:
            conn.close()

    @property
    def held(self) -> bool:
        return self._conn is not None

    def alive(self) -> bool:
        """True while this process still holds the lock (its connection answers)."""
        if self._conn is None:
            return False
        try:
            self._conn.execute("SELECT 1")
        except Exception:
            log.warning("the scheduler's lock connection was lost")
            return False
        return True

    def held_elsewhere(self) -> bool:
        """True when some other session holds the lock."""
        if self._conn is not None:
            return False
        import psycopg

        with psycopg.connect(conninfo(self.url), autocommit=True, connect_timeout=10) as conn:
            row = conn.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
                " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
                " AND ((classid::bigint << 32) | objid::bigint) = %s",
                (self.key,),
            ).fetchone()
        return bool(row and row[0])


def lead_while_alive(
    lock: AdvisoryLeaderLock,
    start: Callable[[], Callable[[], None]],
    stop: threading.Event,
    *,
    retry: float = 15.0,
    check: float = 5.0,
) -> None:
    """Wait for leadership, run ``start()`` while it lasts, stop it when lost; until ``stop``.

    ``start`` starts the scheduler and returns the function that stops it.
    """
    while not stop.is_set():
        try:
            lock.acquire()
        except LeaderLockedError:
            stop.wait(retry)
            continue
        except Exception:
            log.exception("the scheduler lock could not be tried; trying again in %s s", retry)
            stop.wait(retry)
            continue
        log.info("this worker now leads the scheduler")
        halt = start()
        try:
            while not stop.wait(check):
                if not lock.alive():
                    break
        finally:
            halt()
            lock.release()
            log.info("this worker no longer leads the scheduler")
