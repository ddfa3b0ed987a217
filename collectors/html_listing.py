"""Listing pages in HTML: bytes in, one :class:`~collectors.items.ListingItem` per matched block.

Each source names its CSS selectors in ``SourceSpec.options``:

* ``item`` (required): one element per listed document;
* ``link``: inside the item, the element whose ``href`` is the document (default ``a[href]``;
  when the item itself is a link it is used);
* ``title``: inside the item, the element holding the title (default: the link's text);
* ``date``: inside the item, the element holding the date; a ``datetime`` or ``content``
  attribute wins over the element's text;
* ``summary``: inside the item, the element holding a teaser.

What it does: parses with lxml through BeautifulSoup, resolves relative links against the page URL
(or its ``<base href>``), keeps each block's HTML as the item's raw bytes, and drops blocks without a
usable http(s) link. What it does not do: fetch, paginate, run JavaScript, or guess selectors.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from datetime import datetime
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, Tag, XMLParsedAsHTMLWarning
from bs4.exceptions import ParserRejectedMarkup
from dateutil import parser as date_parser
from soupsieve import SelectorSyntaxError

from collectors.errors import ParseError
from collectors.items import ListingItem, plausible_date

__all__ = ["MAX_ITEMS", "parse_date_text", "parse_listing"]

MAX_ITEMS = 500


def parse_listing(
    content: bytes,
    *,
    base_url: str,
    options: Mapping[str, str],
    content_type: str | None = None,
    now: datetime | None = None,
) -> list[ListingItem]:
    """Items of an HTML listing page; :class:`ParseError` when the page or the selectors are unusable."""
    item_selector = (options.get("item") or "").strip()
    if not item_selector:
        raise ParseError(f"html source {base_url} has no 'item' selector in its options")
    if not content.strip():
        raise ParseError(f"empty body instead of a listing page at {base_url}")
    encoding = _charset(content_type)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
            warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
            soup = BeautifulSoup(content, "lxml", from_encoding=encoding)
    except (ParserRejectedMarkup, ValueError, LookupError) as exc:
        raise ParseError(f"unreadable HTML at {base_url}: {exc}") from exc
    base = base_url
    base_tag = soup.find("base", href=True)
    if isinstance(base_tag, Tag):
        base = urljoin(base_url, str(base_tag.get("href")))
    try:
        blocks = soup.select(item_selector, limit=MAX_ITEMS)
    except (SelectorSyntaxError, ValueError) as exc:
        raise ParseError(f"bad 'item' selector {item_selector!r} for {base_url}: {exc}") from exc
    items: list[ListingItem] = []
    seen: set[str] = set()
    for block in blocks:
        link = _link(block, options.get("link") or "a[href]", base)
        if link is None or link in seen:
            continue
        seen.add(link)
        link_tag = block if block.name == "a" else _first(block, options.get("link") or "a[href]")
        title_tag = _first(block, options.get("title")) if options.get("title") else link_tag
        title = _text(title_tag) or _text(link_tag)
        summary_tag = _first(block, options.get("summary")) if options.get("summary") else None
        date_tag = _first(block, options.get("date")) if options.get("date") else None
        items.append(
            ListingItem(
                link=link,
                title=title,
                summary=_text(summary_tag),
                published_at=_date(date_tag, now),
                attachments=(link,) if urlsplit(link).path.lower().endswith(".pdf") else (),
                raw=str(block).encode("utf-8"),
                raw_type="text/html; charset=utf-8",
            )
        )
    return items


def parse_date_text(text: str, now: datetime | None = None) -> datetime | None:
    """A date written on a page (ISO 8601 or common English forms), in UTC, or ``None``."""
    text = " ".join(text.split())
    if not text or len(text) > 100:
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            value = date_parser.parse(text, fuzzy=False, dayfirst=False)
        except (ValueError, OverflowError, date_parser.ParserError):
            return None
    return plausible_date(value, now)


def _charset(content_type: str | None) -> str | None:
    for param in (content_type or "").split(";")[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'")
    return None


def _first(block: Tag, selector: str | None) -> Tag | None:
    if not selector:
        return None
    try:
        found = block.select_one(selector)
    except (SelectorSyntaxError, ValueError) as exc:
        raise ParseError(f"bad selector {selector!r}: {exc}") from exc
    return found


def _link(block: Tag, selector: str, base: str) -> str | None:
    tag = block if block.name == "a" and block.get("href") else _first(block, selector)
    if tag is None:
        return None
    href = tag.get("href")
    if not isinstance(href, str) or not href.strip():
        return None
    absolute = urljoin(base, href.strip())
    return absolute if urlsplit(absolute).scheme in ("http", "https") else None


def _text(tag: Tag | None) -> str:
    if tag is None:
        return ""
    return " ".join(tag.get_text(" ").split())


def _date(tag: Tag | None, now: datetime | None) -> datetime | None:
    if tag is None:
        return None
    for attribute in ("datetime", "content", "data-date"):
        value = tag.get(attribute)
        if isinstance(value, str) and value.strip():
            parsed = parse_date_text(value, now)
            if parsed is not None:
                return parsed
    return parse_date_text(tag.get_text(" "), now)
