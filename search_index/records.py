"""Records that cross the boundary of the search index."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal


@dataclass(frozen=True)
class IndexDoc:
    """What the index holds for one document (its current version)."""

    id: int
    title: str
    body: str
    url: str
    source: str
    published_at: datetime | None
    publisher_type: str = ""
    language: str = ""
    doc_type: str = ""
    focus_countries: tuple[str, ...] = ()  # ISO alpha-2
    mentioned_countries: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()  # topic ids
    groups: tuple[str, ...] = ()  # armed group / state force entity ids
    actors: tuple[str, ...] = ()  # person / organisation entity ids
    provinces: tuple[str, ...] = ()  # first-level divisions of the places named (ISO 3166-2)
    cluster_id: int | None = None


@dataclass(frozen=True)
class Change:
    op: Literal["upsert", "delete"]
    doc_id: int
    doc: IndexDoc | None = None


@dataclass(frozen=True)
class Resolvers:
    """Callbacks turning what a user types in a field into indexed values.

    Each returns the indexed values for a typed value (e.g. "Syria" -> ["SY"]), or an
    empty list when it knows nothing of it.
    """

    country: Callable[[str], list[str]] | None = None
    group: Callable[[str], list[str]] | None = None
    topic: Callable[[str], list[str]] | None = None
    source: Callable[[str], list[str]] | None = None
    province: Callable[[str], list[str]] | None = None


@dataclass(frozen=True)
class Hit:
    id: int
    score: float
    title: str
    highlights: str  # HTML-safe snippet: escaped text with <mark> around matches
    cluster_id: int | None = None
    cluster_size: int = 1


@dataclass(frozen=True)
class SearchResults:
    query: str
    total: int
    page: int
    pagelen: int
    hits: tuple[Hit, ...]
    facets: Mapping[str, tuple[tuple[str, int], ...]] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()  # friendly messages about a malformed query
    suggestion: str | None = None  # "did you mean"
    #: ``total`` and the facet counts are estimates from a sample of the index (PostgreSQL
    #: backend, very large result sets only: see ``search_index.pg.ESTIMATE_FROM``)
    estimated: bool = False
