"""Name matching (``nlp.names``) on real name variants written by others: ``../shared/eval/names``.

* **OFAC**: each listed individual's primary name is stored; each of its "a.k.a." aliases that is a
  spelling variant (it shares a name part with the primary name, or their token-sorted similarity
  is at least 0.6; the SOURCE.txt caveat: some aliases are unrelated pseudonyms) is a query. Recall@5:
  the individual is among the first five candidates. Matched: the individual is scored at or
  above :data:`nlp.names.DEFAULT_THRESHOLD`, so a screening marks it a match. Precision at the
  threshold: of the candidates scored at or above it, the share that are the right individual.
* **OFAC, close spellings**: the same, only the aliases whose token-sorted similarity to the
  primary name is at least 0.6; an alias kept only for sharing a part is often another name with
  the same given name, which no spelling rule can find.
* **Wikidata** (Arabic and Russian): the Latin spellings of one native-script name part (rows with a
  count of at least 2). The most frequent spelling of each native word is stored; every other
  spelling is a query; recall@5 and precision as above, single parts only. Two names of one part
  each score at most :data:`nlp.names.ONE_PART_SHARE` of their similarity unless they are the same,
  so precision here counts the candidates written the same (two native words with one Latin
  spelling) against the right ones.
* **Native script**: the same native words as queries, in their own script (Arabic or Cyrillic),
  against their most frequent Latin spelling: recall@5 (names of one part each are never a match,
  so no precision); and as names of two parts (below), each pair of native words against the
  stored name of their two spellings, recall@5 and precision.
* **Further lists**: any other ``*.tsv`` in the folder of the Wikidata form (Latin spelling, native
  word, count), such as held-out lists of another script or origin, is scored as the Wikidata ones.
* **Wikidata, two parts**: the real use is full names, and whether spellings of one part that
  sound alike pick out one person shows only there. The native words (both halves) are paired in
  the order of their hashes, and each pair is stored as one name of the two most frequent
  spellings; the queries are the pairs of the other spellings of the two words (the n-th spelling
  of each, the first again when one word has fewer; a word with none keeps its stored one), each
  name of a pair in the half of its first word. Recall@5 and precision as above.
* **Time**: 100 queries against 100,000 stored names made by combining OFAC name parts, in the
  matcher alone; with ``--portal``, the same through :func:`portal.screening.service.screen` against
  100,000 person entities, each with one mention, in a fresh SQLite database (or
  ``--database-url``): the first list (index built from the database) and a second one (index
  reused while the database is unchanged).

Beside each precision: how many candidates at or above the threshold are wrong, and how many of
those are *homographs*, another name whose stored spelling has the query's very parts (the same
letters, case and accents apart: Dávid against a stored David that is another native word). No
matcher that compares spellings can tell those apart; the rest are the matcher's own mistakes.

Individuals and native words are split into half A and half B by a hash of their id; the matcher's
constants were set looking at half A only. Run: ``python bench/screening.py [NAMES_DIR] [--time-only]
[--portal [--database-url URL]]``.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import random
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz.fuzz import token_sort_ratio

from nlp.names import DEFAULT_THRESHOLD, NameIndex, NameQuery, StoredName, name_parts

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "shared" / "eval" / "names"


def half(key: str) -> str:
    return "A" if hashlib.sha256(key.encode()).digest()[0] % 2 == 0 else "B"


def display(name: str) -> str:
    """OFAC writes "FAMILY, Given": turn it round."""
    family, _, given = name.partition(",")
    return f"{given.strip()} {family.strip()}".strip()


def ofac(root: Path) -> tuple[dict[str, str], dict[str, list[str]]]:
    people: dict[str, str] = {}
    with (root / "ofac_sdn_2021.csv").open(encoding="utf-8", errors="replace") as handle:
        for row in csv.reader(handle):
            if len(row) > 2 and row[2].strip() == "individual":
                people[row[0]] = display(row[1])
    aliases: dict[str, list[str]] = defaultdict(list)
    with (root / "ofac_alt_2021.csv").open(encoding="utf-8", errors="replace") as handle:
        for row in csv.reader(handle):
            if len(row) > 3 and row[0] in people and row[2].strip() == "aka":
                alias, primary = display(row[3]), people[row[0]]
                shared = set(name_parts(alias)) & set(name_parts(primary))
                if shared or token_sort_ratio(alias.lower(), primary.lower()) >= 60:
                    aliases[row[0]].append(alias)
    return people, aliases


@dataclass(frozen=True)
class Score:
    recall: float  # at the first five candidates
    matched: float  # the share of queries whose right name scores at or above the threshold
    precision: float  # of the candidates at or above the threshold
    queries: int
    wrong: int  # candidates at or above the threshold that are not the right name
    homographs: int  # of those, names written with the query's letters (case and accents apart)

    def line(self, label: str, which: str, precision: bool = True) -> str:
        shown = (
            f"{self.matched:>9.3f} {self.precision:>10.3f} {self.wrong:>6} {self.homographs:>10}"
            if precision
            else f"{'-':>9} {'-':>10}"
        )
        return f"{label:<28} {which:>4} {self.queries:>8} {self.recall:>9.3f} {shown}"


def score(index: NameIndex, queries: list[tuple[str, str]], spelled: dict[str, str]) -> Score:
    found = matched = 0
    above = right_above = homographs = 0
    for key, query in queries:
        candidates = index.search(NameQuery(query), limit=5)
        if any(c.key == key for c in candidates):
            found += 1
        matched += any(c.key == key and c.score >= DEFAULT_THRESHOLD for c in candidates)
        for c in candidates:
            if c.score >= DEFAULT_THRESHOLD:
                above += 1
                right_above += c.key == key
                # another name written with the query's letters: no spelling tells them apart
                homographs += c.key != key and name_parts(spelled[c.key]) == name_parts(query)
    recall = found / len(queries) if queries else 0.0
    precision = right_above / above if above else 0.0
    matched_share = matched / len(queries) if queries else 0.0
    return Score(recall, matched_share, precision, len(queries), above - right_above, homographs)


def wikidata(path: Path) -> tuple[dict[str, str], dict[str, list[str]]]:
    spellings: dict[str, dict[str, int]] = defaultdict(dict)
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            latin, native, count = line.rstrip("\n").split("\t")
            if int(count) >= 2:
                spellings[native.replace(" ", "")][latin] = int(count)
    stored: dict[str, str] = {}
    variants: dict[str, list[str]] = {}
    for native, counts in spellings.items():
        ranked = sorted(counts, key=lambda s: -counts[s])
        stored[native] = ranked[0]
        variants[native] = ranked[1:]
    return stored, variants


def two_parts(
    stored: dict[str, str], variants: dict[str, list[str]]
) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Names of two parts made of the Wikidata words (see the module docstring): the stored name and
    the queries of each pair, by the key of the pair (its first word's key, a space, its second's)."""
    words = sorted(stored, key=lambda native: hashlib.sha256(native.encode()).hexdigest())
    names: dict[str, str] = {}
    queries: dict[str, list[str]] = {}
    for first, second in zip(words[::2], words[1::2], strict=False):
        key = f"{first} {second}"
        names[key] = f"{stored[first]} {stored[second]}"
        one, two = variants[first] or [stored[first]], variants[second] or [stored[second]]
        if not variants[first] and not variants[second]:
            queries[key] = []
            continue
        queries[key] = [f"{one[n % len(one)]} {two[n % len(two)]}" for n in range(max(len(one), len(two)))]
    return names, queries


def portal_timing(names: list[str], queries: list[NameQuery], url: str | None) -> None:
    """Time ``screen`` on a database holding one person entity and one mention per name."""
    from sqlalchemy import insert

    from portal.db import make_engine, make_session_factory, transaction
    from portal.migrate import upgrade
    from portal.models import Document, Entity, Mention, Source
    from portal.screening.service import screen

    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(url or f"sqlite:///{folder}/bench.sqlite3")
        upgrade(engine)
        factory = make_session_factory(engine)
        with transaction(factory) as session:
            source = Source(name="bench", kind="rss", url="http://bench.invalid/", options={})
            session.add(source)
            session.flush()
            per_document = 5
            session.execute(
                insert(Document),
                [
                    {
                        "source_id": source.id,
                        "url": f"http://bench.invalid/{n}",
                        "title": f"bench {n}",
                        "text": "",
                        "content_sha256": "0" * 64,
                    }
                    for n in range(len(names) // per_document + 1)
                ],
            )
            first_document = min(session.scalars(Document.__table__.select().with_only_columns(Document.id)))
            session.execute(
                insert(Entity),
                [
                    {"key": f"person:bench-{i}", "kind": "person", "canonical_name": name, "aliases": []}
                    for i, name in enumerate(names)
                ],
            )
            ids = list(
                session.scalars(Entity.__table__.select().with_only_columns(Entity.id).order_by(Entity.id))
            )
            session.execute(
                insert(Mention),
                [
                    {
                        "document_id": first_document + i // per_document,
                        "entity_id": entity_id,
                        "start": 0,
                        "end": len(name),
                        "text": name[:500],
                        "kind": "person",
                    }
                    for i, (entity_id, name) in enumerate(zip(ids, names, strict=True))
                ],
            )
        for label in ("first list", "second list"):
            started, cpu = time.perf_counter(), time.process_time()
            with transaction(factory) as session:
                screen(session, queries)
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
            print(
                f"portal, {label}: 100 names against {len(names):,} person mentions: "
                f"{elapsed:.2f} s ({cpu:.2f} s of CPU)"
            )
        engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names_dir", nargs="?", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--time-only", action="store_true", help="only the timing, not recall and precision")
    parser.add_argument("--portal", action="store_true", help="also time the portal's screen() on a database")
    parser.add_argument("--database-url", help="the database for --portal (default: a temporary SQLite file)")
    args = parser.parse_args()
    root = args.names_dir
    print(f"threshold {DEFAULT_THRESHOLD}")
    people, aliases = ofac(root)
    if not args.time_only:
        head = f"{'set':<28} {'half':>4} {'queries':>8} {'recall@5':>9}"
        print(f"{head} {'matched':>9} {'precision':>10} {'wrong':>6} {'homographs':>10}")
        index = NameIndex(StoredName(key, name) for key, name in people.items())
        for which in ("A", "B"):
            queries = [(k, a) for k, names in aliases.items() if half(k) == which for a in names]
            print(score(index, queries, people).line("OFAC aliases", which))
        for which in ("A", "B"):
            # the aliases that are close spellings of the whole name, without those kept only
            # for sharing a part (many of which are other names: a pseudonym with the same given name)
            queries = [
                (k, a)
                for k, names in aliases.items()
                if half(k) == which
                for a in names
                if token_sort_ratio(a.lower(), people[k].lower()) >= 60
            ]
            print(score(index, queries, people).line("OFAC aliases, close spelling", which))
        known = {
            "wikidata_arabic_latin.tsv": "Wikidata Arabic",
            "wikidata_russian_latin.tsv": "Wikidata Russian",
        }
        # further lists of the same form (Latin spelling, native word, count) put beside these,
        # such as held-out ones of another script or origin, are scored the same way
        further = sorted(p.name for p in root.glob("*.tsv") if p.name not in known)
        for name, label in [*known.items(), *((n, Path(n).stem) for n in further)]:
            stored, variants = wikidata(root / name)
            part_index = NameIndex(StoredName(native, spelling) for native, spelling in stored.items())
            for which in ("A", "B"):
                queries = [(k, v) for k, vs in variants.items() if half(k) == which for v in vs]
                print(score(part_index, queries, stored).line(label, which))
            for which in ("A", "B"):
                # the native word itself against its most frequent Latin spelling
                queries = [(k, k) for k in stored if half(k) == which]
                print(score(part_index, queries, stored).line(label + ", native", which, precision=False))
            names, pair_queries = two_parts(stored, variants)
            pair_index = NameIndex(StoredName(key, name) for key, name in names.items())
            for which in ("A", "B"):
                first_half = [(k, vs) for k, vs in pair_queries.items() if half(k.split()[0]) == which]
                queries = [(k, v) for k, vs in first_half for v in vs]
                print(score(pair_index, queries, names).line(label + ", two parts", which))
            for which in ("A", "B"):
                queries = [(k, k) for k in names if half(k.split()[0]) == which]
                print(score(pair_index, queries, names).line(label + ", two, native", which))
    rng = random.Random(7)
    parts = [p for name in people.values() for p in name.split()]
    stored_names = [" ".join(rng.sample(parts, 3)) for _ in range(100_000)]
    timed = [NameQuery(" ".join(rng.sample(parts, 3))) for _ in range(100)]
    started = time.perf_counter()
    big = NameIndex(StoredName(str(i), name) for i, name in enumerate(stored_names))
    print(f"index of {len(big):,} stored names built in {time.perf_counter() - started:.2f} s")
    started, cpu = time.perf_counter(), time.process_time()
    for query in timed:
        big.search(query)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(f"100 names against {len(big):,} stored names: {elapsed:.2f} s ({cpu:.2f} s of CPU)")
    if args.portal:
        portal_timing(stored_names, timed, args.database_url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
