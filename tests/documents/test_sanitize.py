"""Stored copies are cleaned before they are shown."""

from __future__ import annotations

from portal.documents.sanitize import decode, sanitize_html


def test_scripts_styles_handlers_and_bad_urls_are_removed() -> None:
    raw = (
        '<h1>Title</h1><script>alert(1)</script><style>p{}</style><p onclick="x()" style="color:red">Text</p>'
        '<a href="javascript:alert(1)">js</a><a href="https://example.org/r">ext</a>'
        '<svg onload="x()"><circle/></svg><iframe src="https://example.org"></iframe><img src="/x.png">'
    )
    clean = sanitize_html(raw)
    for forbidden in (
        "<script",
        "alert(1)",
        "<style",
        "onclick",
        "style=",
        "javascript:",
        "<svg",
        "<iframe",
        "<img",
    ):
        assert forbidden not in clean, forbidden
    assert "<h3>Title</h3>" in clean
    assert '<a href="https://example.org/r" rel="noopener noreferrer nofollow external">ext</a>' in clean
    assert "<p>Text</p>" in clean


def test_decode_uses_the_declared_charset_and_survives_a_wrong_one() -> None:
    assert decode("é".encode("latin-1"), "text/html; charset=ISO-8859-1") == "é"
    assert decode(b"caf\xc3\xa9", "text/html; charset=no-such-charset") == "café"
