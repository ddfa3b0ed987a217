"""Highlighted snippets: escaped text with <mark> around the words a query matched.

A word is marked when its stem is one the query searched for (so "trafficked" is marked
for a search on "trafficking"). The snippet is the window of the text holding the most
marked words. This module only formats text; it does not search.
"""

from __future__ import annotations

import html
import re
from collections.abc import Set
from functools import lru_cache

from search_index.analysis import STOP_WORDS, fold, stem

_WORD_RE = re.compile(r"\w+", re.UNICODE)
SNIPPET_CHARS = 240


#: up to this many prefixes, each is looked for on its own: a pattern that begins with a plain
#: word is found by a fast scan for that word, several times faster than an alternation
FEW_PREFIXES = 4


@lru_cache(maxsize=256)
def _candidates(stems: frozenset[str]) -> tuple[re.Pattern[str], ...]:
    """Patterns for the words that begin with a stem less its last two letters: Porter only
    rewrites a word's end (``happy`` -> ``happi``), so every word with one of these stems is
    found. A match counts only at the start of a word (see :func:`_word_starts`)."""
    prefixes = sorted({s[: max(1, len(s) - 2)] for s in stems}, key=len, reverse=True)
    if len(prefixes) <= FEW_PREFIXES:
        return tuple(re.compile(re.escape(p) + r"\w*") for p in prefixes)
    return (re.compile(r"(?:" + "|".join(re.escape(p) for p in prefixes) + r")\w*"),)


def _word_starts(patterns: tuple[re.Pattern[str], ...], text: str) -> list[tuple[int, str]]:
    """(start, word) of each word of `text` that one of `patterns` matches from its start."""
    found: dict[int, str] = {}
    for pattern in patterns:
        for m in pattern.finditer(text):
            start = m.start()
            if start and (text[start - 1].isalnum() or text[start - 1] == "_"):
                continue  # inside a word
            if start not in found:
                found[start] = m.group()
    return sorted(found.items())


def highlight(text: str, stems: Set[str], width: int = SNIPPET_CHARS) -> str:
    """HTML-safe snippet of `text` around the words whose stem is in `stems`."""
    spans: list[tuple[int, int]] = []
    if stems:
        folded = fold(text)
        if len(folded) == len(text):
            # only words that begin like a searched stem are stemmed
            for start, w in _word_starts(_candidates(frozenset(stems)), folded):
                if w not in STOP_WORDS and stem(w) in stems:
                    spans.append((start, start + len(w)))
        else:  # folding changed the length: positions would not line up
            for m in _WORD_RE.finditer(text):
                w = fold(m.group())
                if w not in STOP_WORDS and stem(w) in stems:
                    spans.append((m.start(), m.end()))
    if not spans:
        cut = text[:width]
        if len(text) > width:
            cut = cut.rsplit(" ", 1)[0] + " …"
        return html.escape(cut)
    # the window of `width` chars holding most matches
    best_i, best_n, j = 0, 0, 0
    for i, (start, _) in enumerate(spans):
        while j < len(spans) and spans[j][1] - start <= width:
            j += 1
        if j - i > best_n:
            best_i, best_n = i, j - i
    first = spans[best_i][0]
    last = spans[best_i + best_n - 1][1]
    slack = max(0, width - (last - first))
    lo = max(0, first - slack // 3)
    hi = min(len(text), max(last, lo + width))
    if lo > 0:
        space = text.find(" ", lo, first)
        lo = space + 1 if space >= 0 else lo
    if hi < len(text):
        space = text.rfind(" ", last, hi)
        hi = space if space >= 0 else hi
    out: list[str] = ["… "] if lo > 0 else []
    pos = lo
    for start, end in spans[best_i : best_i + best_n]:
        out.append(html.escape(text[pos:start]))
        out.append("<mark>" + html.escape(text[start:end]) + "</mark>")
        pos = end
    out.append(html.escape(text[pos:hi]))
    if hi < len(text):
        out.append(" …")
    return "".join(out)
