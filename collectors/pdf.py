"""Text out of PDF bytes with pypdf.

What it does: reads the document from memory, opens files encrypted with an empty password, extracts
the text page by page (a page that fails is skipped and counted, the others are kept), stops after
``max_pages`` pages or ``max_chars`` characters, and returns the document's title and author when
its metadata has them. A file that is not a readable PDF raises :class:`ParseError`.

What it does not do: OCR (scanned pages give no text), layout analysis, or any fetching.
"""

from __future__ import annotations

import io
import logging
import warnings
from dataclasses import dataclass

from pypdf import PdfReader
from pypdf.errors import PyPdfError

from collectors.errors import ParseError

__all__ = ["PdfText", "looks_like_pdf", "pdf_text"]

MAX_PAGES = 500
MAX_CHARS = 5_000_000


@dataclass(frozen=True)
class PdfText:
    """The text of a PDF and what its metadata says."""

    text: str
    pages: int
    failed_pages: int = 0
    title: str | None = None
    author: str | None = None


def looks_like_pdf(content: bytes, content_type: str = "") -> bool:
    """True when the bytes start like a PDF or the server calls them one."""
    mime = content_type.split(";", 1)[0].strip().lower()
    return content[:1024].lstrip().startswith(b"%PDF-") or mime == "application/pdf"


def pdf_text(content: bytes, *, max_pages: int = MAX_PAGES, max_chars: int = MAX_CHARS) -> PdfText:
    """Extract text from PDF bytes; :class:`ParseError` when the file cannot be read at all."""
    if not content.strip():
        raise ParseError("empty body instead of a PDF")
    if b"%PDF-" not in content[:1024]:
        raise ParseError("not a PDF: no %PDF- header")
    pypdf_logger = logging.getLogger("pypdf")
    previous_level = pypdf_logger.level
    pypdf_logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return _read(content, max_pages, max_chars)
    except ParseError:
        raise
    except (PyPdfError, ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
        raise ParseError(f"unreadable PDF: {type(exc).__name__}: {_one_line(exc)}") from exc
    except RecursionError as exc:
        raise ParseError("unreadable PDF: structure nested too deeply") from exc
    finally:
        pypdf_logger.setLevel(previous_level)


def _read(content: bytes, max_pages: int, max_chars: int) -> PdfText:
    reader = PdfReader(io.BytesIO(content), strict=False)
    if reader.is_encrypted and not reader.decrypt(""):
        raise ParseError("PDF is encrypted with a password")
    parts: list[str] = []
    size = 0
    failed = 0
    pages = 0
    for page in reader.pages:
        if pages >= max_pages or size >= max_chars:
            break
        pages += 1
        try:
            text = page.extract_text() or ""
        except (PyPdfError, ValueError, TypeError, KeyError, IndexError, AttributeError):
            failed += 1
            continue
        text = "\n".join(" ".join(line.split()) for line in text.splitlines() if line.strip())
        if text:
            parts.append(text)
            size += len(text)
    title: str | None = None
    author: str | None = None
    try:
        metadata = reader.metadata
        if metadata is not None:
            title = _clean(metadata.title)
            author = _clean(metadata.author)
    except (PyPdfError, ValueError, TypeError, KeyError):
        pass
    return PdfText(
        text="\n\n".join(parts)[:max_chars],
        pages=pages,
        failed_pages=failed,
        title=title,
        author=author,
    )


def _clean(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    text = " ".join(value.split())
    return text or None


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:300] or type(exc).__name__
