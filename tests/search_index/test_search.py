"""Searching a small index, on each backend: query constructs, facets, filters, highlights, ordering."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest

from search_index import Index

NOW = datetime(2026, 3, 7, 12, 0)
Texts = Callable[[list[int]], dict[int, str]]


def ids(index: Index, query: str, **kw: object) -> set[int]:
    res = index.search(query, now=NOW, pagelen=50, **kw)  # type: ignore[arg-type]
    return {h.id for h in res.hits}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("trafficking", {101, 103, 106}),  # stemmed: trafficked matches
        ("Trafficked", {101, 103, 106}),
        ("aleppo idlib", set()),
        ("aleppo OR idlib", {101, 102, 103}),
        ("idlib AND checkpoints", {102}),
        ("idlib NOT fuel", {102}),
        ("idlib -fuel", {102}),
        ("(aleppo OR mogadishu) -children", {101, 104}),
        ('"human trafficking"', {101}),
        ('"rapid support forces"', {106}),
        ('"forces rapid"', set()),
        ("al-Shabaab", {104, 105}),
        ("traffick*", {101, 103, 106}),
        ("recruit*", {105}),
        ("détention", {102, 107}),  # accents folded
        ("ALEP", {107}),
        ("country:Syria", {101, 102, 103, 107}),
        ("country:TR", {101}),
        ("focus:TR", set()),
        ("group:HTS", {102, 103}),
        ('group:"Rapid Support Forces"', {106}),
        ('topic:"human trafficking"', {101, 103, 106}),
        ('source:"Horn Daily"', {104, 105}),
        ("lang:fr", {107}),
        ("type:report", {101, 105, 107}),
        ("title:trafficking", {101, 103}),
        ("title:siege", {106}),
        ("published:2026-03-01..2026-03-05", {103, 106}),
        ("published:2026-02..2026-03", {102, 103, 105, 106, 107}),
        ("published:2025", {104}),
        ("since:48h", {106, 107}),
        ("since:24h", set()),
        ("since:7d", {103, 106, 107}),
        ("since:2w", {103, 106, 107}),
        ("trafficking country:SY -fuel", {101}),
        ("-country:SY", {104, 105, 106, 108}),
    ],
)
def test_query_constructs(index: Index, query: str, expected: set[int]) -> None:
    assert ids(index, query) == expected


@pytest.mark.parametrize(
    "query",
    [
        '"human trafficking',
        "(idlib OR aleppo",
        "idlib)",
        "idlib AND",
        "idlib published:2026-99",
        "since:xyz idlib",
    ],
)
def test_malformed_query_gives_warning_and_best_effort(index: Index, query: str) -> None:
    res = index.search(query, now=NOW)
    assert res.warnings
    assert res.total >= 1


def test_unknown_field_is_searched_as_words(index: Index) -> None:
    res = index.search("place:mogadishu", now=NOW)
    assert res.warnings
    assert res.total == 0  # "place" is not in the documents
    res = index.search("mosul:reconstruction", now=NOW)
    assert {h.id for h in res.hits} == {108}


def test_total_counts_and_facets_cover_the_whole_result_set(index: Index) -> None:
    res = index.search("country:SY", pagelen=1, now=NOW)
    assert res.total == 4
    assert len(res.hits) == 1
    assert dict(res.facets["country"]) == {"SY": 4, "TR": 1}
    assert dict(res.facets["source"]) == {"Syria Monitor": 2, "Levant Wire": 1, "Observatoire Levant": 1}
    assert dict(res.facets["lang"]) == {"en": 3, "fr": 1}
    assert dict(res.facets["ym"]) == {"2026-01": 1, "2026-02": 1, "2026-03": 2}
    assert res.facets["country"][0] == ("SY", 4)  # most frequent first


def test_requested_facets_only(index: Index) -> None:
    res = index.search("", facets=("group",), now=NOW)
    assert set(res.facets) == {"group"}
    assert dict(res.facets["group"]) == {"hts": 2, "shabaab": 2, "rsf": 1}


def test_filters_and_between_facets_or_within(index: Index) -> None:
    res = index.search("", filters={"country": ["SO", "SD"]}, now=NOW, pagelen=50)
    assert {h.id for h in res.hits} == {104, 105, 106}
    res = index.search("", filters={"country": ["SO", "SD"], "type": ["report"]}, now=NOW)
    assert {h.id for h in res.hits} == {105}
    assert dict(res.facets["type"]) == {"report": 1}


def test_unknown_filter_warns(index: Index) -> None:
    res = index.search("idlib", filters={"colour": ["red"]}, now=NOW)
    assert res.total == 2
    assert res.warnings


def test_highlights_mark_matches_and_escape_html(index: Index, texts: Texts) -> None:
    res = index.search("trafficking", texts=texts, now=NOW)
    by_id = {h.id: h.highlights for h in res.hits}
    assert "<mark>trafficking</mark>" in by_id[101]
    assert "<mark>trafficked</mark>" in by_id[106]
    res = index.search("mosul", texts=texts, now=NOW)
    snippet = res.hits[0].highlights
    assert "<mark>Mosul</mark>" in snippet
    assert "<script>" not in snippet
    assert "&lt;script&gt;" in snippet


def test_highlights_fall_back_to_the_title(index: Index) -> None:
    res = index.search("checkpoints", now=NOW)
    assert res.hits[0].highlights == "<mark>Checkpoints</mark> in Idlib tightened"
    assert res.hits[0].title == "Checkpoints in Idlib tightened"


def test_title_match_ranks_first(index: Index) -> None:
    res = index.search("trafficking", now=NOW)
    assert [h.id for h in res.hits][:2] in ([101, 103], [103, 101])
    assert res.hits[0].score >= res.hits[1].score >= res.hits[2].score > 0


def test_sort_newest(index: Index) -> None:
    res = index.search("", sort="newest", now=NOW, pagelen=50)
    assert [h.id for h in res.hits] == [107, 106, 103, 105, 102, 101, 104, 108]


def test_pagination(index: Index) -> None:
    pages = [index.search("", sort="newest", page=p, pagelen=3, now=NOW) for p in (1, 2, 3, 4)]
    assert [[h.id for h in p.hits] for p in pages] == [[107, 106, 103], [105, 102, 101], [104, 108], []]
    assert all(p.total == 8 for p in pages)
    assert pages[1].page == 2 and pages[1].pagelen == 3


def test_cluster_grouping(index: Index) -> None:
    flat = index.search("idlib", now=NOW)
    assert flat.total == 2
    grouped = index.search("idlib", group_clusters=True, now=NOW)
    assert grouped.total == 1
    (hit,) = grouped.hits
    assert hit.cluster_id == 2 and hit.cluster_size == 2
    everything = index.search("", group_clusters=True, now=NOW, pagelen=50)
    assert everything.total == 7  # 102 and 103 share cluster 2
    sizes = {h.id: h.cluster_size for h in everything.hits}
    assert sizes[101] == 1 and sizes[104] == 1


def test_did_you_mean(index: Index) -> None:
    res = index.search("Mogadisu", now=NOW)
    assert res.total == 0
    assert res.suggestion == "mogadishu"
    res = index.search("Mogadishu", now=NOW)
    assert res.suggestion is None


def test_more_like_this(index: Index) -> None:
    similar = index.more_like_this(104, n=3)
    assert similar
    assert similar[0].id == 105  # the other al-Shabaab / Mogadishu document
    assert 104 not in {h.id for h in similar}
    assert index.more_like_this(999) == []


def test_warm_loads_arrays_without_changing_results(index: Index) -> None:
    before = index.search("country:SY", now=NOW)
    index.warm()
    after = index.search("country:SY", now=NOW)
    assert after == before


def test_failing_text_loader_falls_back_to_titles(index: Index) -> None:
    def broken(_: list[int]) -> dict[int, str]:
        raise OSError("database gone")

    res = index.search("checkpoints", texts=broken, now=NOW)
    assert [h.id for h in res.hits] == [102]
    assert "<mark>Checkpoints</mark>" in res.hits[0].highlights
