"""The query planner's statistics on PostgreSQL where autovacuum does not gather them."""

from __future__ import annotations

from sqlalchemy import insert, text
from sqlalchemy.engine import Engine

from portal.db import refresh_statistics
from portal.models import Role, User


def _add_users(engine: Engine, n: int) -> None:
    rows = [{"username": f"officer{i}", "role": Role.officer, "password_hash": "x"} for i in range(n)]
    with engine.connect() as conn:
        if rows:
            conn.execute(insert(User), rows)
            conn.commit()
        if engine.dialect.name == "postgresql":
            # the server counts changed rows per backend and reports them in a while: at once here
            conn.execute(text("SELECT pg_stat_force_next_flush()"))
            conn.commit()


def test_tables_that_changed_much_are_analysed_and_the_others_are_not(engine: Engine) -> None:
    _add_users(engine, 300)
    analysed = refresh_statistics(engine, always=True)
    if engine.dialect.name != "postgresql":
        assert analysed == []  # SQLite plans without gathered statistics
        return
    assert "users" in analysed
    assert "briefings" not in analysed  # nothing changed there
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT reltuples FROM pg_class WHERE relname = 'users'")) >= 300
    _add_users(engine, 0)
    assert "users" not in refresh_statistics(engine, always=True)  # gathered: nothing new since


def test_where_autovacuum_runs_it_is_left_to_autovacuum(engine: Engine) -> None:
    _add_users(engine, 300)
    if engine.dialect.name != "postgresql":
        assert refresh_statistics(engine) == []
        return
    with engine.connect() as conn:
        autovacuum = conn.scalar(text("SELECT current_setting('autovacuum')"))
    analysed = refresh_statistics(engine)
    assert ("users" in analysed) == (autovacuum == "off")


def _dead_and_live(engine: Engine) -> tuple[int, int]:
    with engine.connect() as conn:
        row = conn.execute(
            text("SELECT n_dead_tup, n_live_tup FROM pg_stat_user_tables WHERE relname = 'users'")
        ).one()
    return int(row[0]), int(row[1])


def test_tables_with_many_dead_rows_are_vacuumed_and_the_others_are_not(engine: Engine) -> None:
    from portal.db import vacuum_tables

    _add_users(engine, 400)
    if engine.dialect.name != "postgresql":
        assert vacuum_tables(engine, always=True) == []
        return
    vacuum_tables(engine, always=True)  # whatever the tables held before
    with engine.connect() as conn:
        conn.execute(text("DELETE FROM users WHERE username LIKE 'officer%'"))
        conn.commit()
    _add_users(engine, 0)  # flushes the counts
    assert _dead_and_live(engine)[0] >= 400
    vacuumed = vacuum_tables(engine, always=True)
    assert "users" in vacuumed
    assert "briefings" not in vacuumed  # nothing changed there
    _add_users(engine, 0)
    assert _dead_and_live(engine)[0] == 0
    assert "users" not in vacuum_tables(engine, always=True)  # vacuumed: nothing new since
