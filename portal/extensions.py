"""Extensions created at module level and bound to an app with ``init_app``."""

from __future__ import annotations

import contextlib
import threading
import time
from typing import Any

from flask import Flask, current_app, g, has_request_context, request
from flask import session as flask_session
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from portal import bookkeeping
from portal.config import Settings
from portal.db import READS_ONLY, autocommit_reads, make_engine, make_session_factory, transaction

READ_AFTER_WRITE_SECONDS = 30.0
# On SQLite the threads of one web process take turns at their bookkeeping writes here rather
# than in SQLite's busy handler, which sleeps in steps of up to 100 ms while another holds the lock.
_SQLITE_WRITES = threading.Lock()


def _bookkeeping_lock(engine: Engine) -> contextlib.AbstractContextManager[object]:
    """What a web process's bookkeeping writes take turns at: one lock on SQLite, none elsewhere."""
    return _SQLITE_WRITES if engine.dialect.name == "sqlite" else contextlib.nullcontext()


class Database:
    """One engine per app, one session per request, committed in one place.

    With ``COI_DATABASE_REPLICA_URL`` set, :attr:`read_session` reads from that (possibly
    lagging) replica: for pages that may show data a little old (search, country pages). Writes
    always go to the primary through :attr:`session`, and for ``READ_AFTER_WRITE_SECONDS`` after
    a browser's own write its reads go to the primary too, so people see what they just did.
    """

    def init_app(self, app: Flask, settings: Settings) -> None:
        # one connection per serving thread, plus the index warm-up and a spare
        pool = settings.web_threads + 2
        engine = make_engine(settings.db_url, pool_size=pool, max_overflow=pool, pool_timeout=10)
        factory = make_session_factory(engine)
        bookkeeping.track_writes(factory)
        autocommit_reads(factory, engine)
        app.extensions["coi_engine"] = engine
        app.extensions["coi_sessions"] = factory
        if settings.database_replica_url:
            replica = make_engine(settings.database_replica_url)
            app.extensions["coi_replica_engine"] = replica
            app.extensions["coi_replica_sessions"] = make_session_factory(replica)
            autocommit_reads(app.extensions["coi_replica_sessions"], replica)
        if settings.bookkeeping_batch_ms > 0:
            app.extensions["coi_bookkeeping"] = bookkeeping.BatchWriter(
                factory, _bookkeeping_lock(engine), settings.bookkeeping_batch_ms / 1000
            )
        app.after_request(self._commit)
        app.teardown_appcontext(self._close)

    @property
    def engine(self) -> Engine:
        engine: Engine = current_app.extensions["coi_engine"]
        return engine

    @property
    def factory(self) -> sessionmaker[Session]:
        factory: sessionmaker[Session] = current_app.extensions["coi_sessions"]
        return factory

    @property
    def session(self) -> Session:
        if "db_session" not in g:
            reads = has_request_context() and request.method in {"GET", "HEAD"}
            g.db_session = self.factory(info={READS_ONLY: reads})
        session: Session = g.db_session
        return session

    @property
    def read_session(self) -> Session:
        """A session for reads that may lag: the replica's, or the primary's when there is none."""
        replicas: sessionmaker[Session] | None = current_app.extensions.get("coi_replica_sessions")
        if replicas is None or self.wrote_recently():
            return self.session
        if "db_read_session" not in g:
            g.db_read_session = replicas(info={READS_ONLY: True})
        session: Session = g.db_read_session
        return session

    @staticmethod
    def wrote_recently() -> bool:
        """Whether this browser changed something in the last ``READ_AFTER_WRITE_SECONDS``: its
        reads then see the primary's current state, not a replica's or a cache's."""
        wrote = flask_session.get("_coi_wrote_at")
        return isinstance(wrote, int | float) and time.time() - wrote < READ_AFTER_WRITE_SECONDS

    def _commit(self, response: Any) -> Any:
        """The request's commit point: its own changes, then its queued bookkeeping."""
        session: Session | None = g.get("db_session")
        queue = bookkeeping.pending()
        # a plain read's bookkeeping goes to the process's batch writer, when it has one
        writer: bookkeeping.BatchWriter | None = (
            current_app.extensions.get("coi_bookkeeping") if request.method in {"GET", "HEAD"} else None
        )
        if session is not None and response.status_code < 400 and bookkeeping.wrote(session):
            for write in queue:
                write(session)
            queue = []
            if request.method != "GET":
                # this browser reads from the primary for a while, so it sees its own write
                flask_session["_coi_wrote_at"] = time.time()
            session.commit()
        elif session is not None:
            if response.status_code < 400:
                if queue and self.engine.dialect.name == "postgresql" and writer is None:
                    # PostgreSQL lets the read transaction take the bookkeeping too: one
                    # connection and one commit for the request
                    for write in queue:
                        write(session)
                    queue = []
                # on SQLite a read-only request ends its read transaction before writing anything
                session.commit()
            else:
                session.rollback()
        if queue and writer is not None:
            writer.submit(queue)
            queue = []
        if queue:
            with _bookkeeping_lock(self.engine), transaction(self.factory) as own:
                for write in queue:
                    write(own)
        return response

    @staticmethod
    def _close(exc: BaseException | None) -> None:
        reader: Session | None = g.pop("db_read_session", None)
        if reader is not None:
            reader.close()
        session: Session | None = g.pop("db_session", None)
        if session is not None:
            if exc is not None:
                session.rollback()
            session.close()


db = Database()
login_manager = LoginManager()
csrf = CSRFProtect()
