"""Extensions created at module level and bound to an app with ``init_app``."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, g
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from portal import bookkeeping
from portal.config import Settings
from portal.db import make_engine, make_session_factory, transaction


class Database:
    """One engine per app, one session per request, committed in one place."""

    def init_app(self, app: Flask, settings: Settings) -> None:
        # one connection per serving thread, plus the index warm-up and a spare
        pool = settings.web_threads + 2
        engine = make_engine(settings.db_url, pool_size=pool, max_overflow=pool, pool_timeout=10)
        factory = make_session_factory(engine)
        bookkeeping.track_writes(factory)
        app.extensions["coi_engine"] = engine
        app.extensions["coi_sessions"] = factory
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
            g.db_session = self.factory()
        session: Session = g.db_session
        return session

    def _commit(self, response: Any) -> Any:
        """The request's commit point: its own changes, then its queued bookkeeping."""
        session: Session | None = g.get("db_session")
        queue = bookkeeping.pending()
        if session is not None and response.status_code < 400 and bookkeeping.wrote(session):
            for write in queue:
                write(session)
            queue = []
            session.commit()
        elif session is not None:
            # a read-only or failed request: end its read transaction before writing anything
            if response.status_code < 400:
                session.commit()
            else:
                session.rollback()
        if queue:
            with transaction(self.factory) as own:
                for write in queue:
                    write(own)
        return response

    @staticmethod
    def _close(exc: BaseException | None) -> None:
        session: Session | None = g.pop("db_session", None)
        if session is not None:
            if exc is not None:
                session.rollback()
            session.close()


db = Database()
login_manager = LoginManager()
csrf = CSRFProtect()
