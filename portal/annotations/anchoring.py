"""Anchoring annotations to a document's text, and finding them again in a new version.

An anchor holds two selectors, as in the W3C Web Annotation model: a text-position selector
(start, end in the stored text) and a text-quote selector (the exact text with some prefix and
suffix). On the same text the position is used when the quote still matches there; on a new
version the quote is searched, candidates are ranked by how well prefix and suffix match and by
how close they are to the old position; when nothing fits, the annotation is orphaned.

Pure functions: no database, no Flask.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

CONTEXT = 32  # characters of prefix and suffix kept with a quote
MAX_FUZZY_LENGTH = 2000  # quotes longer than this are matched exactly only


@dataclass(frozen=True)
class Anchor:
    start: int
    end: int
    exact: str
    prefix: str
    suffix: str


@dataclass(frozen=True)
class Resolved:
    start: int
    end: int
    method: str  # "position" | "quote" | "fuzzy"
    score: float


def make_anchor(text: str, start: int, end: int) -> Anchor:
    """The selectors for ``text[start:end]``; raises ValueError on an empty or impossible range."""
    if not 0 <= start < end <= len(text):
        raise ValueError(f"selection {start}..{end} is outside the text (length {len(text)})")
    return Anchor(
        start=start,
        end=end,
        exact=text[start:end],
        prefix=text[max(0, start - CONTEXT) : start],
        suffix=text[end : end + CONTEXT],
    )


def _context_score(text: str, start: int, end: int, anchor: Anchor) -> float:
    """1.0 when prefix and suffix match exactly, lower as they differ."""
    before = text[max(0, start - len(anchor.prefix)) : start]
    after = text[end : end + len(anchor.suffix)]
    scores = []
    if anchor.prefix:
        scores.append(difflib.SequenceMatcher(None, before, anchor.prefix).ratio())
    if anchor.suffix:
        scores.append(difflib.SequenceMatcher(None, after, anchor.suffix).ratio())
    return sum(scores) / len(scores) if scores else 1.0


def _occurrences(text: str, needle: str) -> list[int]:
    found = []
    pos = text.find(needle)
    while pos != -1:
        found.append(pos)
        pos = text.find(needle, pos + 1)
    return found


def resolve(text: str, anchor: Anchor, min_fuzzy: float = 0.85) -> Resolved | None:
    """Where the anchored passage is in ``text``, or None when it cannot be found (orphaned)."""
    if (
        text[anchor.start : anchor.end] == anchor.exact
        and _context_score(text, anchor.start, anchor.end, anchor) >= 0.99
    ):
        return Resolved(anchor.start, anchor.end, "position", 1.0)
    candidates = _occurrences(text, anchor.exact)
    if candidates:
        length = max(len(text), 1)

        def rank(pos: int) -> float:
            context = _context_score(text, pos, pos + len(anchor.exact), anchor)
            distance = abs(pos - anchor.start) / length
            return context - 0.1 * distance

        best = max(candidates, key=rank)
        return Resolved(best, best + len(anchor.exact), "quote", round(rank(best), 4))
    if len(anchor.exact) > MAX_FUZZY_LENGTH or len(anchor.exact) < 8:
        return None
    return _fuzzy(text, anchor, min_fuzzy)


def _fuzzy(text: str, anchor: Anchor, min_ratio: float) -> Resolved | None:
    """A slightly edited quote: the best window of similar length near words it shares."""
    size = len(anchor.exact)
    probe = anchor.exact[: min(24, size)]
    tail = anchor.exact[-min(24, size) :]
    starts = set()
    for piece in (probe, tail):
        for pos in _occurrences(text, piece):
            starts.add(pos if piece is probe else max(0, pos + len(piece) - size))
    best: Resolved | None = None
    for pos in sorted(starts):
        for delta in (-8, -4, 0, 4, 8):
            end = min(len(text), pos + size + delta)
            if end <= pos:
                continue
            ratio = difflib.SequenceMatcher(None, text[pos:end], anchor.exact).ratio()
            if ratio >= min_ratio and (best is None or ratio > best.score):
                best = Resolved(pos, end, "fuzzy", round(ratio, 4))
    return best
