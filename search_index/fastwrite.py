"""Faster Whoosh segment writing: an in-memory posting pool and a bulk posting writer.

Whoosh's stock writer turns every posting into a tuple, sorts them all, spills sorted runs
to disk, merges them and then writes postings one call at a time. For this index
(hundreds of postings per document) that costs far more than the text analysis. Here:

- :class:`FastSegmentWriter` counts a document's terms once per field and appends them to
  per-term arrays of a :class:`MemoryPool` (document numbers only grow, so each term's
  list is born sorted);
- :class:`BulkFieldWriter` writes each term's list block by block, and very short lists
  inline in the term table (a layout Whoosh's reader supports).

The files written are ordinary Whoosh 3 codec files; reading is untouched. This module
does not decide what is indexed (see :mod:`search_index.schema`).
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Iterator
from itertools import pairwise, repeat
from pickle import dumps
from typing import Any, Protocol, TypeAlias, cast

import numpy as np
import numpy.typing as npt
from whoosh.codec.whoosh3 import (  # type: ignore[import-untyped]
    WHOOSH3_HEADER_MAGIC,
    W3Codec,
    W3FieldWriter,
    W3TermInfo,
)
from whoosh.system import pack_uint, pack_ushort  # type: ignore[import-untyped]
from whoosh.writing import SegmentWriter  # type: ignore[import-untyped]

# Terms with at most this many postings are stored in the term table itself.
INLINE_MAX = 4

_Group: TypeAlias = "tuple[array[int], array[float], list[bytes]]"
_Arrays: TypeAlias = "tuple[npt.NDArray[np.uint32], npt.NDArray[np.uint32]]"


class BulkIndexed(Protocol):
    """A field type that hands the writer its term keys directly."""

    def keys(self, value: Any) -> list[Any]: ...

    def key_bytes(self, key: Any) -> bytes: ...


class _BulkBuffer:
    """(document, term key, frequency) triples of one field, in document order."""

    def __init__(self) -> None:
        self.docs: array[int] = array("I")
        self.keys: list[Any] = []
        self.freqs: array[int] = array("I")

    def terms(self, to_bytes: Any) -> list[tuple[bytes, _Arrays]]:
        """Per term (in byte order): document numbers and frequencies as arrays."""
        if not self.keys:
            return []
        docs = np.frombuffer(self.docs, dtype=np.uint32)
        freqs = np.frombuffer(self.freqs, dtype=np.uint32)
        if isinstance(self.keys[0], int):
            uniq, inverse = np.unique(np.asarray(self.keys, dtype=np.int64), return_inverse=True)
            names = [to_bytes(int(k)) for k in uniq]
        else:
            ids: dict[Any, int] = {}
            setdefault = ids.setdefault
            inverse = np.fromiter(
                (setdefault(k, len(ids)) for k in self.keys), dtype=np.int64, count=len(self.keys)
            )
            names = [to_bytes(k) for k in ids]
        order = np.argsort(inverse, kind="stable")  # document order kept within a term
        sorted_terms = inverse[order]
        bounds = np.flatnonzero(np.diff(sorted_terms)) + 1
        starts = np.concatenate(([0], bounds))
        ends = np.concatenate((bounds, [len(order)]))
        term_ids = sorted_terms[starts]
        sorted_docs = docs[order]
        sorted_freqs = freqs[order]
        out: list[tuple[bytes, _Arrays]] = []
        for t, a, b in zip(term_ids.tolist(), starts.tolist(), ends.tolist(), strict=True):
            out.append((names[t], (sorted_docs[a:b], sorted_freqs[a:b])))
        out.sort(key=lambda item: item[0])
        return out


class GroupedPostings:
    """Postings of a pool, grouped per (field, term) in index order."""

    def __init__(
        self,
        fields: dict[str, dict[Any, _Group]],
        schema: Any,
        bulk: dict[str, _BulkBuffer] | None = None,
    ) -> None:
        self.fields = fields
        self.schema = schema
        self.bulk = bulk or {}

    def arrays(self) -> Iterator[tuple[str, bytes, _Arrays]]:
        """(field, term, (docnums, frequencies)) in index order; docnums ascending."""
        for fieldname in sorted(set(self.fields) | set(self.bulk)):
            field = self.schema[fieldname]
            merged: dict[bytes, list[_Arrays]] = {}
            buf = self.bulk.get(fieldname)
            if buf is not None:
                for tbytes, arrs in buf.terms(field.key_bytes):
                    merged[tbytes] = [arrs]
            if fieldname in self.fields:
                for tbytes, (ids, weights, _values) in self._field_terms(fieldname):
                    arrs = (
                        np.frombuffer(ids, dtype=np.uint32),
                        np.asarray(weights, dtype=np.float64).round().astype(np.uint32),
                    )
                    merged.setdefault(tbytes, []).append(arrs)
            for tbytes in sorted(merged):
                parts = merged[tbytes]
                if len(parts) == 1:
                    ids_a, freqs_a = parts[0]
                else:
                    ids_a = np.concatenate([p[0] for p in parts])
                    freqs_a = np.concatenate([p[1] for p in parts])
                    order = np.argsort(ids_a, kind="stable")
                    ids_a, freqs_a = ids_a[order], freqs_a[order]
                yield fieldname, tbytes, (ids_a, freqs_a)

    def _field_terms(self, fieldname: str) -> list[tuple[bytes, _Group]]:
        field = self.schema[fieldname]
        to_bytes: Any = getattr(field, "key_bytes", None)
        merged: dict[bytes, _Group] = {}
        for key, group in self.fields[fieldname].items():
            tbytes = key if isinstance(key, bytes) else to_bytes(key)
            seen = merged.get(tbytes)
            if seen is None:
                merged[tbytes] = group
            else:  # the same term reached the pool as bytes and as a key (merges)
                merged[tbytes] = (seen[0] + group[0], seen[1] + group[1], seen[2] + group[2])
        return sorted(merged.items())

    def grouped(self) -> Iterator[tuple[str, bytes, array[int], array[float], list[bytes]]]:
        """Groups of the generic (non-bulk) postings."""
        for fieldname in sorted(self.fields):
            for tbytes, (ids, weights, values) in self._field_terms(fieldname):
                if any(a >= b for a, b in pairwise(ids)):
                    order = sorted(range(len(ids)), key=ids.__getitem__)
                    ids = array("I", (ids[i] for i in order))
                    weights = array("f", (weights[i] for i in order))
                    if values:
                        values = [values[i] for i in order]
                yield fieldname, tbytes, ids, weights, values

    def __iter__(self) -> Iterator[tuple[str, bytes, int, float, bytes]]:
        for fieldname, btext, ids, weights, values in self.grouped():
            for i, docnum in enumerate(ids):
                yield fieldname, btext, docnum, weights[i], values[i] if values else b""


class MemoryPool:
    """Replacement for Whoosh's PostingPool that keeps postings grouped per term in memory.

    About 16 bytes per posting: a segment of 100,000 documents of a few hundred words
    needs well under 1 GB while it is written.
    """

    def __init__(self, schema: Any) -> None:
        self.schema = schema
        self.fieldnames: set[str] = set()
        self._fields: dict[str, dict[Any, _Group]] = {}
        self._bulk: dict[str, _BulkBuffer] = {}
        self._values: dict[bytes, bytes] = {}

    def _terms(self, fieldname: str) -> dict[Any, _Group]:
        terms = self._fields.get(fieldname)
        if terms is None:
            self.fieldnames.add(fieldname)
            terms = self._fields[fieldname] = {}
        return terms

    def add(self, item: tuple[str, bytes, int, float, bytes | None]) -> None:
        fieldname, tbytes, docnum, weight, vbytes = item
        terms = self._terms(fieldname)
        group = terms.get(tbytes)
        if group is None:
            group = terms[tbytes] = (array("I"), array("f"), [])
        group[0].append(docnum)
        group[1].append(weight)
        if vbytes:
            group[2].append(self._values.setdefault(vbytes, vbytes))

    def add_counts(self, fieldname: str, docnum: int, counts: Counter[Any]) -> int:
        """Add one document's term frequencies for a frequency-format field."""
        buf = self._bulk.get(fieldname)
        if buf is None:
            self.fieldnames.add(fieldname)
            buf = self._bulk[fieldname] = _BulkBuffer()
        n = len(counts)
        buf.docs.extend(repeat(docnum, n))
        buf.keys.extend(counts.keys())
        buf.freqs.extend(counts.values())
        return counts.total()

    def iter_postings(self) -> GroupedPostings:
        return GroupedPostings(self._fields, self.schema, self._bulk)

    def cleanup(self) -> None:
        self._fields = {}
        self._bulk = {}

    def save(self) -> None:
        """Nothing to spill: postings stay in memory until the segment is written."""


class FastSegmentWriter(SegmentWriter):  # type: ignore[misc]
    """SegmentWriter with the memory pool and a short path for bulk-indexed fields.

    Supports what this index's schema uses: no term vectors, no separate spelling fields,
    no per-field boosts.
    """

    pool: Any

    def __init__(self, ix: Any, **kwargs: Any) -> None:
        super().__init__(ix, **kwargs)
        old = self.pool
        self.pool = MemoryPool(self.schema)
        old.cleanup()
        for name, field in self.schema.items():
            if field.vector or field.separate_spelling():
                raise ValueError(f"field {name!r} needs Whoosh's standard writer")

    def add_document(self, **fields: Any) -> None:
        self._check_state()
        perdocwriter = self.perdocwriter
        schema = self.schema
        docnum = self.docnum
        pool = cast(MemoryPool, self.pool)
        fieldnames = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, fieldnames)
        perdocwriter.start_doc(docnum)
        try:
            for fieldname in fieldnames:
                value = fields[fieldname]
                if value is None:
                    continue
                field = schema[fieldname]
                length = 0
                if field.indexed:
                    keys = getattr(field, "keys", None)
                    if keys is not None:
                        length = pool.add_counts(fieldname, docnum, Counter(keys(value)))
                    else:
                        for tbytes, freq, weight, vbytes in field.index(value):
                            if field.scorable:
                                length += freq
                            pool.add((fieldname, tbytes, docnum, weight, vbytes))
                customval = fields.get(f"_stored_{fieldname}", value)
                perdocwriter.add_field(fieldname, field, customval if field.stored else None, length)
                column = field.column_type
                if column and customval is not None:
                    perdocwriter.add_column_value(fieldname, column, field.to_column_value(customval))
        except Exception:
            perdocwriter.cancel_doc()
            raise
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1


class BulkFieldWriter(W3FieldWriter):  # type: ignore[misc]
    """W3 field writer that writes each term's posting arrays block by block."""

    def add_postings(self, schema: Any, lengths: Any, items: Any) -> None:
        if not isinstance(items, GroupedPostings):
            super().add_postings(schema, lengths, items)
            return
        lastfn: str | None = None
        for fieldname, btext, (ids, freqs) in items.arrays():
            if fieldname != lastfn:
                if lastfn is not None:
                    self.finish_field()
                self.start_field(fieldname, schema[fieldname])
                lastfn = fieldname
            if len(ids) <= INLINE_MAX:
                self._add_inlined(btext, ids, freqs)
            else:
                self._add_blocks(btext, ids, freqs)
        if lastfn is not None:
            self.finish_field()

    def _values(self, freqs: npt.NDArray[np.uint32]) -> Any:
        """A block's values the way the W3 writer minifies them, for this field's format."""
        size = self._format.fixed_value_size()
        if size == 0:
            return None
        if size == 4:  # frequency format: big-endian unsigned ints, joined
            return freqs.astype(">u4").tobytes()
        return tuple(pack_uint(int(f)) for f in freqs)

    def _weights(self, freqs: npt.NDArray[np.uint32]) -> Any:
        if self._format.fixed_value_size() == 0:  # existence format: weight 1
            return None
        if (freqs == 1).all():
            return None
        if (freqs == freqs[0]).all():
            return float(freqs[0])
        return tuple(float(f) for f in freqs.tolist())

    def _add_blocks(self, btext: bytes, ids: npt.NDArray[np.uint32], freqs: npt.NDArray[np.uint32]) -> None:
        self.start_term(btext)
        pw = self._postwriter
        postfile = pw._postfile
        ti = pw._terminfo
        limit = pw._blocklimit
        n = len(ids)
        existence = self._format.fixed_value_size() == 0
        weights = np.ones(n, dtype=np.float64) if existence else freqs.astype(np.float64)
        ids64 = ids.astype(np.int64)
        postfile.write(WHOOSH3_HEADER_MAGIC)
        for start in range(0, n, limit):
            end = min(start + limit, n)
            block_ids = ids64[start:end]
            block_freqs = freqs[start:end]
            maxweight = float(weights[start:end].max())
            deltas = np.diff(block_ids, prepend=0)  # each block restarts from 0
            data = dumps((tuple(deltas.tolist()), self._weights(block_freqs), self._values(block_freqs)), 2)
            last_id = int(block_ids[-1])
            info = dumps((end - start, last_id, maxweight, 0, 0, 0), 2)
            blocklength = len(info) + len(data)
            postfile.write_int(-blocklength if end == n else blocklength)
            postfile.write(info)
            postfile.write(data)
            pw._blockcount += 1
            ti._maxweight = max(ti._maxweight, maxweight)
        ti._weight = float(weights.sum())
        ti._df = n
        ti._minid = int(ids[0])
        ti._maxid = int(ids[-1])
        self.finish_term()

    def _add_inlined(self, btext: bytes, ids: npt.NDArray[np.uint32], freqs: npt.NDArray[np.uint32]) -> None:
        """Store a short posting list inside the term table (no posting block)."""
        id_list = ids.tolist()
        if self._format.fixed_value_size() == 0:
            weights = [1.0] * len(id_list)
            values: list[bytes] = []
        else:
            freq_list = freqs.tolist()
            weights = [float(f) for f in freq_list]
            values = [pack_uint(f) for f in freq_list]
        ti = W3TermInfo()
        ti._weight = float(sum(weights))
        ti._df = len(id_list)
        ti._maxweight = max(weights)
        ti._minid = id_list[0]
        ti._maxid = id_list[-1]
        ti.set_inlined(id_list, weights, values)
        self._tindex.add(pack_ushort(self._fieldid) + btext, ti.to_bytes())


class BulkCodec(W3Codec):  # type: ignore[misc]
    """The Whoosh 3 codec with the bulk field writer; files are standard W3 files."""

    length_stats = False

    def field_writer(self, storage: Any, segment: Any) -> BulkFieldWriter:
        return BulkFieldWriter(self, storage, segment)
