"""Which text of an item to keep: the feed's full content, the article page, a PDF, or the summary.

The rule, in order:

1. The *base* is the text the listing itself carries: the API body (``api``), else the feed's full
   content (``feed-content``: RSS ``content:encoded``, Atom ``content``, ``media:description``),
   else the summary (``summary``); when the feed content is shorter than the summary, the summary.
2. A PDF read from the item's link or an attachment (``pdf``) wins when it is longer than the base:
   the entry is then a cover for the report.
3. The article page extracted by trafilatura (``page``) wins over a summary when it is longer, and
   over feed content or an API body only when it is longer *and* contains the opening words of
   that text: extraction from a page can pick up the wrong block (a list of related stories, a
   cookie notice), while a feed's own content is the article as its publisher meant it.

Each candidate's length in characters is kept with the choice, so a stored version says what it
was chosen from. The ``fulltext`` source setting decides whether the page is fetched at all:
``always``, ``never``, or ``auto`` (the default), which fetches it only when the listing carries no
full text (:func:`carries_full_text`). Nothing here fetches.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "FULLTEXT_MODES",
    "OPENING_WORDS",
    "TextChoice",
    "carries_full_text",
    "choose_text",
    "fulltext_mode",
    "should_fetch_page",
]

Origin = Literal["api", "feed-content", "summary", "page", "pdf"]
FulltextMode = Literal["auto", "always", "never"]
FULLTEXT_MODES: tuple[FulltextMode, ...] = ("auto", "always", "never")
#: feed content at least this long, and not shorter than the summary, counts as the whole article
FULL_TEXT_MIN_CHARS = 600
#: how many opening words of the feed text a page must contain to replace it
OPENING_WORDS = 12
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class TextChoice:
    """The kept text, where it came from, and the length of every candidate considered."""

    text: str
    origin: Origin
    candidates: Mapping[str, int]


def fulltext_mode(options: Mapping[str, str], fetch_fulltext: bool = True) -> FulltextMode:
    """The source's ``fulltext`` option; a source with full-text fetching off is ``never``."""
    if not fetch_fulltext:
        return "never"
    value = (options.get("fulltext") or "auto").strip().lower()
    if value == "always":
        return "always"
    if value == "never":
        return "never"
    if value != "auto":
        raise ValueError(f"'fulltext' must be one of {', '.join(FULLTEXT_MODES)}, not {value!r}")
    return "auto"


def carries_full_text(content: str, summary: str, body: str = "") -> bool:
    """True when the listing's own text is the whole article, not a teaser."""
    if body.strip():
        return True
    length = len(content.strip())
    return length >= FULL_TEXT_MIN_CHARS and length >= len(summary.strip())


def should_fetch_page(mode: FulltextMode, *, content: str, summary: str, body: str = "") -> bool:
    if mode == "never":
        return False
    if mode == "always":
        return True
    return not carries_full_text(content, summary, body)


def _words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def contains_opening(longer: str, text: str, words: int = OPENING_WORDS) -> bool:
    """Whether ``longer`` contains the first ``words`` words of ``text`` in order (case and
    punctuation ignored)."""
    opening = _words(text)[:words]
    if not opening:
        return False
    haystack = " " + " ".join(_words(longer)) + " "
    return " " + " ".join(opening) + " " in haystack


def choose_text(
    *,
    summary: str = "",
    content: str = "",
    body: str = "",
    page: str = "",
    pdf: str = "",
) -> TextChoice:
    """Apply the module's rule to the candidates (empty strings are absent candidates)."""
    candidates: dict[str, int] = {}
    for name, value in (
        ("api", body),
        ("feed-content", content),
        ("summary", summary),
        ("page", page),
        ("pdf", pdf),
    ):
        if value.strip():
            candidates[name] = len(value.strip())
    base_origin: Origin
    if body.strip():
        base_text, base_origin = body.strip(), "api"
    elif content.strip() and len(content.strip()) >= len(summary.strip()):
        base_text, base_origin = content.strip(), "feed-content"
    else:
        base_text, base_origin = summary.strip(), "summary"
    text: str = base_text
    origin: Origin = base_origin
    if pdf.strip() and len(pdf.strip()) > len(text):
        text, origin = pdf.strip(), "pdf"
    page_text = page.strip()
    page_is_longer = bool(page_text) and len(page_text) > len(text)
    if page_is_longer and (origin == "summary" or not text or contains_opening(page_text, text)):
        text, origin = page_text, "page"
    return TextChoice(text=text, origin=origin, candidates=candidates)
