"""collect() end to end against the loopback server."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from collectors import collect
from collectors.errors import HttpStatusError, ParseError, SourceConfigError
from collectors.http import HttpClient
from collectors.records import SourceSpec, SourceState

FIXTURES = Path(__file__).parent / "fixtures"
REPORT_LINES = [
    "Quarterly displacement figures (sample).",
    "An estimated 4,200 people left the invented hill districts between January and March.",
    "Most moved to relatives in the coastal towns; this whole report is fictional.",
]
ANNEX_LINES = [
    "Annex: list of the places of detention named by the families in this sample report.",
    "Place one: the invented harbour police station, named by six families.",
    "Place two: a fictional warehouse near the grain silos, named by three families.",
    "Place three: the regional prison of the made-up town of Larkhaven, named by two families.",
]


def serve_feed_site(server: Any, pdf_factory: Any) -> str:
    feed = (FIXTURES / "collect" / "feed.xml").read_text(encoding="utf-8").replace("{BASE}", server.base_url)
    server.route(
        "/feed.xml",
        server.Reply(
            body=feed.encode("utf-8"), content_type="application/rss+xml", headers={"ETag": '"feed-1"'}
        ),
    )
    server.serve_file("/articles/harbour", "html/article_harbour.html", "text/html; charset=utf-8")
    server.serve_file("/articles/annex", "html/article_stub.html", "text/html; charset=utf-8")
    server.route(
        "/reports/q1.pdf",
        server.Reply(body=pdf_factory(REPORT_LINES, "Q1 figures"), content_type="application/pdf"),
    )
    server.route(
        "/files/annex.pdf",
        server.Reply(body=pdf_factory(ANNEX_LINES, "Annex"), content_type="application/pdf"),
    )
    server.serve_file("/articles/known", "html/article_stub.html", "text/html")
    return server.url("/feed.xml")


def test_rss_collect_golden(
    server: Any, client: HttpClient, pdf_factory: Any, golden: Any, as_json: Any
) -> None:
    url = serve_feed_site(server, pdf_factory)
    spec = SourceSpec(name="sample", kind="rss", url=url, allow_private=True)
    known = frozenset({server.url("/articles/known")})
    result = collect(
        spec, client, SourceState(checked_at=datetime(2026, 4, 20, tzinfo=UTC)), known_urls=known
    )
    golden("collect/rss.expected.json", [as_json(record, server.base_url) for record in result.records])
    assert result.skipped == (server.url("/articles/known"),)
    assert server.hits("/articles/known") == 0
    assert len(result.errors) == 1
    assert "/articles/missing: page not fetched, entry kept: HTTP 404" in result.errors[0]
    assert result.state.etag == '"feed-1"'
    assert result.state.checked_at is not None
    assert result.listing is not None and result.listing.content.startswith(b"<?xml")
    assert not result.not_modified
    missing = next(r for r in result.records if r.link.endswith("/articles/missing"))
    assert missing.snapshot.content.startswith(b"<item>")
    assert missing.text == "Only this summary survives."


def test_second_run_is_not_modified(server: Any, client: HttpClient) -> None:
    def answer(seen: Any) -> Any:
        if seen.headers.get("if-none-match") == '"v7"':
            return server.Reply(status=304, headers={"ETag": '"v7"'})
        return server.Reply(
            body=b"<rss version='2.0'><channel><title>t</title></channel></rss>", headers={"ETag": '"v7"'}
        )

    server.route_fn("/feed", answer)
    spec = SourceSpec(name="s", kind="rss", url=server.url("/feed"), allow_private=True)
    first = collect(spec, client)
    second = collect(spec, client, first.state)
    assert not first.not_modified and first.records == ()
    assert second.not_modified and second.records == () and second.listing is None
    assert second.state.etag == '"v7"'


def test_known_url_with_newer_date_is_fetched_again(
    server: Any, client: HttpClient, pdf_factory: Any
) -> None:
    url = serve_feed_site(server, pdf_factory)
    spec = SourceSpec(name="sample", kind="rss", url=url, allow_private=True)
    known = frozenset({server.url("/articles/known")})
    result = collect(spec, client, SourceState(checked_at=datetime(2026, 3, 1, tzinfo=UTC)), known_urls=known)
    assert result.skipped == ()
    assert server.hits("/articles/known") == 1


def test_without_fulltext_no_pages_are_fetched(server: Any, client: HttpClient, pdf_factory: Any) -> None:
    url = serve_feed_site(server, pdf_factory)
    spec = SourceSpec(name="sample", kind="atom", url=url, allow_private=True, fetch_fulltext=False)
    result = collect(spec, client)
    assert len(result.records) == 5
    assert [seen.path for seen in server.requests] == ["/robots.txt", "/feed.xml"]
    assert result.records[0].text == "Families describe arrests after the port strike."
    assert result.records[0].snapshot.content_type == "application/xml"


def test_listing_server_error_raises(server: Any, client: HttpClient) -> None:
    server.route("/feed", server.Reply(status=503))
    spec = SourceSpec(name="s", kind="rss", url=server.url("/feed"), allow_private=True)
    with pytest.raises(HttpStatusError):
        collect(spec, client)
    assert server.hits("/feed") == 4  # first try and three retries


def test_listing_that_is_not_a_feed_raises(server: Any, client: HttpClient) -> None:
    server.serve_file("/feed", "feeds/html_page.xml", "text/html")
    with pytest.raises(ParseError, match="HTML page"):
        collect(SourceSpec(name="s", kind="rss", url=server.url("/feed"), allow_private=True), client)


def test_robots_blocking_pages_keeps_entries(server: Any, client: HttpClient, pdf_factory: Any) -> None:
    url = serve_feed_site(server, pdf_factory)
    server.route("/robots.txt", server.Reply(body=b"User-agent: *\nDisallow: /articles/\n"))
    result = collect(SourceSpec(name="s", kind="rss", url=url, allow_private=True), client)
    assert len(result.records) == 5
    blocked = [e for e in result.errors if "robots.txt disallows" in e]
    assert len(blocked) == 4
    assert server.hits("/articles/harbour") == 0


def test_html_listing_collect(server: Any, client: HttpClient, pdf_factory: Any) -> None:
    listing = (FIXTURES / "html" / "listing.html").read_bytes()
    listing = listing.replace(b"https://rights.example.com", server.base_url.encode())  # stay on loopback
    server.route("/publications", server.Reply(body=listing, content_type="text/html; charset=utf-8"))
    server.serve_file("/publications/2026/harbour-detentions", "html/article_harbour.html", "text/html")
    server.route(
        "/publications/2026/school-access.pdf",
        server.Reply(body=pdf_factory(REPORT_LINES), content_type="application/pdf"),
    )
    server.route("/publications/2026/curfew-order", server.Reply(status=500))
    spec = SourceSpec(
        name="listing",
        kind="html",
        url=server.url("/publications"),
        allow_private=True,
        options={
            "item": "li.pub",
            "link": "h3 a[href]",
            "title": "h3",
            "date": "time, .date",
            "document_type": "report",
        },
    )
    result = collect(spec, client)
    by_path = {r.url.replace(server.base_url, ""): r for r in result.records}
    assert set(by_path) == {
        "/publications/2026/harbour-detentions",
        "/publications/2026/school-access.pdf",
        "/publications/2026/curfew-order?ref=home",
    }
    harbour = by_path["/publications/2026/harbour-detentions"]
    assert "eleven families" in harbour.text and harbour.author == "Mira Osterhold"
    assert harbour.document_type == "report"
    pdf = by_path["/publications/2026/school-access.pdf"]
    assert "4,200 people" in pdf.text and pdf.snapshot.content_type == "application/pdf"
    assert pdf.extra_snapshots == ()
    assert any("curfew-order" in e and "HTTP 500" in e for e in result.errors)


def test_reliefweb_collect(server: Any, client: HttpClient, pdf_factory: Any) -> None:
    document = json.loads((FIXTURES / "reliefweb" / "reports.json").read_text(encoding="utf-8"))
    text = json.dumps(document).replace(
        "https://reliefweb.int/attachments/sample/", server.url("/attachments/")
    )
    long_pdf = pdf_factory(
        [f"Line {n} of the invented flash update with details on shelters and water." for n in range(30)]
    )
    server.route("/v2/reports", server.Reply(body=text.encode("utf-8"), content_type="application/json"))
    server.route("/attachments/flash-update.pdf", server.Reply(body=long_pdf, content_type="application/pdf"))
    spec = SourceSpec(
        name="rw",
        kind="reliefweb",
        url=server.url("/v2/reports"),
        allow_private=True,
        options={"appname": "coi-test", "country": "SDN"},
    )
    result = collect(spec, client)
    request = next(seen for seen in server.requests if seen.path.startswith("/v2/reports"))
    assert "appname=coi-test" in request.path
    assert result.errors == ()
    first, second = result.records
    assert first.countries == ("SD", "SS")
    assert first.document_type == "Situation Report"
    assert first.source_tags == ("Shelter and Non-Food Items", "Water Sanitation Hygiene")
    assert first.snapshot.content_type == "application/json"
    assert json.loads(first.snapshot.content)["id"] == "900001"
    assert len(first.extra_snapshots) == 1 and first.extra_snapshots[0].content == long_pdf
    assert "Line 29 of the invented flash update" in first.text  # the PDF is longer than the body
    assert second.language == "fr" and second.text == "Une note inventée pour les tests."
    assert not any(seen.path.startswith("/report") for seen in server.requests)


def test_reliefweb_without_appname_sends_nothing(server: Any, client: HttpClient) -> None:
    spec = SourceSpec(name="rw", kind="reliefweb", url=server.url("/v2/reports"), allow_private=True)
    with pytest.raises(SourceConfigError, match="appname"):
        collect(spec, client)
    assert server.requests == []


def test_private_source_refused_without_flag(server: Any, client: HttpClient) -> None:
    from collectors.errors import BlockedAddressError

    with pytest.raises(BlockedAddressError):
        collect(SourceSpec(name="s", kind="rss", url=server.url("/feed")), client)
    assert server.requests == []
