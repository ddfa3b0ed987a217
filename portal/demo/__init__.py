"""Offline demo: invented sample sources served over loopback HTTP.

The sample articles live in ``articles.json``; :class:`DemoSite` renders them as RSS, Atom and
article pages, so that the real collector code (HTTP client, feed parser, full-text extraction)
runs on them. Every title and source name says it is sample data. Dates are relative to the day
the site is served, so that "since:7d" finds them.
"""

from __future__ import annotations

import json
import logging
import threading
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from portal.db import transaction
from portal.models import Source

log = logging.getLogger(__name__)

DATA = Path(__file__).with_name("articles.json")
DEMO_HOST = "127.0.0.1"
#: the sample sources' own host name: under the reserved ``.invalid`` domain, so it never resolves;
#: the collectors' client is pinned to the sample site's loopback port instead (:data:`PINNED_HOSTS`)
SAMPLE_HOST = "sample-sources.coi-portal.invalid"
SAMPLE_BASE = f"http://{SAMPLE_HOST}"
#: host pins for the collectors' HTTP client, filled when this process starts the sample site
PINNED_HOSTS: dict[str, tuple[str, int]] = {}


@cache
def site_data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DATA.read_text(encoding="utf-8"))
    return data


def demo_feeds() -> list[dict[str, Any]]:
    """Every feed of the sample site: the curated articles and the generated archive."""
    from portal.demo.archive import archive_feeds

    return [*site_data()["feeds"], *archive_feeds()]


def _published(item: dict[str, Any], today: datetime) -> datetime:
    return today - timedelta(days=int(item["days_ago"]), hours=2)


def _article_html(item: dict[str, Any]) -> str:
    return "".join(f"<p>{escape(p)}</p>" for p in item["paragraphs"])


def _atom_content(feed: dict[str, Any], item: dict[str, Any]) -> str:
    """The whole article in the entry, for feeds that carry full content."""
    if not feed.get("full_content"):
        return ""
    return f'<content type="html">{escape(_article_html(item))}</content>'


def _rss_content(feed: dict[str, Any], item: dict[str, Any]) -> str:
    if not feed.get("full_content"):
        return ""
    return f"<content:encoded><![CDATA[{_article_html(item)}]]></content:encoded>"


def render_feed(feed: dict[str, Any], base: str, today: datetime) -> tuple[bytes, str]:
    items = feed["items"]
    if feed["format"] == "atom":
        entries = []
        for it in items:
            when = _published(it, today).isoformat()
            link = f"{base}/{feed['slug']}/{it['slug']}.html"
            cats = "".join(f'<category term="{escape(c)}"/>' for c in it["categories"])
            entries.append(
                f"<entry><id>{link}</id><title>{escape(it['title'])}</title>"
                f'<link rel="alternate" href="{link}"/><updated>{when}</updated><published>{when}</published>'
                f"{cats}<summary>{escape(it['paragraphs'][0])}</summary>{_atom_content(feed, it)}</entry>"
            )
        body = (
            '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
            f"<id>{base}/{feed['slug']}/feed.atom</id><title>{escape(feed['name'])}</title>"
            f"<updated>{today.isoformat()}</updated>{''.join(entries)}</feed>"
        )
        return body.encode("utf-8"), "application/atom+xml; charset=utf-8"
    rss_items = []
    for it in items:
        link = f"{base}/{feed['slug']}/{it['slug']}.html?utm_source=rss&utm_medium=feed"
        cats = "".join(f"<category>{escape(c)}</category>" for c in it["categories"])
        rss_items.append(
            f"<item><title>{escape(it['title'])}</title><link>{escape(link)}</link>"
            f"<guid>{base}/{feed['slug']}/{it['slug']}</guid>"
            f"<pubDate>{format_datetime(_published(it, today))}</pubDate>{cats}"
            f"<description>{escape(it['paragraphs'][0])}</description>{_rss_content(feed, it)}</item>"
        )
    body = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        f"<title>{escape(feed['name'])}</title><link>{base}/{feed['slug']}/</link>"
        f"<description>Sample data for the offline demo</description>{''.join(rss_items)}</channel></rss>"
    )
    return body.encode("utf-8"), "application/rss+xml; charset=utf-8"


def render_article(feed: dict[str, Any], item: dict[str, Any], today: datetime) -> bytes:
    paras = "".join(f"<p>{escape(p)}</p>" for p in item["paragraphs"])
    when = _published(item, today)
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(item['title'])}</title>"
        f'<meta name="author" content="{escape(feed["publisher"])}">'
        f'<meta property="article:published_time" content="{when.isoformat()}">'
        '</head><body><header><nav><a href="/">Home</a> | '
        '<a href="/about">About this sample site</a></nav></header>'
        f"<main><article><h1>{escape(item['title'])}</h1>"
        f'<p class="byline">By the sample desk, '
        f'<time datetime="{when.isoformat()}">{when:%d %B %Y}</time></p>'
        f"{paras}</article></main>"
        "<footer><p>Sample site for the offline demo. All content is invented.</p></footer></body></html>"
    ).encode()


class DemoSite:
    """Routes of the sample site: /<feed>/feed.xml|feed.atom, /<feed>/<item>.html, /robots.txt."""

    def __init__(self, base: str, today: datetime | None = None) -> None:
        self.base = base.rstrip("/")
        self.today = today

    def respond(self, path: str) -> tuple[int, bytes, str]:
        today = self.today or datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
        path = path.split("?", 1)[0]
        if path == "/robots.txt":
            return 200, b"User-agent: *\nAllow: /\n", "text/plain"
        for feed in demo_feeds():
            prefix = f"/{feed['slug']}/"
            if not path.startswith(prefix):
                continue
            rest = path[len(prefix) :]
            if rest in {"feed.xml", "feed.atom"}:
                body, ctype = render_feed(feed, self.base, today)
                return 200, body, ctype
            for item in feed["items"]:
                if rest == f"{item['slug']}.html":
                    return 200, render_article(feed, item, today), "text/html; charset=utf-8"
        return 404, b"not found", "text/plain"


def feed_url(base: str, feed: dict[str, Any]) -> str:
    return f"{base}/{feed['slug']}/feed.{'atom' if feed['format'] == 'atom' else 'xml'}"


def make_server(
    host: str = DEMO_HOST, port: int = 0, today: datetime | None = None, base: str | None = None
) -> ThreadingHTTPServer:
    """The sample site on ``host:port`` (0: a free port); its links use ``base`` when given,
    otherwise the address it listens on."""
    site = DemoSite(base or f"http://{host}:{port}", today)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, body, ctype = site.respond(self.path)
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            log.debug("demo site: " + format, *args)

    server = ThreadingHTTPServer((host, port), Handler)
    site.base = base or f"http://{host}:{server.server_address[1]}"
    return server


_server_lock = threading.Lock()
_server: ThreadingHTTPServer | None = None


def ensure_demo_server() -> bool:
    """Serve the sample site from this process on a free loopback port and pin the sample host to
    it; nothing else on the machine can collide with it."""
    global _server
    with _server_lock:
        if _server is not None:
            return True
        _server = make_server(DEMO_HOST, 0, base=SAMPLE_BASE)
        PINNED_HOSTS[SAMPLE_HOST] = (DEMO_HOST, int(_server.server_address[1]))
        threading.Thread(target=_server.serve_forever, name="demo-site", daemon=True).start()
        return True


def ensure_demo_server_for(factory: sessionmaker[Session]) -> None:
    """Start the sample site when sample sources are enabled."""
    with transaction(factory) as session:
        needed = session.scalar(
            select(Source.id).where(Source.is_sample.is_(True), Source.enabled.is_(True)).limit(1)
        )
    if needed is not None:
        ensure_demo_server()


def load_demo_sources(factory: sessionmaker[Session], base: str | None = None) -> int:
    """Add the sample sources (their URLs under ``base``, by default :data:`SAMPLE_BASE`); sample
    sources already present are moved to ``base``."""
    base = base or SAMPLE_BASE
    added = 0
    with transaction(factory) as session:
        existing = {s.name: s for s in session.scalars(select(Source))}
        for feed in demo_feeds():
            if feed["name"] in existing:
                present = existing[feed["name"]]
                if present.is_sample:
                    present.url = feed_url(base, feed)
                continue
            session.add(
                Source(
                    name=feed["name"],
                    kind=feed["format"],
                    url=feed_url(base, feed),
                    publisher=feed["publisher"],
                    publisher_type=feed["publisher_type"],
                    language="en",
                    countries=[],
                    themes=[],
                    options={},
                    update_minutes=30,
                    allow_private=True,
                    is_sample=True,
                    reliability_note=feed["reliability"],
                    assessment_notes="Sample data for the offline demo.",
                )
            )
            added += 1
    return added
