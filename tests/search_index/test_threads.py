"""One index searched from many threads at once, as the web server's threads do."""

from __future__ import annotations

import dataclasses
import random
import sys
import threading
from datetime import datetime, timedelta
from pathlib import Path

from search_index import SearchIndex
from search_index.records import Change, IndexDoc

from .conftest import DOCS, RESOLVERS

VOCABULARY = [f"term{n:03d}" for n in range(400)]


def _corpus(batch: int, size: int) -> list[IndexDoc]:
    rng = random.Random(batch)
    out = []
    for n in range(size):
        doc_id = batch * 1000 + n
        body = " ".join(rng.choice(VOCABULARY) for _ in range(150))
        out.append(
            dataclasses.replace(
                DOCS[n % len(DOCS)],
                id=doc_id,
                title=f"Report {doc_id} {rng.choice(VOCABULARY)}",
                body=body,
                published_at=datetime(2026, 1, 1) + timedelta(hours=doc_id),
            )
        )
    return out


def test_threads_searching_fresh_segments_read_whole_postings(tmp_path: Path) -> None:
    index = SearchIndex(tmp_path / "ix", RESOLVERS).open()
    for batch in range(1, 7):  # several segments, each read for the first time below
        index.apply([Change("upsert", d.id, d) for d in _corpus(batch, 150)])
    expected_total = {word: index.search(word, facets=()).total for word in VOCABULARY[:5]}
    index.close()

    index = SearchIndex(tmp_path / "ix", RESOLVERS).open()  # no postings cached yet
    failures: list[BaseException] = []
    totals: dict[str, set[int]] = {}
    start = threading.Barrier(8)

    def search(seed: int) -> None:
        rng = random.Random(seed)
        words = VOCABULARY[:]
        rng.shuffle(words)
        start.wait()
        try:
            for word in words[:120]:
                results = index.search(f"{word} OR {rng.choice(VOCABULARY)}*", facets=("country",))
                assert not results.warnings, results.warnings
            for word in expected_total:
                totals.setdefault(word, set()).add(index.search(word, facets=()).total)
            index.more_like_this(1000 + seed, n=3)
        except BaseException as exc:  # collected and reported below
            failures.append(exc)

    threads = [threading.Thread(target=search, args=(seed,)) for seed in range(8)]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as a busy server would
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(interval)
    assert not failures, failures[:3]
    assert {w: t.pop() for w, t in totals.items() if len(t) == 1} == expected_total
