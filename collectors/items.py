"""The partial item every listing parser returns, and the text and date functions they share.

A :class:`ListingItem` is what a feed entry, a listing-page block or an API result says about one
document before its page is fetched. It is not a :class:`collectors.records.Record`: the collect
step turns it into one. Nothing here fetches or stores.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, XMLParsedAsHTMLWarning

__all__ = ["ListingItem", "html_to_text", "plausible_date"]

#: dates further in the future than this, relative to the time of parsing, are treated as wrong
FUTURE_TOLERANCE = timedelta(days=2)
EARLIEST_YEAR = 1900
_BLOCK_TAGS = [
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "table",
    "section",
    "article",
    "blockquote",
    "pre",
    "header",
    "footer",
    "dd",
    "dt",
    "figcaption",
]


@dataclass(frozen=True)
class ListingItem:
    """One entry of a listing, as the listing describes it."""

    link: str  # absolute URL as the source gave it (relative links already resolved)
    title: str = ""
    summary: str = ""  # plain text, markup stripped
    content: str = ""  # the feed's full content (content:encoded, Atom content), plain text
    published_at: datetime | None = None  # timezone-aware UTC, or None when absent/impossible
    updated_at: datetime | None = None
    author: str | None = None
    language: str | None = None  # as declared by the listing (xml:lang, the feed's language, the API)
    document_type: str | None = None
    source_tags: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()  # ISO 3166-1 alpha-2
    attachments: tuple[str, ...] = ()  # absolute URLs of PDFs belonging to the item
    body: str = ""  # full text supplied by the listing itself (ReliefWeb), plain text
    raw: bytes = b""  # the entry's own bytes (XML element, JSON object, HTML block)
    raw_type: str = "application/octet-stream"

    @property
    def latest_date(self) -> datetime | None:
        """The most recent of the published and updated dates."""
        dates = [d for d in (self.published_at, self.updated_at) if d is not None]
        return max(dates) if dates else None


def plausible_date(value: datetime | None, now: datetime | None = None) -> datetime | None:
    """``value`` in UTC if it could be a real publication date, else ``None``.

    Naive datetimes are taken as UTC. Years before 1900 and dates more than two days ahead of
    ``now`` are rejected.
    """
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    try:
        value = value.astimezone(UTC)
    except (OverflowError, ValueError):
        return None
    reference = now or datetime.now(UTC)
    if value.year < EARLIEST_YEAR or value > reference + FUTURE_TOLERANCE:
        return None
    return value


def html_to_text(markup: str) -> str:
    """Visible text of an HTML fragment, whitespace collapsed, paragraphs kept as blank lines."""
    if not markup:
        return ""
    if "<" not in markup and "&" not in markup:
        return " ".join(markup.split())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        soup = BeautifulSoup(markup, "lxml")
    for tag in soup(["script", "style", "noscript", "template"]):
        tag.decompose()
    for tag in soup(_BLOCK_TAGS):
        tag.insert_after("\n")
    blocks: list[str] = []
    for piece in soup.get_text().split("\n"):
        line = " ".join(piece.split())
        if line:
            blocks.append(line)
    return "\n".join(blocks)
