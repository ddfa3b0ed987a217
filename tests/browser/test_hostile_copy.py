"""A stored copy full of hostile markup runs none of it in the browser."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from portal import pipeline
from portal.db import transaction
from portal.models import Document, Source
from search_index import SearchIndex

HOSTILE = """<!doctype html><html><head><title>Hostile sample page</title>
<meta http-equiv="refresh" content="0;url=/beacon?meta">
<base href="http://{host}/beacon/">
<link rel="stylesheet" href="/beacon?link">
<style>body {{ background: url(/beacon?style) }}</style>
<script>window.pwned = "script"; fetch("/beacon?script");</script>
</head><body>
<article><h1>Hostile sample page</h1>
<p>This invented page tests that stored copies are inert. It reports on a sample protest in Kabul.</p>
<p onmouseover="window.pwned='handler'">Hover text <img src="/beacon?img" onerror="window.pwned='onerror'"></p>
<p><a id="jslink" href="javascript:window.pwned='jslink'">a javascript link</a></p>
<p><a id="extlink" href="https://example.org/report">an external link</a></p>
<svg onload="window.pwned='svg'"><script>window.pwned='svgscript'</script><circle r="5"/></svg>
<div style="background-image: url(/beacon?inline)">styled</div>
<iframe src="javascript:parent.pwned='iframe'"></iframe>
<object data="/beacon?object"></object><embed src="/beacon?embed">
<form action="/beacon?form"><button id="formbutton">send</button></form>
<math><mtext><script>window.pwned='math'</script></mtext></math>
<p>More text about Kabul so the extractor keeps the article body, with enough words in it.</p>
</article></body></html>"""


class Hostile:
    def __init__(self) -> None:
        self.beacons: list[str] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path.startswith("/beacon"):
                    owner.beacons.append(self.path)
                host = f"127.0.0.1:{self.server.server_address[1]}"
                if self.path == "/feed.xml":
                    body = (
                        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Hostile sample</title>'
                        f"<item><title>Hostile sample page</title><link>http://{host}/page.html</link>"
                        f"<description>A sample.</description></item></channel></rss>"
                    ).encode()
                    ctype = "application/rss+xml"
                elif self.path == "/page.html":
                    body, ctype = HOSTILE.format(host=host).encode(), "text/html; charset=utf-8"
                else:
                    body, ctype = b"", "text/plain"
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"


@pytest.fixture(scope="module")
def hostile_doc(portal: Any) -> Iterator[tuple[Hostile, int]]:
    hostile = Hostile()
    threading.Thread(target=hostile.server.serve_forever, daemon=True).start()
    with transaction(portal.factory) as session:
        source = Source(
            name="Hostile sample",
            kind="rss",
            url=hostile.url + "/feed.xml",
            allow_private=True,
            countries=[],
            themes=[],
            options={},
        )
        session.add(source)
        session.flush()
        source_id = source.id
    summary = pipeline.collect_source(
        portal.factory, source_id, pipeline.default_client("tests", min_delay=0.0)
    )
    assert summary.new == 1, summary
    pipeline.process_pending(portal.factory, model=None)
    pipeline.update_index(portal.factory, SearchIndex(portal.settings.index_path))
    with transaction(portal.factory) as session:
        doc_id = session.scalar(select(Document.id).where(Document.source_id == source_id))
    assert doc_id is not None
    hostile.beacons.clear()
    yield hostile, doc_id
    hostile.server.shutdown()
    hostile.server.server_close()


def test_hostile_copy_runs_nothing(
    page: Page, portal: Any, log_in: Any, hostile_doc: tuple[Hostile, int]
) -> None:
    hostile, doc_id = hostile_doc
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    log_in("researcher")
    page.goto(portal.url + f"/documents/{doc_id}")
    page.get_by_role("link", name="view stored copy").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Stored copy")
    expect(page.locator(".stored-copy")).to_contain_text("stored copies are inert")
    page.locator(".stored-copy").hover()
    page.wait_for_timeout(300)
    assert page.evaluate("typeof window.pwned") == "undefined"
    assert (
        page.locator(
            ".stored-copy script, .stored-copy style, .stored-copy svg, .stored-copy iframe, "
            ".stored-copy object, .stored-copy embed, .stored-copy form, .stored-copy img"
        ).count()
        == 0
    )
    assert (
        page.locator(".stored-copy [onmouseover], .stored-copy [style], .stored-copy [onerror]").count() == 0
    )
    js_link = page.locator(".stored-copy a", has_text="a javascript link")
    assert js_link.count() == 1 and js_link.get_attribute("href") is None
    js_link.click()
    ext_link = page.locator(".stored-copy a", has_text="an external link")
    assert "external" in (ext_link.get_attribute("rel") or "")
    assert "noopener" in (ext_link.get_attribute("rel") or "")
    page.wait_for_timeout(300)
    assert page.url.startswith(portal.url)  # no meta refresh followed
    assert dialogs == []
    assert hostile.beacons == []
