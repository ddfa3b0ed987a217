"""Engine and session factory, with SQLite in WAL mode and a busy timeout, and PostgreSQL
connections tested before use when they have been idle.

Does not define tables (see :mod:`portal.models`) nor create them (Alembic does).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any, overload

import psycopg
from psycopg import Column
from psycopg.pq import ExecStatus
from sqlalchemy import Boolean, MetaData, bindparam, create_engine, event, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.sql.elements import BindParameter, ColumnElement, TextClause
from sqlalchemy.sql.visitors import InternalTraversal

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


#: a list of ids bound at execution (``{"ids": [...]}``), for statements built once and run with
#: a page of ids each time: such a statement keeps its cache key, so a request only binds values
IDS: BindParameter[list[int]] = bindparam("ids", expanding=True)


class _InIds(ColumnElement[bool]):
    """``column IN`` the list bound as ``ids``; see :func:`in_ids`."""

    inherit_cache = True
    type = Boolean()
    _is_implicitly_boolean = True  # a predicate: no "= 1" after it where booleans are integers
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement)]  # noqa: RUF012

    def __init__(self, column: ColumnElement[int]) -> None:
        self.column = column


def in_ids(column: Any) -> ColumnElement[bool]:
    """``column IN :ids``, with the ids bound at execution (``{"ids": [...]}``).

    An expanding ``IN`` list is written into the statement's text at every execution, one
    parameter per id, so the text changes with the number of ids. On PostgreSQL this is
    ``column = ANY(:ids)`` with the list sent as one array: the text is done once, at the
    statement's first compilation, and psycopg prepares it on the server after a few uses.
    """
    return _InIds(column.__clause_element__() if hasattr(column, "__clause_element__") else column)


@compiles(_InIds)
def _compile_in_ids(element: _InIds, compiler: Any, **kw: Any) -> str:
    text_: str = compiler.process(element.column.in_(IDS), **kw)
    return text_


@compiles(_InIds, "postgresql")
def _compile_any_ids(element: _InIds, compiler: Any, **kw: Any) -> str:
    ids = bindparam("ids", type_=postgresql.ARRAY(element.column.type))  # an array of the column's type
    return f"{compiler.process(element.column, **kw)} = ANY ({compiler.process(ids, **kw)})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


_ROWS = (ExecStatus.TUPLES_OK, ExecStatus.SINGLE_TUPLE, ExecStatus.TUPLES_CHUNK)


class _Columns(Sequence[Column]):
    """The columns of one result, described when first read.

    SQLAlchemy reads a cursor's ``description`` after every statement, but uses what it holds
    only the first time it sees a statement (later it reuses what it learnt then, and only asks
    whether there are rows). psycopg describes every column of every result at once, in Python:
    about 0.25 ms of the 6.5 ms of CPU a document page (8 statements) costs the web process.
    """

    __slots__ = ("_at", "_made", "_n")

    def __init__(self, cursor: psycopg.Cursor[Any], result: Any) -> None:
        # what psycopg's Column reads from its cursor, as it is now: the cursor may move on
        self._at = SimpleNamespace(pgresult=result, _encoding=cursor._encoding, adapters=cursor.adapters)
        self._n: int = result.nfields
        self._made: list[Column] | None = None

    def _columns(self) -> list[Column]:
        if self._made is None:
            self._made = [Column(self._at, i) for i in range(self._n)]  # type: ignore[arg-type]
        return self._made

    def __len__(self) -> int:
        return self._n

    @overload
    def __getitem__(self, index: int) -> Column: ...
    @overload
    def __getitem__(self, index: slice) -> list[Column]: ...
    def __getitem__(self, index: int | slice) -> Column | list[Column]:
        return self._columns()[index]

    def __iter__(self) -> Iterator[Column]:
        return iter(self._columns())

    def __eq__(self, other: object) -> bool:
        return list(self) == list(other) if isinstance(other, Sequence) else NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(self._columns())


class _Cursor(psycopg.Cursor[Any]):
    """psycopg's cursor with a ``description`` that describes the columns only when read."""

    @property
    def description(self) -> _Columns | None:  # type: ignore[override]
        result = self.pgresult
        if result is not None and (result.nfields or result.status in _ROWS):
            return _Columns(self, result)
        return None


def make_engine(url: str, **kwargs: Any) -> Engine:
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 15}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    kwargs["connect_args"] = {"cursor_factory": _Cursor, **kwargs.get("connect_args", {})}
    engine = create_engine(url, **kwargs)
    _ping_when_idle(engine)
    return engine


#: a pooled connection back in the pool for longer than this is tested before it is handed out
PING_AFTER_IDLE_SECONDS = 5.0


def _ping_when_idle(engine: Engine) -> None:
    """Test a pooled connection before use only when it has sat idle (what ``pool_pre_ping``
    does before every use).

    A connection the server dropped (a restart, an idle timeout of the server or of a proxy)
    has sat idle; one that was handed back a moment ago under load has not, and testing it
    would cost a round trip on each of its uses. A failed test discards the connection and the
    pool hands out another.
    """

    @event.listens_for(engine, "checkin")
    def _returned(_dbapi_connection: Any, record: Any) -> None:
        record.info["coi_returned_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _handed_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        returned = record.info.get("coi_returned_at")
        if returned is None or time.monotonic() - returned < PING_AFTER_IDLE_SECONDS:
            return  # new, or back from use a moment ago
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise DisconnectionError("a pooled database connection no longer answers") from exc


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    import portal.schema  # noqa: F401  (every area's models mapped before the first session)

    return sessionmaker(engine, expire_on_commit=False)


#: ``session.info`` key of a session that serves a plain read (see :func:`autocommit_reads`)
READS_ONLY = "coi_reads_only"
# a statement that can only read: a SELECT that locks no rows
_READ = re.compile(r"\s*SELECT\b", re.IGNORECASE)
_LOCKS = re.compile(r"\bFOR\s+(?:NO\s+KEY\s+)?(?:UPDATE|SHARE|KEY\s+SHARE)\b", re.IGNORECASE)
# the pool record's info key of a connection we put in autocommit for a read
_AUTOCOMMIT = "coi_read_autocommit"


def autocommit_reads(factory: sessionmaker[Session], engine: Engine) -> None:
    """On PostgreSQL, let a session marked ``info[READS_ONLY]`` run its reads without a transaction.

    Without one, psycopg sends ``BEGIN`` before a session's first statement and the session sends
    ``COMMIT`` at the end: two of the dozen round trips of a page view, each of which waits for a
    server process to be scheduled on a busy machine. Under ``READ COMMITTED`` every statement
    sees its own snapshot anyway, so reads lose no consistency.

    The first statement that may write (anything but a SELECT without a row lock) turns the
    connection back to transactions, so what a read request writes is still committed (or
    rolled back) as one, at its commit point. A connection goes back to the pool as it came.
    """
    if engine.dialect.name != "postgresql":
        return

    @event.listens_for(factory, "after_begin")
    def _begun(session: Session, _transaction: Any, connection: Any) -> None:
        if session.info.get(READS_ONLY):
            fairy = connection.connection
            if not fairy.driver_connection.autocommit:
                fairy.driver_connection.autocommit = True
                fairy.info[_AUTOCOMMIT] = True

    @event.listens_for(engine, "before_cursor_execute")
    def _before(
        conn: Any, _cursor: Any, statement: str, _params: Any, _context: Any, _executemany: bool
    ) -> None:
        fairy = conn.connection
        if fairy.info.get(_AUTOCOMMIT) and (not _READ.match(statement) or _LOCKS.search(statement)):
            fairy.driver_connection.autocommit = False  # idle between statements: allowed
            del fairy.info[_AUTOCOMMIT]

    @event.listens_for(engine, "checkin")
    def _returned(dbapi_connection: Any, record: Any) -> None:
        if record.info.pop(_AUTOCOMMIT, None) and dbapi_connection is not None:
            dbapi_connection.autocommit = False


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A short unit of work: commits on success, rolls back on error, always closes."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


# PostgreSQL's own defaults for when autovacuum gathers a table's statistics again: after 50
# changed rows plus a tenth of the table
ANALYZE_THRESHOLD = 50
ANALYZE_SCALE_FACTOR = 0.1
_STALE_TABLES = text(
    "SELECT relname FROM pg_stat_user_tables WHERE schemaname = current_schema()"
    " AND n_mod_since_analyze > :threshold + :scale * greatest(n_live_tup, 0) ORDER BY relname"
)


# autovacuum's default thresholds for a vacuum: dead rows, and rows added since the last vacuum
VACUUM_THRESHOLD = 50
VACUUM_SCALE_FACTOR = 0.2
VACUUM_INSERT_THRESHOLD = 1000
VACUUM_INSERT_SCALE_FACTOR = 0.2

_UNVACUUMED_TABLES = text(
    "SELECT relname FROM pg_stat_user_tables WHERE schemaname = current_schema()"
    " AND (n_dead_tup > :threshold + :scale * greatest(n_live_tup, 0)"
    " OR n_ins_since_vacuum > :insert_threshold + :insert_scale * greatest(n_live_tup, 0))"
    " ORDER BY relname"
)


def _tables_due(engine: Engine, query: TextClause, bound: dict[str, float], *, always: bool) -> list[str]:
    """The tables `query` selects, on PostgreSQL where autovacuum is off (any, with `always`)."""
    if engine.dialect.name != "postgresql":
        return []
    with engine.connect() as conn:
        if not always and conn.scalar(text("SELECT current_setting('autovacuum')")) == "on":
            return []
        return [str(name) for name in conn.scalars(query, bound)]


def vacuum_tables(engine: Engine, *, always: bool = False) -> list[str]:
    """VACUUM the tables whose dead rows, or rows added since their last vacuum, passed
    autovacuum's default thresholds; returns the tables vacuumed.

    Only on PostgreSQL, and only where its autovacuum is off (unless ``always``). Without it, the
    rows a change replaced stay in the table and its indexes, and pages of new rows are never
    marked visible to all, so a search that counts its hits reads each such page: after 150,000
    documents were indexed into 500,000, the search benchmark's queries took a p95 of 950 ms
    where a vacuum brought them back to 340 ms.
    """
    bound = {
        "threshold": VACUUM_THRESHOLD,
        "scale": VACUUM_SCALE_FACTOR,
        "insert_threshold": VACUUM_INSERT_THRESHOLD,
        "insert_scale": VACUUM_INSERT_SCALE_FACTOR,
    }
    tables = _tables_due(engine, _UNVACUUMED_TABLES, bound, always=always)
    if not tables:
        return tables
    quote = engine.dialect.identifier_preparer.quote
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for name in tables:  # VACUUM runs outside a transaction; it does not block reads or writes
            conn.execute(text(f"VACUUM {quote(name)}"))
    return tables


def refresh_statistics(engine: Engine, *, always: bool = False) -> list[str]:
    """Gather the query planner's statistics of the tables that changed much since they were last
    gathered, the way autovacuum would; returns the tables analysed.

    Only on PostgreSQL, and only where its autovacuum is off (unless ``always``): with autovacuum
    on, it does this itself. With it off and nothing else doing it, the planner keeps the numbers
    of empty tables and, on an instance of 20,000 documents, reads a whole table for one
    document's stored copies. After a bulk load (``coi db copy-to``) it is run at once.
    """
    bound = {"threshold": ANALYZE_THRESHOLD, "scale": ANALYZE_SCALE_FACTOR}
    tables = _tables_due(engine, _STALE_TABLES, bound, always=always)
    quote = engine.dialect.identifier_preparer.quote
    for name in tables:  # one short transaction each: a table locked elsewhere holds up only itself
        with engine.begin() as conn:
            conn.execute(text(f"ANALYZE {quote(name)}"))
    return tables
