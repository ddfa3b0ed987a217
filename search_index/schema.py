"""The Whoosh schema of the document index and its version check.

Fields:
- ``id``: document id (unique, stored); ``title``: stemmed, stored for the result list.
- ``body``: stemmed, not stored. Highlighting takes the text from the caller (``texts``
  callback of :meth:`SearchIndex.search`), so the index never holds a second copy of it.
- ``tword``: folded, unstemmed words of the title: the vocabulary for "did you mean".
- ``pairs``: adjacent word pairs of title and body (phrases are matched as pairs, see
  :mod:`search_index.query`).
- facets (``focus_country``, ``country``, ``source``, ``publisher_type``, ``topic``,
  ``group``, ``actor``, ``province``, ``lang``, ``type``, ``ym``): untokenized keyword fields; facet
  counts are read from their postings, so they need no column.
- ``published``: DATETIME, sortable (column used for sorting and date ranges);
  ``cluster``: numeric column used to collapse near-duplicates.
- ``keyterms``: stored, the most frequent stems of the body (for "more like this").

No positions are stored: text fields index term frequencies only, which keeps the index
small and the writer fast. This module does not read or write documents.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from whoosh import fields  # type: ignore[import-untyped]
from whoosh.system import pack_uint  # type: ignore[import-untyped]

from search_index.analysis import ListAnalyzer, memo_words, pair_ids, pair_text, stems
from search_index.fastwrite import BulkCodec

SCHEMA_VERSION = 2
VERSION_FILE = "schema_version"

FACET_FIELDS: tuple[str, ...] = (
    "focus_country",
    "country",
    "source",
    "publisher_type",
    "topic",
    "group",
    "actor",
    "province",
    "lang",
    "type",
    "ym",
)

TITLE_BOOST = 2.0
COMPRESSION = 0


class SchemaMismatch(RuntimeError):  # noqa: N818 (name fixed by the callers)
    """The index on disk was written with another schema version."""


class AnalyzedText(fields.TEXT):  # type: ignore[misc]
    """A text field indexed with :mod:`search_index.analysis` in one pass.

    `value` is a string or a tuple of strings (title, body: pairs never span two parts).
    ``mode`` is "stem" (stemmed words), "pairs" (hashed adjacent word pairs) or
    "exact" (folded words, unstemmed). Only term
    frequencies are stored, no positions.
    """

    def __init__(self, mode: str, stored: bool = False) -> None:
        super().__init__(analyzer=ListAnalyzer(mode), phrase=False, stored=stored)
        self.mode = mode

    def keys(self, value: str | tuple[str, ...] | list[str]) -> list[Any]:
        """Term keys of `value`: strings, or pair bucket numbers in "pairs" mode."""
        parts = (value,) if isinstance(value, str) else tuple(value)
        out: list[Any] = []
        for part in parts:
            toks = memo_words(part)
            if self.mode == "stem":
                out.extend(stems(toks))
            elif self.mode == "pairs":
                out.extend(pair_ids(toks))
            else:
                out.extend(toks)
        return out

    def key_bytes(self, key: Any) -> bytes:
        if isinstance(key, int):
            return pair_text(key).encode("ascii")
        if isinstance(key, str):
            return key.encode("utf-8")
        result: bytes = key
        return result

    def index(self, value: Any, **kwargs: Any) -> Iterator[tuple[bytes, int, float, bytes]]:
        fb = self.format.field_boost
        for key, freq in Counter(self.keys(value)).items():
            yield self.key_bytes(key), freq, freq * fb, pack_uint(freq)


def build_schema() -> fields.Schema:
    def text(mode: str, stored: bool = False) -> AnalyzedText:
        return AnalyzedText(mode, stored=stored)

    facet_fields = {
        name: fields.KEYWORD(stored=False, lowercase=False, commas=False, scorable=False)
        for name in FACET_FIELDS
    }
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        title=text("stem", stored=True),
        body=text("stem"),
        pairs=text("pairs"),
        tword=AnalyzedText("exact"),
        published=fields.DATETIME(sortable=True),
        cluster=fields.NUMERIC(int, bits=64, signed=False, sortable=True),
        keyterms=fields.STORED(),
        **facet_fields,
    )


def write_version(directory: Path) -> None:
    (directory / VERSION_FILE).write_text(f"{SCHEMA_VERSION}\n", encoding="ascii")


def check_version(directory: Path) -> None:
    """Raise :class:`SchemaMismatch` unless `directory` holds an index of this version."""
    vfile = directory / VERSION_FILE
    try:
        found = vfile.read_text(encoding="ascii").strip()
    except OSError:
        found = "none"
    if found != str(SCHEMA_VERSION):
        raise SchemaMismatch(
            f"the search index at {directory} has schema version {found}, this code needs "
            f"version {SCHEMA_VERSION}; run `coi index --rebuild` to rebuild it"
        )


class IndexCodec(BulkCodec):
    """The codec every writer of this index uses (see :mod:`search_index.fastwrite`).

    Block length statistics are skipped (they only serve Whoosh's own block-skipping
    scorer, which this package does not use) and blocks are left uncompressed.
    """

    def __init__(self) -> None:
        super().__init__(blocklimit=128, compression=COMPRESSION, inlinelimit=1)
