"""What only the PostgreSQL backend has: its tsvector values, its tables and their version."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from datetime import datetime, timedelta

import psycopg
import pytest

from search_index import Index, SchemaMismatch, pg
from search_index.pg import MAX_POSITION, MAX_POSITIONS_PER_WORD, PostgresSearchIndex, to_row, tsvector_text
from search_index.records import Change, IndexDoc

MakeIndex = Callable[..., Index]


def test_tsvector_positions_run_on_with_a_gap_between_parts() -> None:
    text = tsvector_text([(["aleppo", "siege"], "A"), (["siege", "lift"], "")])
    assert text == "'aleppo':1A 'siege':2A,4 'lift':5"


def test_tsvector_keeps_postgres_limits() -> None:
    many = ["flood"] * (MAX_POSITIONS_PER_WORD + 50)
    text = tsvector_text([(many, "")])
    assert text.count(",") == MAX_POSITIONS_PER_WORD - 1
    late = tsvector_text([(["w"] * (MAX_POSITION + 10) + ["end"], "")])
    assert late.endswith(f"'end':{MAX_POSITION}")


def test_rows_hold_facets_as_name_value_entries(docs: tuple[IndexDoc, ...]) -> None:
    row = to_row(docs[0])
    assert "country:SY" in row.facets and "country:TR" in row.facets and "focus_country:SY" in row.facets
    assert "ym:2026-01" in row.facets and "lang:en" in row.facets
    assert "traffick" in row.stems and "human" in row.title_words


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_postgres_parses_the_tsvectors_as_written(make_index: MakeIndex, docs: tuple[IndexDoc, ...]) -> None:
    index = make_index()
    assert isinstance(index, PostgresSearchIndex)
    tricky = dataclasses.replace(
        docs[0], id=5, title="O'Brien's \\ report", body="l'été à Alep; café_au_lait"
    )
    index.apply([Change("upsert", 5, tricky)])
    with psycopg.connect(os.environ["COI_TEST_DATABASE_URL"]) as conn:
        conn.execute(f'SET search_path TO "{index.schema}"')
        row = conn.execute(
            "SELECT tsv::text, %s::tsvector::text FROM search_documents WHERE id = 5",
            (tsvector_text([(["brien", "report"], "A"), (["et", "alep", "cafe_au_lait"], "")]),),
        ).fetchone()
    assert row is not None
    assert row[0] == row[1] == "'alep':5 'brien':1A 'cafe_au_lait':6 'et':4 'report':2A"
    assert [h.id for h in index.search('"ete alep"').hits] == [5]


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_term_frequencies_follow_updates_and_deletes(
    make_index: MakeIndex, docs: tuple[IndexDoc, ...]
) -> None:
    index = make_index()
    index.apply([Change("upsert", d.id, d) for d in docs])
    assert isinstance(index, PostgresSearchIndex)

    def df(term: str) -> int:
        with psycopg.connect(os.environ["COI_TEST_DATABASE_URL"]) as conn:
            conn.execute(f'SET search_path TO "{index.schema}"')
            got = conn.execute(
                "SELECT df FROM search_terms WHERE kind = 's' AND term = %s", (term,)
            ).fetchone()
        return int(got[0]) if got else 0

    assert df("mogadishu") == 2
    index.apply([Change("delete", 104)])
    assert df("mogadishu") == 1
    index.apply([Change("upsert", 105, dataclasses.replace(docs[4], body="Families fled to Baidoa."))])
    assert df("mogadishu") == 0
    assert index.search("mogadish*").total == 0
    assert df("baidoa") == 1


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_tables_of_another_version_are_refused(make_index: MakeIndex) -> None:
    index = make_index()
    assert isinstance(index, PostgresSearchIndex)
    with psycopg.connect(os.environ["COI_TEST_DATABASE_URL"], autocommit=True) as conn:
        conn.execute(f'SET search_path TO "{index.schema}"')
        conn.execute("UPDATE search_meta SET value = '0;country' WHERE key = 'schema'")
    other = PostgresSearchIndex(index.url, schema=index.schema, pool_size=1)
    try:
        with pytest.raises(SchemaMismatch, match="coi index --rebuild"):
            other.open()
    finally:
        other.close()


def test_rows_from_worker_processes_come_in_order_and_alike(
    docs: tuple[IndexDoc, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pg, "ROWS_CHUNK", 2)
    assert list(pg.analysed(docs, 2)) == [to_row(d) for d in docs]


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_a_rebuild_stores_what_batches_store(
    make_index: MakeIndex, docs: tuple[IndexDoc, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    batches, rebuilt = make_index("batches"), make_index("rebuilt")
    assert isinstance(batches, PostgresSearchIndex) and isinstance(rebuilt, PostgresSearchIndex)
    batches.apply([Change("upsert", d.id, d) for d in docs])
    monkeypatch.setattr(pg, "PROCESS_ROWS_FROM", 1)  # rows from worker processes
    assert rebuilt.rebuild(iter(docs), total=len(docs)) == len(docs)

    def contents(index: PostgresSearchIndex) -> tuple[list[tuple[object, ...]], ...]:
        with psycopg.connect(os.environ["COI_TEST_DATABASE_URL"]) as conn:
            conn.execute(f'SET search_path TO "{index.schema}"')
            rows = conn.execute(
                "SELECT id, title, published, cluster, facets, keyterms, title_tsv::text, tsv::text,"
                " pairs::text FROM search_documents ORDER BY id"
            ).fetchall()
            terms = conn.execute("SELECT kind, term, df FROM search_terms ORDER BY kind, term").fetchall()
            indexes = conn.execute(
                "SELECT tablename, indexname FROM pg_indexes WHERE schemaname = %s ORDER BY 1, 2",
                (index.schema,),
            ).fetchall()
        return rows, terms, indexes

    assert contents(rebuilt) == contents(batches)
    assert [h.id for h in rebuilt.search('"human trafficking"').hits] == [101]


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_a_rebuild_writes_pages_visible_to_all(make_index: MakeIndex, docs: tuple[IndexDoc, ...]) -> None:
    index = make_index()
    assert isinstance(index, PostgresSearchIndex)
    index.rebuild(iter(docs), total=len(docs))
    with psycopg.connect(os.environ["COI_TEST_DATABASE_URL"]) as conn:
        pages, visible = conn.execute(
            "SELECT relpages, relallvisible FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = %s AND c.relname = 'search_documents'",
            (index.schema,),
        ).fetchone() or (0, -1)
    assert pages > 0 and visible == pages


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_very_large_result_sets_are_counted_on_a_sample(
    make_index: MakeIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = make_index()
    assert isinstance(index, PostgresSearchIndex)
    when = datetime(2026, 3, 1)
    many = [
        IndexDoc(
            id=i,
            title=f"Checkpoint report {i}",
            body="Arrests at a checkpoint" + (" near the border crossing" if i <= 5 else ""),
            url=f"https://example.org/{i}",
            source="Monitor",
            published_at=when,
            focus_countries=("SY",) if i % 4 else ("IQ",),
        )
        for i in range(1, 321)
    ]
    index.apply([Change("upsert", d.id, d) for d in many])
    with psycopg.connect(os.environ["COI_TEST_DATABASE_URL"]) as conn:
        sampled = [
            i for (i,) in conn.execute("SELECT i FROM generate_series(1, 320) i WHERE hashint8(i) & 15 = 0")
        ]
    assert 5 <= len(sampled) <= 40
    monkeypatch.setattr(pg, "ESTIMATE_FROM", 50)
    results = index.search("checkpoint", facets=("focus_country",))
    assert results.estimated
    assert results.total == 16 * len(sampled)
    iraq = sum(1 for i in sampled if i % 4 == 0)
    expected = {"SY": 16 * (len(sampled) - iraq), "IQ": 16 * iraq}
    assert dict(results.facets["focus_country"]) == {k: v for k, v in expected.items() if v}
    assert len(results.hits) == 20
    small = index.search('"border crossing"', facets=("focus_country",))
    assert (
        not small.estimated and small.total == 5 and dict(small.facets["focus_country"]) == {"SY": 4, "IQ": 1}
    )
    grouped = index.search("checkpoint", group_clusters=True)
    assert not grouped.estimated and grouped.total == 320
    monkeypatch.setattr(pg, "ESTIMATE_FROM", 1000)
    exact = index.search("checkpoint", facets=("focus_country",))
    assert not exact.estimated and exact.total == 320


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_large_result_sets_rank_title_matches_and_the_newest_hits(
    make_index: MakeIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = make_index()
    assert isinstance(index, PostgresSearchIndex)
    first = datetime(2025, 1, 1)
    docs = [
        IndexDoc(
            id=i,
            title=f"Curfew extended, notice {i}" if i in (5, 10) else f"Notice {i}",
            body=("A curfew was announced. " if i % 3 else "Markets reopened. ")
            + ("The river flooded the lower town." if i <= 30 else ""),
            url=f"https://example.org/{i}",
            source="Monitor",
            published_at=first + timedelta(days=i),
        )
        for i in range(1, 61)
    ]
    index.apply([Change("upsert", d.id, d) for d in docs])
    with psycopg.connect(os.environ["COI_TEST_DATABASE_URL"], autocommit=True) as conn:
        conn.execute(f'ANALYZE "{index.schema}".search_documents')  # the row count the dates are read with
    monkeypatch.setattr(pg, "RANK_ALL", 5)
    monkeypatch.setattr(pg, "RANK_POOL", 8)
    hits = [d.id for d in docs if d.id % 3]
    ranked = index.search("curfew", pagelen=8)
    newest_others = sorted((i for i in hits if i not in (5, 10)), reverse=True)[:6]
    assert {h.id for h in ranked.hits} == {5, 10, *newest_others}
    assert [h.id for h in ranked.hits][:2] == [10, 5]  # title matches rank first
    by_date = index.search("curfew", sort="newest", page=2, pagelen=5)
    assert [h.id for h in by_date.hits] == sorted(hits, reverse=True)[5:10]
    old = index.search("flooded", sort="newest", pagelen=4)  # hits only among the older half
    assert [h.id for h in old.hits] == [30, 29, 28, 27]


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_batches_merge_the_largest_indexes_every_few_thousand_documents(
    make_index: MakeIndex, docs: tuple[IndexDoc, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    index = make_index()
    assert isinstance(index, PostgresSearchIndex)
    monkeypatch.setattr(pg, "MERGE_AFTER_DOCS", len(docs) + 2)

    def unmerged() -> int:
        with psycopg.connect(os.environ["COI_TEST_DATABASE_URL"]) as conn:
            row = conn.execute(
                f'SELECT value FROM "{index.schema}".search_meta WHERE key = %s', ("unmerged",)
            ).fetchone()
        return int(row[0]) if row else 0

    def waiting_pages(name: str) -> int:
        with psycopg.connect(os.environ["COI_TEST_DATABASE_URL"]) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS pgstattuple")
            row = conn.execute(
                "SELECT pending_pages FROM pgstatginindex(%s::regclass)", (f'"{index.schema}".{name}',)
            ).fetchone()
        return int(row[0]) if row else 0

    index.apply([Change("upsert", d.id, d) for d in docs])
    assert unmerged() == len(docs)
    assert all(waiting_pages(name) > 0 for name in pg.MERGED_LATER)
    assert [h.id for h in index.search('"human trafficking"').hits] == [101]  # waiting entries are found
    index.apply([Change("delete", docs[0].id), Change("upsert", docs[1].id, docs[1])])
    index.wait_for_merge()  # the merge runs beside the next batches, on a connection of its own
    assert unmerged() == 0  # merged: the count starts again
    assert [waiting_pages(name) for name in pg.MERGED_LATER] == [0, 0]
    index.apply([Change("upsert", docs[1].id, docs[1])])
    assert unmerged() == 1
    index.rebuild(iter(docs), total=len(docs))
    assert unmerged() == 0


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_a_merge_can_run_in_the_batch_that_makes_it_due(
    make_index: MakeIndex, docs: tuple[IndexDoc, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    index = make_index()
    assert isinstance(index, PostgresSearchIndex)
    monkeypatch.setattr(pg, "MERGE_AFTER_DOCS", 1)
    index.merge_in_background = False
    index.apply([Change("upsert", d.id, d) for d in docs])
    assert index._merging is None  # no thread: merged in the batch's own transaction
    assert [h.id for h in index.search('"human trafficking"').hits] == [101]


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_searches_plan_with_their_own_settings_and_leave_the_connection_as_it_was(
    make_index: MakeIndex,
) -> None:
    index = make_index()
    assert isinstance(index, PostgresSearchIndex)
    shown = (
        "SELECT current_setting('enable_seqscan'), current_setting('cpu_tuple_cost'), current_setting('jit')"
    )
    with index._searching() as conn:
        assert conn.execute(shown).fetchone() == ("off", pg.ROW_COST, "off")
    with index._conn() as conn:  # the same pooled connection, after the search's transaction
        row = conn.execute(shown).fetchone()
    assert row is not None and row[0] == "on" and row[1] == "0.01"


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_a_pooled_connection_the_server_dropped_while_idle_is_replaced(
    make_index: MakeIndex, docs: tuple[IndexDoc, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    index = make_index()
    assert isinstance(index, PostgresSearchIndex)
    index.apply([Change("upsert", d.id, d) for d in docs])
    expected = [h.id for h in index.search("trafficking").hits]
    assert expected
    with index._conn() as conn:
        dropped = conn.info.backend_pid
    with psycopg.connect(os.environ["COI_TEST_DATABASE_URL"], autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (dropped,))
    monkeypatch.setattr(pg, "PING_AFTER_IDLE_SECONDS", 0.0)  # as if it sat idle for long
    assert [h.id for h in index.search("trafficking").hits] == expected
    with index._conn() as conn:
        assert conn.info.backend_pid != dropped
