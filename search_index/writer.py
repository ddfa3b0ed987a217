"""Writing the index: applying change batches and rebuilding from scratch.

The index directory holds one generation directory per build (``gen-<stamp>``) and a
``current`` symlink naming the live one. A rebuild writes a new generation beside the live
one and swaps the symlink atomically, so searches keep working during the build. This
module is the only code that opens a Whoosh writer; it does not read the database (the
caller feeds documents and changes) and does not search.
"""

from __future__ import annotations

import os
import shutil
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index  # type: ignore[import-untyped]
from whoosh.index import LockError  # type: ignore[import-untyped]
from whoosh.reading import SegmentReader  # type: ignore[import-untyped]
from whoosh.writing import NO_MERGE  # type: ignore[import-untyped]

from search_index.analysis import memo_words, stems
from search_index.fastwrite import FastSegmentWriter
from search_index.records import Change, IndexDoc
from search_index.schema import IndexCodec, SchemaMismatch, build_schema, check_version, write_version

CURRENT = "current"
KEYTERMS = 24
WRITER_TIMEOUT = 30.0
SEGMENT_DOCS = 100_000
MAX_SEGMENTS = 24
SMALL_SEGMENT_DOCS = 20_000


class IndexLockedError(RuntimeError):
    """Another process holds the index writer."""


def to_utc_naive(value: datetime) -> datetime:
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


def doc_fields(doc: IndexDoc) -> dict[str, Any]:
    """The keyword arguments for Whoosh's add/update_document for one document."""
    body_stems = stems(memo_words(doc.body))
    frequent = Counter(body_stems).most_common(3 * KEYTERMS)
    keyterms = [w for w, _ in frequent if len(w) > 2 and not w.isdigit()][:KEYTERMS]
    fields: dict[str, Any] = {
        "id": str(doc.id),
        "title": doc.title,
        "body": doc.body,
        "pairs": (doc.title, doc.body),
        "tword": doc.title,
        "keyterms": " ".join(keyterms),
        "cluster": doc.cluster_id + 1 if doc.cluster_id is not None else 0,
    }
    countries = {c.upper() for c in doc.focus_countries + doc.mentioned_countries if c}
    facets: dict[str, Iterable[str]] = {
        "focus_country": {c.upper() for c in doc.focus_countries if c},
        "country": countries,
        "source": [doc.source] if doc.source else [],
        "publisher_type": [doc.publisher_type] if doc.publisher_type else [],
        "topic": set(doc.topics),
        "group": set(doc.groups),
        "actor": set(doc.actors),
        "province": {p.upper() for p in doc.provinces if p},
        "lang": [doc.language.lower()] if doc.language else [],
        "type": [doc.doc_type] if doc.doc_type else [],
    }
    if doc.published_at is not None:
        published = to_utc_naive(doc.published_at)
        fields["published"] = published
        facets["ym"] = [published.strftime("%Y-%m")]
    for name, values in facets.items():
        vals = sorted(v for v in values if v)
        if vals:
            fields[name] = vals
    return fields


class IndexStore:
    """The on-disk layout: generation directories and the ``current`` symlink."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def current_dir(self) -> Path | None:
        link = self.path / CURRENT
        if not link.is_symlink() and not link.exists():
            return None
        return (self.path / os.readlink(link)).resolve() if link.is_symlink() else link

    def new_generation(self) -> Path:
        self.path.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        gen = self.path / f"gen-{stamp}-{os.getpid()}"
        gen.mkdir()
        return gen

    def create_empty(self, gen: Path) -> Any:
        ix = whoosh_index.create_in(str(gen), build_schema())
        write_version(gen)
        return ix

    def open_current(self) -> Any:
        """Open the live index; raises SchemaMismatch on a foreign or outdated index."""
        cur = self.current_dir()
        if cur is None:
            raise FileNotFoundError(self.path / CURRENT)
        check_version(cur)
        return whoosh_index.open_dir(str(cur))

    def swap(self, gen: Path) -> None:
        """Point ``current`` at `gen` atomically; keep only it and the one it replaces.

        The replaced generation stays on disk until the next swap, so a search that
        started on it in another process can still finish.
        """
        old = self.current_dir()
        tmp = self.path / f".{CURRENT}.{os.getpid()}"
        if tmp.is_symlink() or tmp.exists():
            tmp.unlink()
        tmp.symlink_to(gen.name)
        os.replace(tmp, self.path / CURRENT)
        keep = {gen.resolve()} | ({old} if old is not None else set())
        for other in self.path.glob("gen-*"):
            if other.resolve() not in keep:
                shutil.rmtree(other, ignore_errors=True)

    def ensure(self) -> Any:
        """Open the live index, creating an empty one if there is none."""
        if self.current_dir() is None:
            if self.path.exists() and any(
                p.name not in {CURRENT} and not p.name.startswith(("gen-", ".")) for p in self.path.iterdir()
            ):
                raise SchemaMismatch(
                    f"{self.path} holds an index of an unknown layout; "
                    "run `coi index --rebuild` to rebuild it"
                )
            gen = self.new_generation()
            self.create_empty(gen)
            self.swap(gen)
        return self.open_current()


def _take_writer(ix: Any, timeout: float, **kwargs: Any) -> Any:
    try:
        return FastSegmentWriter(ix, timeout=timeout, delay=0.1, codec=IndexCodec(), **kwargs)
    except LockError as exc:
        raise IndexLockedError(
            f"the search index is being written by another process (waited {timeout:.0f} s); "
            "only one index writer may run at a time"
        ) from exc


def apply_changes(ix: Any, changes: Sequence[Change], timeout: float = WRITER_TIMEOUT) -> int:
    """Apply a batch in one commit; the last change per document wins.

    Returns the number of documents upserted or deleted.
    """
    last: dict[int, Change] = {}
    for change in changes:
        if change.op == "upsert" and change.doc is None:
            raise ValueError(f"upsert of document {change.doc_id} carries no document")
        last[change.doc_id] = change
    if not last:
        return 0
    writer = _take_writer(ix, timeout)
    try:
        for doc_id, change in last.items():
            if change.op == "delete":
                writer.delete_by_term("id", str(doc_id))
            else:
                assert change.doc is not None
                if change.doc.id != doc_id:
                    raise ValueError(f"change for {doc_id} carries document {change.doc.id}")
                writer.update_document(**doc_fields(change.doc))
    except BaseException:
        writer.cancel()
        raise
    segments = len(ix._segments())
    # Merging is left out of ordinary batches so that a batch is searchable within
    # seconds; small segments are merged once they pile up (see MAX_SEGMENTS).
    writer.commit(mergetype=merge_small_segments if segments >= MAX_SEGMENTS else NO_MERGE)
    return len(last)


def merge_small_segments(writer: Any, segments: list[Any]) -> list[Any]:
    """Whoosh merge policy: fold every segment under SMALL_SEGMENT_DOCS into the new one."""
    small = [s for s in segments if s.doc_count_all() < SMALL_SEGMENT_DOCS]
    if len(small) < 2:
        return segments
    for seg in small:
        reader = SegmentReader(writer.storage, writer.schema, seg)
        writer.add_reader(reader)
        reader.close()
    return [s for s in segments if s not in small]


def build(
    ix: Any,
    docs: Iterable[IndexDoc],
    total: int | None = None,
    progress: Callable[[int], None] | None = None,
    progress_every: int = 1000,
) -> int:
    """Add all `docs` to an empty index; returns the count.

    Documents are written in segments of SEGMENT_DOCS (bounding the writer's memory);
    segments are not merged. `total` is accepted for progress reporting by the caller.
    """
    n = 0
    seen: set[int] = set()
    writer: Any = None
    try:
        for doc in docs:
            if doc.id in seen:
                raise ValueError(f"document {doc.id} occurs twice in the rebuild input")
            seen.add(doc.id)
            if writer is None:
                writer = _take_writer(ix, 5.0)
            writer.add_document(**doc_fields(doc))
            n += 1
            if n % SEGMENT_DOCS == 0:
                writer.commit(merge=False)
                writer = None
            if progress is not None and n % progress_every == 0:
                progress(n)
    except BaseException:
        if writer is not None:
            writer.cancel()
        raise
    if writer is not None:
        writer.commit(merge=False)
    if progress is not None:
        progress(n)
    return n
