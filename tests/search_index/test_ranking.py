"""Ranking of the Whoosh backend: the first page of many hits, worked out without sorting them all."""

from __future__ import annotations

import numpy as np

from search_index import MISSING_DATE, SearchIndex
from search_index.engine import Matches, union


class _Dates:
    """The one thing ranking reads of a snapshot: each document's publication day."""

    def __init__(self, days: np.ndarray) -> None:
        self.days = days

    def published(self) -> np.ndarray:
        return self.days


def test_ranking_the_first_page_of_many_hits_orders_them_as_ranking_all_of_them() -> None:
    rng = np.random.default_rng(5)
    n = 6000
    days = rng.integers(18000, 20000, n).astype(np.int64)
    days[rng.random(n) < 0.1] = MISSING_DATE
    docs = np.arange(n, dtype=np.int64)
    # few distinct scores: many ties, which the date and then the document number decide
    scores = rng.choice(np.array([0.5, 1.0, 1.5, 2.0, 2.5], dtype=np.float32), n)
    matches = Matches(docs, scores)
    snap = _Dates(days)
    everything = SearchIndex._rank(snap, matches, "relevance", None)  # type: ignore[arg-type]
    for top in (1, 10, 20, 60):
        first = SearchIndex._rank(snap, matches, "relevance", top)  # type: ignore[arg-type]
        assert first[:top].tolist() == everything[:top].tolist()


def test_summed_bm25_of_several_terms_equals_the_union_of_each_terms_hits(whoosh_index: SearchIndex) -> None:
    snap = whoosh_index._snap()
    terms = [
        ("body", "traffick", 1.0),
        ("body", "border", 1.0),
        ("title", "aleppo", 2.5),
        ("body", "absent", 1.0),
    ]
    each = [snap.bm25(field, term, boost) for field, term, boost in terms]
    assert sum(len(m) for m in each) > len(union(each, snap.maxdoc)) > 0  # lists that overlap
    expected = union(each, snap.maxdoc)
    summed = snap.bm25_sum(terms)
    assert summed.docs.tolist() == expected.docs.tolist()
    assert np.allclose(summed.scores, expected.scores, rtol=1e-6)
    assert len(snap.bm25_sum([("body", "absent", 1.0)])) == 0
