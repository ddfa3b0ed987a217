"""The province field: indexed from the records, filtered by code or name, counted as a facet."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from search_index import SearchIndex
from search_index.query import Facet, parse_query
from search_index.records import Change, IndexDoc, Resolvers

NOW = datetime(2026, 5, 2, 8, 0)
PROVINCES = {"sy-dr": ["SY-DR"], "daraa": ["SY-DR"], "hasakah": ["SY-HA"], "punjab": ["IN-PB", "PK-PB"]}
RESOLVERS = Resolvers(province=lambda v: list(PROVINCES.get(v.strip().lower(), [])))

BASE = IndexDoc(
    id=0,
    title="",
    body="",
    url="https://example.org/",
    source="Border Desk",
    published_at=datetime(2026, 4, 20, 7, 0),
    language="en",
)
DOCS = (
    replace(
        BASE, id=1, title="Water cuts in two towns", body="Pumping stations stopped.", provinces=("SY-DR",)
    ),
    replace(
        BASE,
        id=2,
        title="Convoy reaches the north",
        body="Trucks crossed at dawn.",
        provinces=("SY-DR", "SY-HA"),
    ),
    replace(
        BASE, id=3, title="Floods along the river", body="Villages cut off by water.", provinces=("PK-PB",)
    ),
    replace(BASE, id=4, title="Statement on elections", body="No place is named here."),
)


@pytest.fixture
def index(tmp_path: Path) -> SearchIndex:
    ix = SearchIndex(tmp_path / "index", RESOLVERS).open()
    ix.apply([Change("upsert", d.id, d) for d in DOCS])
    return ix


def found(index: SearchIndex, query: str, **kw: object) -> set[int]:
    res = index.search(query, now=NOW, pagelen=50, **kw)  # type: ignore[arg-type]
    assert not res.warnings, res.warnings
    return {h.id for h in res.hits}


def test_the_field_takes_a_code_in_any_case_or_a_name() -> None:
    assert parse_query("province:SY-DR", RESOLVERS, NOW).node == Facet("province", ("SY-DR",))
    assert parse_query("province:sy-dr", RESOLVERS, NOW).node == Facet("province", ("SY-DR",))
    assert parse_query("province:DARAA", RESOLVERS, NOW).node == Facet("province", ("SY-DR",))
    assert parse_query('province:"Punjab"', RESOLVERS, NOW).node == Facet("province", ("IN-PB", "PK-PB"))


def test_a_code_nobody_resolves_is_taken_as_typed_and_a_name_warns() -> None:
    # a GeoNames-style admin1 code the resolver does not list is still a code
    assert parse_query("province:iq-08", RESOLVERS, NOW).node == Facet("province", ("IQ-08",))
    parsed = parse_query("province:Atlantis", RESOLVERS, NOW)
    assert parsed.warnings and "Atlantis" in parsed.warnings[0]
    assert parse_query("province:SY-DR", Resolvers(), NOW).node == Facet("province", ("SY-DR",))


def test_searching_and_filtering_on_a_province(index: SearchIndex) -> None:
    assert found(index, "province:SY-DR") == {1, 2}
    assert found(index, "province:hasakah") == {2}
    assert found(index, "province:Punjab") == {3}
    assert found(index, "water province:daraa") == {1}
    assert found(index, "-province:SY-DR") == {3, 4}
    assert found(index, "", filters={"province": ["SY-HA", "PK-PB"]}) == {2, 3}


def test_province_facet_counts(index: SearchIndex) -> None:
    res = index.search("", facets=("province",), now=NOW, pagelen=50)
    assert dict(res.facets["province"]) == {"SY-DR": 2, "SY-HA": 1, "PK-PB": 1}
    assert res.facets["province"][0] == ("SY-DR", 2)
    narrowed = index.search("convoy", facets=("province",), now=NOW)
    assert dict(narrowed.facets["province"]) == {"SY-DR": 1, "SY-HA": 1}
