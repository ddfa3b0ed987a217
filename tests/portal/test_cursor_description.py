"""PostgreSQL cursors describe a result's columns only when the description is read: the same
description as psycopg's own, of the result it was asked for, and none for a statement without rows."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from portal.db import make_engine
from portal.models import Source

pytestmark = pytest.mark.postgres

MIXED = (
    "SELECT 1::int AS n, 'a'::text AS word, now() AS at, ARRAY[1, 2] AS pair, NULL::numeric(5, 2) AS price"
)


@pytest.fixture
def pg_engine(pg_database_url: str) -> Iterator[Engine]:
    engine = make_engine(pg_database_url)
    yield engine
    engine.dispose()


def _plain_description(url: str, statement: str) -> list[tuple[Any, ...]] | None:
    with psycopg.connect(url) as conn, conn.cursor() as cursor:
        cursor.execute(statement)
        return None if cursor.description is None else [tuple(c) for c in cursor.description]


def test_the_description_is_psycopgs_own(pg_engine: Engine, pg_database_url: str) -> None:
    with pg_engine.connect() as conn:
        cursor = conn.connection.driver_connection.cursor()
        cursor.execute(MIXED)
        described = cursor.description
        assert described is not None
        assert len(described) == 5
        assert [tuple(c) for c in described] == _plain_description(pg_database_url, MIXED)
        assert [c.name for c in described[1:3]] == ["word", "at"]
        assert described[-1].type_display == "numeric(5,2)"


def test_a_description_stays_with_its_result(pg_engine: Engine) -> None:
    with pg_engine.connect() as conn:
        cursor = conn.connection.driver_connection.cursor()
        cursor.execute(MIXED)
        first = cursor.description
        cursor.execute("SELECT 'x'::text AS other")
        assert first is not None
        assert [c.name for c in first] == [
            "n",
            "word",
            "at",
            "pair",
            "price",
        ]  # read after the next statement
        assert [c.name for c in cursor.description or []] == ["other"]


def test_no_description_without_rows_and_an_empty_one_for_no_columns(
    pg_engine: Engine, pg_database_url: str
) -> None:
    with pg_engine.connect() as conn:
        cursor = conn.connection.driver_connection.cursor()
        cursor.execute("CREATE TEMPORARY TABLE t (n int)")
        assert cursor.description is None
        cursor.execute("INSERT INTO t VALUES (1)")
        assert cursor.description is None
        cursor.execute("SELECT")  # rows, of no column
        assert cursor.description is not None and len(cursor.description) == 0
    assert _plain_description(pg_database_url, "SELECT") == []


def test_a_statement_seen_before_describes_no_column(
    pg_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[int] = []
    init = psycopg.Column.__init__

    def counted(self: psycopg.Column, *args: Any) -> None:
        made.append(1)
        init(self, *args)

    monkeypatch.setattr(psycopg.Column, "__init__", counted)
    from portal.migrate import upgrade

    upgrade(pg_engine)
    with Session(pg_engine) as session:
        session.add_all(
            [Source(name=f"s{i}", kind="rss", url=f"http://s{i}.invalid/", options={}) for i in range(3)]
        )
        session.commit()
        statement = select(Source).order_by(Source.name)
        first = [s.name for s in session.scalars(statement)]
        after_first = len(made)
        session.expunge_all()
        again = [s.name for s in session.scalars(statement)]
        assert first == again == ["s0", "s1", "s2"]
        assert after_first > 0  # the first time, SQLAlchemy learns the columns
        assert len(made) == after_first  # then it only asks whether there are rows
        assert session.execute(text("SELECT 2 AS two")).mappings().one() == {"two": 2}
