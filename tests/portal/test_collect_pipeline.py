"""Storing what the collectors return: versions, duplicates, runs, health and back-off."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from portal import pipeline
from portal.config import Settings
from portal.db import transaction
from portal.jobs import Jobs
from portal.models import CollectionRun, Document, DocumentVersion, Snapshot, Source


class Site:
    """A loopback web server whose pages the test changes between runs."""

    def __init__(self) -> None:
        self.pages: dict[str, tuple[int, str, bytes]] = {}
        self.requests: list[str] = []
        pages = self.pages
        requests = self.requests

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                requests.append(self.path)
                status, ctype, body = pages.get(self.path.split("?")[0], (404, "text/plain", b"missing"))
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"

    def feed(
        self, path: str, items: list[tuple[str, str]], date: str = "Mon, 02 Nov 2026 08:00:00 GMT"
    ) -> None:
        entries = "".join(
            f"<item><title>{title}</title><link>{self.base}{link}</link><description>{title}</description>"
            f"<pubDate>{date}</pubDate></item>"
            for title, link in items
        )
        body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{entries}</channel></rss>'
        self.pages[path] = (200, "application/rss+xml", body.encode())

    def article(self, path: str, title: str, text: str) -> None:
        paras = "".join(f"<p>{p}</p>" for p in text.split("\n"))
        body = f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>{paras}</article></body></html>"
        self.pages[path] = (200, "text/html; charset=utf-8", body.encode())


@pytest.fixture
def site() -> Iterator[Site]:
    s = Site()
    threading.Thread(target=s.server.serve_forever, daemon=True).start()
    yield s
    s.server.shutdown()
    s.server.server_close()


LONG = (
    "Sample report for the tests. Aid workers in the town described new checkpoints on the main road, "
    "where men of military age were stopped and questioned about their papers.\n"
    "Families said that travel to the regional capital now takes a full day and that prices of flour doubled."
)


def add_source(factory: sessionmaker[Session], name: str, url: str) -> int:
    with transaction(factory) as session:
        source = Source(
            name=name,
            kind="rss",
            url=url,
            allow_private=True,
            countries=[],
            themes=[],
            options={},
            update_minutes=30,
        )
        session.add(source)
        session.flush()
        return source.id


def test_changed_article_becomes_a_new_version(site: Site, factory: sessionmaker[Session]) -> None:
    site.feed("/feed.xml", [("Checkpoints on the main road", "/a.html")])
    site.article("/a.html", "Checkpoints on the main road", LONG)
    sid = add_source(factory, "Test source", site.base + "/feed.xml")
    client = pipeline.default_client("tests", min_delay=0.0)
    first = pipeline.collect_source(factory, sid, client)
    assert (first.new, first.updated) == (1, 0)
    site.article(
        "/a.html", "Checkpoints on the main road", LONG + "\nA correction: the road reopened on Friday."
    )
    # unchanged in the feed: the stored article is not fetched again
    assert pipeline.collect_source(factory, sid, client).unchanged == 1
    # the feed dates the entry anew: the article is fetched and its change becomes a version
    site.feed(
        "/feed.xml",
        [("Checkpoints on the main road", "/a.html")],
        date=format_datetime(datetime.now(UTC) + timedelta(seconds=2)),
    )
    second = pipeline.collect_source(factory, sid, client)
    assert (second.new, second.updated) == (0, 1)
    with transaction(factory) as session:
        doc = session.scalar(select(Document))
        assert doc is not None and doc.version == 2 and "correction" in doc.text
        versions = session.scalars(select(DocumentVersion).order_by(DocumentVersion.version)).all()
        assert [v.version for v in versions] == [1, 2]
        assert "correction" not in versions[0].text  # the old version stays as it was
        assert session.scalar(select(func.count()).select_from(Snapshot)) == 2
        assert doc.processed_at is None  # to be tagged again


def test_same_text_at_two_urls_of_one_source_is_a_duplicate(
    site: Site, factory: sessionmaker[Session]
) -> None:
    site.feed("/feed.xml", [("Report", "/a.html"), ("Report again", "/b.html")])
    site.article("/a.html", "Report", LONG)
    site.article("/b.html", "Report", LONG)
    sid = add_source(factory, "Test source", site.base + "/feed.xml")
    summary = pipeline.collect_source(factory, sid, pipeline.default_client("tests", min_delay=0.0))
    assert (summary.seen, summary.new, summary.duplicate) == (2, 1, 1)


def test_failing_source_backs_off_and_others_go_on(site: Site, factory: sessionmaker[Session]) -> None:
    site.feed("/good.xml", [("Checkpoints", "/a.html")])
    site.article("/a.html", "Checkpoints", LONG)
    site.pages["/bad.xml"] = (
        200,
        "application/rss+xml",
        b"<html><body><p>Temporarily down</p></body></html>",
    )
    good = add_source(factory, "Good", site.base + "/good.xml")
    bad = add_source(factory, "Broken", site.base + "/bad.xml")
    gone = add_source(factory, "Gone", site.base + "/missing.xml")
    client = pipeline.default_client("tests", min_delay=0.0)
    results = {sid: pipeline.collect_source(factory, sid, client) for sid in (bad, gone, good)}
    assert results[good].status == "ok" and results[good].new == 1
    assert results[bad].status == "failed" and results[bad].errors
    assert results[gone].status == "failed" and "404" in results[gone].errors[0]
    with transaction(factory) as session:
        broken = session.get(Source, bad)
        assert broken is not None and not broken.healthy and broken.next_attempt_at is not None
        assert broken.last_error
        runs = session.scalars(select(CollectionRun).where(CollectionRun.source_id == bad)).all()
        assert [r.status for r in runs] == ["failed"] and runs[0].finished_at is not None
    # the broken source is not due again until its back-off ends; the good one is not due either
    assert bad not in pipeline.due_sources(factory)
    # once fixed, the source recovers
    site.feed("/bad.xml", [("Checkpoints", "/a.html")])
    with transaction(factory) as session:
        session.get(Source, bad).next_attempt_at = None  # type: ignore[union-attr]
    assert bad in pipeline.due_sources(factory)
    again = pipeline.collect_source(factory, bad, client)
    assert again.status == "ok"
    with transaction(factory) as session:
        assert session.get(Source, bad).healthy  # type: ignore[union-attr]


def test_interrupted_run_is_marked_and_rerun_cleanly(site: Site, factory: sessionmaker[Session]) -> None:
    site.feed("/feed.xml", [("Checkpoints", "/a.html")])
    site.article("/a.html", "Checkpoints", LONG)
    sid = add_source(factory, "Test source", site.base + "/feed.xml")
    with transaction(factory) as session:
        session.add(CollectionRun(source_id=sid, status="running"))  # a run whose process died
    summary = pipeline.collect_source(factory, sid, pipeline.default_client("tests", min_delay=0.0))
    assert summary.new == 1
    with transaction(factory) as session:
        statuses = sorted(r.status for r in session.scalars(select(CollectionRun)))
    assert statuses == ["interrupted", "ok"]


def test_the_scheduled_job_sends_the_reliefweb_appname(
    site: Site, factory: sessionmaker[Session], settings: Settings
) -> None:
    report = {
        "id": 1,
        "fields": {
            "title": "Sample: flooding displaces families in the river valley",
            "url": site.base + "/report/1",
            "body": "Sample report text. Families left the river valley after the flooding.",
            "date": {"created": "2026-11-30T08:00:00+00:00"},
            "primary_country": {"iso3": "SDN"},
        },
    }
    site.pages["/v2/reports"] = (200, "application/json", json.dumps({"data": [report]}).encode())
    with transaction(factory) as session:
        source = Source(
            name="ReliefWeb-shaped API",
            kind="reliefweb",
            url=site.base + "/v2/reports",
            allow_private=True,
            countries=[],
            themes=[],
            options={},  # as in the catalogue: no appname of its own
            update_minutes=60,
        )
        session.add(source)
        session.flush()
        sid = source.id
    jobs = Jobs(settings.with_overrides(reliefweb_appname="coi-appname-from-settings"), factory)
    result = jobs.collect_source(sid)
    assert result["status"] == "ok", result
    api_calls = [parse_qs(urlsplit(path).query) for path in site.requests if path.startswith("/v2/reports")]
    assert api_calls and api_calls[0]["appname"] == ["coi-appname-from-settings"]
    with transaction(factory) as session:
        doc = session.scalar(select(Document))
        assert doc is not None and doc.source_countries == ["SD"]


def test_full_content_is_stored_with_its_origin_and_the_language_of_its_text(
    site: Site, factory: sessionmaker[Session]
) -> None:
    fixture = Path(__file__).parents[1] / "collectors/fixtures/fulltext/rss_content_encoded.xml"
    body = fixture.read_bytes().replace(b"https://monitor.example.org", site.base.encode())
    site.pages["/feed.xml"] = (200, "application/rss+xml", body)  # article pages answer 404
    sid = add_source(factory, "Sample monitor", site.base + "/feed.xml")
    summary = pipeline.collect_source(factory, sid, pipeline.default_client("tests", min_delay=0.0))
    assert summary.new == 2
    with transaction(factory) as session:
        docs = {d.url.rsplit("/", 1)[1]: d for d in session.scalars(select(Document))}
        portuguese = docs["postos"]
        assert len(portuguese.text) > 600 and "farinha" in portuguese.text
        assert (portuguese.language, portuguese.declared_language) == ("pt", "en")
        assert docs["checkpoints"].language == "en"
        version = portuguese.versions[0]
        assert version.text_origin == "feed-content"
        assert version.text_candidates is not None
        assert version.text_candidates["feed-content"] > 5 * version.text_candidates["summary"]


class _Killed(BaseException):
    """Stands for the process being killed: nothing in the pipeline catches it."""


def test_a_run_killed_half_way_keeps_its_batches_and_the_rerun_neither_loses_nor_doubles(
    site: Site, factory: sessionmaker[Session]
) -> None:
    items = [(f"Sample report number {n}", f"/r{n}.html") for n in range(25)]
    site.feed("/feed.xml", items)
    for n, (title, link) in enumerate(items):
        site.article(link, title, f"{LONG}\nThis sample report has the number {n} and its own details.")
    sid = add_source(factory, "Test source", site.base + "/feed.xml")
    client = pipeline.default_client("tests", min_delay=0.0)
    real_fetch = client.fetch
    pages = 0

    def dying_fetch(url: str, **kwargs: Any) -> Any:
        nonlocal pages
        if url.endswith(".html"):
            pages += 1
            if pages == 15:
                raise _Killed
        return real_fetch(url, **kwargs)

    client.fetch = dying_fetch  # type: ignore[method-assign]
    with pytest.raises(_Killed):
        pipeline.collect_source(factory, sid, client)
    with transaction(factory) as session:
        assert session.scalar(select(func.count()).select_from(Document)) == 10
    client.fetch = real_fetch  # type: ignore[method-assign]
    again = pipeline.collect_source(factory, sid, client)
    assert again.status == "ok"
    with transaction(factory) as session:
        assert session.scalar(select(func.count()).select_from(Document)) == 25
        assert session.scalar(select(func.count()).select_from(DocumentVersion)) == 25
        runs = session.scalars(select(CollectionRun).order_by(CollectionRun.id)).all()
        assert [r.status for r in runs] == ["interrupted", "ok"]
