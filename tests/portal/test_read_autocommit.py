"""On PostgreSQL a plain read's session runs its SELECTs without a transaction, and turns back to
one at its first write, so that what it writes is still committed or rolled back as one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from psycopg.pq import TransactionStatus
from sqlalchemy import select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from portal.db import READS_ONLY, autocommit_reads, make_engine, make_session_factory, transaction
from portal.migrate import upgrade
from portal.models import Role, User

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_factory(pg_database_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(pg_database_url, pool_size=1, max_overflow=0)  # one connection, reused
    upgrade(engine)
    factory = make_session_factory(engine)
    autocommit_reads(factory, engine)
    yield factory
    engine.dispose()


def _status(session: Session) -> TransactionStatus:
    status: TransactionStatus = session.connection().connection.driver_connection.info.transaction_status
    return status


def test_a_read_session_selects_outside_any_transaction(pg_factory: sessionmaker[Session]) -> None:
    with pg_factory(info={READS_ONLY: True}) as session:
        assert session.scalar(text("SELECT 1")) == 1
        assert _status(session) == TransactionStatus.IDLE
        session.commit()  # nothing to commit: no round trip, no error


def test_other_sessions_and_row_locks_keep_their_transaction(pg_factory: sessionmaker[Session]) -> None:
    with pg_factory() as session:
        session.scalar(text("SELECT 1"))
        assert _status(session) == TransactionStatus.INTRANS
        session.rollback()
    with pg_factory(info={READS_ONLY: True}) as session:
        session.scalars(select(User.id).with_for_update()).all()
        assert _status(session) == TransactionStatus.INTRANS  # the lock lasts until the commit
        session.rollback()


def test_the_first_write_of_a_read_session_opens_a_transaction_that_a_failure_rolls_back(
    pg_factory: sessionmaker[Session],
) -> None:
    with pg_factory(info={READS_ONLY: True}) as session:
        session.scalars(select(User)).all()
        session.add(User(username="first", role=Role.researcher, password_hash="x"))
        session.flush()
        assert _status(session) == TransactionStatus.INTRANS
        session.add(User(username="first", role=Role.researcher, password_hash="x"))  # a duplicate
        with pytest.raises(IntegrityError):
            session.flush()
        session.rollback()
    with transaction(pg_factory) as session:
        assert session.scalars(select(User.username)).all() == []  # the first write went with it


def test_a_read_sessions_write_is_committed_at_its_commit(pg_factory: sessionmaker[Session]) -> None:
    with pg_factory(info={READS_ONLY: True}) as session:
        session.scalars(select(User)).all()
        session.add(User(username="kept", role=Role.researcher, password_hash="x"))
        session.commit()
    with transaction(pg_factory) as session:
        assert session.scalars(select(User.username)).all() == ["kept"]


def test_the_connection_goes_back_to_the_pool_with_transactions_on(
    pg_factory: sessionmaker[Session],
) -> None:
    engine = pg_factory.kw["bind"]
    assert isinstance(engine, Engine)
    with pg_factory(info={READS_ONLY: True}) as session:
        session.scalar(text("SELECT 1"))
        read_pid = session.scalar(text("SELECT pg_backend_pid()"))
    with engine.connect() as conn:  # the pool's only connection, the same one
        assert conn.scalar(text("SELECT pg_backend_pid()")) == read_pid
        assert conn.connection.driver_connection.autocommit is False
