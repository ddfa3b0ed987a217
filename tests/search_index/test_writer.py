"""Writing the index: change batches, deletes, rebuilds, version checks, the writer lock.

The tests taking ``index`` or ``make_index`` run on each backend; those taking
``whoosh_index`` check Whoosh's own folders, files and lock.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest

from search_index import Index, IndexLockedError, SchemaMismatch, SearchIndex
from search_index.records import Change, IndexDoc, Resolvers
from search_index.schema import VERSION_FILE

NOW = datetime(2026, 3, 7, 12, 0)
MakeIndex = Callable[..., Index]


def hit_ids(index: Index, query: str) -> list[int]:
    return [h.id for h in index.search(query, now=NOW, pagelen=100).hits]


def test_open_creates_an_empty_index(make_index: MakeIndex) -> None:
    index = make_index("new")
    assert index.doc_count() == 0
    res = index.search("anything")
    assert res.total == 0 and res.hits == ()


def test_apply_upserts_and_counts(index: Index, docs: tuple[IndexDoc, ...]) -> None:
    assert index.doc_count() == len(docs)


def test_update_replaces_the_old_version(index: Index, docs: tuple[IndexDoc, ...]) -> None:
    old = docs[3]
    new = dataclasses.replace(old, title="Hotel siege in Kismayo", body="A siege in Kismayo.")
    assert index.apply([Change("upsert", old.id, new)]) == 1
    assert hit_ids(index, "kismayo") == [old.id]
    assert old.id not in hit_ids(index, "hotel mogadishu")
    assert index.doc_count() == len(docs)


def test_delete(index: Index, docs: tuple[IndexDoc, ...]) -> None:
    assert index.apply([Change("delete", 104)]) == 1
    assert 104 not in hit_ids(index, "mogadishu")
    assert index.doc_count() == len(docs) - 1
    res = index.search("", filters={"country": ["SO"]})
    assert dict(res.facets["country"]) == {"SO": 1}
    assert index.apply([Change("delete", 424242)]) == 1  # unknown ids are harmless


def test_last_change_per_document_wins(index: Index, docs: tuple[IndexDoc, ...]) -> None:
    doc = dataclasses.replace(docs[0], body="Now about goats in Hama.")
    index.apply([Change("upsert", doc.id, doc), Change("delete", doc.id)])
    assert hit_ids(index, "goats") == []
    index.apply([Change("delete", doc.id), Change("upsert", doc.id, doc)])
    assert hit_ids(index, "goats") == [doc.id]


def test_upsert_without_document_is_rejected(index: Index) -> None:
    with pytest.raises(ValueError, match="carries no document"):
        index.apply([Change("upsert", 5)])


def test_many_small_batches_stay_searchable(make_index: MakeIndex, docs: tuple[IndexDoc, ...]) -> None:
    index = make_index("ix")
    for i in range(30):  # more batches than MAX_SEGMENTS, so a Whoosh merge happens on the way
        d = dataclasses.replace(docs[i % len(docs)], id=1000 + i, title=f"Batch{i} item")
        index.apply([Change("upsert", d.id, d)])
    assert index.doc_count() == 30
    if isinstance(index, SearchIndex):
        assert len(index._index()._segments()) < 24  # small segments were merged
    assert hit_ids(index, "batch7") == [1007]
    assert index.search("", facets=("country",)).facets["country"]


def test_rebuild_gives_the_same_results(
    index: Index, docs: tuple[IndexDoc, ...], make_index: MakeIndex, resolvers: Resolvers
) -> None:
    queries = ["trafficking", '"human trafficking"', "country:SY", "idlib -fuel", "traffick*", "", "mog*"]
    before = [index.search(q, now=NOW) for q in queries]
    fresh = make_index("other", resolvers)
    seen: list[int] = []
    assert fresh.rebuild(iter(docs), total=len(docs), progress=seen.append) == len(docs)
    assert seen[-1] == len(docs)
    after = [fresh.search(q, now=NOW) for q in queries]
    for b, a in zip(before, after, strict=True):
        assert [h.id for h in a.hits] == [h.id for h in b.hits]
        assert [h.score for h in a.hits] == pytest.approx([h.score for h in b.hits])
        assert a.facets == b.facets
        assert a.total == b.total


def test_rebuild_swaps_while_old_searcher_keeps_working(
    whoosh_index: SearchIndex, docs: tuple[IndexDoc, ...]
) -> None:
    index = whoosh_index
    assert hit_ids(index, "mosul") == [108]
    # a second handle on the same directory, as a web worker would hold
    reader = SearchIndex(index.path).open()
    assert hit_ids(reader, "mosul") == [108]
    index.rebuild(iter(docs[:3]))
    assert index.doc_count() == 3
    assert hit_ids(reader, "mosul") == []  # the other handle notices the new generation
    assert reader.doc_count() == 3
    generations = [p for p in index.path.iterdir() if p.name.startswith("gen-")]
    assert len(generations) == 2  # the replaced one is kept until the next swap
    index.rebuild(iter(docs[:2]))
    assert len([p for p in index.path.iterdir() if p.name.startswith("gen-")]) == 2
    assert reader.doc_count() == 2


def test_rebuild_rejects_duplicate_ids_and_keeps_the_old_index(
    index: Index, docs: tuple[IndexDoc, ...]
) -> None:
    with pytest.raises(ValueError, match="twice"):
        index.rebuild(iter([docs[0], docs[1], docs[0]]))
    assert index.doc_count() == len(docs)
    assert hit_ids(index, "mosul") == [108]
    if isinstance(index, SearchIndex):
        assert len([p for p in index.path.iterdir() if p.name.startswith("gen-")]) == 1


def test_a_second_handle_sees_writes_and_rebuilds(
    index: Index, docs: tuple[IndexDoc, ...], make_index: MakeIndex
) -> None:
    """What a second web node sees: the writer's batches and rebuilds, without reopening."""
    reader = make_index()
    assert hit_ids(reader, "mosul") == [108]
    index.apply([Change("delete", 108)])
    assert hit_ids(reader, "mosul") == []
    index.rebuild(iter(docs[:3]))
    assert reader.doc_count() == 3
    assert hit_ids(reader, "idlib") == [102, 103] or hit_ids(reader, "idlib") == [103, 102]


def test_every_facet_field_is_indexed_filtered_and_counted(make_index: MakeIndex) -> None:
    """The field list is data: each field of FACET_FIELDS works without code of its own."""
    from search_index.schema import FACET_FIELDS, facet_values

    doc = IndexDoc(
        id=7,
        title="Ferry crossing",
        body="A ferry crossing.",
        url="https://example.org/7",
        source="Lake Desk",
        published_at=datetime(2026, 1, 5),
        publisher_type="media",
        language="sw",
        doc_type="news",
        focus_countries=("TZ",),
        mentioned_countries=("UG",),
        topics=("transport",),
        groups=("lake-militia",),
        actors=("ferry-company",),
        provinces=("TZ-18",),
    )
    other = dataclasses.replace(doc, id=8, source="", publisher_type="", language="", doc_type="",
                                focus_countries=(), mentioned_countries=(), topics=(), groups=(),
                                actors=(), provinces=(), published_at=None)  # fmt: skip
    index = make_index("fields")
    index.apply([Change("upsert", d.id, d) for d in (doc, other)])
    values = facet_values(doc)
    assert set(values) == set(FACET_FIELDS)
    for name, vals in values.items():
        res = index.search("", filters={name: vals[:1]}, facets=(name,))
        assert [h.id for h in res.hits] == [7], name
        assert dict(res.facets[name]) == {v: 1 for v in vals}, name


def test_schema_version_mismatch(whoosh_index: SearchIndex) -> None:
    index = whoosh_index
    live = index._store.current_dir()
    assert live is not None
    (live / VERSION_FILE).write_text("0\n", encoding="ascii")
    with pytest.raises(SchemaMismatch, match="coi index --rebuild"):
        SearchIndex(index.path).open()


def test_foreign_directory_is_a_mismatch(tmp_path: Path) -> None:
    (tmp_path / "ix").mkdir()
    (tmp_path / "ix" / "_MAIN_1.toc").write_bytes(b"old whoosh index")
    with pytest.raises(SchemaMismatch, match="coi index --rebuild"):
        SearchIndex(tmp_path / "ix").open()


def test_second_writer_gets_a_clear_error(whoosh_index: SearchIndex, docs: tuple[IndexDoc, ...]) -> None:
    index = whoosh_index
    import search_index.writer as writer_module

    ix = index._index()
    held = ix.writer()  # another process holding the lock
    try:
        with pytest.raises(IndexLockedError, match="only one index writer"):
            writer_module.apply_changes(ix, [Change("delete", docs[0].id)], timeout=0.2)
    finally:
        held.cancel()
    assert index.apply([Change("delete", docs[0].id)]) == 1


def test_files_read_back_with_stock_whoosh(whoosh_index: SearchIndex, docs: tuple[IndexDoc, ...]) -> None:
    """The fast writer produces ordinary Whoosh segments: Whoosh's own searcher agrees."""
    index = whoosh_index
    from whoosh import query as wq  # type: ignore[import-untyped]

    from search_index.analysis import pair_term, stem

    ix = index._index()
    with ix.searcher() as searcher:

        def stored_ids(q: object) -> set[int]:
            return {int(hit["id"]) for hit in searcher.search(q, limit=None)}

        assert stored_ids(wq.Term("body", stem("trafficking"))) == {101, 103, 106}
        assert stored_ids(wq.Term("country", "SY")) == {101, 102, 103, 107}
        assert stored_ids(wq.Term("pairs", pair_term("rapid", "support"))) == {106}
        assert stored_ids(wq.DateRange("published", NOW.replace(month=3, day=1), NOW)) == {
            103,
            106,
            107,
        }
        assert searcher.doc_count() == len(docs)
        freq = searcher.reader().frequency("body", stem("checkpoints"))
        assert freq == 2  # doc 102 says "checkpoints" twice
