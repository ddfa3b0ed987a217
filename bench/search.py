"""Benchmark of the search backends (Whoosh, PostgreSQL) and SQLite FTS5 on synthetic COI corpora.

For each corpus size: generate N documents (Zipf-distributed vocabulary of about 50,000
words with real place and armed-group names and COI topic phrases woven in; skewed country,
source, topic, language and date distributions), index them with each backend's rebuild
(docs/s, size), run a fixed mix of queries (each with facet counts over all hits and a
highlighted page) on each backend, optionally the equivalent SQLite FTS5 queries (MATCH + bm25
+ snippet + GROUP BY facet counts), then time an incremental batch of 1,000 documents until it
is searchable, and the sustained rate of ``--batches`` such batches in a row (merges of
PostgreSQL's deferred index entries included).

    .venv/bin/python bench/search.py --backend both --sizes 100000,500000 --skip-fts \
        --database-url postgresql://postgres@127.0.0.1:5432/coi_bench

Query types: term, and (two words), phrase, field (word + country:), date (word + published
range), newest (term sorted by date), facets (a facet value alone: the largest result sets),
highlight (term with a 50-hit page). The PostgreSQL tables go in schema --pg-schema, dropped
afterwards unless --keep. Prints p50/p95 latencies per query type and backend. Numbers are
wall-clock on whatever else the machine is running. Nothing here is used by the package.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from search_index import Index, SearchIndex
from search_index.records import Change, IndexDoc, Resolvers

# -- corpus -------------------------------------------------------------------------------

PLACES: dict[str, tuple[list[str], list[str]]] = {
    "SY": (
        ["Aleppo", "Idlib", "Damascus", "Homs", "Deir ez-Zor", "Raqqa", "Daraa", "Hama"],
        ["Hayat Tahrir al-Sham", "Syrian National Army", "Islamic State"],
    ),
    "AF": (
        ["Kabul", "Kandahar", "Herat", "Jalalabad", "Kunduz", "Mazar-i-Sharif"],
        ["Taliban", "Islamic State Khorasan Province"],
    ),
    "SO": (["Mogadishu", "Kismayo", "Baidoa", "Beledweyne", "Galkayo"], ["al-Shabaab"]),
    "SD": (
        ["Khartoum", "Omdurman", "El Fasher", "Nyala", "El Geneina"],
        ["Rapid Support Forces", "RSF", "Sudanese Armed Forces"],
    ),
    "CD": (
        ["Goma", "Bukavu", "Beni", "Bunia", "Kinshasa", "Uvira"],
        ["M23", "Allied Democratic Forces", "CODECO"],
    ),
    "IQ": (
        ["Mosul", "Baghdad", "Kirkuk", "Erbil", "Basra", "Sinjar"],
        ["Popular Mobilization Forces", "Islamic State"],
    ),
    "NG": (
        ["Maiduguri", "Kaduna", "Zamfara", "Borno", "Bama"],
        ["Boko Haram", "Islamic State West Africa Province"],
    ),
    "YE": (["Sanaa", "Aden", "Marib", "Taiz", "Hodeidah"], ["Houthis", "Ansar Allah"]),
    "ML": (["Bamako", "Gao", "Timbuktu", "Mopti", "Menaka"], ["JNIM", "Wagner Group"]),
    "ET": (["Addis Ababa", "Mekelle", "Bahir Dar", "Gondar"], ["Fano", "Oromo Liberation Army"]),
    "MM": (["Yangon", "Mandalay", "Sittwe", "Myitkyina"], ["Arakan Army", "Tatmadaw"]),
    "PS": (["Gaza", "Khan Younis", "Rafah", "Jenin"], ["Hamas", "Islamic Jihad"]),
    "LY": (["Tripoli", "Benghazi", "Misrata", "Sabha"], ["Libyan National Army"]),
    "BF": (["Ouagadougou", "Djibo", "Dori"], ["JNIM"]),
    "PK": (["Peshawar", "Quetta", "Karachi"], ["Tehrik-i-Taliban Pakistan"]),
    "IR": (["Tehran", "Zahedan", "Mashhad"], ["Islamic Revolutionary Guard Corps"]),
    "UA": (["Kharkiv", "Donetsk", "Kherson", "Zaporizhzhia"], ["Russian Armed Forces"]),
    "HT": (["Port-au-Prince", "Cap-Haitien"], ["Viv Ansanm"]),
    "CO": (["Cauca", "Catatumbo", "Narino"], ["ELN", "Clan del Golfo"]),
    "ER": (["Asmara", "Massawa"], []),
}
OTHER_COUNTRIES = [
    "TR",
    "LB",
    "JO",
    "EG",
    "KE",
    "UG",
    "RW",
    "TD",
    "NE",
    "CF",
    "SS",
    "CM",
    "MZ",
    "BD",
    "IN",
    "LK",
    "NP",
    "GE",
    "AM",
    "AZ",
    "RU",
    "BY",
    "CU",
    "NI",
    "VE",
    "DZ",
    "MA",
    "TN",
    "SN",
    "GN",
]
SOURCES = [
    "UNHCR", "OCHA", "ReliefWeb", "Human Rights Watch", "Amnesty International", "ACLED",
    "International Crisis Group", "EUAA", "US State Department", "UK Home Office", "ACCORD",
    "IOM", "UNICEF", "WFP", "MSF", "ICRC", "Al Jazeera", "BBC", "Reuters", "AFP", "AP",
    "The New Humanitarian", "Syria Direct", "Enab Baladi", "TOLOnews", "Pajhwok",
    "Garowe Online", "Radio Dalsan", "Sudan Tribune", "Radio Dabanga", "Actualite.cd",
    "Radio Okapi", "Rudaw", "Premium Times", "Yemen Monitor", "Mizzima", "The Irrawaddy",
    "Addis Standard", "Libya Observer", "Dawn",
]  # fmt: skip
TOPICS = [
    "human trafficking", "forced recruitment", "sexual violence", "arbitrary detention",
    "enforced disappearance", "torture", "freedom of religion", "freedom of expression",
    "internal displacement", "returnees", "women's rights", "child marriage",
    "LGBTIQ persons", "blood feud", "military service", "state protection",
    "healthcare access", "humanitarian access", "security situation", "targeted killings",
    "civil documentation",
]  # fmt: skip
LANGS = (["en", "fr", "ar", "es", "ru", "fa", "ps", "so"], [0.62, 0.1, 0.1, 0.05, 0.04, 0.04, 0.03, 0.02])
DOC_TYPES = (["news", "report", "update", "legal", "dataset note"], [0.55, 0.25, 0.12, 0.05, 0.03])
PUBLISHER_TYPES = ["un", "ngo", "government", "media", "research"]
COMMON = [
    "the",
    "of",
    "and",
    "to",
    "in",
    "a",
    "for",
    "on",
    "that",
    "was",
    "by",
    "with",
    "said",
    "from",
    "at",
    "as",
    "were",
    "is",
    "have",
    "has",
    "their",
    "forces",
    "security",
    "government",
    "people",
    "civilians",
    "city",
    "district",
    "province",
    "attack",
    "attacks",
    "killed",
    "reported",
    "according",
    "local",
    "village",
    "area",
    "armed",
    "group",
    "groups",
    "military",
    "police",
    "authorities",
    "children",
    "women",
    "men",
    "families",
    "displaced",
    "camp",
    "camps",
    "since",
    "during",
    "after",
    "over",
    "two",
    "three",
    "month",
    "week",
    "year",
    "report",
    "reports",
    "international",
    "humanitarian",
    "aid",
    "access",
    "human",
    "rights",
    "violations",
    "including",
    "least",
    "also",
    "more",
    "than",
    "other",
    "which",
    "who",
    "control",
    "fighting",
    "clashes",
    "north",
    "south",
    "east",
    "west",
    "border",
    "region",
    "regional",
    "officials",
    "sources",
    "residents",
    "community",
    "communities",
    "health",
    "food",
    "water",
    "schools",
    "hospital",
    "detained",
    "arrested",
    "released",
    "killed",
    "wounded",
    "injured",
    "missing",
    "returned",
    "fled",
]
SYLLABLES = [c + v for c in "bdfghklmnprstvzcjw" for v in "aeiou"] + ["an", "el", "or", "ir", "um"]


def make_vocabulary(size: int, rng: np.random.Generator) -> list[str]:
    vocab = list(dict.fromkeys(COMMON))
    seen = set(vocab)
    while len(vocab) < size:
        n = int(rng.integers(2, 5))
        w = "".join(SYLLABLES[int(i)] for i in rng.integers(0, len(SYLLABLES), n))
        if w not in seen:
            seen.add(w)
            vocab.append(w)
    return vocab


@dataclass
class Corpus:
    docs: list[IndexDoc]
    vocab: list[str]


def _country_weights() -> tuple[list[str], np.ndarray]:
    codes = list(PLACES) + OTHER_COUNTRIES
    ranks = np.arange(1, len(codes) + 1, dtype=np.float64)
    w = 1.0 / ranks**1.1
    return codes, w / w.sum()


def generate(n: int, seed: int, first_id: int = 1, marker: str | None = None) -> Corpus:
    rng = np.random.default_rng(seed)
    vocab = make_vocabulary(50_000, np.random.default_rng(7))
    ranks = np.arange(1, len(vocab) + 1, dtype=np.float64)
    p = 1.0 / ranks**1.05
    cdf = np.cumsum(p / p.sum())
    codes, cw = _country_weights()
    source_w = 1.0 / np.arange(1, len(SOURCES) + 1) ** 0.8
    source_w /= source_w.sum()
    topic_w = 1.0 / np.arange(1, len(TOPICS) + 1) ** 0.7
    topic_w /= topic_w.sum()
    end = datetime(2026, 11, 28)
    span = 3 * 365 * 86400
    docs: list[IndexDoc] = []
    chunk = 2000
    for base in range(0, n, chunk):
        m = min(chunk, n - base)
        lengths = np.clip(rng.lognormal(5.5, 0.5, m).astype(int), 40, 2000)
        words_idx = np.searchsorted(cdf, rng.random(int(lengths.sum()) + 10 * m))
        pos = 0
        for k in range(m):
            doc_id = first_id + base + k
            focus = codes[int(np.searchsorted(np.cumsum(cw), rng.random()))]
            mentioned = tuple(
                sorted(
                    {codes[int(i)] for i in rng.choice(len(codes), int(rng.integers(0, 3)), p=cw)} - {focus}
                )
            )
            places, groups = PLACES.get(focus, ([], []))
            topics = tuple(
                sorted({TOPICS[int(i)] for i in rng.choice(len(TOPICS), int(rng.integers(1, 4)), p=topic_w)})
            )
            doc_groups = tuple(g for g in groups if rng.random() < 0.4)
            length = int(lengths[k])
            body_words = [vocab[int(i)] for i in words_idx[pos : pos + length]]
            pos += length
            inserts: list[str] = list(topics) + list(doc_groups)
            if places:
                inserts += [places[int(i)] for i in rng.integers(0, len(places), int(rng.integers(1, 4)))]
            if marker:
                inserts.append(marker)
            for ins in inserts:
                body_words.insert(int(rng.integers(0, len(body_words) + 1)), ins)
            sentences = []
            i = 0
            while i < len(body_words):
                step = int(rng.integers(8, 22))
                s = " ".join(body_words[i : i + step])
                sentences.append(s[:1].upper() + s[1:] + ".")
                i += step
            title_words = [vocab[int(i)] for i in words_idx[pos : pos + 7]]
            pos += 10
            if places:
                title_words.insert(2, places[int(rng.integers(0, len(places)))])
            if doc_groups:
                title_words.insert(0, doc_groups[0])
            published = end - timedelta(seconds=int(rng.integers(0, span)))
            lang = LANGS[0][int(np.searchsorted(np.cumsum(LANGS[1]), rng.random() * 0.9999))]
            doc_type = DOC_TYPES[0][int(np.searchsorted(np.cumsum(DOC_TYPES[1]), rng.random() * 0.9999))]
            source = SOURCES[int(np.searchsorted(np.cumsum(source_w), rng.random() * 0.9999))]
            cluster = doc_id // 4 if rng.random() < 0.1 else None
            docs.append(
                IndexDoc(
                    id=doc_id,
                    title=" ".join(title_words).capitalize(),
                    body=" ".join(sentences),
                    url=f"https://example.org/doc/{doc_id}",
                    source=source,
                    published_at=published,
                    publisher_type=PUBLISHER_TYPES[doc_id % len(PUBLISHER_TYPES)],
                    language=lang,
                    doc_type=doc_type,
                    focus_countries=(focus,),
                    mentioned_countries=mentioned,
                    topics=tuple(t.replace(" ", "-").replace("'", "") for t in topics),
                    groups=tuple(g.lower().replace(" ", "-") for g in doc_groups),
                    actors=(),
                    cluster_id=cluster,
                )
            )
    return Corpus(docs, vocab)


# -- queries ------------------------------------------------------------------------------


@dataclass(frozen=True)
class BenchQuery:
    kind: str
    text: str  # for SearchIndex
    fts: str  # FTS5 MATCH expression
    country: str | None = None
    since: str | None = None  # ISO date lower bound
    until: str | None = None
    newest: bool = False
    pagelen: int = 10


def make_queries(vocab: list[str], per_type: int, seed: int) -> list[BenchQuery]:
    rng = np.random.default_rng(seed)
    stop = set(
        [
            "the",
            "of",
            "and",
            "to",
            "in",
            "a",
            "for",
            "on",
            "that",
            "was",
            "by",
            "with",
            "from",
            "at",
            "as",
            "were",
            "is",
            "have",
            "has",
        ]
    )
    content = [w for w in vocab[:4000] if w not in stop]
    places = [p for ps, _ in PLACES.values() for p in ps if " " not in p and "-" not in p]
    phrases = [
        *TOPICS[:9],
        "security forces",
        "armed group",
        "Rapid Support Forces",
        "Hayat Tahrir al-Sham",
        "human rights",
    ]
    phrases = [p for p in phrases if "'" not in p]
    out: list[BenchQuery] = []

    def pick(seq: list[str]) -> str:
        return seq[int(rng.integers(0, len(seq)))]

    def term() -> str:
        return pick(places) if rng.random() < 0.3 else content[int(rng.integers(20, 3000))]

    for _ in range(per_type):
        t = term()
        out.append(BenchQuery("term", t, t))
    for _ in range(per_type):
        a, b = term(), content[int(rng.integers(20, 1500))]
        out.append(BenchQuery("and", f"{a} {b}", f"{a} AND {b}"))
    for _ in range(per_type):
        ph = pick(phrases)
        fts_phrase = ph.replace("-", " ")
        out.append(BenchQuery("phrase", f'"{ph}"', f'"{fts_phrase}"'))
    for _ in range(per_type):
        t = content[int(rng.integers(20, 800))]
        c = pick(["SY", "AF", "SO", "SD", "CD", "IQ"])
        out.append(BenchQuery("field", f"{t} country:{c}", t, country=c))
    for _ in range(per_type):
        t = content[int(rng.integers(20, 800))]
        y, mth = 2024 + int(rng.integers(0, 2)), 1 + int(rng.integers(0, 9))
        lo, hi = f"{y}-{mth:02d}", f"{y}-{mth + 3:02d}"
        end_month = datetime(y, mth + 3, 1) + timedelta(days=31)
        out.append(
            BenchQuery(
                "date", f"{t} published:{lo}..{hi}", t, since=f"{lo}-01",
                until=end_month.replace(day=1).strftime("%Y-%m-%d"),
            )
        )  # fmt: skip
    for _ in range(per_type):
        t = term()
        out.append(BenchQuery("newest", t, t, newest=True))
    for _ in range(per_type):  # browsing by a facet alone: the largest result sets, all counted
        c = pick(["SY", "AF", "SO", "SD", "CD", "IQ", "lang:fr", "type:report"])
        text = c if ":" in c else f"country:{c}"
        out.append(BenchQuery("facets", text, "", country=None if ":" in c else c))
    for _ in range(per_type):  # a longer page of highlighted snippets
        t = term()
        out.append(BenchQuery("highlight", t, t, pagelen=50))
    return out


FACETS = ("country", "source", "topic", "group", "lang", "ym", "type")


# -- SQLite FTS5 reference ----------------------------------------------------------------


def build_fts(path: Path, docs: list[IndexDoc]) -> tuple[sqlite3.Connection, float]:
    if path.exists():
        path.unlink()
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=OFF")
    con.execute("PRAGMA synchronous=OFF")
    con.execute(
        "CREATE VIRTUAL TABLE fts USING fts5(title, body, tokenize='porter unicode61 remove_diacritics 2')"
    )
    con.execute(
        "CREATE TABLE meta(id INTEGER PRIMARY KEY, source TEXT, lang TEXT, type TEXT, ym TEXT, "
        "published TEXT)"
    )
    for f in ("country", "topic", "grp"):
        con.execute(f"CREATE TABLE f_{f}(doc INTEGER, value TEXT)")
    t0 = time.perf_counter()
    with con:
        con.executemany(
            "INSERT INTO fts(rowid, title, body) VALUES (?, ?, ?)",
            ((d.id, d.title, d.body) for d in docs),
        )
        con.executemany(
            "INSERT INTO meta VALUES (?, ?, ?, ?, ?, ?)",
            (
                (d.id, d.source, d.language, d.doc_type,
                 d.published_at.strftime("%Y-%m") if d.published_at else None,
                 d.published_at.strftime("%Y-%m-%d %H:%M:%S") if d.published_at else None)
                for d in docs
            ),
        )  # fmt: skip
        con.executemany(
            "INSERT INTO f_country VALUES (?, ?)",
            ((d.id, c) for d in docs for c in sorted(set(d.focus_countries + d.mentioned_countries))),
        )
        con.executemany("INSERT INTO f_topic VALUES (?, ?)", ((d.id, t) for d in docs for t in d.topics))
        con.executemany("INSERT INTO f_grp VALUES (?, ?)", ((d.id, g) for d in docs for g in d.groups))
        for f in ("country", "topic", "grp"):
            con.execute(f"CREATE INDEX i_{f}_doc ON f_{f}(doc)")
            con.execute(f"CREATE INDEX i_{f}_value ON f_{f}(value, doc)")
        con.execute("CREATE INDEX i_meta_pub ON meta(published)")
    return con, time.perf_counter() - t0


def run_fts(con: sqlite3.Connection, q: BenchQuery) -> int:
    where = ["fts MATCH ?"]
    params: list[str] = [q.fts]
    if q.country:
        where.append("EXISTS (SELECT 1 FROM f_country c WHERE c.doc = fts.rowid AND c.value = ?)")
        params.append(q.country)
    if q.since:
        where.append("m.published >= ? AND m.published < ?")
        params += [q.since, q.until or "9999"]
    cond = " AND ".join(where)
    order = "m.published DESC" if q.newest else "fts.rank"
    con.execute("DROP TABLE IF EXISTS temp.h")
    con.execute(
        "CREATE TEMP TABLE h AS SELECT fts.rowid AS id FROM fts "
        f"JOIN meta m ON m.id = fts.rowid WHERE {cond}",
        params,
    )
    total = con.execute("SELECT count(*) FROM h").fetchone()[0]
    con.execute(
        f"SELECT fts.rowid, fts.title, snippet(fts, 1, '<mark>', '</mark>', '…', 30) FROM fts "
        f"JOIN meta m ON m.id = fts.rowid WHERE {cond} ORDER BY {order} LIMIT 10",
        params,
    ).fetchall()
    for col in ("source", "lang", "type", "ym"):
        con.execute(f"SELECT m.{col}, count(*) FROM h JOIN meta m ON m.id = h.id GROUP BY m.{col}").fetchall()
    for f in ("country", "topic", "grp"):
        con.execute(
            f"SELECT f.value, count(*) FROM h JOIN f_{f} f ON f.doc = h.id GROUP BY f.value"
        ).fetchall()
    return int(total)


# -- running ------------------------------------------------------------------------------


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))]


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    t0 = time.perf_counter()
    out = fn()
    return (time.perf_counter() - t0) * 1000, out


def open_backend(name: str, n: int, args: argparse.Namespace, resolvers: Resolvers) -> Index:
    if name == "whoosh":
        return SearchIndex(Path(args.workdir) / f"n{n}" / "index", resolvers).open()
    from search_index.pg import PostgresSearchIndex

    return PostgresSearchIndex(args.database_url, resolvers, schema=args.pg_schema).open()


def index_size(name: str, n: int, args: argparse.Namespace) -> int:
    if name == "whoosh":
        return dir_size(Path(args.workdir) / f"n{n}" / "index")
    import psycopg

    with psycopg.connect(PostgresUrl.libpq(args.database_url)) as conn:
        row = conn.execute(
            "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace s "
            "ON s.oid = c.relnamespace WHERE s.nspname = %s AND c.relkind = 'r'",
            (args.pg_schema,),
        ).fetchone()
    return int(row[0] or 0) if row else 0


class PostgresUrl:
    @staticmethod
    def libpq(url: str) -> str:
        return url.replace("postgresql+psycopg://", "postgresql://")


def drop_pg_schema(args: argparse.Namespace) -> None:
    import psycopg

    with psycopg.connect(PostgresUrl.libpq(args.database_url), autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{args.pg_schema}" CASCADE')


def bench_backend(
    name: str,
    n: int,
    corpus: Corpus,
    queries: list[BenchQuery],
    texts: Callable[[list[int]], dict[int, str]],
    args: argparse.Namespace,
) -> dict[str, object]:
    """Index the corpus with one backend, run the queries, time an incremental batch."""
    resolvers = Resolvers(country=lambda s: [s.upper()] if len(s) == 2 else [])
    reuse = args.reuse and name == "postgres"
    if name == "postgres" and not reuse:
        drop_pg_schema(args)
    index = open_backend(name, n, args, resolvers)

    def progress(k: int) -> None:
        if k % 50_000 == 0 and k:
            print(f"[{n} {name}]   indexed {k} ({k / (time.perf_counter() - t1):.0f} docs/s)", flush=True)

    t1 = time.perf_counter()
    if reuse and index.doc_count() >= n:  # the corpus is regenerated from the seed: same documents
        count, index_s = n, float("nan")
        print(f"[{n} {name}] reusing the index of schema {args.pg_schema}", flush=True)
    else:
        count = index.rebuild(iter(corpus.docs), total=n, progress=progress)
        index_s = time.perf_counter() - t1
    size = index_size(name, n, args)
    print(
        f"[{n} {name}] indexed {count} docs in {index_s:.0f} s: {count / index_s:.0f} docs/s, "
        f"{size / 1e6:.0f} MB",
        flush=True,
    )
    warm_ms, _ = timed(lambda: index.search("attack", texts=texts))
    index.warm()
    timings: dict[str, list[float]] = {}
    totals: dict[str, list[int]] = {}
    for q in queries:
        ms, res = timed(
            lambda q=q: index.search(
                q.text,
                sort="newest" if q.newest else "relevance",
                facets=FACETS,
                texts=texts,
                pagelen=q.pagelen,
            )
        )
        timings.setdefault(q.kind, []).append(ms)
        totals.setdefault(q.kind, []).append(res.total)  # type: ignore[attr-defined]

    # incremental batch: 1,000 new documents carrying a marker word
    marker = "zzbenchmarkerzz"
    extra = generate(1000, seed=args.seed + 99, first_id=n + 10_000_000, marker=marker).docs
    t2 = time.perf_counter()
    index.apply([Change("upsert", d.id, d) for d in extra])
    applied = time.perf_counter() - t2
    found = index.search(marker, facets=FACETS).total
    searchable = time.perf_counter() - t2
    print(
        f"[{n} {name}] incremental 1,000 docs: applied {applied:.1f} s ({1000 / applied:.0f} docs/s), "
        f"searchable after {searchable:.1f} s ({found} found)",
        flush=True,
    )
    # sustained: batches of 1,000 in a row, enough for several deferred index merges to be
    # counted too (the documents are made first: making them is not indexing)
    batches = [
        generate(1000, seed=args.seed + 200 + k, first_id=n + 20_000_000 + k * 10_000).docs
        for k in range(args.batches)
    ]
    t3 = time.perf_counter()
    for more in batches:
        index.apply([Change("upsert", d.id, d) for d in more])
    if hasattr(index, "wait_for_merge"):
        index.wait_for_merge()  # a merge still running counts too
    sustained = 1000 * args.batches / (time.perf_counter() - t3)
    print(f"[{n} {name}] {args.batches} batches of 1,000 in a row: {sustained:.0f} docs/s", flush=True)
    index.close()
    if name == "postgres" and not args.keep:
        drop_pg_schema(args)
    all_ms = [x for v in timings.values() for x in v]
    return {
        "backend": name,
        "docs_per_s": count / index_s,
        "index_mb": size / 1e6,
        "first_search_ms": warm_ms,
        "incremental_docs_per_s": 1000 / applied,
        "incremental_searchable_s": searchable,
        "sustained_docs_per_s": sustained,
        "p50": {k: pct(v, 0.5) for k, v in timings.items()},
        "p95": {k: pct(v, 0.95) for k, v in timings.items()},
        "hits_median": {k: statistics.median(v) for k, v in totals.items()},
        "all_p50": pct(all_ms, 0.5),
        "all_p95": pct(all_ms, 0.95),
        "totals": totals,
    }


def bench_size(n: int, args: argparse.Namespace) -> dict[str, object]:
    work = Path(args.workdir) / f"n{n}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    t0 = time.perf_counter()
    corpus = generate(n, seed=args.seed)
    print(f"[{n}] generated in {time.perf_counter() - t0:.0f} s", flush=True)
    bodies = {d.id: d.body for d in corpus.docs}

    def texts(ids: list[int]) -> dict[int, str]:
        return {i: bodies[i] for i in ids if i in bodies}

    queries = make_queries(corpus.vocab, args.per_type, args.seed + 1)
    backends = ["whoosh", "postgres"] if args.backend == "both" else [args.backend]
    results = {b: bench_backend(b, n, corpus, queries, texts, args) for b in backends}

    fts_ms: dict[str, list[float]] = {}
    fts_build_s = float("nan")
    if not args.skip_fts:
        con, fts_build_s = build_fts(work / "fts.sqlite", corpus.docs)
        print(f"[{n}] FTS5 built in {fts_build_s:.0f} s ({n / fts_build_s:.0f} docs/s)", flush=True)
        run_fts(con, queries[0])
        for q in queries:
            if q.kind == "facets":
                continue  # no text to MATCH
            ms, _ = timed(lambda q=q: run_fts(con, q))
            fts_ms.setdefault(q.kind, []).append(ms)
        con.close()

    print()
    print(f"N = {n}  (p50 / p95 in ms per query type; every query counts 7 facets over all hits and")
    print("highlights its page; hits = median result-set size)")
    kinds = list(dict.fromkeys(q.kind for q in queries))
    header = f"{'query type':<10}"
    for b in backends:
        header += f" {b + ' p50':>13} {b + ' p95':>13} {'hits':>7}"
    if fts_ms:
        header += f" {'FTS5 p50':>9} {'FTS5 p95':>9}"
    print(header)
    for kind in kinds:
        line = f"{kind:<10}"
        for b in backends:
            r = results[b]
            line += (
                f" {r['p50'][kind]:13.0f} {r['p95'][kind]:13.0f} "  # type: ignore[index]
                f"{r['hits_median'][kind]:7.0f}"  # type: ignore[index]
            )
        if fts_ms:
            line += f" {pct(fts_ms.get(kind, []), 0.5):9.0f} {pct(fts_ms.get(kind, []), 0.95):9.0f}"
        print(line)
    line = f"{'all':<10}"
    for b in backends:
        line += f" {results[b]['all_p50']:13.0f} {results[b]['all_p95']:13.0f} {'':>7}"
    print(line)
    for b in backends:
        r = results[b]
        print(
            f"{b}: rebuild {r['docs_per_s']:.0f} docs/s, {r['index_mb']:.0f} MB; incremental 1,000 "
            f"docs at {r['incremental_docs_per_s']:.0f} docs/s, searchable after "
            f"{r['incremental_searchable_s']:.1f} s; {args.batches} batches in a row "
            f"{r['sustained_docs_per_s']:.0f} docs/s; first search {r['first_search_ms']:.0f} ms"
        )
    if len(backends) == 2:
        differ = sum(
            a != b
            for a, b in zip(
                [t for v in results["whoosh"]["totals"].values() for t in v],  # type: ignore[attr-defined]
                [t for v in results["postgres"]["totals"].values() for t in v],  # type: ignore[attr-defined]
                strict=True,
            )
        )
        print(f"queries whose totals differ between the backends: {differ} of {len(queries)}")
    print(flush=True)
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    for r in results.values():
        r.pop("totals", None)
    return {"n": n, "backends": results, "fts_docs_per_s": n / fts_build_s}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--sizes", default="100000", help="comma-separated corpus sizes")
    ap.add_argument("--per-type", type=int, default=30, help="queries per query type")
    ap.add_argument("--workdir", default="/tmp/coi-search-bench")
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--skip-fts", action="store_true")
    ap.add_argument("--backend", choices=["whoosh", "postgres", "both"], default="whoosh")
    ap.add_argument(
        "--database-url",
        default=os.environ.get("COI_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
        help="PostgreSQL database for --backend postgres|both (its tables go in --pg-schema)",
    )
    ap.add_argument("--pg-schema", default="search_bench")
    ap.add_argument("--keep", action="store_true", help="keep the index and FTS5 files")
    ap.add_argument(
        "--reuse", action="store_true", help="PostgreSQL: search the kept tables of --pg-schema, no rebuild"
    )
    ap.add_argument(
        "--batches",
        type=int,
        default=24,
        help="batches of 1,000 indexed in a row for the sustained rate (24: several merges of PostgreSQL's)",
    )
    ap.add_argument(
        "--merge-after",
        type=int,
        default=None,
        help="PostgreSQL: merge the largest indexes' waiting entries after this many documents "
        "(default: the package's MERGE_AFTER_DOCS), to compare settings",
    )
    ap.add_argument("--json", help="also write the results to this file")
    args = ap.parse_args(argv)
    if args.merge_after is not None:
        import search_index.pg

        search_index.pg.MERGE_AFTER_DOCS = args.merge_after
    results = [bench_size(int(s), args) for s in args.sizes.split(",") if s.strip()]
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
