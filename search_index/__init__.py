"""The document search index: its only writer, and its searcher, on Whoosh or PostgreSQL.

:class:`SearchIndex` (Whoosh, a folder on one machine) and
:class:`search_index.pg.PostgresSearchIndex` (PostgreSQL full-text search in tables of their
own, shared by every node) have the same methods (:class:`Index`): they apply change batches
from the database's change log, rebuild from scratch (beside the live index, swapped in
atomically) and answer searches with ids, titles, scores, highlights and facet counts. Both
compile the parse tree of :mod:`search_index.query`. :func:`make_index` picks one by name. The
caller loads the rows in rank order. This package knows nothing of the portal's database
tables or of the web application.
"""

from __future__ import annotations

import re
import shutil
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np

from search_index.analysis import fold, stem, words
from search_index.engine import (
    MISSING_DATE,
    READ_LOCK,
    Evaluator,
    IntArr,
    Matches,
    SegmentCache,
    Snapshot,
    count_facets,
    intersect,
)
from search_index.highlight import highlight
from search_index.query import MAX_QUERY_CHARS, Facet, Node, QueryTooDeep, QueryWarning, parse_query
from search_index.records import Change, Hit, IndexDoc, Resolvers, SearchResults
from search_index.schema import DEFAULT_FACETS, FACET_FIELDS, SCHEMA_VERSION, TITLE_BOOST, SchemaMismatch
from search_index.writer import IndexLockedError, IndexStore, apply_changes, build

__all__ = [
    "BACKENDS",
    "DEFAULT_FACETS",
    "MAX_QUERY_CHARS",
    "SCHEMA_VERSION",
    "Index",
    "IndexLockedError",
    "QueryTooDeep",
    "QueryWarning",
    "SchemaMismatch",
    "SearchIndex",
    "make_index",
]

BACKENDS: tuple[str, ...] = ("whoosh", "postgres")

SUGGEST_BELOW = 3
MLT_TERMS = 12
MAX_PAGELEN = 200


class SearchIndex:
    """A Whoosh index in directory `path` (created on :meth:`open` if absent)."""

    def __init__(self, path: Path, resolvers: Resolvers | None = None) -> None:
        self.path = Path(path)
        self.resolvers = resolvers or Resolvers()
        self._store = IndexStore(self.path)
        self._ix: Any = None
        self._ix_dir: Path | None = None
        self._searcher: Any = None
        self._snapshot: Snapshot | None = None
        self._caches: dict[str, SegmentCache] = {}
        self._lock = threading.RLock()

    # -- lifecycle ---------------------------------------------------------------------

    def create(self) -> SearchIndex:
        """Create an empty index (replacing any existing one atomically)."""
        gen = self._store.new_generation()
        self._store.create_empty(gen)
        self._store.swap(gen)
        self._reopen()
        return self

    def open(self) -> SearchIndex:
        """Open the index, creating an empty one if there is none.

        Raises :class:`SchemaMismatch` if the index was written with another schema version.
        """
        with self._lock:
            self._store.ensure()
            self._reopen()
        return self

    def close(self) -> None:
        with self._lock:
            if self._searcher is not None:
                self._searcher.close()
            self._searcher = None
            self._snapshot = None
            self._ix = None

    def _reopen(self) -> None:
        # Other threads may still be searching the old searcher: it is dropped, not closed, and
        # its files close when the last search holding it ends.
        self._searcher = None
        self._snapshot = None
        self._caches = {}
        self._ix = self._store.open_current()
        self._ix_dir = self._store.current_dir()

    def _index(self) -> Any:
        with self._lock:
            if self._ix is None or self._store.current_dir() != self._ix_dir:
                self.open()
            return self._ix

    def _snap(self) -> Snapshot:
        """The current snapshot, refreshed when a writer committed since the last one."""
        with self._lock:
            ix = self._index()
            if self._searcher is None:
                self._searcher = ix.searcher()
            elif not self._searcher.up_to_date():
                # A new searcher, not Searcher.refresh(): refresh reuses the readers of unchanged
                # segments together with their old deletion sets, so documents another process
                # deleted (or replaced) would stay visible here, and it closes the readers of
                # segments a merge removed while other threads may still be reading them. The old
                # searcher is closed when the last snapshot holding it goes; the array caches are
                # kept per segment id.
                self._searcher = ix.searcher()
                self._snapshot = None
            if self._snapshot is None or self._snapshot.searcher is not self._searcher:
                self._snapshot = Snapshot(self._searcher, self._caches)
                alive = {c for _, _, c in self._snapshot.leaves}
                self._caches = {k: v for k, v in self._caches.items() if v in alive}
            return self._snapshot

    # -- writing -----------------------------------------------------------------------

    def apply(self, changes: Sequence[Change]) -> int:
        """Apply a batch of changes in one commit; returns the documents touched.

        Raises :class:`IndexLockedError` if another process holds the writer.
        """
        return apply_changes(self._index(), changes)

    def rebuild(
        self,
        docs: Iterable[IndexDoc],
        total: int | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> int:
        """Build a new index from `docs` beside the live one, then swap it in.

        Searches keep using the old index until the swap. `total` (if known) picks the
        number of writer processes; `progress` is called with the count done so far.
        """
        gen = self._store.new_generation()
        try:
            ix = self._store.create_empty(gen)
            n = build(ix, docs, total=total, progress=progress)
        except BaseException:
            shutil.rmtree(gen, ignore_errors=True)
            raise
        with self._lock:
            self._store.swap(gen)
            self._reopen()
        return n

    def doc_count(self) -> int:
        return self._snap().n_live

    def warm(self, facets: Sequence[str] = DEFAULT_FACETS) -> None:
        """Load the per-segment arrays (facets, dates, clusters, lengths) ahead of searches.

        The first search after opening or rebuilding otherwise pays for it (about 2 s per
        100,000 documents).
        """
        snap = self._snap()
        for name in facets:
            if name in FACET_FIELDS:
                snap.facet(name)
        snap.published()
        snap.cluster()
        snap.lengths("title")
        snap.lengths("body")

    # -- searching ---------------------------------------------------------------------

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
        """Search; never raises for a malformed query (see SearchResults.warnings).

        `filters` maps facet names to accepted indexed values, as `facets` reports them
        (values ORed within a facet, facets ANDed).
        `texts` returns the body texts of the given document ids for the snippets; without
        it, snippets are taken from the titles.
        """
        page = max(1, int(page))
        pagelen = min(max(1, int(pagelen)), MAX_PAGELEN)
        if now is None:
            now = datetime.now(UTC).replace(tzinfo=None)
        elif now.tzinfo is not None:
            now = now.astimezone(UTC).replace(tzinfo=None)
        parsed = parse_query(query, self.resolvers, now)
        warnings = list(parsed.warnings)
        snap = self._snap()
        ev = Evaluator(snap)
        matches = ev.run(parsed.node)
        if filters:
            matches = self._apply_filters(snap, ev, matches, filters, warnings)
        facet_names = [f for f in facets if f in FACET_FIELDS]
        for f in facets:
            if f not in FACET_FIELDS:
                warnings.append(QueryWarning("facet_unknown", name=f))
        facet_counts = count_facets(snap, matches.docs, facet_names)

        order = self._rank(snap, matches, sort, None if group_clusters else page * pagelen)
        ranked_docs = matches.docs[order]
        ranked_scores = matches.scores[order]
        sizes: dict[int, int] = {}
        total = len(matches)
        if group_clusters and total:
            ranked_docs, ranked_scores, sizes = _collapse(snap, ranked_docs, ranked_scores)
            total = int(ranked_docs.shape[0])
        start = (page - 1) * pagelen
        page_docs = ranked_docs[start : start + pagelen]
        page_scores = ranked_scores[start : start + pagelen]
        hits = self._hits(snap, page_docs, page_scores, ev.highlight_stems, texts, sizes)

        suggestion = None
        if total < SUGGEST_BELOW and parsed.free_words:
            try:
                suggestion = self._suggest(snap, query, parsed.free_words)
            except Exception:  # spelling help is optional; never fail a search over it
                suggestion = None
        return SearchResults(
            query=query,
            total=total,
            page=page,
            pagelen=pagelen,
            hits=tuple(hits),
            facets=facet_counts,
            warnings=tuple(dict.fromkeys(warnings)),
            suggestion=suggestion,
        )

    def _apply_filters(
        self,
        snap: Snapshot,
        ev: Evaluator,
        matches: Matches,
        filters: Mapping[str, Sequence[str]],
        warnings: list[str],
    ) -> Matches:
        nodes: list[Node] = []
        for name, values in filters.items():
            if name not in FACET_FIELDS:
                warnings.append(QueryWarning("filter_unknown", name=name))
                continue
            if isinstance(values, str):
                values = [values]
            nodes.append(Facet(name, tuple(values)))
        for node in nodes:
            sel = ev._eval(node, positive=False)
            zero = Matches(sel.docs, np.zeros(len(sel), dtype=np.float32))
            matches = intersect([matches, zero])
        return matches

    @staticmethod
    def _rank(snap: Snapshot, matches: Matches, sort: str, top: int | None) -> IntArr:
        n = len(matches)
        if not n:
            return np.zeros(0, dtype=np.int64)
        docs, scores = matches.docs, matches.scores
        idx = np.arange(n)
        # a first page of many hits: only its `top` hits need ordering
        keep = top if top is not None and n > max(4 * top, 2000) else None
        if keep is not None and sort != "newest":
            # by relevance only the `top` best scores (and any tied with the last) need ordering:
            # the dates of the rest are never looked at
            idx = np.flatnonzero(scores >= np.partition(scores, n - keep)[n - keep])
        pub = snap.published()[docs[idx]]
        newest = np.where(pub == MISSING_DATE, -1, pub)
        if sort == "newest":
            primary, secondary = -newest, -scores[idx]
        else:
            primary, secondary = -scores[idx], -newest
        if keep is not None and sort == "newest":
            cut = np.argpartition(primary, keep - 1)[:keep]
            idx, primary, secondary = idx[cut], primary[cut], secondary[cut]
        order: IntArr = idx[np.lexsort((docs[idx], secondary, primary))].astype(np.int64)
        return order

    def _hits(
        self,
        snap: Snapshot,
        docs: IntArr,
        scores: Any,
        stems: set[str],
        texts: Callable[[list[int]], Mapping[int, str]] | None,
        sizes: Mapping[int, int],
    ) -> list[Hit]:
        clusters = snap.cluster()
        with READ_LOCK:
            stored = [snap.searcher.stored_fields(int(d)) for d in docs]
        ids = [int(s["id"]) for s in stored]
        bodies: Mapping[int, str] = {}
        if texts is not None and ids:
            try:
                bodies = texts(ids)
            except Exception:  # the caller's loader failing must not lose the results
                bodies = {}
        hits: list[Hit] = []
        for doc, score, fields, doc_id in zip(docs, scores, stored, ids, strict=False):
            title = str(fields.get("title", ""))
            body = bodies.get(doc_id)
            snippet = highlight(body if isinstance(body, str) and body else title, stems)
            cluster = int(clusters[doc])
            hits.append(
                Hit(
                    id=doc_id,
                    score=float(score),
                    title=title,
                    highlights=snippet,
                    cluster_id=cluster if cluster >= 0 else None,
                    cluster_size=sizes.get(cluster, 1) if cluster >= 0 else 1,
                )
            )
        return hits

    def _suggest(self, snap: Snapshot, query: str, free_words: list[str]) -> str | None:
        """A corrected query from the index's own title vocabulary, or None."""
        corrector = snap.searcher.corrector("tword")
        replaced = query
        changed = False
        for word in dict.fromkeys(free_words):
            if snap.doc_frequency("tword", word) or snap.doc_frequency("body", stem(word)):
                continue
            with READ_LOCK:
                found = corrector.suggest(word, limit=1, maxdist=2, prefix=1)
            if found and found[0] != word:
                replaced = _replace_word(replaced, word, found[0])
                changed = True
        return replaced if changed and replaced != query else None

    def more_like_this(self, doc_id: int, n: int = 10) -> list[Hit]:
        """Documents sharing the most distinctive words of document `doc_id`.

        The answer is kept with the snapshot: it changes only when the index does.
        """
        snap = self._snap()
        key = ("mlt", f"{doc_id}:{n}")
        cached: list[Hit] | None = snap.memo.get(key)
        if cached is None:
            cached = self._more_like_this(snap, doc_id, n)
            snap.remember(key, cached)
        return list(cached)

    def _more_like_this(self, snap: Snapshot, doc_id: int, n: int) -> list[Hit]:
        ids, _ = snap.postings("id", str(doc_id))
        ids = ids[snap.live[ids]] if ids.shape[0] else ids
        if not ids.shape[0]:
            return []
        docnum = int(ids[0])
        with READ_LOCK:
            fields = snap.searcher.stored_fields(docnum)
        candidates = str(fields.get("keyterms", "")).split()
        candidates += [stem(w) for w in words(str(fields.get("title", "")))]
        ranked = sorted(
            dict.fromkeys(candidates),
            key=lambda t: -snap.idf("body", t) if snap.doc_frequency("body", t) > 1 else 0.0,
        )
        terms = [t for t in ranked if snap.doc_frequency("body", t) > 1][:MLT_TERMS]
        if not terms:
            return []
        weighted = [("body", t, 1.0) for t in terms] + [("title", t, TITLE_BOOST) for t in terms]
        matches = snap.bm25_sum(weighted)
        keep = snap.live[matches.docs] & (matches.docs != docnum)
        matches = Matches(matches.docs[keep], matches.scores[keep])
        order = self._rank(snap, matches, "relevance", n)[:n]
        return self._hits(snap, matches.docs[order], matches.scores[order], set(), None, {})


def _replace_word(query: str, word: str, new: str) -> str:
    def sub(m: re.Match[str]) -> str:
        return new if fold(m.group()) == word else m.group()

    return re.sub(r"\w+", sub, query)


def _collapse(snap: Snapshot, docs: IntArr, scores: Any) -> tuple[IntArr, Any, dict[int, int]]:
    """Keep the best-ranked document of each cluster; sizes count the whole result set."""
    clusters = snap.cluster()[docs]
    in_cluster = clusters >= 0
    uniq, first, counts = np.unique(clusters[in_cluster], return_index=True, return_counts=True)
    positions = np.flatnonzero(in_cluster)[first]
    keep = np.zeros(docs.shape[0], dtype=np.bool_)
    keep[~in_cluster] = True
    keep[positions] = True
    sizes = {int(c): int(k) for c, k in zip(uniq, counts, strict=False)}
    return docs[keep], scores[keep], sizes


class Index(Protocol):
    """What the portal uses of a search index, whichever backend holds it."""

    resolvers: Resolvers

    def open(self) -> Index: ...

    def create(self) -> Index: ...

    def close(self) -> None: ...

    def apply(self, changes: Sequence[Change]) -> int: ...

    def rebuild(
        self,
        docs: Iterable[IndexDoc],
        total: int | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> int: ...

    def doc_count(self) -> int: ...

    def warm(self, facets: Sequence[str] = DEFAULT_FACETS) -> None: ...

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
    ) -> SearchResults: ...

    def more_like_this(self, doc_id: int, n: int = 10) -> list[Hit]: ...


def make_index(
    backend: str,
    *,
    path: Path | None = None,
    url: str | None = None,
    read_url: str | None = None,
    resolvers: Resolvers | None = None,
) -> Index:
    """The index of `backend`: "whoosh" in folder `path`, or "postgres" in database `url`.

    `read_url` (PostgreSQL only) is a replica that searches read from; writes go to `url`.
    """
    if backend == "whoosh":
        if path is None:
            raise ValueError("the Whoosh search index needs a folder")
        return SearchIndex(path, resolvers)
    if backend == "postgres":
        if not url or not url.startswith("postgresql"):
            raise ValueError("the postgres search backend needs a PostgreSQL database URL")
        from search_index.pg import PostgresSearchIndex

        return PostgresSearchIndex(url, resolvers, read_url=read_url or None)
    raise ValueError(f"unknown search backend {backend!r}; choose one of {', '.join(BACKENDS)}")
