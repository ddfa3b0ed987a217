"""The queries of one half of ``bench/screening.py`` that the matcher misses, and its wrong matches.

For each set (OFAC aliases, Wikidata Arabic, Wikidata Russian): every query whose right name is not
among the first five candidates (a miss), and every other candidate scored at or above
:data:`nlp.names.DEFAULT_THRESHOLD` (a wrong match), with the right name, the candidates, their
scores and the reasons. Prints to standard output, one block per query; it writes no file (the
evaluation data stays where it is). Only half A is meant to be looked at: the other half checks
that what was learnt from it holds. Run: ``python bench/screening_misses.py [NAMES_DIR] [--half A]
[--set ofac|arabic|russian] [--kind miss|wrong]``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bench.screening import DEFAULT_DIR, half, ofac, wikidata
from nlp.names import DEFAULT_THRESHOLD, NameIndex, NameQuery, StoredName, name_parts


def dump(index: NameIndex, names: dict[str, str], queries: list[tuple[str, str]], kinds: set[str]) -> None:
    for key, query in queries:
        candidates = index.search(NameQuery(query), limit=5)
        missed = not any(c.key == key for c in candidates)
        wrong = [c for c in candidates if c.key != key and c.score >= DEFAULT_THRESHOLD]
        if ("miss" in kinds and missed) or ("wrong" in kinds and wrong):
            label = "MISS" if missed else "WRONG"
            print(f"{label}\t{query!r} {name_parts(query)} -> {names[key]!r} {name_parts(names[key])}")
            for c in candidates:
                mark = "*" if c.key == key else " "
                print(f"  {mark} {c.score:.3f} {c.name!r}: {'; '.join(c.reasons)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names_dir", nargs="?", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--half", default="A", choices=("A", "B"))
    parser.add_argument("--set", dest="sets", action="append", choices=("ofac", "arabic", "russian"))
    parser.add_argument("--kind", dest="kinds", action="append", choices=("miss", "wrong"))
    args = parser.parse_args()
    sets = set(args.sets or ("ofac", "arabic", "russian"))
    kinds = set(args.kinds or ("miss", "wrong"))
    root = args.names_dir
    if "ofac" in sets:
        print("## OFAC aliases")
        people, aliases = ofac(root)
        index = NameIndex(StoredName(key, name) for key, name in people.items())
        queries = [(k, a) for k, names in aliases.items() if half(k) == args.half for a in names]
        dump(index, people, queries, kinds)
    for label, file in (("arabic", "wikidata_arabic_latin.tsv"), ("russian", "wikidata_russian_latin.tsv")):
        if label not in sets:
            continue
        print(f"## Wikidata {label}")
        stored, variants = wikidata(root / file)
        part_index = NameIndex(StoredName(native, spelling) for native, spelling in stored.items())
        queries = [(k, v) for k, vs in variants.items() if half(k) == args.half for v in vs]
        dump(part_index, stored, queries, kinds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
