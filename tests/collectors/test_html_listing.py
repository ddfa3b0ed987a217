"""HTML listing pages with per-source selectors."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from collectors.errors import ParseError
from collectors.html_listing import parse_date_text, parse_listing

LISTING = Path(__file__).parent / "fixtures" / "html" / "listing.html"
NOW = datetime(2026, 6, 1, tzinfo=UTC)
OPTIONS = {"item": "li.pub", "link": "h3 a[href]", "title": "h3", "date": "time, .date", "summary": ".teaser"}


def test_listing_golden(golden: Any) -> None:
    items = parse_listing(
        LISTING.read_bytes(),
        base_url="https://rights.example.com/publications?page=1",
        options=OPTIONS,
        content_type="text/html; charset=utf-8",
        now=NOW,
    )
    rendered = [
        {
            "link": item.link,
            "title": item.title,
            "summary": item.summary,
            "published_at": item.published_at.isoformat() if item.published_at else None,
            "attachments": list(item.attachments),
        }
        for item in items
    ]
    golden("html/listing.expected.json", rendered)
    assert all(item.raw.startswith(b"<li") for item in items)


def test_default_selectors_use_the_link_text() -> None:
    page = b'<div class="row"><a href="/a">First story</a></div><div class="row"><a href="b">Second</a></div>'
    items = parse_listing(page, base_url="https://news.example.org/list/", options={"item": "div.row"})
    assert [(item.link, item.title) for item in items] == [
        ("https://news.example.org/a", "First story"),
        ("https://news.example.org/list/b", "Second"),
    ]


def test_base_href_is_honoured() -> None:
    page = b'<html><head><base href="https://cdn.example.org/site/"></head><body><p class="i"><a href="doc">D</a></p></body></html>'
    items = parse_listing(page, base_url="https://example.org/", options={"item": "p.i"})
    assert items[0].link == "https://cdn.example.org/site/doc"


def test_item_that_is_itself_a_link() -> None:
    page = b'<a class="card" href="/r/1"><span>Report one</span></a>'
    items = parse_listing(page, base_url="https://example.org/", options={"item": "a.card"})
    assert items[0].link == "https://example.org/r/1"
    assert items[0].title == "Report one"


def test_missing_item_selector_is_an_error() -> None:
    with pytest.raises(ParseError, match="no 'item' selector"):
        parse_listing(LISTING.read_bytes(), base_url="https://example.org/", options={})


def test_bad_selector_is_an_error() -> None:
    with pytest.raises(ParseError, match="bad 'item' selector"):
        parse_listing(LISTING.read_bytes(), base_url="https://example.org/", options={"item": "li[["})


def test_empty_page_is_an_error() -> None:
    with pytest.raises(ParseError, match="empty body"):
        parse_listing(b"  ", base_url="https://example.org/", options={"item": "li"})


def test_page_without_matches_gives_nothing() -> None:
    assert parse_listing(b"<p>nothing</p>", base_url="https://example.org/", options={"item": "li.pub"}) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-05-12", "2026-05-12T00:00:00+00:00"),
        ("2026-05-12T08:00:00Z", "2026-05-12T08:00:00+00:00"),
        ("12 May 2026", "2026-05-12T00:00:00+00:00"),
        ("31 February 2026", None),
        ("2300-01-01", None),
        ("tomorrow maybe", None),
        ("", None),
    ],
)
def test_parse_date_text(text: str, expected: str | None) -> None:
    parsed = parse_date_text(text, NOW)
    assert (parsed.isoformat() if parsed else None) == expected


def test_unknown_charset_in_header_is_survived() -> None:
    page = "<ul><li class='i'><a href='/x'>Café</a></li></ul>".encode()
    items = parse_listing(
        page,
        base_url="https://example.org/",
        options={"item": "li.i"},
        content_type="text/html; charset=no-such",
    )
    assert items[0].link == "https://example.org/x"


def test_xhtml_listing_does_not_warn() -> None:
    page = b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body><p class="i"><a href="/x">X</a></p></body></html>'
    assert len(parse_listing(page, base_url="https://example.org/", options={"item": "p.i"})) == 1
