"""Intake on real feeds: how much of a feed's full content is kept, and in which language.

Every feed under ``../shared/eval/feeds`` is served from a loopback web server on which the article
pages do not exist (404), as for a site that refuses scrapers. Each feed runs through the
collectors as a source with the default ``fulltext = auto`` setting, and each record's language is
resolved the way the portal stores it (:func:`nlp.language.resolve_language`).

Per feed it prints: items, requests made, origins of the kept texts, and, for feeds that carry full
content, the share of the full content's text kept per item (the minimum and the median; the text
of the content is measured as ``full_content/SOURCE.txt`` measures it: tags, scripts and styles
removed, entities unescaped, whitespace collapsed) and the share of items whose language is the
feed's language given in SOURCE.txt.

Run: ``python bench/intake.py [FEEDS_DIR]``. Targets: at least 95% kept on every item of every
full-content feed; the right language on every item of the Portuguese, Spanish and French feeds.
"""

from __future__ import annotations

import re
import statistics
import sys
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import feedparser
from bs4 import BeautifulSoup

from collectors import SourceSpec, collect
from collectors.http import HttpClient
from nlp.language import resolve_language

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "shared" / "eval" / "feeds"


def measured_text(markup: str) -> str:
    soup = BeautifulSoup(markup, "lxml")
    for tag in soup(["script", "style"]):
        tag.decompose()
    return " ".join(soup.get_text(" ").split())


def collapsed(text: str) -> str:
    return " ".join(text.split())


def feed_languages(source_txt: Path) -> dict[str, str]:
    languages: dict[str, str] = {}
    current = None
    for line in source_txt.read_text(encoding="utf-8").splitlines():
        if line.startswith("== "):
            current = line[3:].strip()
        elif current and line.startswith("language"):
            value = line.split(":", 1)[1].strip()
            languages[current] = re.split(r"[-\s(]", value, maxsplit=1)[0].lower()
    return languages


class Feeds:
    def __init__(self) -> None:
        self.body = b""
        self.requests: list[str] = []
        feeds = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                feeds.requests.append(self.path)
                if self.path.startswith("/feed"):
                    status, body, ctype = 200, feeds.body, "application/xml"
                else:
                    status, body, ctype = 404, b"not here", "text/plain"
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def run_feed(feeds: Feeds, path: Path, client: HttpClient) -> dict[str, Any]:
    feeds.body = path.read_bytes()
    feeds.requests.clear()
    spec = SourceSpec(
        name=path.stem,
        kind="rss",
        url=f"{feeds.base}/feed/{path.name}",
        allow_private=True,
        options={"max_items": "1000"},
    )
    result = collect(spec, client)
    parsed = feedparser.parse(path.read_bytes())
    contents: dict[str, str] = {}
    for entry in parsed.entries:
        values = [str(c.get("value") or "") for c in entry.get("content") or []]
        if values:
            key = collapsed(measured_text(str(entry.get("title") or "")))
            contents[key] = max((measured_text(v) for v in values), key=len)
    shares: list[float] = []
    for record in result.records:
        full = contents.get(collapsed(record.title))
        if full:
            shares.append(min(1.0, len(collapsed(record.text)) / len(full)))
    languages = [resolve_language(f"{r.title}\n{r.text}", r.language) for r in result.records]
    return {
        "items": len(result.records),
        "requests": sum(1 for p in feeds.requests if p != "/robots.txt"),
        "origins": Counter(r.text_origin for r in result.records),
        "shares": shares,
        "languages": languages,
        "errors": len(result.errors),
    }


def main() -> int:
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_DIR
    expected = feed_languages(root / "full_content" / "SOURCE.txt")
    feeds = Feeds()
    client = HttpClient(user_agent="coi-bench/1.0", contact="bench@example.org", min_delay=0.0)
    print(
        f"{'feed':<34} {'items':>5} {'req':>4} {'origins':<28} {'kept min':>8} {'kept med':>8} "
        f"{'lang':>5} {'lang ok':>8}"
    )
    failures: list[str] = []
    paths = sorted((root / "full_content").glob("*.xml")) + sorted(
        p for p in root.rglob("*.xml") if p.parent.name != "full_content"
    )
    for path in paths:
        try:
            row = run_feed(feeds, path, client)
        except Exception as exc:
            print(f"{path.name:<34} failed: {type(exc).__name__}: {exc}")
            failures.append(path.name)
            continue
        origins = ", ".join(f"{k} {v}" for k, v in sorted(row["origins"].items()))
        shares = row["shares"]
        kept_min = f"{min(shares):.3f}" if shares else "-"
        kept_med = f"{statistics.median(shares):.3f}" if shares else "-"
        want = expected.get(path.name)
        if want:
            right = sum(1 for lang in row["languages"] if lang == want)
            lang_ok = f"{right}/{len(row['languages'])}"
            if want != "en" and right != len(row["languages"]):
                failures.append(f"{path.name}: language")
        else:
            lang_ok = "-"
        if shares and min(shares) < 0.95:
            failures.append(f"{path.name}: kept {min(shares):.3f}")
        print(
            f"{path.name:<34} {row['items']:>5} {row['requests']:>4} {origins:<28} {kept_min:>8} "
            f"{kept_med:>8} {want or '-':>5} {lang_ok:>8}"
        )
    print("targets met" if not failures else "targets missed: " + "; ".join(failures))
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
