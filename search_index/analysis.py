"""Text analysis shared by indexing, querying and highlighting.

Turns text into the three token streams the index holds: stemmed words (relevance),
folded unstemmed words (quoted words, wildcards, spelling) and word pairs (phrases).
Folding is lower-casing plus accent removal, so "Alep" and "ALÉP" index alike.

This module does not touch the index; it only defines how text becomes terms.
"""

from __future__ import annotations

import itertools
import re
import zlib
from collections.abc import Iterator
from typing import Any

from whoosh.analysis import Analyzer, Token  # type: ignore[import-untyped]
from whoosh.lang.porter import stem as _porter_stem  # type: ignore[import-untyped]
from whoosh.support.charset import accent_map  # type: ignore[import-untyped]

# Short English function words that carry no meaning in a search; the same list is used
# when indexing and when querying, so leaving them out never hides a match.
STOP_WORDS: frozenset[str] = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "has",
        "have",
        "in",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "that",
        "the",
        "this",
        "to",
        "was",
        "were",
        "which",
        "with",
    ]
)

PAIR_BUCKETS = 1 << 17

_WORD_RE = re.compile(r"\w+", re.UNICODE)
_ACCENTS: dict[int, str] = {k: v for k, v in accent_map.items() if isinstance(v, str)}
_STEMS: dict[str, str] = {}
_HASHES: dict[str, int] = {}
_STEM_CACHE_MAX = 500_000


def fold(text: str) -> str:
    """Lower-case and strip accents."""
    low = text.lower()
    if low.isascii():
        return low
    return low.translate(_ACCENTS)


def words(text: str) -> list[str]:
    """Folded words of `text`, stop words removed (single characters kept only if digits)."""
    stop = STOP_WORDS
    return [w for w in _WORD_RE.findall(fold(text)) if w not in stop and (len(w) > 1 or w.isdigit())]


def stem(word: str) -> str:
    """English (Porter) stem of a folded word, cached."""
    got = _STEMS.get(word)
    if got is None:
        got = _porter_stem(word)
        if len(_STEMS) < _STEM_CACHE_MAX:
            _STEMS[word] = got
    return got


def stems(tokens: list[str]) -> list[str]:
    cache = _STEMS
    out: list[str] = []
    append = out.append
    for w in tokens:
        s = cache.get(w)
        if s is None:
            s = stem(w)
        append(s)
    return out


def word_hash(word: str) -> int:
    """A stable (process-independent) hash of a folded word, cached."""
    got = _HASHES.get(word)
    if got is None:
        got = zlib.crc32(word.encode("utf-8"))
        if len(_HASHES) < _STEM_CACHE_MAX:
            _HASHES[word] = got
    return got


def pair_ids(tokens: list[str]) -> list[int]:
    """Bucket numbers of the adjacent word pairs of a token list.

    A pair's bucket mixes the stable hashes of its two words; hashing bounds the number of
    distinct pair terms (and so the writer's per-term cost) at PAIR_BUCKETS. A phrase
    query also requires its words, so a bucket shared by two pairs rarely misleads.
    """
    cache = _HASHES
    hashes = [cache.get(w) or word_hash(w) for w in tokens]
    mask = PAIR_BUCKETS - 1
    return [((a * 1_000_003) ^ b) & mask for a, b in itertools.pairwise(hashes)]


def pair_text(bucket: int) -> str:
    return format(bucket, "x")


def pairs(tokens: list[str]) -> list[str]:
    """Index terms of the adjacent word pairs of a token list."""
    return [pair_text(b) for b in pair_ids(tokens)]


def pair_term(a: str, b: str) -> str:
    """The index term of the word pair (a, b)."""
    return pairs([a, b])[0]


_MEMO: dict[str, list[str]] = {}


def memo_words(text: str) -> list[str]:
    """`words(text)`, remembered for the last few texts (fields share a document's text)."""
    got = _MEMO.get(text)
    if got is None:
        if len(_MEMO) >= 8:
            _MEMO.clear()
        got = _MEMO[text] = words(text)
    return got


class ListAnalyzer(Analyzer):  # type: ignore[misc]
    """Whoosh analyzer for a field whose values are usually given pre-analysed as lists.

    Whoosh passes lists straight to the index without calling the analyzer; this class is
    only called for plain strings (e.g. by Whoosh utilities), and then applies `mode`.
    """

    def __init__(self, mode: str) -> None:
        self.mode = mode

    def analyze(self, text: str) -> list[str]:
        toks = words(text)
        if self.mode == "stem":
            return stems(toks)
        if self.mode == "pairs":
            return pairs(toks)
        return toks

    def __call__(self, value: Any, **kwargs: Any) -> Iterator[Any]:
        items = value if isinstance(value, (list, tuple)) else self.analyze(str(value))
        t = Token(positions=False, chars=False, removestops=True, mode=kwargs.get("mode", ""))
        for i, text in enumerate(items):
            t.text = text
            t.boost = 1.0
            t.stopped = False
            t.pos = i
            yield t

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ListAnalyzer) and other.mode == self.mode

    def __hash__(self) -> int:
        return hash(("ListAnalyzer", self.mode))
