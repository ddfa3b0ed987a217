"""Plain records that leave the collectors.

Everything here is a frozen dataclass: the portal stores these, nothing in this package
touches a database or Flask.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

SourceKind = Literal["rss", "atom", "html", "reliefweb"]


@dataclass(frozen=True)
class SourceSpec:
    """What a collector needs to know about one source."""

    name: str
    kind: SourceKind
    url: str
    allow_private: bool = False
    fetch_fulltext: bool = True
    #: per-kind options: CSS selectors for html sources, ``appname`` and query for ReliefWeb
    options: Mapping[str, str] = field(default_factory=dict)
    language: str | None = None


@dataclass(frozen=True)
class SourceState:
    """Conditional-GET validators kept per source between runs."""

    etag: str | None = None
    last_modified: str | None = None
    checked_at: datetime | None = None  # when the listing was last fetched successfully (UTC)


@dataclass(frozen=True)
class Snapshot:
    """The raw bytes as fetched, with what the server said about them."""

    url: str
    content: bytes
    content_type: str
    fetched_at: datetime
    http_date: datetime | None = None
    status: int = 200

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


@dataclass(frozen=True)
class Record:
    """One collected item: a report or an article, with its text and metadata."""

    url: str  # canonical URL (tracking parameters and fragment removed)
    link: str  # the link as the source gave it
    title: str
    text: str
    snapshot: Snapshot  # stored copy: the article page, the PDF, or the feed entry
    published_at: datetime | None = None  # timezone-aware UTC
    summary: str = ""
    author: str | None = None
    language: str | None = None
    document_type: str = "news"
    source_tags: tuple[str, ...] = ()  # feed categories, ReliefWeb themes
    countries: tuple[str, ...] = ()  # ISO 3166-1 alpha-2 codes supplied by the source
    extra_snapshots: tuple[Snapshot, ...] = ()  # e.g. a PDF linked from the item
    #: where ``text`` came from: api | feed-content | summary | page | pdf (see collectors.fulltext)
    text_origin: str = "summary"
    #: length in characters of every candidate text considered, by origin
    text_candidates: tuple[tuple[str, int], ...] = ()

    @property
    def content_sha256(self) -> str:
        """Hash of the normalised text: what decides whether a version changed."""
        normalised = " ".join(self.text.split()).casefold()
        return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class CollectResult:
    """The outcome of one source run."""

    records: tuple[Record, ...]
    state: SourceState
    not_modified: bool = False
    errors: tuple[str, ...] = ()  # per-item problems; the run itself went through
    listing: Snapshot | None = None  # the feed or listing page as fetched
    skipped: tuple[str, ...] = ()  # canonical URLs already stored and not newer in the listing
