"""Does one document match a query? The parse tree of :mod:`search_index.query`, evaluated in memory.

For code that must decide on a handful of documents without asking an index (the e-mail digests
match saved searches on the documents of their window, whether or not the index is current).
It gives the answer the Whoosh index gives for the same document:

- words: the stem of every word in the title or the body (``title:`` the title only);
- phrases: those stems, and every adjacent pair of folded words adjacent in the title or in the
  body (stop words left out, as indexed); exact here, where Whoosh's hashed pairs rarely let
  an unrelated pair through. With ``stem_phrases`` (what the PostgreSQL index does) the
  *stems* must be adjacent, in the title for ``title:``, else in the title or the body;
- wildcards: a stem of the document that starts with the pattern's literal part (or its stem)
  and fits the whole pattern; the index caps an expansion at its 300 most frequent stems, this
  module has no cap;
- fields: the values of :func:`search_index.schema.facet_values`, dates on ``published_at``.

This module neither reads nor writes an index.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from search_index.analysis import stem, stems, words
from search_index.query import And, DateRange, Facet, MatchAll, Node, Not, Or, Wildcard, Words
from search_index.records import IndexDoc
from search_index.schema import facet_values, to_utc_naive


@dataclass(frozen=True)
class Analysed:
    """A document reduced to what a query looks at."""

    stems: frozenset[str]
    title_stems: frozenset[str]
    pairs: frozenset[tuple[str, str]]  # adjacent folded words
    stem_pairs: frozenset[tuple[str, str]]  # adjacent stems
    title_stem_pairs: frozenset[tuple[str, str]]
    facets: dict[str, frozenset[str]]
    published: datetime | None


def analyse(doc: IndexDoc) -> Analysed:
    title = words(doc.title)
    body = words(doc.body)
    title_stem_list = stems(title)
    body_stem_list = stems(body)
    title_stem_pairs = frozenset(itertools.pairwise(title_stem_list))
    return Analysed(
        stems=frozenset(title_stem_list) | frozenset(body_stem_list),
        title_stems=frozenset(title_stem_list),
        pairs=frozenset(itertools.pairwise(title)) | frozenset(itertools.pairwise(body)),
        stem_pairs=title_stem_pairs | frozenset(itertools.pairwise(body_stem_list)),
        title_stem_pairs=title_stem_pairs,
        facets={name: frozenset(values) for name, values in facet_values(doc).items()},
        published=to_utc_naive(doc.published_at) if doc.published_at is not None else None,
    )


@lru_cache(maxsize=256)
def _wildcard(pattern: str) -> tuple[tuple[str, ...], re.Pattern[str] | None]:
    """The prefixes a stem may start with, and the regular expression it must then fit (if any)."""
    literal = re.split(r"[*?]", pattern, maxsplit=1)[0]
    prefixes = {literal}
    stemmed = stem(literal)
    if stemmed != literal and len(stemmed) >= 2:
        prefixes.add(stemmed)
    rest = pattern[len(literal) :]
    rx = None
    if rest not in {"", "*"}:
        rx = re.compile(re.escape(pattern).replace(r"\*", ".*").replace(r"\?", ".") + "$")
    return tuple(sorted(prefixes)), rx


def matches(node: Node, doc: Analysed, *, stem_phrases: bool = False) -> bool:
    """Whether `doc` is among the hits of the query `node` (phrases as PostgreSQL with `stem_phrases`)."""
    if isinstance(node, Words):
        pool = doc.title_stems if node.title_only else doc.stems
        terms = [stem(t) for t in node.tokens]
        if not all(t in pool for t in terms):
            return False
        if not node.phrase:
            return True
        if stem_phrases:
            pairs = doc.title_stem_pairs if node.title_only else doc.stem_pairs
            return all(p in pairs for p in itertools.pairwise(terms))
        return all(p in doc.pairs for p in itertools.pairwise(node.tokens))
    if isinstance(node, Wildcard):
        prefixes, rx = _wildcard(node.pattern)
        pool = doc.title_stems if node.title_only else doc.stems
        return any(t.startswith(prefixes) and (rx is None or rx.match(t)) for t in pool)
    if isinstance(node, Facet):
        have = doc.facets.get(node.field, frozenset())
        return any(v in have for v in node.values)
    if isinstance(node, DateRange):
        when = doc.published
        if when is None:
            return False
        return (node.start is None or when >= node.start) and (node.end is None or when < node.end)
    if isinstance(node, MatchAll):
        return True
    if isinstance(node, Not):
        return not matches(node.item, doc, stem_phrases=stem_phrases)
    if isinstance(node, Or):
        return any(matches(i, doc, stem_phrases=stem_phrases) for i in node.items)
    if isinstance(node, And):
        return all(matches(i, doc, stem_phrases=stem_phrases) for i in node.items)
    raise TypeError(f"unknown query node {node!r}")
