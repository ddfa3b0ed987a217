"""PDF text extraction with pypdf."""

from __future__ import annotations

from typing import Any

import pytest

from collectors.errors import ParseError
from collectors.pdf import looks_like_pdf, pdf_text


def test_text_and_title_are_extracted(pdf_factory: Any) -> None:
    content = pdf_factory(["Sample report on the fictional river valley.", "Second line (with brackets)."])
    result = pdf_text(content)
    assert "Sample report on the fictional river valley." in result.text
    assert "Second line (with brackets)." in result.text
    assert result.pages == 1 and result.failed_pages == 0
    assert result.title == "Sample report"
    assert looks_like_pdf(content)


def test_not_a_pdf() -> None:
    with pytest.raises(ParseError, match="no %PDF- header"):
        pdf_text(b"<html>not a pdf</html>")


def test_empty_pdf_body() -> None:
    with pytest.raises(ParseError, match="empty body"):
        pdf_text(b"")


def test_truncated_pdf_is_a_clean_error(pdf_factory: Any) -> None:
    content = pdf_factory(["Cut short."])
    with pytest.raises(ParseError, match="unreadable PDF"):
        pdf_text(content[:60])


def test_garbage_after_header_is_a_clean_error() -> None:
    with pytest.raises(ParseError, match="unreadable PDF"):
        pdf_text(b"%PDF-1.7\n" + bytes(range(256)) * 20)
