"""RSS/Atom parsing: golden files and one test per kind of bad input."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from collectors.errors import ParseError
from collectors.feeds import contains_entity_declaration, parse_feed
from collectors.items import ListingItem

FEEDS = Path(__file__).parent / "fixtures" / "feeds"
NOW = datetime(2026, 6, 1, tzinfo=UTC)


def item_json(item: ListingItem) -> dict[str, Any]:
    return {
        "link": item.link,
        "title": item.title,
        "summary": item.summary,
        "published_at": item.published_at.isoformat() if item.published_at else None,
        "updated_at": item.updated_at.isoformat() if item.updated_at else None,
        "author": item.author,
        "language": item.language,
        "source_tags": list(item.source_tags),
        "attachments": list(item.attachments),
        "raw_type": item.raw_type,
    }


def parse(name: str, base_url: str = "https://example.org/feed.xml", **kwargs: Any) -> list[ListingItem]:
    return parse_feed((FEEDS / name).read_bytes(), base_url=base_url, now=NOW, **kwargs)


def test_rss_golden(golden: Any) -> None:
    items = parse("sample_rss.xml", "https://monitor.example.org/feed.xml")
    golden("feeds/sample_rss.expected.json", [item_json(item) for item in items])


def test_atom_golden(golden: Any) -> None:
    items = parse("sample_atom.xml", "https://observatoire.example.net/atom.xml")
    golden("feeds/sample_atom.expected.json", [item_json(item) for item in items])


def test_entry_raw_bytes_are_the_entry_element() -> None:
    items = parse("sample_rss.xml", "https://monitor.example.org/feed.xml")
    assert items[0].raw.startswith(b"<item")
    assert b"Valmora road" in items[0].raw
    assert b"Quarterly overview" not in items[0].raw
    assert items[0].raw.rstrip().endswith(b"</item>")


def test_malformed_xml_is_refused() -> None:
    with pytest.raises(ParseError, match="not a readable feed"):
        parse("malformed.xml")


def test_recoverable_xml_keeps_its_entries() -> None:
    items = parse("recoverable.xml")
    assert [item.title for item in items] == ["Kept despite the errors"]
    assert items[0].link == "https://example.org/kept"


def test_xml_that_is_not_a_feed_is_refused() -> None:
    with pytest.raises(ParseError, match="not RSS or Atom"):
        parse("not_a_feed.xml", content_type="application/xml")


def test_html_served_as_a_feed_is_refused() -> None:
    with pytest.raises(ParseError, match="HTML page served instead of a feed"):
        parse("html_page.xml", content_type="application/rss+xml")


def test_html_with_xml_declaration_is_refused() -> None:
    page = b'<?xml version="1.0"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><body><p>x</p></body></html>'
    with pytest.raises(ParseError, match="not RSS or Atom|not a readable feed"):
        parse_feed(page, base_url="https://example.org/", content_type="text/html")


@pytest.mark.parametrize("body", [b"", b"   \n\t  "])
def test_empty_body_is_refused(body: bytes) -> None:
    with pytest.raises(ParseError, match="empty body"):
        parse_feed(body, base_url="https://example.org/feed.xml")


def test_wrong_declared_encoding_is_survived() -> None:
    items = parse("wrong_encoding.xml", content_type="application/rss+xml")
    assert len(items) == 1
    assert items[0].link == "https://example.org/a"
    assert "Cendrelac" in items[0].title


def test_charset_in_http_header_is_used() -> None:
    feed = (
        '<rss version="2.0"><channel><title>t</title><item><title>Kéré à Dôle</title>'
        "<link>https://example.org/k</link></item></channel></rss>"
    ).encode("iso-8859-1")
    items = parse_feed(feed, base_url="https://example.org/", content_type="text/xml; charset=iso-8859-1")
    assert items[0].title == "Kéré à Dôle"


def test_missing_encoding_defaults_to_utf8() -> None:
    items = parse("missing_encoding.xml")
    assert items[0].title == "Réunion à Cendrelac"


def test_entity_expansion_bomb_is_refused_quickly() -> None:
    started = time.monotonic()
    with pytest.raises(ParseError, match="declares XML entities"):
        parse("entity_bomb.xml")
    assert time.monotonic() - started < 1.0


def test_entity_declaration_found_in_utf16() -> None:
    text = '<?xml version="1.0" encoding="utf-16"?><!DOCTYPE r [<!ENTITY x "y">]><rss/>'
    assert contains_entity_declaration(text.encode("utf-16-le"))
    assert contains_entity_declaration(text.encode("utf-16"))
    assert not contains_entity_declaration(b"<rss><channel><title>&amp;</title></channel></rss>")
    with pytest.raises(ParseError, match="declares XML entities"):
        parse_feed(text.encode("utf-16"), base_url="https://example.org/")


def test_impossible_dates_become_none() -> None:
    items = parse("impossible_dates.xml")
    assert len(items) == 6
    assert [(item.published_at, item.updated_at) for item in items] == [(None, None)] * 6


def test_empty_but_valid_feed_gives_no_items() -> None:
    feed = (
        b'<rss version="2.0"><channel><title>Quiet</title><link>https://example.org/</link></channel></rss>'
    )
    assert parse_feed(feed, base_url="https://example.org/feed") == []


def test_binary_garbage_is_refused() -> None:
    with pytest.raises(ParseError):
        parse_feed(bytes(range(256)) * 4, base_url="https://example.org/feed")


def test_body_naming_a_local_file_is_not_opened(tmp_path: Path) -> None:
    local = tmp_path / "local.xml"
    local.write_bytes((FEEDS / "sample_rss.xml").read_bytes())
    with pytest.raises(ParseError):
        parse_feed(str(local).encode(), base_url="https://example.org/feed.xml")
