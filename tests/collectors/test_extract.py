"""Article extraction from page bytes."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from collectors.extract import extract_article

HTML = Path(__file__).parent / "fixtures" / "html"
NOW = datetime(2026, 6, 1, tzinfo=UTC)


def test_article_text_and_metadata() -> None:
    article = extract_article(
        (HTML / "article_harbour.html").read_bytes(), url="https://rights.example.com/a", now=NOW
    )
    assert article.method == "trafilatura"
    assert "eleven families in the invented port town of Larkhaven" in article.text
    assert "did not answer written questions sent on 10 May" in article.text
    assert "Donate" not in article.text
    assert "cookies" not in article.text
    assert "Strike timeline" not in article.text
    assert article.title == "Detentions at the northern harbour"
    assert article.author == "Mira Osterhold"
    assert article.published_at is not None and article.published_at.date().isoformat() == "2026-05-12"
    assert article.language == "en"


def test_fallback_to_summary_when_page_is_empty() -> None:
    summary = "<p>Residents describe <b>three</b> new checkpoints on the road.</p>"
    article = extract_article((HTML / "article_stub.html").read_bytes(), fallback_summary=summary)
    assert article.method == "summary"
    assert article.text == "Residents describe three new checkpoints on the road."


def test_nothing_at_all() -> None:
    article = extract_article(b"")
    assert article.method == "none" and article.text == ""


def test_binary_garbage_does_not_raise() -> None:
    article = extract_article(bytes(range(256)) * 50, fallback_summary="kept")
    assert article.text == "kept"
