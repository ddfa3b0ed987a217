"""Pooled PostgreSQL connections: tested before use only after they sat idle, and replaced when
the server has dropped them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool

from portal import db as portal_db
from portal.db import make_engine

# SQLite's connections are files opened in the process: only PostgreSQL's can be dropped by the server
pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_engine(pg_database_url: str) -> Iterator[Engine]:
    engine = make_engine(pg_database_url, pool_size=1, max_overflow=0)
    yield engine
    engine.dispose()


def _count_pings(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    pings: list[int] = []
    ping = engine.dialect.do_ping

    def counted(dbapi_connection: Any) -> bool:
        pings.append(1)
        return ping(dbapi_connection)

    monkeypatch.setattr(engine.dialect, "do_ping", counted)
    return pings


def _backend_pid(engine: Engine) -> int:
    with engine.connect() as conn:
        pid: int = conn.scalar(text("SELECT pg_backend_pid()"))
    return pid


def test_a_connection_back_from_use_a_moment_ago_is_handed_out_untested(
    pg_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    pings = _count_pings(pg_engine, monkeypatch)
    first = _backend_pid(pg_engine)
    for _ in range(5):
        assert _backend_pid(pg_engine) == first  # the same pooled connection each time
    assert pings == []


def test_an_idle_connection_is_tested_and_one_the_server_dropped_is_replaced(
    pg_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    pings = _count_pings(pg_engine, monkeypatch)
    dropped = _backend_pid(pg_engine)
    admin = make_engine(pg_engine.url.render_as_string(hide_password=False), poolclass=NullPool)
    with admin.connect() as conn:
        assert conn.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": dropped})
    monkeypatch.setattr(portal_db, "PING_AFTER_IDLE_SECONDS", 0.0)  # as if it sat idle for long
    replacement = _backend_pid(pg_engine)  # no error: the dead connection is never handed out
    assert replacement != dropped
    assert len(pings) == 1
    monkeypatch.setattr(portal_db, "PING_AFTER_IDLE_SECONDS", 3600.0)
    assert _backend_pid(pg_engine) == replacement
    assert len(pings) == 1
