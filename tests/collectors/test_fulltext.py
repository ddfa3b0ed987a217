"""The best text wins: feed shapes as golden files, the choice rule, and fetching only when needed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from collectors import SourceSpec, collect
from collectors.feeds import parse_feed
from collectors.fulltext import carries_full_text, choose_text, contains_opening, fulltext_mode
from collectors.items import ListingItem

from .conftest import LoopbackServer, make_client

FIXTURES = Path(__file__).parent / "fixtures" / "fulltext"
SHAPES = [
    "rss_content_encoded.xml",
    "atom_content.xml",
    "rss_summary_only.xml",
    "rss_escaped_content.xml",
    "atom_summary_differs.xml",
]


def shape_json(item: ListingItem) -> dict[str, Any]:
    choice = choose_text(summary=item.summary, content=item.content)
    return {
        "title": item.title,
        "language": item.language,
        "summary_chars": len(item.summary),
        "content_chars": len(item.content),
        "content_opening": item.content[:80],
        "full_text_in_feed": carries_full_text(item.content, item.summary),
        "origin": choice.origin,
        "kept_chars": len(choice.text),
    }


@pytest.mark.parametrize("name", SHAPES)
def test_feed_shape_golden(name: str, golden: Any) -> None:
    items = parse_feed((FIXTURES / name).read_bytes(), base_url="https://feeds.example.org/feed")
    golden(f"fulltext/{name.removesuffix('.xml')}.expected.json", [shape_json(i) for i in items])


def test_escaped_markup_never_reaches_the_text() -> None:
    (item,) = parse_feed(
        (FIXTURES / "rss_escaped_content.xml").read_bytes(), base_url="https://feeds.example.org/feed"
    )
    assert "<p>" not in item.content and "&lt;" not in item.content
    assert item.content.count("\n") >= 4  # paragraphs kept


def test_page_replaces_feed_content_only_when_it_holds_its_opening() -> None:
    feed = "Families left the valley after the river flooded the lower town on Sunday night. " * 3
    longer_page = "Menu Home News\n" + feed + "More paragraphs the feed left out. " * 5
    unrelated = "Related stories: elections, football, weather and traffic across the region. " * 10
    assert choose_text(content=feed, page=longer_page).origin == "page"
    assert choose_text(content=feed, page=unrelated).origin == "feed-content"
    assert choose_text(content=feed, page=feed[:50]).origin == "feed-content"  # shorter never wins
    # over a mere summary, a longer page wins without the opening test
    assert choose_text(summary="A short teaser.", page=unrelated).origin == "page"


def test_candidates_are_counted_and_api_body_is_the_base() -> None:
    choice = choose_text(summary="teaser", body="The whole report as the API gives it.", page="")
    assert choice.origin == "api"
    assert choice.candidates == {"api": 37, "summary": 6}
    assert contains_opening("x the whole report as the api gives it y", "The whole report, as the API")


def test_fulltext_setting() -> None:
    assert fulltext_mode({}) == "auto"
    assert fulltext_mode({"fulltext": "Always"}) == "always"
    assert fulltext_mode({"fulltext": "always"}, fetch_fulltext=False) == "never"
    with pytest.raises(ValueError, match="fulltext"):
        fulltext_mode({"fulltext": "sometimes"})


def _fetched(server: LoopbackServer) -> list[str]:
    return [seen.path for seen in server.requests if seen.path != "/robots.txt"]


def _spec(server: LoopbackServer, mode: str) -> SourceSpec:
    return SourceSpec(
        name="Sample monitor",
        kind="rss",
        url=server.url("/feed.xml"),
        allow_private=True,
        options={"fulltext": mode},
    )


def _serve_feed(server: LoopbackServer) -> None:
    body = (FIXTURES / "rss_content_encoded.xml").read_bytes()
    body = body.replace(b"https://monitor.example.org", server.base_url.encode())
    server.route("/feed.xml", server.Reply(body=body, content_type="application/rss+xml"))


def test_a_full_content_feed_costs_one_request(server: LoopbackServer) -> None:
    _serve_feed(server)  # the article pages answer 404, as for a site that refuses scrapers
    result = collect(_spec(server, "auto"), make_client())
    assert _fetched(server) == ["/feed.xml"]
    assert [r.text_origin for r in result.records] == ["feed-content", "feed-content"]
    assert all(len(r.text) > 600 for r in result.records)
    assert dict(result.records[0].text_candidates)["feed-content"] == len(result.records[0].text)
    assert not result.errors


def test_always_fetches_the_page_and_keeps_the_feed_text_when_it_fails(server: LoopbackServer) -> None:
    _serve_feed(server)
    result = collect(_spec(server, "always"), make_client())
    assert len(_fetched(server)) == 3
    assert [r.text_origin for r in result.records] == ["feed-content", "feed-content"]
    assert len(result.errors) == 2 and "page not fetched, entry kept" in result.errors[0]


def test_never_does_not_fetch_pages_even_for_teasers(server: LoopbackServer) -> None:
    body = (FIXTURES / "rss_summary_only.xml").read_bytes()
    server.route("/feed.xml", server.Reply(body=body, content_type="application/rss+xml"))
    result = collect(_spec(server, "never"), make_client())
    assert _fetched(server) == ["/feed.xml"]
    assert result.records[0].text_origin == "summary"
