"""Copy an instance's database (SQLite) into an empty PostgreSQL database, row for row.

Every table the models define is copied in dependency order, in batches, with its ids, so that
stored copies (``snapshots``), annotations, users and the delivery log keep their identities
and links. The target is first brought to the current schema by the migrations and must hold no
rows yet. Afterwards each id sequence is moved past the copied ids and the query planner's
statistics are gathered. The search index is not copied: rebuild it on the new database
(``coi index --rebuild``).
"""

from __future__ import annotations

import logging

from sqlalchemy import Integer, func, select, text
from sqlalchemy.engine import Connection, Engine

import portal.models  # noqa: F401  (every table on the metadata)
from portal.db import Base, make_engine, refresh_statistics

log = logging.getLogger(__name__)

BATCH = 1000


class TargetNotEmptyError(RuntimeError):
    pass


def _reset_sequences(conn: Connection) -> None:
    for table in Base.metadata.sorted_tables:
        pk = list(table.primary_key.columns)
        if len(pk) != 1 or not isinstance(pk[0].type, Integer) or pk[0].autoincrement is False:
            continue
        seq = conn.scalar(text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": pk[0].name})
        if seq is None:
            continue
        top = conn.scalar(select(func.max(pk[0])))
        if top is not None:
            conn.execute(text("SELECT setval(:s, :v)"), {"s": seq, "v": int(top)})


def copy_database(source: Engine, target_url: str) -> dict[str, int]:
    """Copy every row of ``source`` into the (empty) database at ``target_url``; rows per table."""
    from portal.migrate import upgrade

    target = make_engine(target_url)
    counts: dict[str, int] = {}
    try:
        upgrade(target)
        with target.begin() as out:
            for table in Base.metadata.sorted_tables:
                if out.scalar(select(func.count()).select_from(table)):
                    raise TargetNotEmptyError(f"the target database already has rows in {table.name}")
            if target.dialect.name == "postgresql":
                # rows that point at rows of their own table (merged entities) in any order
                out.execute(text("SET LOCAL session_replication_role = replica"))
            with source.connect() as src:
                for table in Base.metadata.sorted_tables:
                    pk = list(table.primary_key.columns)
                    result = src.execution_options(stream_results=True).execute(select(table).order_by(*pk))
                    n = 0
                    while rows := result.mappings().fetchmany(BATCH):
                        out.execute(table.insert(), [dict(r) for r in rows])
                        n += len(rows)
                    counts[table.name] = n
                    log.info("copied %d rows of %s", n, table.name)
            if target.dialect.name == "postgresql":
                _reset_sequences(out)
        # a bulk load: the planner's statistics are gathered now, not whenever autovacuum comes by
        refresh_statistics(target, always=True)
    finally:
        target.dispose()
    return counts
