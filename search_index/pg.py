"""The PostgreSQL full-text backend: the same searches as the Whoosh index, in tables every node reads.

:class:`PostgresSearchIndex` has the public methods of :class:`search_index.SearchIndex` and is
chosen with ``COI_SEARCH_BACKEND=postgres``. It owns these tables (created at :meth:`open` with
``CREATE … IF NOT EXISTS``; see :data:`DDL`):

- ``search_documents``: one row per document with the stored fields (title, published, cluster,
  the "more like this" key terms), ``facets`` (``name:value`` entries for every field of
  :data:`search_index.schema.FACET_FIELDS`, one GIN index for all of them), ``tsv`` (title
  stems with weight A, body stems with weight D, with positions: one GIN index answers every
  word) and ``title_tsv`` (title stems alone, GIN, for ``title:`` and ranking), ``pairs``
  (adjacent stem pairs of the title and of the body, hashed into buckets as Whoosh's pairs,
  GIN, for phrases: a phrase is then answered by the index alone, where ``<->`` would re-read
  the ``tsvector`` of every document holding the words, which for common words takes seconds).
- ``search_terms``: document frequencies of stems (``s``) and of folded title words (``t``):
  wildcard expansion, "more like this" and "did you mean", as Whoosh reads them from its lexicon.
- ``search_meta``: the schema version and field list; a mismatch raises :class:`SchemaMismatch`.

The text is analysed in Python by :mod:`search_index.analysis` (folding, stop words, Porter
stems) and stored as ready-made ``tsvector`` values: PostgreSQL's ``english`` configuration
would stem with Snowball and drop another stop list, so hit sets would drift from Whoosh's.
Queries are compiled from the parse tree of :mod:`search_index.query` to ``tsquery`` values and
``WHERE`` clauses. Where the two backends differ (ranking, phrases on stems) is listed in
``docs/search-backends.md``.

Only the index writer (``coi index``, the scheduler's index job) writes these tables; every web
node reads them, from a read replica when one is given. This module does not read the portal's
own tables.
"""

from __future__ import annotations

import dataclasses
import logging
import multiprocessing
import os
import queue
import re
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from multiprocessing.pool import AsyncResult
from typing import Any, Literal

import psycopg
from psycopg import sql

from search_index.analysis import PAIR_BUCKETS, fold, memo_words, pair_ids, stem, stems, words
from search_index.highlight import highlight
from search_index.query import (
    MAX_QUERY_CHARS,
    And,
    DateRange,
    Facet,
    MatchAll,
    Node,
    Not,
    Or,
    Wildcard,
    Words,
    parse_query,
)
from search_index.records import Change, Hit, IndexDoc, Resolvers, SearchResults
from search_index.schema import (
    DEFAULT_FACETS,
    FACET_FIELDS,
    SCHEMA_VERSION,
    SchemaMismatch,
    facet_values,
    to_utc_naive,
)
from search_index.writer import keyterms

__all__ = ["MAX_QUERY_CHARS", "PostgresSearchIndex"]

SUGGEST_BELOW = 3
MLT_TERMS = 12
MAX_PAGELEN = 200
WILDCARD_LIMIT = 300
MAX_POSITION = 16383  # PostgreSQL keeps word positions up to this
MAX_POSITIONS_PER_WORD = 255
#: Positions kept per word in ``tsv``: only ranking reads them (phrases use ``pairs``), and a
#: word's weight in ``ts_rank`` barely grows past a few occurrences; fewer keep rows small.
RANK_POSITIONS = 16
#: Result sets up to this size are ranked with ``ts_rank`` in full. Larger ones are first cut
#: to the RANK_POOL documents that match in the title, newest first, and only those are ranked:
#: ranking reads every hit's ``tsvector`` (out of line), about 40 µs a hit on a busy machine
#: (10,000 hits: 0.4 s).
RANK_ALL = 2_000
RANK_POOL = 500
#: ``ts_rank`` weights {D, C, B, A}: a title word (A) counts twice a body word (D), as in Whoosh.
RANK_WEIGHTS = "{0.5, 0, 0, 1.0}"
#: Result sets of at least this many documents are counted on a sample, one document in
#: SAMPLE_EVERY (by a hash of its id, through an index of its own; a power of two), so that
#: runs of ids from one source or one day are sampled evenly: the total and the facet counts are then
#: estimates (``SearchResults.estimated``). Counting exactly costs a few microseconds a hit
#: (every hit's row is read), about a second for 200,000 hits; the sample reads a sixteenth.
#: At the threshold the sample holds some 1,250 hits, so the total is within about 3%.
ESTIMATE_FROM = 20_000
SAMPLE_EVERY = 16
WORK_MEM = "64MB"  # keeps GIN bitmaps exact (lossy pages would re-read every tsvector)
#: a pooled connection idle for longer than this is tested before it is used again
PING_AFTER_IDLE_SECONDS = 5.0
ROW_COST = "0.2"  # the planner's cpu_tuple_cost for searches (PostgreSQL's default: 0.01)
COPY_ROWS = 1000

#: Free room left on the pages of ``search_terms``: a batch updates thousands of counts, and an
#: update that fits on its page writes neither of the table's two indexes (a HOT update).
TERMS_FILLFACTOR = 70

DDL: tuple[str, ...] = (
    """CREATE TABLE IF NOT EXISTS search_meta (
        key text PRIMARY KEY,
        value text NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS search_documents (
        id bigint PRIMARY KEY,
        title text NOT NULL,
        published timestamp,
        cluster bigint,
        facets text[] NOT NULL,
        keyterms text[] NOT NULL,
        title_tsv tsvector NOT NULL,
        tsv tsvector NOT NULL,
        pairs tsvector NOT NULL
    )""",
    f"""CREATE TABLE IF NOT EXISTS search_terms (
        kind char(1) NOT NULL,
        term text NOT NULL,
        df integer NOT NULL,
        PRIMARY KEY (kind, term)
    ) WITH (fillfactor = {TERMS_FILLFACTOR})""",
)
INDEXES: tuple[tuple[str, str], ...] = (
    ("search_documents_tsv", "USING gin (tsv)"),
    ("search_documents_title_tsv", "USING gin (title_tsv)"),
    ("search_documents_pairs", "USING gin (pairs)"),
    ("search_documents_facets", "USING gin (facets)"),
    ("search_documents_published", "(published DESC NULLS LAST, id DESC)"),
    ("search_documents_sample", f"((hashint8(id) & {SAMPLE_EVERY - 1}))"),
)
TERMS_PREFIX_INDEX = ("search_terms_prefix", "(kind, term text_pattern_ops)")
PAIRS_INDEX = "search_documents_pairs"
#: ``maintenance_work_mem`` of each of the two connections building indexes in a rebuild.
BUILD_MEM = "1GB"
#: A rebuild of this many documents or more analyses them in worker processes, one per core:
#: analysis in Python costs the client about three times what loading the rows costs the server.
PROCESS_ROWS_FROM = 20_000
ROWS_CHUNK = 200
#: A batch's new GIN entries wait in each index's pending list and are merged into the index
#: once, before the commit: each posting list is then rewritten once a batch, where the default
#: limit (4 MB) merges a batch of 1,000 documents several times.
PENDING_MEM = "256MB"
#: The two largest GIN indexes (every word; word pairs) get entries under nearly all of their
#: keys from any batch of some size, so merging costs about as much for one batch as for four:
#: 2.1 s for a batch of 1,000 documents at 500,000, 3.8 s for four batches at once. Their
#: pending entries are merged once this many documents have been added since the last merge;
#: until then each search also scans them (about 2 ms more per 1,000 documents waiting).
#: The merge runs on a connection of its own beside the next batches (``merge_in_background``):
#: the server merges on one core while this process analyses the next batch on the other.
#: Every 8,000 documents rather than 4,000: 24 batches of 1,000 in a row at 500,000 documents
#: (``bench/search.py``, four runs of each, alternated) went at 915-1,000 docs/s against 637-934.
MERGED_LATER = ("search_documents_tsv", "search_documents_pairs")
MERGE_AFTER_DOCS = 8000


log = logging.getLogger(__name__)

#: the planner settings of a search's transaction (see ``PostgresSearchIndex._searching``), each
#: as ``SET LOCAL`` would make it
_SEARCH_SETTINGS = (
    "SELECT set_config('enable_seqscan', 'off', true),"
    " set_config('max_parallel_workers_per_gather', '0', true),"
    " set_config('jit', 'off', true),"
    " set_config('cpu_tuple_cost', %(row_cost)s, true)"
)

PG_LAYOUT = 3  # the layout of these tables, beside the shared SCHEMA_VERSION


def _meta_signature() -> str:
    return f"{SCHEMA_VERSION}.{PG_LAYOUT};" + ",".join(FACET_FIELDS)


# -- analysis: documents to rows ---------------------------------------------------------


def _lexeme(term: str) -> str:
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


_POS: tuple[str, ...] = tuple(str(i) for i in range(MAX_POSITION + 1))
_POS_A: tuple[str, ...] = tuple(f"{i}A" for i in range(MAX_POSITION + 1))


def _positions(parts: Sequence[tuple[Sequence[str], str]], per_word: int) -> dict[str, list[str]]:
    """Per stem, its position labels in `parts` (see :func:`tsvector_text`), first seen first."""
    positions: dict[str, list[str]] = {}
    get = positions.get
    pos = 0
    for terms, weight in parts:
        table = _POS_A if weight == "A" else _POS
        end = pos + len(terms)
        if end < MAX_POSITION:
            labels: Sequence[str] = table[pos + 1 : end + 1]
        else:  # a long document: the positions past the limit all read MAX_POSITION
            labels = [table[min(p, MAX_POSITION)] for p in range(pos + 1, end + 1)]
        for term, label in zip(terms, labels, strict=True):
            got = get(term)
            if got is None:
                positions[term] = [label]
            elif len(got) < per_word:
                got.append(label)
        pos = end + 1
    return positions


def _tsvector(positions: Mapping[str, list[str]]) -> str:
    return " ".join([f"'{t}':{','.join(p)}" for t, p in positions.items()])


def tsvector_text(parts: Sequence[tuple[Sequence[str], str]], per_word: int = MAX_POSITIONS_PER_WORD) -> str:
    """A ``tsvector`` literal of stemmed parts, each with its weight letter ("A" or "" for D).

    Positions run on across the parts with a gap of one, so a phrase never spans a title and
    a body. Positions past MAX_POSITION stay there (PostgreSQL's own limit), and each word
    keeps its first `per_word` positions. Stems are word characters, so they need no escaping.
    """
    return _tsvector(_positions(parts, per_word))


@dataclass(frozen=True)
class Row:
    """One document as stored in ``search_documents``, with the terms it adds to ``search_terms``."""

    id: int
    title: str
    published: datetime | None
    cluster: int | None
    facets: list[str]
    keyterms: list[str]
    title_tsv: str
    tsv: str
    pairs: str
    stems: frozenset[str]
    title_words: frozenset[str]

    def values(self) -> tuple[Any, ...]:
        return (
            self.id,
            self.title,
            self.published,
            self.cluster,
            self.facets,
            self.keyterms,
            self.title_tsv,
            self.tsv,
            self.pairs,
        )


ROW_COLUMNS = ("id", "title", "published", "cluster", "facets", "keyterms", "title_tsv", "tsv", "pairs")


def pair_lexemes(terms: Sequence[str]) -> list[str]:
    """The ``pairs`` lexemes of adjacent stems: one of PAIR_BUCKETS hash buckets each, as Whoosh.

    Hashing bounds the number of distinct lexemes, which keeps the GIN index small and quick to
    build; a phrase also needs its stems, so a bucket shared by two pairs rarely misleads.
    """
    return [f"~{b:x}" for b in pair_ids(list(terms))]


_PAIR_LEXEMES: list[str] = []


def _pair_lexeme_texts() -> list[str]:
    """The quoted ``pairs`` lexeme of every bucket, made once per process (about 8 MB)."""
    if not _PAIR_LEXEMES:
        _PAIR_LEXEMES.extend(f"'~{b:x}'" for b in range(PAIR_BUCKETS))
    return _PAIR_LEXEMES


def to_rows(docs: list[IndexDoc]) -> list[Row]:
    return [to_row(doc) for doc in docs]


def analysed(docs: Iterable[IndexDoc], processes: int) -> Iterator[Row]:
    """The rows of `docs` in their order, analysed in `processes` worker processes if more than one.

    `docs` is read in this thread, a chunk at a time, and only a few chunks are in flight, so a
    caller streaming documents from its database keeps streaming them. Workers are spawned,
    not forked: the caller may run other threads.
    """
    if processes <= 1:
        yield from map(to_row, docs)
        return
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        pending: deque[AsyncResult[list[Row]]] = deque()
        iter_docs = iter(docs)
        chunks = iter(lambda: list(islice(iter_docs, ROWS_CHUNK)), [])
        for chunk in chunks:
            pending.append(pool.apply_async(to_rows, (chunk,)))
            if len(pending) > 2 * processes:
                yield from pending.popleft().get()
        while pending:
            yield from pending.popleft().get()


def to_row(doc: IndexDoc) -> Row:
    title_words = memo_words(doc.title)
    title_stems = stems(title_words)
    body_stems = stems(memo_words(doc.body))
    positions = _positions([(title_stems, "A"), (body_stems, "")], RANK_POSITIONS)
    lexemes = _pair_lexeme_texts()
    return Row(
        id=doc.id,
        title=doc.title,
        published=to_utc_naive(doc.published_at) if doc.published_at is not None else None,
        cluster=doc.cluster_id,
        facets=[f"{name}:{v}" for name, values in facet_values(doc).items() for v in values],
        keyterms=keyterms(body_stems),
        title_tsv=_tsvector(_positions([(title_stems, "")], MAX_POSITIONS_PER_WORD)),
        tsv=_tsvector(positions),
        pairs=" ".join([lexemes[b] for b in dict.fromkeys(pair_ids(title_stems) + pair_ids(body_stems))]),
        stems=frozenset(positions),
        title_words=frozenset(title_words),
    )


# -- compiling the parse tree ------------------------------------------------------------


@dataclass
class Compiled:
    """A parse tree as SQL: the condition, the query that ranks, the stems to highlight."""

    where: sql.Composable
    params: dict[str, Any]
    rank_terms: list[str] = field(default_factory=list)  # tsquery operands, ORed for ranking
    title_rank_terms: list[str] = field(default_factory=list)
    highlight_stems: set[str] = field(default_factory=set)

    @property
    def rank_query(self) -> str:
        return " | ".join(dict.fromkeys(self.rank_terms + self.title_rank_terms))


FALSE = sql.SQL("FALSE")
TRUE = sql.SQL("TRUE")


class Compiler:
    """Turns query nodes into SQL over ``search_documents d`` with named parameters."""

    def __init__(self, expand: Callable[[str], list[str]]) -> None:
        self.expand = expand
        self.params: dict[str, Any] = {}
        self.out = Compiled(TRUE, self.params)

    def param(self, value: Any) -> sql.Composable:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return sql.Placeholder(name)

    def compile(self, node: Node) -> Compiled:
        self.out.where = self.node(node, positive=True)
        return self.out

    def _text(self, tsquery: str, title_only: bool) -> sql.Composable:
        column = sql.SQL("d.title_tsv") if title_only else sql.SQL("d.tsv")
        return sql.SQL("{} @@ {}::tsquery").format(column, self.param(tsquery))

    def node(self, node: Node, positive: bool) -> sql.Composable:
        if isinstance(node, Words):
            terms = [stem(t) for t in node.tokens]
            if positive:
                self.out.highlight_stems.update(terms)
                target = self.out.title_rank_terms if node.title_only else self.out.rank_terms
                target.extend(_lexeme(t) + (":A" if node.title_only else "") for t in terms)
            words_query = self._text(" & ".join(_lexeme(t) for t in terms), node.title_only)
            if not node.phrase:
                return words_query
            if node.title_only:  # titles are short and stored in line: positions are cheap to check
                return self._text(" <-> ".join(_lexeme(t) for t in terms), True)
            pairs = " & ".join(_lexeme(p) for p in pair_lexemes(terms))
            return sql.SQL("({} AND d.pairs @@ {}::tsquery)").format(words_query, self.param(pairs))
        if isinstance(node, Wildcard):
            terms = self.expand(node.pattern)
            if not terms:
                return FALSE
            if positive:
                self.out.highlight_stems.update(terms)
                target = self.out.title_rank_terms if node.title_only else self.out.rank_terms
                target.extend(_lexeme(t) + (":A" if node.title_only else "") for t in terms)
            return self._text(" | ".join(_lexeme(t) for t in terms), node.title_only)
        if isinstance(node, Facet):
            values = [f"{node.field}:{v}" for v in dict.fromkeys(node.values)]
            return sql.SQL("d.facets && {}::text[]").format(self.param(values))
        if isinstance(node, DateRange):
            parts: list[sql.Composable] = [sql.SQL("d.published IS NOT NULL")]
            if node.start is not None:
                parts.append(sql.SQL("d.published >= {}").format(self.param(node.start)))
            if node.end is not None:
                parts.append(sql.SQL("d.published < {}").format(self.param(node.end)))
            return sql.SQL("(") + sql.SQL(" AND ").join(parts) + sql.SQL(")")
        if isinstance(node, MatchAll):
            return TRUE
        if isinstance(node, Not):
            return sql.SQL("NOT ({})").format(self.node(node.item, not positive))
        if isinstance(node, Or):
            items = [self.node(i, positive) for i in node.items]
            return sql.SQL("(") + sql.SQL(" OR ").join(items) + sql.SQL(")")
        if isinstance(node, And):
            items = [self.node(i, positive) for i in node.items]
            return sql.SQL("(") + sql.SQL(" AND ").join(items) + sql.SQL(")")
        raise TypeError(f"unknown query node {node!r}")


def like_prefix(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def edit_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance of `a` and `b` with transpositions, or limit + 1 when larger."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


# -- the index ---------------------------------------------------------------------------


class PostgresSearchIndex:
    """The search index in PostgreSQL at `url` (tables in `schema`), read from `read_url` if given.

    Connections are opened lazily and kept in a small pool shared by the threads of a process.
    """

    def __init__(
        self,
        url: str,
        resolvers: Resolvers | None = None,
        *,
        read_url: str | None = None,
        schema: str = "public",
        pool_size: int = 8,
        merge_in_background: bool = True,
    ) -> None:
        self.url = _libpq_url(url)
        self.merge_in_background = merge_in_background
        self._merging: threading.Thread | None = None
        self.read_url = _libpq_url(read_url) if read_url else self.url
        self.schema = schema
        self.resolvers = resolvers or Resolvers()
        # each pooled connection with the time it was handed back
        self._pools: dict[str, queue.LifoQueue[tuple[psycopg.Connection[Any], float]]] = {}
        self._pool_size = pool_size
        self._lock = threading.Lock()
        self._opened = False

    # -- connections -------------------------------------------------------------------

    def _connect(self, url: str) -> psycopg.Connection[Any]:
        conn = psycopg.connect(url, autocommit=True)
        conn.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(self.schema)))
        conn.execute(sql.SQL("SET work_mem TO {}").format(sql.Literal(WORK_MEM)))
        return conn

    @contextmanager
    def _searching(self) -> Iterator[psycopg.Connection[Any]]:
        """A read connection in a transaction whose planner settings suit searches.

        The tsvectors are stored out of line (TOAST): a sequential scan reads every one of them
        to test ``@@``, a cost the planner does not count, and it picks one for common words;
        the GIN index answers those without reading the tsvectors. For the same reason a row
        fetched costs more than the planner assumes: priced higher, it combines the indexes of
        a common word and a facet (BitmapAnd) rather than testing the word on every row of the
        facet. No parallel workers: the planner underestimates how many facet entries a search
        counts and has the workers send every one to the leader, which is no faster than one
        process and takes twice the processor time. No JIT compiling: the higher row cost puts
        every large search above the JIT threshold, where compiling its expressions costs more
        than it saves on a query of well under a second. Writes keep the defaults.
        """
        with self._conn() as conn, conn.transaction():
            conn.execute(_SEARCH_SETTINGS, {"row_cost": ROW_COST})  # SET LOCAL, in one round trip
            yield conn

    @contextmanager
    def _conn(self, write: bool = False) -> Iterator[psycopg.Connection[Any]]:
        url = self.url if write else self.read_url
        with self._lock:
            pool = self._pools.setdefault(url, queue.LifoQueue())
        conn = self._pooled(pool) or self._connect(url)
        ok = False
        try:
            yield conn
            ok = True
        finally:
            if ok and not conn.closed and conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE:
                if pool.qsize() < self._pool_size:
                    pool.put((conn, time.monotonic()))
                else:
                    conn.close()
            else:
                conn.close()

    @staticmethod
    def _pooled(
        pool: queue.LifoQueue[tuple[psycopg.Connection[Any], float]],
    ) -> psycopg.Connection[Any] | None:
        """A pooled connection that answers, or None. One that sat idle for a while is tested
        first (the server may have dropped it: a restart, a proxy's idle timeout)."""
        while True:
            try:
                conn, returned = pool.get_nowait()
            except queue.Empty:
                return None
            if time.monotonic() - returned < PING_AFTER_IDLE_SECONDS:
                return conn
            try:
                conn.execute("SELECT 1")
                return conn
            except psycopg.Error:
                conn.close()

    # -- lifecycle ---------------------------------------------------------------------

    def open(self) -> PostgresSearchIndex:
        """Create the tables if they are missing; raises :class:`SchemaMismatch` on another version."""
        if self._opened:
            return self
        try:
            with self._conn() as conn:
                found = conn.execute("SELECT value FROM search_meta WHERE key = 'schema'").fetchone()
        except psycopg.errors.UndefinedTable:
            found = None
        if found is not None and found[0] == _meta_signature():
            self._opened = True
            return self
        with self._conn(write=True) as conn, conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(hashtext('coi search index schema'))")
            conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(self.schema)))
            for ddl in DDL:
                conn.execute(ddl)
            self._create_indexes(conn, "search_documents")
            conn.execute(
                sql.SQL("CREATE INDEX IF NOT EXISTS {} ON search_terms {}").format(
                    sql.Identifier(TERMS_PREFIX_INDEX[0]), sql.SQL(TERMS_PREFIX_INDEX[1])
                )
            )
            conn.execute(
                "INSERT INTO search_meta (key, value) VALUES ('schema', %s) ON CONFLICT (key) DO NOTHING",
                (_meta_signature(),),
            )
            found = conn.execute("SELECT value FROM search_meta WHERE key = 'schema'").fetchone()
        if found is None or found[0] != _meta_signature():
            raise SchemaMismatch(
                f"the search tables in PostgreSQL have schema {found[0] if found else 'none'}, this code "
                f"needs {_meta_signature()}; run `coi index --rebuild` to rebuild them"
            )
        self._opened = True
        return self

    @staticmethod
    def _create_indexes(
        conn: psycopg.Connection[Any], table: str, suffix: str = "", skip: Sequence[str] = ()
    ) -> None:
        for name, spec in INDEXES:
            if name in skip:
                continue
            conn.execute(
                sql.SQL("CREATE INDEX IF NOT EXISTS {} ON {} {}").format(
                    sql.Identifier(name + suffix), sql.Identifier(table), sql.SQL(spec)
                )
            )

    def create(self) -> PostgresSearchIndex:
        """Empty the index (the tables stay)."""
        self.open()
        with self._conn(write=True) as conn, conn.transaction():
            conn.execute("TRUNCATE search_documents, search_terms")
        return self

    def close(self) -> None:
        self.wait_for_merge()
        with self._lock:
            pools = list(self._pools.values())
            self._pools = {}
        for pool in pools:
            while True:
                try:
                    pool.get_nowait()[0].close()
                except queue.Empty:
                    break

    def drop(self) -> None:
        """Remove the tables (``rebuild`` or ``open`` creates them again)."""
        with self._conn(write=True) as conn, conn.transaction():
            conn.execute("DROP TABLE IF EXISTS search_documents, search_terms, search_meta")
        self._opened = False

    def warm(self, facets: Sequence[str] = ()) -> None:
        """Open a connection and touch the tables, so that the first search is not the slow one."""
        self.open()
        with self._conn() as conn:
            conn.execute("SELECT count(*) FROM (SELECT 1 FROM search_documents LIMIT 1) x")

    def doc_count(self) -> int:
        self.open()
        with self._conn() as conn:
            row = conn.execute("SELECT count(*) FROM search_documents").fetchone()
        return int(row[0]) if row else 0

    # -- writing -----------------------------------------------------------------------

    def apply(self, changes: Sequence[Change]) -> int:
        """Apply a batch of changes in one transaction; returns the documents touched.

        The last change per document wins; term frequencies are kept in step.
        """
        last: dict[int, Change] = {}
        for change in changes:
            if change.op == "upsert" and change.doc is None:
                raise ValueError(f"upsert of document {change.doc_id} carries no document")
            if change.doc is not None and change.doc.id != change.doc_id:
                raise ValueError(f"change for {change.doc_id} carries document {change.doc.id}")
            last[change.doc_id] = change
        if not last:
            return 0
        self.open()
        stem_df: Counter[str] = Counter()
        title_df: Counter[str] = Counter()

        def rows() -> Iterator[Row]:  # analysed while the server indexes the rows before
            for change in last.values():
                if change.op == "upsert" and change.doc is not None:
                    row = to_row(change.doc)
                    stem_df.update(row.stems)
                    title_df.update(row.title_words)
                    yield row

        with self._conn(write=True) as conn, conn.transaction():
            conn.execute(sql.SQL("SET LOCAL gin_pending_list_limit TO {}").format(sql.Literal(PENDING_MEM)))
            old = conn.execute(
                "DELETE FROM search_documents WHERE id = ANY(%s) RETURNING tsvector_to_array(tsv), title",
                (sorted(last),),
            ).fetchall()
            for lexemes, title in old:
                stem_df.subtract(lexemes)
                title_df.subtract(set(words(title)))
            self._copy_rows(conn, "search_documents", rows())
            waiting = conn.execute(
                "INSERT INTO search_meta (key, value) VALUES ('unmerged', %s) ON CONFLICT (key)"
                " DO UPDATE SET value = (search_meta.value::int + excluded.value::int)::text RETURNING value",
                (str(len(last)),),
            ).fetchone()
            unmerged = int(waiting[0]) if waiting else 0
            merge_due = unmerged >= MERGE_AFTER_DOCS
            for name, spec in INDEXES:
                if "gin" in spec and name not in MERGED_LATER:
                    conn.execute("SELECT gin_clean_pending_list(%s::regclass)", (name,))
            if merge_due and not self.merge_in_background:
                self._merge_large(conn, unmerged)
            self._add_terms(conn, [("s", stem_df), ("t", title_df)])
        if merge_due and self.merge_in_background:
            self._merge_soon()
        return len(last)

    def _merge_soon(self) -> None:
        """Merge the largest indexes' waiting entries on a thread and connection of their own.

        One merge at a time per index object; a merge already running takes the new entries too.
        The waiting count drops by what it was when the merge began: entries added meanwhile
        may be merged already and are counted again, which only brings the next merge forward.
        A merge cut short (the process ends) leaves its entries waiting for the next one.
        """
        with self._lock:
            if self._merging is not None and self._merging.is_alive():
                return
            self._merging = threading.Thread(target=self._merge_waiting, name="search-merge", daemon=True)
            self._merging.start()

    def _merge_waiting(self) -> None:
        try:
            with self._conn(write=True) as conn:
                row = conn.execute("SELECT value FROM search_meta WHERE key = 'unmerged'").fetchone()
                self._merge_large(conn, int(row[0]) if row else 0)
        except Exception:  # the entries stay waiting: searches still find them, the next batch retries
            log.warning("merging the search index's waiting entries failed", exc_info=True)

    @staticmethod
    def _merge_large(conn: psycopg.Connection[Any], counted: int) -> None:
        """Merge the waiting entries of the MERGED_LATER indexes; `counted` leaves the count."""
        for name in MERGED_LATER:
            conn.execute("SELECT gin_clean_pending_list(%s::regclass)", (name,))
        conn.execute(
            "UPDATE search_meta SET value = greatest(value::int - %s, 0)::text WHERE key = 'unmerged'",
            (counted,),
        )

    def wait_for_merge(self, timeout: float | None = None) -> None:
        """Wait until a merge started by :meth:`apply` has finished."""
        merging = self._merging
        if merging is not None:
            merging.join(timeout)

    @staticmethod
    def _copy_rows(
        conn: psycopg.Connection[Any], table: str, rows: Iterable[Row], *, freeze: bool = False
    ) -> None:
        """Copy `rows` into `table`; `freeze` for a table created in the same transaction.

        Frozen rows are written visible to all, with the table's visibility map set: the first
        searches then neither rewrite every page they read (to set hint bits) nor fetch a page
        only to count its hits.
        """
        stmt = sql.SQL("COPY {} ({}) FROM STDIN{}").format(
            sql.Identifier(table),
            sql.SQL(", ").join(sql.Identifier(c) for c in ROW_COLUMNS),
            sql.SQL(" WITH (FREEZE)" if freeze else ""),
        )
        with conn.cursor().copy(stmt) as copy:
            for row in rows:
                copy.write_row(row.values())

    @staticmethod
    def _add_terms(conn: psycopg.Connection[Any], deltas: Sequence[tuple[str, Mapping[str, int]]]) -> None:
        """Add each kind's changes of document frequency to ``search_terms``, in key order."""
        changed = [(k, t, n) for k, delta in deltas for t, n in delta.items() if n]
        if not changed:
            return
        kinds, terms, counts = zip(*sorted(changed), strict=True)
        conn.execute(
            """INSERT INTO search_terms (kind, term, df)
               SELECT * FROM unnest(%s::text[], %s::text[], %s::int[])
               ON CONFLICT (kind, term) DO UPDATE SET df = search_terms.df + excluded.df""",
            (list(kinds), list(terms), list(counts)),
        )
        fallen = [(k, t) for k, t, n in changed if n < 0]  # only these can reach 0
        if fallen:
            conn.execute(
                "DELETE FROM search_terms s USING unnest(%s::char(1)[], %s::text[]) u (kind, term)"
                " WHERE s.kind = u.kind AND s.term = u.term AND s.df <= 0",
                ([k for k, _ in fallen], [t for _, t in fallen]),
            )

    def _index_new_tables(
        self, conn: psycopg.Connection[Any], terms: Sequence[tuple[str, Mapping[str, int]]]
    ) -> None:
        """Fill ``search_terms_new`` and index both new tables, on two connections at once.

        A GIN index is built by one server process on one core: the largest one (``pairs``) is
        built on `conn` while a second connection loads the term statistics and builds the
        other indexes. Table statistics are gathered last (ANALYZE waits for index builds).
        """

        def others(other: psycopg.Connection[Any]) -> None:
            other.execute(sql.SQL("SET maintenance_work_mem TO {}").format(sql.Literal(BUILD_MEM)))
            with (
                other.transaction(),
                other.cursor().copy("COPY search_terms_new (kind, term, df) FROM STDIN") as copy,
            ):
                for kind, counts in terms:
                    for term, count in counts.items():
                        copy.write_row((kind, term, count))
            other.execute("ALTER TABLE search_terms_new ADD PRIMARY KEY (kind, term)")
            other.execute(
                sql.SQL("CREATE INDEX {} ON search_terms_new {}").format(
                    sql.Identifier(TERMS_PREFIX_INDEX[0] + "_new"), sql.SQL(TERMS_PREFIX_INDEX[1])
                )
            )
            other.execute("ANALYZE search_terms_new")
            other.execute("CREATE UNIQUE INDEX search_documents_new_pkey ON search_documents_new (id)")
            self._create_indexes(other, "search_documents_new", "_new", skip=(PAIRS_INDEX,))

        with self._conn(write=True) as other, ThreadPoolExecutor(1) as pool:
            done = pool.submit(others, other)
            try:
                pairs = dict(INDEXES)[PAIRS_INDEX]
                conn.execute(
                    sql.SQL("CREATE INDEX {} ON search_documents_new {}").format(
                        sql.Identifier(PAIRS_INDEX + "_new"), sql.SQL(pairs)
                    )
                )
            finally:
                done.result()
        conn.execute(
            "ALTER TABLE search_documents_new ADD CONSTRAINT search_documents_new_pkey"
            " PRIMARY KEY USING INDEX search_documents_new_pkey"
        )
        conn.execute("ANALYZE search_documents_new")

    def rebuild(
        self,
        docs: Iterable[IndexDoc],
        total: int | None = None,
        progress: Callable[[int], None] | None = None,
        progress_every: int = 1000,
    ) -> int:
        """Load `docs` into new tables beside the live ones, index them, then swap them in.

        Rows are copied into tables without indexes (analysed in worker processes when `total`
        is at least PROCESS_ROWS_FROM), then indexed, two indexes at a time. Searches keep
        reading the old tables until the swap, which is one short transaction.
        """
        self.open()
        self.wait_for_merge()  # its tables are about to be replaced
        n = 0
        seen: set[int] = set()
        stem_df: Counter[str] = Counter()
        title_df: Counter[str] = Counter()
        with self._conn(write=True) as conn:
            conn.execute(sql.SQL("SET maintenance_work_mem TO {}").format(sql.Literal(BUILD_MEM)))
            conn.execute("DROP TABLE IF EXISTS search_documents_new, search_terms_new")
            conn.execute(
                "CREATE TABLE search_terms_new (LIKE search_terms INCLUDING DEFAULTS)"
                f" WITH (fillfactor = {TERMS_FILLFACTOR})"
            )
            try:

                def checked() -> Iterator[IndexDoc]:
                    for doc in docs:
                        if doc.id in seen:
                            raise ValueError(f"document {doc.id} occurs twice in the rebuild input")
                        seen.add(doc.id)
                        yield doc

                processes = (os.cpu_count() or 1) if total is not None and total >= PROCESS_ROWS_FROM else 1

                def rows() -> Iterator[Row]:
                    nonlocal n
                    for row in analysed(checked(), processes):
                        stem_df.update(row.stems)
                        title_df.update(row.title_words)
                        yield row
                        n += 1
                        if progress is not None and n % progress_every == 0:
                            progress(n)

                with conn.transaction():  # created in the transaction that fills it: FREEZE
                    conn.execute(
                        "CREATE TABLE search_documents_new (LIKE search_documents INCLUDING DEFAULTS)"
                    )
                    self._copy_rows(conn, "search_documents_new", rows(), freeze=True)
                self._index_new_tables(conn, [("s", stem_df), ("t", title_df)])
                with conn.transaction():
                    conn.execute("DROP TABLE search_documents, search_terms")
                    conn.execute("ALTER TABLE search_documents_new RENAME TO search_documents")
                    conn.execute("ALTER TABLE search_terms_new RENAME TO search_terms")
                    for name, _ in (*INDEXES, TERMS_PREFIX_INDEX):
                        conn.execute(
                            sql.SQL("ALTER INDEX {} RENAME TO {}").format(
                                sql.Identifier(name + "_new"), sql.Identifier(name)
                            )
                        )
                    conn.execute("ALTER INDEX search_documents_new_pkey RENAME TO search_documents_pkey")
                    conn.execute("ALTER INDEX search_terms_new_pkey RENAME TO search_terms_pkey")
                    conn.execute("UPDATE search_meta SET value = '0' WHERE key = 'unmerged'")
            except BaseException:
                if not conn.closed:
                    conn.rollback()
                    conn.execute("DROP TABLE IF EXISTS search_documents_new, search_terms_new")
                raise
        if progress is not None:
            progress(n)
        return n

    # -- searching ---------------------------------------------------------------------

    def _expander(self, conn: psycopg.Connection[Any]) -> Callable[[str], list[str]]:
        def expand(pattern: str) -> list[str]:
            """Stems matching a wildcard pattern, most frequent first (as Whoosh expands them)."""
            literal = re.split(r"[*?]", pattern, maxsplit=1)[0]
            prefixes = {literal}
            stemmed = stem(literal)
            if stemmed != literal and len(stemmed) >= 2:
                prefixes.add(stemmed)
            rest = pattern[len(literal) :]
            regex = "^" + re.escape(pattern).replace(r"\*", ".*").replace(r"\?", ".") + "$"
            found: dict[str, int] = {}
            for prefix in prefixes:
                query = "SELECT term, df FROM search_terms WHERE kind = 's' AND term LIKE %s"
                params: list[Any] = [like_prefix(prefix)]
                if rest not in {"", "*"}:
                    query += " AND term ~ %s"
                    params.append(regex)  # re.escape's backslashes read alike in PostgreSQL
                for term, df in conn.execute(query, params):
                    found[term] = df
            ranked = sorted(found, key=lambda t: (-found[t], t))
            return ranked[:WILDCARD_LIMIT]

        return expand

    def search(
        self,
        query: str,
        *,
        page: int = 1,
        pagelen: int = 20,
        sort: Literal["relevance", "newest"] = "relevance",
        filters: Mapping[str, Sequence[str]] | None = None,
        facets: Sequence[str] = DEFAULT_FACETS,
        group_clusters: bool = False,
        now: datetime | None = None,
        texts: Callable[[list[int]], Mapping[int, str]] | None = None,
    ) -> SearchResults:
        """Search; never raises for a malformed query (see SearchResults.warnings)."""
        page = max(1, int(page))
        pagelen = min(max(1, int(pagelen)), MAX_PAGELEN)
        if now is None:
            now = datetime.now(UTC).replace(tzinfo=None)
        elif now.tzinfo is not None:
            now = now.astimezone(UTC).replace(tzinfo=None)
        parsed = parse_query(query, self.resolvers, now)
        warnings = list(parsed.warnings)
        node = parsed.node
        if filters:
            extra: list[Node] = []
            for name, values in filters.items():
                if name not in FACET_FIELDS:
                    warnings.append(f'There is no filter "{name}"; it was ignored.')
                    continue
                extra.append(Facet(name, (values,) if isinstance(values, str) else tuple(values)))
            if extra:
                node = And((node, *extra))
        facet_names = [f for f in facets if f in FACET_FIELDS]
        for f in facets:
            if f not in FACET_FIELDS:
                warnings.append(f'There is no facet "{f}".')
        self.open()
        with self._searching() as conn:
            compiled = Compiler(self._expander(conn)).compile(node)
            total, facet_counts, estimated = self._stats(conn, compiled, facet_names, group_clusters)
            start = (page - 1) * pagelen
            rows = self._page(conn, compiled, sort, start, pagelen, total, group_clusters)
        suggestion = None
        if total < SUGGEST_BELOW and parsed.free_words:
            with self._conn() as conn:
                try:
                    suggestion = self._suggest(conn, query, parsed.free_words)
                except Exception:  # spelling help is optional; never fail a search over it
                    suggestion = None
        hits = self._hits(rows, compiled.highlight_stems, texts)
        return SearchResults(
            query=query,
            total=total,
            page=page,
            pagelen=pagelen,
            hits=tuple(hits),
            facets=facet_counts,
            warnings=tuple(dict.fromkeys(warnings)),
            suggestion=suggestion,
            estimated=estimated,
        )

    def _stats(
        self, conn: psycopg.Connection[Any], compiled: Compiled, names: list[str], group_clusters: bool
    ) -> tuple[int, dict[str, tuple[tuple[str, int], ...]], bool]:
        """The number of hits and the facet counts, estimated from a sample for very large sets.

        Grouped counts (stories) are always exact: distinct clusters do not scale with a sample.
        """
        if not group_clusters:
            where = sql.SQL("({}) AND (hashint8(d.id) & {}) = 0").format(
                compiled.where, sql.Literal(SAMPLE_EVERY - 1)
            )
            sample = dataclasses.replace(compiled, where=where)
            total, counts = self._count(conn, sample, names, False)
            if total * SAMPLE_EVERY >= ESTIMATE_FROM:
                scaled = {
                    name: tuple((value, num * SAMPLE_EVERY) for value, num in values)
                    for name, values in counts.items()
                }
                return total * SAMPLE_EVERY, scaled, True
        total, counts = self._count(conn, compiled, names, group_clusters)
        return total, counts, False

    def _count(
        self, conn: psycopg.Connection[Any], compiled: Compiled, names: list[str], group_clusters: bool
    ) -> tuple[int, dict[str, tuple[tuple[str, int], ...]]]:
        """The number of hits (or of clusters among them) and the facet counts over all hits."""
        params = dict(compiled.params)
        if group_clusters:
            parts: list[sql.Composable] = [
                sql.SQL("SELECT NULL::text, count(DISTINCT coalesce(h.cluster, -h.id)) FROM hits h")
            ]
            if names:
                parts.append(
                    sql.SQL("SELECT f, count(*) FROM (SELECT unnest(h.facets) f FROM hits h) u GROUP BY f")
                )
            stmt = sql.SQL(
                "WITH hits AS MATERIALIZED (SELECT d.id, d.cluster, d.facets"
                " FROM search_documents d WHERE {}) {}"
            ).format(compiled.where, sql.SQL(" UNION ALL ").join(parts))
        elif names:
            # One pass over the hits: each adds its facet entries and an empty one, which counts it.
            # Every entry is aggregated and the facets not asked for are dropped afterwards, which
            # is cheaper than testing each entry's name.
            stmt = sql.SQL(
                "SELECT nullif(f, ''), count(*) FROM (SELECT unnest(array_append(d.facets, '')) f"
                " FROM search_documents d WHERE {}) u GROUP BY f"
            ).format(compiled.where)
        else:
            stmt = sql.SQL("SELECT NULL::text, count(*) FROM search_documents d WHERE {}").format(
                compiled.where
            )
        total = 0
        counts: dict[str, list[tuple[str, int]]] = {n: [] for n in names}
        for key, num in conn.execute(stmt, params):
            if key is None:
                total = int(num)
                continue
            name, _, value = str(key).partition(":")
            if name in counts:
                counts[name].append((value, int(num)))
        facet_counts = {
            name: tuple(sorted(vals, key=lambda vc: (-vc[1], vc[0]))[:100]) for name, vals in counts.items()
        }
        return total, facet_counts

    def _page(
        self,
        conn: psycopg.Connection[Any],
        compiled: Compiled,
        sort: str,
        start: int,
        pagelen: int,
        total: int,
        group_clusters: bool,
    ) -> list[tuple[int, str, float, int | None, int]]:
        """(id, title, score, cluster, cluster size) of the page's documents, in rank order."""
        if start >= total:
            return []
        params = dict(compiled.params)
        params.update(rq=compiled.rank_query or "", weights=RANK_WEIGHTS, start=start, pagelen=pagelen)
        has_rank = bool(compiled.rank_query)
        full = sql.SQL("ts_rank(%(weights)s::float4[], d.tsv, %(rq)s::tsquery, 1)")
        cheap = sql.SQL("(d.title_tsv @@ %(rq)s::tsquery)::int::float4")
        newest = sql.SQL("d.published DESC NULLS LAST, d.id")
        if not has_rank:
            score: sql.Composable = sql.SQL("0::float4")
        elif total <= RANK_ALL or (sort == "newest" and not group_clusters):
            score = full
        else:
            score = cheap
        if group_clusters:
            template = (
                "d.published DESC NULLS LAST, {} DESC, d.id"
                if sort == "newest"
                else "{} DESC, d.published DESC NULLS LAST, d.id"
            )
            stmt = sql.SQL(
                "SELECT id, title, score, cluster, size FROM ("
                " SELECT d.id, d.title, d.cluster, d.published, {score} AS score,"
                "  row_number() OVER (PARTITION BY coalesce(d.cluster, -d.id) ORDER BY {inner}) AS rn,"
                "  count(*) OVER (PARTITION BY coalesce(d.cluster, -d.id)) AS size"
                " FROM search_documents d WHERE {where}) d"
                " WHERE rn = 1 ORDER BY {outer} OFFSET %(start)s LIMIT %(pagelen)s"
            ).format(
                score=score,
                inner=sql.SQL(template).format(score),
                outer=sql.SQL(template).format(sql.SQL("score")),
                where=compiled.where,
            )
        elif sort == "newest":
            if total > RANK_ALL:  # the newest hits without sorting every one of them
                params["ids"] = self._newest(conn, compiled.where, compiled.params, start + pagelen, total)[
                    start:
                ]
                where: sql.Composable = sql.SQL("d.id = ANY(%(ids)s)")
            else:
                where = sql.SQL(
                    "d.id IN (SELECT d.id FROM search_documents d WHERE {where}"
                    " ORDER BY {newest} OFFSET %(start)s LIMIT %(pagelen)s)"
                ).format(where=compiled.where, newest=newest)
            stmt = sql.SQL(
                "SELECT d.id, d.title, {score}, d.cluster, 1 FROM search_documents d WHERE {where}"
                " ORDER BY {newest}"
            ).format(score=score, where=where, newest=newest)
        elif score is cheap:
            params["ids"] = self._rank_pool(conn, compiled, max(RANK_POOL, start + pagelen), total)
            stmt = sql.SQL(
                "SELECT d.id, d.title, {full} AS score, d.cluster, 1 FROM search_documents d"
                " WHERE d.id = ANY(%(ids)s)"
                " ORDER BY score DESC, {newest} OFFSET %(start)s LIMIT %(pagelen)s"
            ).format(full=full, newest=newest)
        else:
            stmt = sql.SQL(
                "SELECT d.id, d.title, {score} AS score, d.cluster, 1 FROM search_documents d"
                " WHERE {where} ORDER BY score DESC, {newest} OFFSET %(start)s LIMIT %(pagelen)s"
            ).format(score=score, where=compiled.where, newest=newest)
        return [(int(r[0]), str(r[1]), float(r[2]), r[3], int(r[4])) for r in conn.execute(stmt, params)]

    def _rank_pool(
        self, conn: psycopg.Connection[Any], compiled: Compiled, size: int, total: int
    ) -> list[int]:
        """The documents a large result set is ranked among: its title matches, newest first,
        then its newest other hits, `size` in all (reading neither every hit nor its text)."""
        stmt = sql.SQL(
            "SELECT d.id FROM search_documents d WHERE ({}) AND d.title_tsv @@ %(rq)s::tsquery"
            " ORDER BY d.published DESC NULLS LAST, d.id LIMIT %(n)s"
        ).format(compiled.where)
        params = dict(compiled.params, rq=compiled.rank_query, n=size)
        titled = [int(r[0]) for r in conn.execute(stmt, params)]
        if len(titled) >= size:
            return titled
        have = set(titled)
        newest = self._newest(conn, compiled.where, compiled.params, size, total)
        return titled + [i for i in newest if i not in have][: size - len(titled)]

    def _newest(
        self,
        conn: psycopg.Connection[Any],
        where: sql.Composable,
        params: Mapping[str, Any],
        size: int,
        total: int,
    ) -> list[int]:
        """The `size` newest documents that meet `where`, of about `total` (in "newest" order).

        Sorting every hit by date reads each hit's row. Instead, the hits are first looked for
        among the recent documents only: from the date past which, were the hits spread evenly
        over time, twice `size` of them would fall (found on the date index). Should fewer turn
        up there, the stretch is made four times longer, and so on; a stretch reaching the
        oldest document is the plain sort of every hit.
        """
        stmt = sql.SQL(
            "SELECT d.id FROM search_documents d WHERE ({}) AND d.published >= %(since)s"
            " ORDER BY d.published DESC NULLS LAST, d.id LIMIT %(n)s"
        ).format(where)
        row = conn.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE oid = 'search_documents'::regclass"
        ).fetchone()
        documents = int(row[0]) if row else 0
        reach = 2 * size * documents // max(total, 1)
        while 0 < reach < documents:
            found = conn.execute(
                "SELECT published FROM search_documents ORDER BY published DESC NULLS LAST, id DESC"
                " OFFSET %s LIMIT 1",
                (reach,),
            ).fetchone()
            if found is None or found[0] is None:
                break
            ids = [int(r[0]) for r in conn.execute(stmt, dict(params, since=found[0], n=size))]
            if len(ids) >= size:
                return ids
            reach *= 4
        everything = sql.SQL(
            "SELECT d.id FROM search_documents d WHERE {} ORDER BY d.published DESC NULLS LAST, d.id"
            " LIMIT %(n)s"
        ).format(where)
        return [int(r[0]) for r in conn.execute(everything, dict(params, n=size))]

    @staticmethod
    def _hits(
        rows: list[tuple[int, str, float, int | None, int]],
        stems_: set[str],
        texts: Callable[[list[int]], Mapping[int, str]] | None,
    ) -> list[Hit]:
        bodies: Mapping[int, str] = {}
        if texts is not None and rows:
            try:
                bodies = texts([r[0] for r in rows])
            except Exception:  # the caller's loader failing must not lose the results
                bodies = {}
        hits: list[Hit] = []
        for doc_id, title, score, cluster, size in rows:
            body = bodies.get(doc_id)
            snippet = highlight(body if isinstance(body, str) and body else title, stems_)
            hits.append(
                Hit(
                    id=doc_id,
                    score=score,
                    title=title,
                    highlights=snippet,
                    cluster_id=cluster,
                    cluster_size=size if cluster is not None else 1,
                )
            )
        return hits

    def _suggest(self, conn: psycopg.Connection[Any], query: str, free_words: list[str]) -> str | None:
        """A corrected query from the index's own title vocabulary, or None."""
        replaced = query
        changed = False
        for word in dict.fromkeys(free_words):
            known = conn.execute(
                "SELECT 1 FROM search_terms WHERE (kind = 't' AND term = %s) OR (kind = 's' AND term = %s)",
                (word, stem(word)),
            ).fetchone()
            if known is not None:
                continue
            best: tuple[int, int, str] | None = None
            for term, df in conn.execute(
                "SELECT term, df FROM search_terms WHERE kind = 't' AND term LIKE %s "
                "AND length(term) BETWEEN %s AND %s",
                (like_prefix(word[:1]), len(word) - 2, len(word) + 2),
            ):
                dist = edit_distance(word, term, 2)
                if dist <= 2 and (best is None or (dist, -df, term) < best):
                    best = (dist, -df, term)
            if best is not None and best[2] != word:
                replaced = _replace_word(replaced, word, best[2])
                changed = True
        return replaced if changed and replaced != query else None

    def more_like_this(self, doc_id: int, n: int = 10) -> list[Hit]:
        """Documents sharing the most distinctive words of document `doc_id`."""
        self.open()
        with self._searching() as conn:
            row = conn.execute(
                "SELECT title, keyterms FROM search_documents WHERE id = %s", (doc_id,)
            ).fetchone()
            if row is None:
                return []
            title, key = row
            candidates = list(dict.fromkeys(list(key) + [stem(w) for w in words(str(title))]))
            df = dict(
                conn.execute(
                    "SELECT term, df FROM search_terms WHERE kind = 's' AND term = ANY(%s)", (candidates,)
                ).fetchall()
            )
            ranked = sorted((t for t in candidates if df.get(t, 0) > 1), key=lambda t: (df[t], t))
            terms = ranked[:MLT_TERMS]
            if not terms:
                return []
            rq = " | ".join(_lexeme(t) for t in terms)
            rows = conn.execute(
                "SELECT d.id, d.title, ts_rank(%(weights)s::float4[], d.tsv, %(rq)s::tsquery, 1) AS score,"
                " d.cluster, 1 FROM ("
                " SELECT d.id FROM search_documents d WHERE d.tsv @@ %(rq)s::tsquery AND d.id <> %(id)s"
                " ORDER BY (d.title_tsv @@ %(rq)s::tsquery) DESC, d.published DESC NULLS LAST LIMIT %(pool)s"
                ") p JOIN search_documents d ON d.id = p.id"
                " ORDER BY score DESC, d.published DESC NULLS LAST, d.id LIMIT %(n)s",
                {"weights": RANK_WEIGHTS, "rq": rq, "id": doc_id, "pool": RANK_POOL, "n": n},
            ).fetchall()
        return self._hits([(int(r[0]), str(r[1]), float(r[2]), r[3], 1) for r in rows], set(), None)


def _replace_word(query: str, word: str, new: str) -> str:
    def sub(m: re.Match[str]) -> str:
        return new if fold(m.group()) == word else m.group()

    return re.sub(r"\w+", sub, query)


def _libpq_url(url: str) -> str:
    """A SQLAlchemy URL (``postgresql+psycopg://…``) as libpq accepts it."""
    return re.sub(r"^postgresql\+\w+://", "postgresql://", url)
