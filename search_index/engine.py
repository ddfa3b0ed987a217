"""Query evaluation over a Whoosh index with array arithmetic.

Whoosh stores the postings; this module reads a term's posting list block by block into
numpy arrays (cached per segment), combines them with sorted-array set operations, scores
with BM25 and counts facets with one ``bincount`` per facet over per-segment
(document, value) arrays. Facet counts therefore cover the whole result set at a cost that
does not grow with Python-level loops over hits. The cached arrays of a segment are reused
until the segment disappears (segments never change once written, only their deletions).

This module does not parse queries (see :mod:`search_index.query`) and never writes.
"""

from __future__ import annotations

import math
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from whoosh.codec.whoosh3 import W3LeafMatcher  # type: ignore[import-untyped]
from whoosh.util.numeric import byte_to_length  # type: ignore[import-untyped]
from whoosh.util.times import datetime_to_long  # type: ignore[import-untyped]

from search_index.analysis import pair_term, stem
from search_index.query import And, DateRange, Facet, MatchAll, Node, Not, Or, Wildcard, Words
from search_index.schema import TITLE_BOOST

IntArr = npt.NDArray[np.int64]
FloatArr = npt.NDArray[np.float32]

K1 = 1.2
B = 0.75
WILDCARD_LIMIT = 300
MEMO_LIMIT = 5000
# Cached postings per segment: this many entries per document in the segment (about 12 bytes
# each), i.e. a few dozen frequent terms' lists; a segment of up to 20,000 documents keeps up to
# POSTINGS_CACHE_SMALL per document (2 million entries, 24 MB, at most), so that a small index
# keeps all its common terms (a search for a frequent word and a country reads lists that each
# run through most of the index).
POSTINGS_CACHE_PER_DOC = 20
POSTINGS_CACHE_SMALL = 100
POSTINGS_CACHE_FLOOR = 2_000_000
_LENGTH_TABLE = np.array([byte_to_length(i) for i in range(256)], dtype=np.float32)
_EMPTY_I = np.zeros(0, dtype=np.int64)
_EMPTY_F = np.zeros(0, dtype=np.float32)
MISSING_DATE = np.iinfo(np.int64).max

# Whoosh's segment files are read with seek() then read() on one file object per segment, so two
# threads reading the same segment at once get each other's bytes ("invalid load key", "ran out
# of input"). Every read of index files goes through this lock; the arithmetic on the arrays read
# stays outside it, and most reads are served from the per-segment caches without touching it.
READ_LOCK = threading.RLock()


@dataclass(frozen=True)
class Matches:
    docs: IntArr  # sorted, unique global document numbers
    scores: FloatArr

    @staticmethod
    def empty() -> Matches:
        return Matches(_EMPTY_I, _EMPTY_F)

    def __len__(self) -> int:
        return int(self.docs.shape[0])


def read_postings(reader: Any, fieldname: str, text: str) -> tuple[IntArr, FloatArr]:
    """All (docnum, weight) of one term in one segment reader, as arrays."""
    with READ_LOCK:
        return _read_postings(reader, fieldname, text)


def _read_postings(reader: Any, fieldname: str, text: str) -> tuple[IntArr, FloatArr]:
    try:
        m = reader.postings(fieldname, text)
    except Exception:  # TermNotFound
        return _EMPTY_I, _EMPTY_F
    if isinstance(m, W3LeafMatcher) and not m._byteids:
        id_parts: list[IntArr] = []
        w_parts: list[FloatArr] = []
        while not m._atend:
            if m._data is None:
                m._read_data()
            raw_ids, raw_w = m._data[0], m._data[1]
            ids = np.cumsum(np.asarray(raw_ids, dtype=np.int64))
            id_parts.append(ids)
            if raw_w is None:
                w_parts.append(np.ones(ids.shape[0], dtype=np.float32))
            elif isinstance(raw_w, float):
                w_parts.append(np.full(ids.shape[0], raw_w, dtype=np.float32))
            else:
                w_parts.append(np.asarray(raw_w, dtype=np.float32))
            if m._lastblock:
                break
            m._goto(m._nextoffset)
        if not id_parts:
            return _EMPTY_I, _EMPTY_F
        return np.concatenate(id_parts), np.concatenate(w_parts)
    ids_l: list[int] = []
    ws_l: list[float] = []
    while m.is_active():
        ids_l.append(m.id())
        ws_l.append(m.weight())
        m.next()
    return np.asarray(ids_l, dtype=np.int64), np.asarray(ws_l, dtype=np.float32)


def _raw_numeric_column(reader: Any, fieldname: str, dtype_char: str) -> IntArr:
    """A numeric column of one segment as int64, missing values as the column default."""
    field = reader.schema[fieldname]
    column = field.column_type
    doccount = reader.doc_count_all()
    with READ_LOCK:
        if not reader._perdoc.has_column(fieldname):
            return np.full(doccount, MISSING_DATE, dtype=np.int64)
        creader = reader._perdoc.column_reader(fieldname, column)
        count = creader._count
        raw = creader._dbfile.get(creader._basepos, count * creader._fixedlen)
    raw_vals = np.frombuffer(raw, dtype=">" + dtype_char, count=count)
    if raw_vals.dtype.kind == "u" and raw_vals.dtype.itemsize == 8:
        too_big = raw_vals >= np.uint64(MISSING_DATE)
        vals = np.where(too_big, MISSING_DATE, raw_vals.astype(np.int64))
    else:
        vals = raw_vals.astype(np.int64)
    if count < doccount:
        default = np.int64(min(int(column._default), MISSING_DATE))
        vals = np.concatenate([vals, np.full(doccount - count, default, dtype=np.int64)])
    return vals


class SegmentCache:
    """Arrays derived from one immutable segment: postings, lengths, columns, facets."""

    def __init__(self, reader: Any) -> None:
        self.doccount: int = reader.doc_count_all()
        self._cache_limit = max(
            POSTINGS_CACHE_PER_DOC * self.doccount,
            min(POSTINGS_CACHE_SMALL * self.doccount, POSTINGS_CACHE_FLOOR),
        )
        self._lock = threading.Lock()
        self._postings: OrderedDict[tuple[str, str], tuple[IntArr, FloatArr]] = OrderedDict()
        self._cached_items = 0
        self._lengths: dict[str, FloatArr] = {}
        self._columns: dict[str, IntArr] = {}
        self._facets: dict[str, tuple[IntArr, npt.NDArray[np.int32], list[str]]] = {}

    def postings(self, reader: Any, fieldname: str, text: str) -> tuple[IntArr, FloatArr]:
        key = (fieldname, text)
        with self._lock:
            got = self._postings.get(key)
            if got is not None:
                self._postings.move_to_end(key)
                return got
        got = read_postings(reader, fieldname, text)
        with self._lock:
            self._postings[key] = got
            self._cached_items += got[0].shape[0]
            while self._cached_items > self._cache_limit and len(self._postings) > 1:
                _, old = self._postings.popitem(last=False)
                self._cached_items -= old[0].shape[0]
        return got

    def lengths(self, reader: Any, fieldname: str) -> FloatArr:
        got = self._lengths.get(fieldname)
        if got is None:
            lenfield = f"_{fieldname}_len"
            perdoc = reader._perdoc
            codes = np.zeros(self.doccount, dtype=np.uint8)
            with READ_LOCK:
                if perdoc.has_column(lenfield):
                    from whoosh.codec.whoosh3 import LENGTHS_COLUMN  # type: ignore[import-untyped]

                    creader = perdoc.column_reader(lenfield, LENGTHS_COLUMN)
                    raw = creader._dbfile.get(creader._basepos, creader._count)
                    codes[: creader._count] = np.frombuffer(raw, dtype=np.uint8)
            got = self._lengths[fieldname] = _LENGTH_TABLE[codes]
        return got

    def column(self, reader: Any, fieldname: str) -> IntArr:
        got = self._columns.get(fieldname)
        if got is None:
            code = reader.schema[fieldname].sortable_typecode
            got = self._columns[fieldname] = _raw_numeric_column(reader, fieldname, code)
        return got

    def facet(self, reader: Any, fieldname: str) -> tuple[IntArr, npt.NDArray[np.int32], list[str]]:
        got = self._facets.get(fieldname)
        if got is None:
            vocab: list[str] = []
            doc_parts: list[IntArr] = []
            val_parts: list[npt.NDArray[np.int32]] = []
            with READ_LOCK:
                for tbytes in reader.lexicon(fieldname):
                    value = tbytes.decode("utf-8")
                    ids, _ = _read_postings(reader, fieldname, value)
                    doc_parts.append(ids)
                    val_parts.append(np.full(ids.shape[0], len(vocab), dtype=np.int32))
                    vocab.append(value)
            if doc_parts:
                docs = np.concatenate(doc_parts)
                vals = np.concatenate(val_parts)
            else:
                docs, vals = _EMPTY_I, np.zeros(0, dtype=np.int32)
            got = self._facets[fieldname] = (docs, vals, vocab)
        return got


class Snapshot:
    """One consistent view of the index (a Whoosh searcher) plus its segment caches."""

    def __init__(self, searcher: Any, caches: dict[str, SegmentCache]) -> None:
        self.searcher = searcher
        self.reader = searcher.reader()
        leaves = self.reader.leaf_readers()
        self.leaves: list[tuple[Any, int, SegmentCache]] = []
        live_parts: list[npt.NDArray[np.bool_]] = []
        for leaf, offset in leaves:
            segment = getattr(leaf, "_segment", None)
            if segment is None or not leaf.doc_count_all():
                continue  # an empty index has one empty reader
            segid = segment.segment_id()
            cache = caches.get(segid)
            if cache is None:
                cache = caches[segid] = SegmentCache(leaf)
            self.leaves.append((leaf, offset, cache))
            live = np.ones(leaf.doc_count_all(), dtype=np.bool_)
            if segment.has_deletions():
                dels = np.fromiter(segment.deleted_docs(), dtype=np.int64)
                live[dels[dels < live.shape[0]]] = False
            live_parts.append(live)
        self.maxdoc = sum(c.doccount for _, _, c in self.leaves)
        self.live = np.concatenate(live_parts) if live_parts else np.zeros(0, dtype=np.bool_)
        self.n_live = int(self.live.sum())
        self._global: dict[tuple[str, str], Any] = {}
        self._df: dict[tuple[str, str], int] = {}
        self.memo: dict[tuple[str, str], Any] = {}  # answers that hold as long as this snapshot

    def remember(self, key: tuple[str, str], value: Any) -> None:
        if len(self.memo) >= MEMO_LIMIT:
            self.memo.pop(next(iter(self.memo)), None)
        self.memo[key] = value

    # -- global arrays -----------------------------------------------------------------

    def _concat_per_leaf(self, key: tuple[str, str], fn: Any) -> Any:
        got = self._global.get(key)
        if got is None:
            parts = [fn(leaf, cache) for leaf, _, cache in self.leaves]
            got = np.concatenate(parts) if parts else np.zeros(0)
            self._global[key] = got
        return got

    def lengths(self, fieldname: str) -> FloatArr:
        result: FloatArr = self._concat_per_leaf(
            ("len", fieldname), lambda leaf, cache: cache.lengths(leaf, fieldname)
        )
        return result

    def column(self, fieldname: str) -> IntArr:
        result: IntArr = self._concat_per_leaf(
            ("col", fieldname), lambda leaf, cache: cache.column(leaf, fieldname)
        )
        return result

    def published(self) -> IntArr:
        return self.column("published")

    def cluster(self) -> IntArr:
        raw = self.column("cluster")
        got = self._global.get(("cluster", ""))
        if got is None:
            got = np.where(raw >= MISSING_DATE, -1, raw - 1)
            self._global[("cluster", "")] = got
        result: IntArr = got
        return result

    def facet(self, fieldname: str) -> tuple[IntArr, npt.NDArray[np.int32], list[str]]:
        key = ("facet", fieldname)
        got = self._global.get(key)
        if got is None:
            vocab_index: dict[str, int] = {}
            vocab: list[str] = []
            docs_parts: list[IntArr] = []
            vals_parts: list[npt.NDArray[np.int32]] = []
            for leaf, offset, cache in self.leaves:
                docs, vals, leaf_vocab = cache.facet(leaf, fieldname)
                remap = np.empty(len(leaf_vocab), dtype=np.int32)
                for i, v in enumerate(leaf_vocab):
                    idx = vocab_index.get(v)
                    if idx is None:
                        idx = vocab_index[v] = len(vocab)
                        vocab.append(v)
                    remap[i] = idx
                docs_parts.append(docs + offset)
                vals_parts.append(remap[vals] if vals.shape[0] else vals)
            all_docs = np.concatenate(docs_parts) if docs_parts else _EMPTY_I
            all_vals = np.concatenate(vals_parts) if vals_parts else np.zeros(0, dtype=np.int32)
            got = self._global[key] = (all_docs, all_vals, vocab)
        result: tuple[IntArr, npt.NDArray[np.int32], list[str]] = got
        return result

    # -- terms -------------------------------------------------------------------------

    def postings(self, fieldname: str, text: str) -> tuple[IntArr, FloatArr]:
        ids_parts: list[IntArr] = []
        w_parts: list[FloatArr] = []
        for leaf, offset, cache in self.leaves:
            ids, ws = cache.postings(leaf, fieldname, text)
            if ids.shape[0]:
                ids_parts.append(ids + offset if offset else ids)
                w_parts.append(ws)
        if not ids_parts:
            return _EMPTY_I, _EMPTY_F
        if len(ids_parts) == 1:
            return ids_parts[0], w_parts[0]
        return np.concatenate(ids_parts), np.concatenate(w_parts)

    def doc_frequency(self, fieldname: str, text: str) -> int:
        key = (fieldname, text)
        got = self._df.get(key)
        if got is None:
            with READ_LOCK:
                got = self._df[key] = int(self.reader.doc_frequency(fieldname, text))
        return got

    def idf(self, fieldname: str, text: str) -> float:
        df = self.doc_frequency(fieldname, text)
        n = max(self.maxdoc, 1)
        return math.log(1.0 + (n - df + 0.5) / (df + 0.5))

    def length_norms(self, fieldname: str) -> FloatArr:
        """BM25's length part of every document, K1 * (1 - B + B * length / average length): the
        same for every term of a query, so worked out once per snapshot."""
        key = ("norm", fieldname)
        got = self._global.get(key)
        if got is None:
            with READ_LOCK:
                total_len = self.reader.field_length(fieldname)
            avgdl = max(total_len / max(self.maxdoc, 1), 1.0)
            got = self._global[key] = K1 * (1 - B + B * self.lengths(fieldname) / avgdl)
        norms: FloatArr = got
        return norms

    def bm25(self, fieldname: str, text: str, boost: float = 1.0) -> Matches:
        ids, tf = self.postings(fieldname, text)
        if not ids.shape[0]:
            return Matches.empty()
        weight = np.float32(self.idf(fieldname, text) * boost * (K1 + 1))
        scores = self.length_norms(fieldname)[ids]  # a new array: worked on in place
        scores += tf
        np.divide(tf, scores, out=scores)
        scores *= weight
        return Matches(ids, scores)

    def bm25_sum(self, terms: Sequence[tuple[str, str, float]]) -> Matches:
        """The documents holding any of `terms` ((field, term, boost) triples), each scored with
        the sum of its terms' BM25: the same answer as :func:`union` of their :meth:`bm25`, added
        up in one array over the index instead of set operations on every term's list."""
        dense: FloatArr | None = None
        for fieldname, text, boost in terms:
            part = self.bm25(fieldname, text, boost)
            if not len(part):
                continue
            if dense is None:
                dense = np.zeros(self.maxdoc, dtype=np.float32)
            dense[part.docs] += part.scores  # a term's list holds a document once
        if dense is None:
            return Matches.empty()
        docs = np.flatnonzero(dense).astype(np.int64)  # every BM25 score is above 0
        return Matches(docs, dense[docs])

    def expand(self, fieldname: str, pattern: str) -> list[str]:
        """Terms of `fieldname` matching a wildcard pattern (most frequent first)."""
        literal = re.split(r"[*?]", pattern, maxsplit=1)[0]
        prefixes = {literal}
        stemmed = stem(literal)
        if stemmed != literal and len(stemmed) >= 2:
            prefixes.add(stemmed)
        rx = re.compile(re.escape(pattern).replace(r"\*", ".*").replace(r"\?", ".") + "$")
        rest = pattern[len(literal) :]
        terms: set[str] = set()
        with READ_LOCK:
            found = [t for prefix in prefixes for t in self.reader.expand_prefix(fieldname, prefix)]
        for tb in found:
            t = tb.decode("utf-8") if isinstance(tb, bytes) else tb
            if rest in {"", "*"} or rx.match(t):
                terms.add(t)
        ranked = sorted(terms, key=lambda t: -self.doc_frequency(fieldname, t))
        return ranked[:WILDCARD_LIMIT]


# -- set operations on Matches ------------------------------------------------------------


def union(parts: Sequence[Matches], maxdoc: int) -> Matches:
    parts = [p for p in parts if len(p)]
    if not parts:
        return Matches.empty()
    if len(parts) == 1:
        return parts[0]
    total = sum(len(p) for p in parts)
    if total * 16 > maxdoc:
        dense = np.zeros(maxdoc, dtype=np.float32)
        hit = np.zeros(maxdoc, dtype=np.bool_)
        for p in parts:
            dense[p.docs] += p.scores
            hit[p.docs] = True
        docs = np.flatnonzero(hit).astype(np.int64)
        return Matches(docs, dense[docs])
    all_docs = np.concatenate([p.docs for p in parts])
    all_scores = np.concatenate([p.scores for p in parts])
    docs, inverse = np.unique(all_docs, return_inverse=True)
    scores = np.bincount(inverse, weights=all_scores, minlength=docs.shape[0])
    return Matches(docs, scores.astype(np.float32))


def _member(small: IntArr, big: IntArr) -> npt.NDArray[np.bool_]:
    if not big.shape[0] or not small.shape[0]:
        return np.zeros(small.shape[0], dtype=np.bool_)
    idx = np.searchsorted(big, small)
    idx[idx >= big.shape[0]] = big.shape[0] - 1
    member: npt.NDArray[np.bool_] = big[idx] == small
    return member


def intersect(parts: Sequence[Matches]) -> Matches:
    if not parts:
        return Matches.empty()
    ordered = sorted(parts, key=len)
    acc = ordered[0]
    for other in ordered[1:]:
        if not len(acc):
            break
        keep = _member(acc.docs, other.docs)
        docs = acc.docs[keep]
        idx = np.searchsorted(other.docs, docs)
        acc = Matches(docs, acc.scores[keep] + other.scores[idx])
    return acc


def subtract(base: Matches, removed: Matches) -> Matches:
    if not len(removed) or not len(base):
        return base
    keep = ~_member(base.docs, removed.docs)
    return Matches(base.docs[keep], base.scores[keep])


class Evaluator:
    """Evaluates a query tree against a snapshot; collects the stems to highlight."""

    def __init__(self, snap: Snapshot) -> None:
        self.snap = snap
        self.highlight_stems: set[str] = set()

    def all_docs(self) -> Matches:
        docs = np.flatnonzero(self.snap.live).astype(np.int64)
        return Matches(docs, np.zeros(docs.shape[0], dtype=np.float32))

    def run(self, node: Node) -> Matches:
        result = self._eval(node, positive=True)
        if len(result):
            keep = self.snap.live[result.docs]
            if not keep.all():
                result = Matches(result.docs[keep], result.scores[keep])
        return result

    def _word(self, token: str, title_only: bool, positive: bool) -> Matches:
        s = stem(token)
        if positive:
            self.highlight_stems.add(s)
        title = self.snap.bm25("title", s, TITLE_BOOST)
        if title_only:
            return title
        return union([title, self.snap.bm25("body", s)], self.snap.maxdoc)

    def _eval(self, node: Node, positive: bool) -> Matches:
        snap = self.snap
        if isinstance(node, Words):
            words = [self._word(t, node.title_only, positive) for t in node.tokens]
            if len(words) == 1:
                return words[0]
            parts = list(words)
            if node.phrase:
                for a, b in zip(node.tokens, node.tokens[1:], strict=False):
                    ids, _ = snap.postings("pairs", pair_term(a, b))
                    parts.append(Matches(ids, np.zeros(ids.shape[0], dtype=np.float32)))
            return intersect(parts)
        if isinstance(node, Wildcard):
            terms = snap.expand("body" if not node.title_only else "title", node.pattern)
            if positive:
                self.highlight_stems.update(terms)
            fields = ("title",) if node.title_only else ("title", "body")
            return union(
                [snap.bm25(f, t, TITLE_BOOST if f == "title" else 1.0) for t in terms for f in fields],
                snap.maxdoc,
            )
        if isinstance(node, Facet):
            parts = []
            for value in dict.fromkeys(node.values):
                ids, _ = snap.postings(node.field, value)
                parts.append(Matches(ids, np.zeros(ids.shape[0], dtype=np.float32)))
            return union(parts, snap.maxdoc)
        if isinstance(node, DateRange):
            pub = snap.published()
            mask = pub != MISSING_DATE
            if node.start is not None:
                mask &= pub >= datetime_to_long(node.start)
            if node.end is not None:
                mask &= pub < datetime_to_long(node.end)
            docs = np.flatnonzero(mask).astype(np.int64)
            return Matches(docs, np.zeros(docs.shape[0], dtype=np.float32))
        if isinstance(node, MatchAll):
            return self.all_docs()
        if isinstance(node, Not):
            return subtract(self.all_docs(), self._eval(node.item, not positive))
        if isinstance(node, Or):
            return union([self._eval(i, positive) for i in node.items], snap.maxdoc)
        if isinstance(node, And):
            pos = [i for i in node.items if not isinstance(i, Not)]
            neg = [i.item for i in node.items if isinstance(i, Not)]
            base = intersect([self._eval(i, positive) for i in pos]) if pos else self.all_docs()
            for item in neg:
                base = subtract(base, self._eval(item, not positive))
            return base
        raise TypeError(f"unknown query node {node!r}")


def count_facets(
    snap: Snapshot, docs: IntArr, names: Iterable[str], limit: int = 100
) -> dict[str, tuple[tuple[str, int], ...]]:
    """Value counts of each facet over all of `docs`, most frequent first."""
    out: dict[str, tuple[tuple[str, int], ...]] = {}
    names = list(names)
    if not names:
        return out
    mask = np.zeros(snap.maxdoc, dtype=np.bool_)
    mask[docs] = True
    for name in names:
        fdocs, fvals, vocab = snap.facet(name)
        if not vocab:
            out[name] = ()
            continue
        counts = np.bincount(fvals[mask[fdocs]], minlength=len(vocab))
        nz = np.flatnonzero(counts)
        order = sorted(nz.tolist(), key=lambda i: (-int(counts[i]), vocab[i]))
        out[name] = tuple((vocab[i], int(counts[i])) for i in order[:limit])
    return out
