"""The query parser: every construct, and malformed input that must not raise."""

from __future__ import annotations

from datetime import datetime

import pytest

from search_index.query import (
    And,
    DateRange,
    Facet,
    MatchAll,
    Not,
    Or,
    Wildcard,
    Words,
    parse_query,
)
from search_index.records import Resolvers

NOW = datetime(2026, 3, 7, 12, 0)
RES = Resolvers(
    country=lambda v: {"syria": ["SY"]}.get(v.lower(), []),
    group=lambda v: {"hts": ["hts"], "hayat tahrir al-sham": ["hts"]}.get(v.lower(), []),
    topic=lambda v: {"human trafficking": ["trafficking"]}.get(v.lower(), []),
)


def node(text: str):  # type: ignore[no-untyped-def]
    parsed = parse_query(text, RES, NOW)
    return parsed.node


def test_words_are_anded_and_folded() -> None:
    assert node("Aleppo Détention") == And((Words(("aleppo",)), Words(("detention",))))


def test_phrase() -> None:
    assert node('"human trafficking"') == Words(("human", "trafficking"), phrase=True)


def test_hyphenated_word_is_a_phrase() -> None:
    assert node("al-Shabaab") == Words(("al", "shabaab"), phrase=True)


def test_operators_and_grouping() -> None:
    got = node("(aleppo OR idlib) AND detention NOT fuel")
    assert got == And(
        (
            Or((Words(("aleppo",)), Words(("idlib",)))),
            Words(("detention",)),
            Not(Words(("fuel",))),
        )
    )


def test_leading_minus_negates() -> None:
    assert node("idlib -fuel") == And((Words(("idlib",)), Not(Words(("fuel",)))))


def test_lowercase_or_is_a_stop_word_not_an_operator() -> None:
    assert node("aleppo or idlib") == And((Words(("aleppo",)), Words(("idlib",))))


def test_wildcard() -> None:
    assert node("traffick*") == Wildcard("traffick*")


def test_country_resolved_by_name_or_code() -> None:
    assert node("country:Syria") == Facet("country", ("SY",))
    assert node("country:sy") == Facet("country", ("SY",))
    assert node("focus:SY") == Facet("focus_country", ("SY",))


def test_group_and_topic_with_quoted_values() -> None:
    assert node('group:"Hayat Tahrir al-Sham"') == Facet("group", ("hts",))
    assert node('topic:"human trafficking"') == Facet("topic", ("trafficking",))


def test_simple_fields() -> None:
    assert node("lang:FR") == Facet("lang", ("fr",))
    assert node("type:report") == Facet("type", ("report",))
    assert node("source:UNHCR") == Facet("source", ("UNHCR",))
    assert node("title:idlib") == Words(("idlib",), title_only=True)


def test_date_ranges() -> None:
    assert node("published:2026-01-01..2026-03-31") == DateRange(datetime(2026, 1, 1), datetime(2026, 4, 1))
    assert node("published:2026-01..2026-03") == DateRange(datetime(2026, 1, 1), datetime(2026, 4, 1))
    assert node("published:2025") == DateRange(datetime(2025, 1, 1), datetime(2026, 1, 1))
    assert node("published:2026-02..") == DateRange(datetime(2026, 2, 1), None)
    assert node("published:..2025-12") == DateRange(None, datetime(2026, 1, 1))


@pytest.mark.parametrize(
    ("text", "start"),
    [
        ("since:24h", datetime(2026, 3, 6, 12, 0)),
        ("since:7d", datetime(2026, 2, 28, 12, 0)),
        ("since:2w", datetime(2026, 2, 21, 12, 0)),
    ],
)
def test_since_is_relative_to_now(text: str, start: datetime) -> None:
    assert node(text) == DateRange(start, None)


def test_empty_query_matches_all() -> None:
    assert node("   ") == MatchAll()


def test_unknown_field_becomes_words_with_a_warning() -> None:
    parsed = parse_query("colour:red idlib", RES, NOW)
    assert parsed.node == And((Words(("colour", "red"), phrase=True), Words(("idlib",))))
    assert any("colour" in w for w in parsed.warnings)


def test_unknown_country_warns() -> None:
    parsed = parse_query("country:Atlantis", RES, NOW)
    assert parsed.warnings and "Atlantis" in parsed.warnings[0]


@pytest.mark.parametrize(
    ("text", "expected", "fragment"),
    [
        ('"human trafficking', Words(("human", "trafficking"), phrase=True), "quotation"),
        ("(aleppo OR idlib", Or((Words(("aleppo",)), Words(("idlib",)))), "not closed"),
        ("aleppo)", Words(("aleppo",)), "closing parenthesis"),
        ("aleppo AND", Words(("aleppo",)), '"AND"'),
        ("OR idlib", Words(("idlib",)), '"OR"'),
        ("idlib NOT", Words(("idlib",)), '"NOT"'),
        ("idlib published:2026-13-45", Words(("idlib",)), "date"),
        ("idlib published:yesterday", Words(("idlib",)), "date"),
        ("idlib since:soon", Words(("idlib",)), "since"),
        ("idlib country:", Words(("idlib",)), "no value"),
        ("x* idlib", Words(("idlib",)), "wildcard"),
    ],
)
def test_malformed_queries_warn_and_keep_the_rest(text: str, expected: object, fragment: str) -> None:
    parsed = parse_query(text, RES, NOW)
    assert parsed.node == expected
    assert any(fragment in w for w in parsed.warnings), parsed.warnings


@pytest.mark.parametrize(
    "text",
    [
        '"',
        "(",
        ")",
        "))((",
        "AND OR NOT",
        '-"',
        'country:"',
        ":::",
        "*",
        "-",
        "published:..",
        "\x00\t\n",
        "é" * 500,
    ],
)
def test_garbage_never_raises(text: str) -> None:
    parse_query(text, RES, NOW)


def test_failing_resolver_does_not_raise() -> None:
    def broken(_: str) -> list[str]:
        raise RuntimeError("lookup service down")

    parsed = parse_query("group:hts", Resolvers(group=broken), NOW)
    assert parsed.node == Facet("group", ("hts",))


@pytest.mark.parametrize("opening", ["(", "NOT ", "-("])
def test_deep_nesting_is_refused_with_a_warning(opening: str) -> None:
    from search_index.query import MAX_DEPTH, QueryTooDeep

    deep = opening * 300 + "idlib" + ")" * 300
    with pytest.raises(QueryTooDeep, match="levels deep"):
        parse_query(deep, RES, NOW)
    shallow = "(" * MAX_DEPTH + "idlib" + ")" * MAX_DEPTH
    assert parse_query(shallow, RES, NOW).warnings == []
