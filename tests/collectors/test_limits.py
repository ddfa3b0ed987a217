"""Parsers under a time limit: a call that overruns is stopped, and the item keeps its feed text."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from collectors import SourceSpec, collect
from collectors.errors import ParseError
from collectors.limits import ParseTimeoutError, run_limited

from .conftest import LoopbackServer, make_client

FULLTEXT = Path(__file__).parent / "fixtures" / "fulltext"


def test_an_overrunning_call_is_stopped_and_the_next_one_works() -> None:
    started = time.monotonic()
    with pytest.raises(ParseTimeoutError, match="stopped after 0.5 s"):
        run_limited(time.sleep, 30, timeout=0.5)
    assert time.monotonic() - started < 10
    assert run_limited(len, b"four", timeout=30) == 4


def test_an_error_in_the_parser_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match="ValueError"):
        run_limited(int, "not a number", timeout=30)


def test_a_page_over_the_limit_is_an_error_and_the_item_keeps_its_feed_text(server: LoopbackServer) -> None:
    body = (FULLTEXT / "rss_content_encoded.xml").read_bytes()
    body = body.replace(b"https://monitor.example.org", server.base_url.encode())
    server.route("/feed.xml", server.Reply(body=body, content_type="application/rss+xml"))
    page = (
        b"<html><body><article>" + b"<p>Sample paragraph of the page.</p>" * 50 + b"</article></body></html>"
    )
    for path in ("/2026/checkpoints", "/2026/postos"):
        server.route(path, server.Reply(body=page, content_type="text/html"))
    spec = SourceSpec(
        name="Sample",
        kind="rss",
        url=server.url("/feed.xml"),
        allow_private=True,
        options={"fulltext": "always"},
    )
    result = collect(spec, make_client(), parse_timeout=0.0)
    assert [r.text_origin for r in result.records] == ["feed-content", "feed-content"]
    assert all("stopped after 0 s" in error for error in result.errors), result.errors
    assert len(result.errors) == 2
