"""The article in an HTML page: main text, title, author, date and language, with trafilatura.

What it does: hands the page bytes to trafilatura (which detects the encoding), keeps the main text
without comments, and reads the metadata it finds. When extraction fails or gives less than
``min_chars`` characters, the feed summary (markup stripped) is used instead if it is longer, and
the result says so in ``method``.

What it does not do: fetch anything (trafilatura only ever receives bytes), run JavaScript, or
translate. It does not judge whether the page is an article at all.
"""

from __future__ import annotations

import logging
import re
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

import trafilatura
from trafilatura.settings import Document

from collectors.items import html_to_text, plausible_date

__all__ = ["MIN_CHARS", "Article", "extract_article"]

MIN_CHARS = 200
_HTML_LANG = re.compile(rb"<html\b[^>]*?\blang\s*=\s*[\"']?([A-Za-z]{2,3})\b", re.I)


@dataclass(frozen=True)
class Article:
    """What could be read from one page."""

    text: str
    title: str | None = None
    author: str | None = None
    published_at: datetime | None = None
    language: str | None = None
    method: Literal["trafilatura", "summary", "none"] = "trafilatura"


def extract_article(
    content: bytes,
    *,
    url: str | None = None,
    fallback_summary: str = "",
    min_chars: int = MIN_CHARS,
    now: datetime | None = None,
) -> Article:
    """Extract the article from ``content`` (HTML bytes); never raises on bad markup."""
    document = _run_trafilatura(content, url)
    text = _clean_text(document.text if document is not None else None)
    fallback = html_to_text(fallback_summary)
    language = _language(content, document)
    title = _clean_line(document.title) if document is not None else None
    author = _clean_line(document.author) if document is not None else None
    published = _date(document.date, now) if document is not None else None
    if len(text) >= min_chars or (text and len(text) >= len(fallback)):
        method: Literal["trafilatura", "summary", "none"] = "trafilatura"
    elif fallback:
        text, method = fallback, "summary"
    else:
        method = "none"
    return Article(
        text=text,
        title=title,
        author=author,
        published_at=published,
        language=language,
        method=method,
    )


def _run_trafilatura(content: bytes, url: str | None) -> Document | None:
    if not content.strip():
        return None
    logger = logging.getLogger("trafilatura")
    previous = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = trafilatura.bare_extraction(
                content,
                url=url,
                with_metadata=True,
                include_comments=False,
                include_tables=True,
                deduplicate=False,
            )
    except Exception:  # the page is untrusted; a crash inside the extractor is "no text"
        logging.getLogger(__name__).debug("extraction failed for %s", url, exc_info=True)
        return None
    finally:
        logger.setLevel(previous)
    return result if isinstance(result, Document) else None


def _clean_text(text: str | None) -> str:
    if not text:
        return ""
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def _clean_line(value: str | None) -> str | None:
    if not value:
        return None
    text = " ".join(value.split())
    return text or None


def _language(content: bytes, document: Document | None) -> str | None:
    if document is not None and document.language:
        return str(document.language).split("-", 1)[0].lower()
    match = _HTML_LANG.search(content[:20_000])
    return match.group(1).decode("ascii").lower() if match else None


def _date(value: str | None, now: datetime | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return plausible_date(parsed, now)
