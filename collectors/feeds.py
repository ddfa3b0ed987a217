"""RSS and Atom parsing: bytes in, :class:`~collectors.items.ListingItem` list out.

What it does: refuses inputs that are not feeds (empty bodies, HTML pages, XML of another kind,
documents too broken to yield a single entry) with a :class:`ParseError`; refuses any document that
declares XML entities in a DOCTYPE internal subset before a parser sees it (the "billion laughs"
expansion bomb and its relatives); lets feedparser cope with wrong or missing encodings; turns
impossible dates into ``None``; keeps entry categories as ``source_tags``; resolves relative links
against the feed URL; and keeps each entry's own XML as bytes for the record's snapshot.

What it does not do: it never fetches (feedparser only ever receives an in-memory stream, so it
cannot open a URL or a local file), and it does not follow pagination or fetch the linked pages.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from time import struct_time
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser
from lxml import etree

from collectors.errors import ParseError
from collectors.items import ListingItem, html_to_text, plausible_date

__all__ = ["contains_entity_declaration", "parse_feed"]

_ENTITY_MARKERS: tuple[bytes, ...] = tuple(
    "<!ENTITY".encode(codec) for codec in ("ascii", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")
)
_HTML_START = re.compile(rb"^\s*(<!--.*?-->\s*)*(<!doctype\s+html|<html[\s>])", re.I | re.S)
_FEED_ELEMENTS = frozenset({"item", "entry"})
#: feedparser's notes about content types and encodings: worth nothing on their own
_MINOR_PROBLEMS: tuple[type[BaseException], ...] = (feedparser.ThingsNobodyCaresAboutButMe,)


def contains_entity_declaration(content: bytes) -> bool:
    """True when the document declares XML entities (in any common Unicode encoding)."""
    return any(marker in content for marker in _ENTITY_MARKERS)


def parse_feed(
    content: bytes,
    *,
    base_url: str,
    content_type: str | None = None,
    now: datetime | None = None,
) -> list[ListingItem]:
    """Parse an RSS or Atom document; raise :class:`ParseError` when it is not a usable feed.

    ``base_url`` is where the feed came from (used for relative links, never fetched);
    ``content_type`` is the HTTP header, whose charset feedparser weighs against the document's.
    Entries without any link are left out: a record needs an address.
    """
    if not content.strip():
        raise ParseError(f"empty body instead of a feed at {base_url}")
    if contains_entity_declaration(content):
        raise ParseError(f"feed at {base_url} declares XML entities; refused as unsafe")
    mime = (content_type or "").split(";", 1)[0].strip().lower()
    if _HTML_START.match(content[:4096]):
        raise ParseError(f"HTML page served instead of a feed at {base_url}")
    headers: dict[str, str] = {"content-location": base_url}
    if content_type:
        headers["content-type"] = content_type
    try:
        # a stream, never bytes: feedparser tries to open() bytes that look like a file name
        parsed = feedparser.parse(io.BytesIO(content), response_headers=headers, sanitize_html=True)
    except Exception as exc:  # feedparser should not raise, but the input is hostile
        raise ParseError(f"feed at {base_url} broke the parser: {_one_line(exc)}") from exc
    entries: list[Any] = list(parsed.get("entries") or [])
    version = str(parsed.get("version") or "")
    if not entries:
        problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
        if problem is not None and not isinstance(problem, _MINOR_PROBLEMS):
            raise ParseError(f"not a readable feed at {base_url}: {_one_line(problem)}")
        if version:
            return []  # a well-formed feed with nothing in it
        kind = "an HTML page" if mime in ("text/html", "application/xhtml+xml") else "a document"
        raise ParseError(f"{kind} without feed entries at {base_url}: not RSS or Atom")
    feed_info: Mapping[str, Any] = parsed.get("feed") or {}
    feed_language = _language(feed_info.get("language"))
    raws = _raw_entries(content, len(entries))
    items: list[ListingItem] = []
    for index, entry in enumerate(entries):
        link = _entry_link(entry, base_url)
        if link is None:
            continue
        raw = raws[index] if raws is not None else None
        if raw is None:
            raw_bytes, raw_type = _entry_json(entry), "application/json"
        else:
            raw_bytes, raw_type = raw, "application/xml"
        items.append(
            ListingItem(
                link=link,
                title=html_to_text(str(entry.get("title") or "")),
                summary=_summary(entry),
                content=_content(entry),
                published_at=_date(dict.get(entry, "published_parsed"), now),
                updated_at=_date(dict.get(entry, "updated_parsed"), now),
                author=(html_to_text(str(entry.get("author") or "")) or None),
                language=_entry_language(entry) or feed_language,
                source_tags=_tags(entry),
                attachments=_pdf_attachments(entry, link),
                raw=raw_bytes,
                raw_type=raw_type,
            )
        )
    return items


def _one_line(value: object) -> str:
    text = " ".join(str(value).split())
    return text[:300] or type(value).__name__


def _entry_link(entry: Mapping[str, Any], base_url: str) -> str | None:
    candidates: list[str] = []
    if entry.get("link"):
        candidates.append(str(entry["link"]))
    for link in entry.get("links") or []:
        if link.get("rel", "alternate") == "alternate" and link.get("href"):
            candidates.append(str(link["href"]))
    entry_id = str(entry.get("id") or "")
    if entry_id.startswith(("http://", "https://")):
        candidates.append(entry_id)
    for candidate in candidates:
        absolute = urljoin(base_url, candidate.strip())
        if urlsplit(absolute).scheme in ("http", "https"):
            return absolute
    return None


def _summary(entry: Mapping[str, Any]) -> str:
    summary = str(entry.get("summary") or "")
    if not summary:
        for content in entry.get("content") or []:
            if content.get("value"):
                summary = str(content["value"])
                break
    return html_to_text(summary)


_ESCAPED_MARKUP = re.compile(r"</?(p|div|br|span|a|em|strong|li|ul|h[1-6]|img|figure)\b[^>]*>", re.I)


def _markup_text(markup: str) -> str:
    """Plain text of an HTML value, also when the publisher escaped its HTML twice."""
    text = html_to_text(markup)
    if _ESCAPED_MARKUP.search(text):
        text = html_to_text(text)
    return text


def _content(entry: Mapping[str, Any]) -> str:
    """The longest full-content value of an entry (RSS ``content:encoded``, Atom ``content``,
    Media RSS ``media:description``), as plain text; "" when the entry carries none."""
    values: list[str] = [str(c.get("value") or "") for c in entry.get("content") or []]
    media = entry.get("media_description")
    if isinstance(media, str):
        values.append(media)
    texts = [_markup_text(value) for value in values if value.strip()]
    return max(texts, key=len, default="")


def _date(value: object, now: datetime | None) -> datetime | None:
    if not isinstance(value, struct_time):
        return None
    try:
        moment = datetime(*value[:6], tzinfo=UTC)
    except (ValueError, OverflowError, TypeError):
        return None
    return plausible_date(moment, now)


def _language(value: object) -> str | None:
    if not value:
        return None
    primary = str(value).strip().replace("_", "-").split("-", 1)[0].lower()
    return primary if primary.isalpha() and 2 <= len(primary) <= 3 else None


def _entry_language(entry: Mapping[str, Any]) -> str | None:
    details = [entry.get("content_detail"), *(entry.get("content") or [])]
    details += [entry.get("summary_detail"), entry.get("title_detail")]
    for detail in details:
        if isinstance(detail, Mapping):
            language = _language(detail.get("language"))
            if language:
                return language
    return None


def _tags(entry: Mapping[str, Any]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for tag in entry.get("tags") or []:
        term = " ".join(str(tag.get("label") or tag.get("term") or "").split())
        if term:
            seen.setdefault(term, None)
    return tuple(seen)


def _pdf_attachments(entry: Mapping[str, Any], base: str) -> tuple[str, ...]:
    found: dict[str, None] = {}
    for link in list(entry.get("links") or []) + list(entry.get("enclosures") or []):
        href = str(link.get("href") or "")
        kind = str(link.get("type") or "").lower()
        if not href:
            continue
        is_pdf = kind == "application/pdf" or urlsplit(href).path.lower().endswith(".pdf")
        if is_pdf and link.get("rel", "enclosure") in ("enclosure", "related", "alternate"):
            absolute = urljoin(base, href)
            if absolute != base:
                found.setdefault(absolute, None)
    return tuple(found)


def _raw_entries(content: bytes, expected: int) -> list[bytes] | None:
    """Each entry element serialised on its own, when the document allows a faithful split."""
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=True
    )
    try:
        root = etree.fromstring(content, parser=parser)
    except (etree.XMLSyntaxError, ValueError):
        return None
    if root is None:
        return None
    found: list[bytes] = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if etree.QName(element).localname in _FEED_ELEMENTS:
            found.append(etree.tostring(element, encoding="utf-8", with_tail=False))
    return found if len(found) == expected else None


def _entry_json(entry: Mapping[str, Any]) -> bytes:
    keep = ("id", "link", "title", "summary", "published", "updated", "author", "tags")
    data = {key: entry.get(key) for key in keep if entry.get(key) is not None}
    return json.dumps(data, ensure_ascii=False, default=str, sort_keys=True).encode("utf-8")
