"""Run feedparser's own test corpus through the feed collector over loopback HTTP.

Every data file under ``feedparser_tests/tests`` is served by a local ``http.server`` (with the
``Header:`` lines some files declare in their leading comment), fetched with
:class:`collectors.http.HttpClient` and parsed by :func:`collectors.parse_items` as an ``rss``
source, each under a time limit. Outcomes: ``ok`` (a list of items, possibly empty), ``clean error``
(:class:`collectors.errors.CollectorError`), ``crash`` (any other exception) and ``hang`` (time
limit reached). The goal is zero crashes and zero hangs.

Run: ``python bench/feed_robustness.py [CORPUS_DIR] [--limit SECONDS] [--show N]``.
"""

from __future__ import annotations

import argparse
import collections
import re
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import FrameType
from typing import Any

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "shared" / "eval" / "feedparser_tests"
_HEADER_LINE = re.compile(rb"^Header:\s*([A-Za-z0-9-]+):\s*(.*?)\s*$", re.M)
_SKIP_SUFFIXES = {".py", ".pyc"}


class HangError(Exception):
    pass


def _declared_headers(body: bytes) -> list[tuple[str, str]]:
    head = body[:4096]
    return [(k.decode("ascii"), v.decode("latin-1")) for k, v in _HEADER_LINE.findall(head)]


def _content_type(path: Path) -> str:
    if path.suffix == ".json":
        return "application/json"
    return "application/xml"


def serve(root: Path) -> tuple[ThreadingHTTPServer, threading.Thread]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            target = (root / self.path.lstrip("/").split("?", 1)[0]).resolve()
            if root not in target.parents or not target.is_file():
                self.send_error(404)
                return
            body = target.read_bytes()
            headers = _declared_headers(body)
            self.send_response(200)
            if not any(name.lower() == "content-type" for name, _ in headers):
                self.send_header("Content-Type", _content_type(target))
            for name, value in headers:
                if name.lower() not in ("content-length", "content-encoding", "transfer-encoding"):
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    return httpd, thread


def _alarm(signum: int, frame: FrameType | None) -> None:
    raise HangError


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--limit", type=float, default=10.0, help="seconds per file")
    parser.add_argument("--show", type=int, default=10, help="crashes/hangs to list")
    args = parser.parse_args(argv[1:])
    root = (args.corpus / "tests").resolve()
    if not root.is_dir():
        print(f"feedparser test corpus not found at {args.corpus}; nothing to run")
        return 0
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from collectors import parse_items
    from collectors.errors import CollectorError
    from collectors.http import HttpClient
    from collectors.records import SourceSpec

    files = sorted(p for p in root.rglob("*") if p.is_file() and p.suffix not in _SKIP_SUFFIXES)
    httpd, thread = serve(root)
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    client = HttpClient(
        "coi-collector-bench/1.0",
        connect_timeout=5.0,
        read_timeout=5.0,
        min_delay=0.0,
        retries=0,
        respect_robots=False,
        total_timeout=args.limit,
    )
    counts: collections.Counter[str] = collections.Counter()
    problems: list[str] = []
    slowest: tuple[float, str] = (0.0, "")
    previous = signal.signal(signal.SIGALRM, _alarm)
    started = time.perf_counter()
    try:
        for path in files:
            relative = path.relative_to(root).as_posix()
            spec = SourceSpec(name=relative, kind="rss", url=f"{base}/{relative}", allow_private=True)
            began = time.perf_counter()
            signal.setitimer(signal.ITIMER_REAL, args.limit)
            try:
                response = client.fetch(spec.url, allow_private=True)
                parse_items(spec, response)
                counts["ok"] += 1
            except HangError:
                counts["hang"] += 1
                problems.append(f"hang  {relative}")
            except CollectorError:
                counts["clean error"] += 1
            except Exception as exc:
                counts["crash"] += 1
                problems.append(f"crash {relative}: {type(exc).__name__}: {exc}")
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            elapsed = time.perf_counter() - began
            slowest = max(slowest, (elapsed, relative))
    finally:
        signal.signal(signal.SIGALRM, previous)
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)
    total = time.perf_counter() - started
    print(f"files: {len(files)}  time: {total:.1f} s  slowest: {slowest[1]} ({slowest[0]:.2f} s)")
    for outcome in ("ok", "clean error", "crash", "hang"):
        print(f"{outcome:>12}: {counts[outcome]}")
    for line in problems[: args.show]:
        print(line)
    return 1 if counts["crash"] or counts["hang"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
