"""Whoosh, PostgreSQL and the one-document matcher find the same documents on one corpus.

The corpus is generated here from a small invented vocabulary: words with several English
forms (so stemming is exercised), hyphenated names (phrases), stop words between phrase words,
accented spellings, and every facet field. Both backends index it; for each query the two hit
sets, totals and facet counts must be equal.

Known differences, asserted below so that they stay known:

* Phrases: Whoosh matches adjacent *folded words* (as hashed pairs), PostgreSQL adjacent
  *stems* (positions in the ``tsvector``). So ``"ferry capsizing"`` also finds "ferry capsized"
  on PostgreSQL, not on Whoosh. Both hash pairs into buckets, so either can very rarely match a
  pair that is not there (about 0.2% of documents holding both words apart).
* Ranking: Whoosh scores with BM25, PostgreSQL with ``ts_rank``; hit *sets* agree, the order
  may not. "Newest" agrees, except among documents published at the same moment or undated:
  Whoosh orders those by score, PostgreSQL by id (so it never ranks what it only sorts). Result sets above ``RANK_ALL`` are ranked on PostgreSQL from
  a pool of title matches and recent documents (see :mod:`search_index.pg`).
"""

from __future__ import annotations

import os
import random
import secrets
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from search_index import Index, SearchIndex
from search_index.records import Change, IndexDoc

NOW = datetime(2026, 6, 1, 12, 0)
PLACES = ["Velmora", "Quendrel", "Ostavik", "Brannoch", "Zeluna"]
GROUPS = ["Tarn-Kessa Front", "Ilvar Brigade", "Mossek Watch"]
FORMS = [
    ("ferry", "ferries"),
    ("capsized", "capsizing", "capsizes"),
    ("flooding", "floods", "flooded"),
    ("detained", "detention", "detaining"),
    ("recruits", "recruitment", "recruiting"),
    ("harvest", "harvests", "harvesting"),
    ("checkpoint", "checkpoints"),
    ("convoy", "convoys"),
    ("smuggler", "smugglers", "smuggling"),
]
FILLER = ["market", "river", "council", "school", "road", "bridge", "winter", "clinic", "well", "radio"]
STOPS = ["of", "the", "in", "and", "to"]
COUNTRIES = ["VL", "QD", "OS", "BR"]
SOURCES = ["Lantern Desk", "Riverside Post", "Northwind Bulletin"]
TOPICS = ["displacement", "recruitment", "detention", "food"]


def corpus(n: int = 120, seed: int = 11) -> list[IndexDoc]:
    rng = random.Random(seed)
    docs = []
    start = datetime(2025, 1, 1)
    for i in range(n):
        place = rng.choice(PLACES)
        parts = []
        for _ in range(rng.randint(12, 40)):
            roll = rng.random()
            if roll < 0.35:
                parts.append(rng.choice(rng.choice(FORMS)))
            elif roll < 0.5:
                parts.append(rng.choice(STOPS))
            elif roll < 0.6:
                parts.append(place if rng.random() < 0.7 else rng.choice(PLACES))
            elif roll < 0.65:
                parts.append(rng.choice(GROUPS))
            else:
                parts.append(rng.choice(FILLER))
        if rng.random() < 0.2:
            parts.insert(rng.randint(0, len(parts)), "Véłmora")  # an accented spelling
        title_words = [rng.choice(rng.choice(FORMS)), "near", place]
        if rng.random() < 0.3:
            title_words.insert(0, rng.choice(GROUPS))
        country = rng.choice(COUNTRIES)
        docs.append(
            IndexDoc(
                id=1000 + i,
                title=" ".join(title_words).capitalize(),
                body=" ".join(parts) + ".",
                url=f"https://example.org/corpus/{i}",
                source=rng.choice(SOURCES),
                published_at=None
                if i % 17 == 0
                else start + timedelta(days=rng.randint(0, 500), hours=i % 24),
                publisher_type=rng.choice(["ngo", "media"]),
                language=rng.choice(["en", "en", "fr"]),
                doc_type=rng.choice(["news", "report"]),
                focus_countries=(country,),
                mentioned_countries=tuple(c for c in COUNTRIES if c != country and rng.random() < 0.2),
                topics=tuple(t for t in TOPICS if rng.random() < 0.3),
                groups=tuple(g.lower().replace(" ", "-") for g in GROUPS if g in " ".join(parts)),
                cluster_id=i // 3 if i % 5 == 0 else None,
            )
        )
    return docs


QUERIES = [
    "ferry",
    "ferries",
    "capsizing",
    "flooded velmora",
    "velmora OR quendrel",
    "(ostavik OR brannoch) -checkpoint",
    "smuggling NOT convoy",
    "NOT harvest",
    '"Tarn-Kessa Front"',
    "Ilvar-Brigade",
    '"market of the river"',
    '"bridge winter"',
    "detain*",
    "recruit*",
    "conv?y",
    "véłmora",
    "VELMORA",
    "country:VL",
    "focus:QD -country:OS",
    'source:"Lantern Desk" ferry',
    "lang:fr detention",
    "type:report OR type:news",
    "topic:food",
    "group:ilvar-brigade",
    "title:ferry",
    "title:capsiz*",
    "published:2025-03..2025-08",
    "published:2026",
    "-published:2025",
    "since:30d",
    "harvest published:..2025-06 country:BR",
    "(flooding AND checkpoint) OR (convoy AND smugglers)",
    "",
]


@pytest.fixture
def both(backend: str, tmp_path: Path) -> Iterator[tuple[Index, Index]]:
    """A Whoosh and a PostgreSQL index of the same corpus (``backend`` skips without a server)."""
    import psycopg

    from search_index.pg import PostgresSearchIndex

    url = os.environ["COI_TEST_DATABASE_URL"]
    docs = corpus()
    whoosh = SearchIndex(tmp_path / "whoosh").open()
    whoosh.apply([Change("upsert", d.id, d) for d in docs])
    schema = f"search_agree_{secrets.token_hex(4)}"
    pg = PostgresSearchIndex(url, schema=schema, pool_size=1).open()
    pg.apply([Change("upsert", d.id, d) for d in docs[:60]])  # in two batches
    pg.apply([Change("upsert", d.id, d) for d in docs[60:]])
    try:
        yield whoosh, pg
    finally:
        pg.close()
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def all_ids(index: Index, query: str) -> set[int]:
    found: set[int] = set()
    page = 1
    while True:
        res = index.search(query, page=page, pagelen=200, now=NOW, facets=())
        found |= {h.id for h in res.hits}
        if page * 200 >= res.total:
            return found
        page += 1


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_same_hits_totals_and_facets(both: tuple[Index, Index]) -> None:
    whoosh, pg = both
    assert whoosh.doc_count() == pg.doc_count() == 120
    nonempty = 0
    for query in QUERIES:
        w = whoosh.search(query, now=NOW, pagelen=200)
        p = pg.search(query, now=NOW, pagelen=200)
        assert p.total == w.total, query
        assert {h.id for h in p.hits} == {h.id for h in w.hits}, query
        assert p.facets == w.facets, query
        assert p.warnings == w.warnings, query
        nonempty += bool(w.total)
        grouped_w = whoosh.search(query, now=NOW, pagelen=200, group_clusters=True)
        grouped_p = pg.search(query, now=NOW, pagelen=200, group_clusters=True)
        assert grouped_p.total == grouped_w.total, query
        assert {h.cluster_id for h in grouped_p.hits} == {h.cluster_id for h in grouped_w.hits}, query
    assert nonempty >= len(QUERIES) - 3  # the queries really find documents


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_newest_order_and_pages_agree(both: tuple[Index, Index]) -> None:
    whoosh, pg = both
    undated = {d.id for d in corpus() if d.published_at is None}
    for query in ["ferry", "country:VL", ""]:
        w = [h.id for p in range(1, 8) for h in whoosh.search(query, sort="newest", page=p, now=NOW).hits]
        p = [h.id for q in range(1, 8) for h in pg.search(query, sort="newest", page=q, now=NOW).hits]
        assert len(p) == len(w) > 20, query
        assert [i for i in p if i not in undated] == [i for i in w if i not in undated], query
        assert set(p[-len(undated & set(p)) :]) == undated & set(w), query  # undated ones last


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_known_difference_phrases_match_stems_on_postgres(both: tuple[Index, Index]) -> None:
    whoosh, pg = both
    for query in ['"ferry capsizing"', '"flooding bridge"']:
        w, p = all_ids(whoosh, query), all_ids(pg, query)
        assert w <= p, query  # PostgreSQL finds every Whoosh hit ...
    wider = all_ids(pg, '"ferry capsizing"') - all_ids(whoosh, '"ferry capsizing"')
    assert wider  # ... and also "ferry capsized", "ferries capsizes"


def test_matching_one_document_agrees_with_whoosh(tmp_path: Path) -> None:
    """What the digests use: the parse tree evaluated on a document, without an index."""
    from search_index.match import analyse, matches
    from search_index.query import parse_query

    docs = corpus()
    whoosh = SearchIndex(tmp_path / "whoosh").open()
    whoosh.apply([Change("upsert", d.id, d) for d in docs])
    analysed = {d.id: analyse(d) for d in docs}
    phrases = ['"ferry capsizing"', '"flooding bridge"', '"harvest of the market"']
    for query in QUERIES + phrases:
        node = parse_query(query, now=NOW).node
        found = {i for i, a in analysed.items() if matches(node, a)}
        assert found == all_ids(whoosh, query), query


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_matching_one_document_with_stem_phrases_agrees_with_postgres(both: tuple[Index, Index]) -> None:
    from search_index.match import analyse, matches
    from search_index.query import parse_query

    _, pg = both
    analysed = {d.id: analyse(d) for d in corpus()}
    phrases = ['"ferry capsizing"', '"flooding bridge"', '"harvest of the market"', 'title:"ferry near"']
    for query in QUERIES + phrases:
        node = parse_query(query, now=NOW).node
        found = {i for i, a in analysed.items() if matches(node, a, stem_phrases=True)}
        assert found == all_ids(pg, query), query
