"""A real HTTP server on 127.0.0.1 with programmable answers, and golden-file comparison."""

from __future__ import annotations

import hashlib
import ipaddress
import json
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from collectors.http import HttpClient
from collectors.records import Record, Snapshot

FIXTURES = Path(__file__).parent / "fixtures"


@dataclass
class Reply:
    """One programmed answer."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str | None = "text/plain; charset=utf-8"
    drip_seconds: float = 0.0  # pause before each byte of the body
    send_length: bool = True


@dataclass
class SeenRequest:
    path: str
    headers: dict[str, str]


Responder = Callable[[SeenRequest], Reply]


class LoopbackServer:
    """Threaded ``http.server`` on an ephemeral loopback port; routes map a path to replies."""

    Reply = Reply

    def __init__(self) -> None:
        self.routes: dict[str, list[Reply] | Responder] = {}
        self.requests: list[SeenRequest] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                seen = SeenRequest(self.path, {k.lower(): v for k, v in self.headers.items()})
                reply = server.answer(seen)
                self.send_response(reply.status)
                if reply.content_type:
                    self.send_header("Content-Type", reply.content_type)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                if reply.send_length:
                    self.send_header("Content-Length", str(len(reply.body)))
                self.send_header("Connection", "close")
                self.end_headers()
                try:
                    if reply.drip_seconds:
                        for index in range(len(reply.body)):
                            time.sleep(reply.drip_seconds)
                            self.wfile.write(reply.body[index : index + 1])
                            self.wfile.flush()
                    else:
                        self.wfile.write(reply.body)
                except OSError:
                    pass
                self.close_connection = True

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.block_on_close = False
        self.port = self.httpd.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, args=(0.02,), daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join(timeout=5)

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def route(self, path: str, *replies: Reply) -> None:
        """Answer ``path`` with ``replies`` in turn; the last one repeats."""
        self.routes[path] = list(replies)

    def route_fn(self, path: str, responder: Responder) -> None:
        self.routes[path] = responder

    def serve_file(self, path: str, name: str, content_type: str, **extra: Any) -> bytes:
        body = (FIXTURES / name).read_bytes()
        self.route(path, Reply(body=body, content_type=content_type, **extra))
        return body

    def hits(self, path: str) -> int:
        return sum(1 for seen in self.requests if seen.path == path)

    def answer(self, seen: SeenRequest) -> Reply:
        with self._lock:
            self.requests.append(seen)
            target = self.routes.get(seen.path)
            if target is None:
                target = self.routes.get(seen.path.split("?", 1)[0])
            if target is None:
                return Reply(status=404, body=b"not found")
            if callable(target):
                return target(seen)
            reply = target[0]
            if len(target) > 1:
                target.pop(0)
            return reply


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any test that would resolve a host name or connect anywhere but 127.0.0.1."""
    real_getaddrinfo = socket.getaddrinfo
    real_connect = socket.socket.connect

    def guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            ipaddress.ip_address(str(host))
        except ValueError:
            raise AssertionError(f"test tried to resolve {host!r}") from None
        return real_getaddrinfo(host, *args, **kwargs)

    def guarded_connect(self: socket.socket, address: Any) -> None:
        if address[0] not in ("127.0.0.1", "::1"):
            raise AssertionError(f"test tried to connect to {address!r}")
        real_connect(self, address)

    monkeypatch.setattr(socket, "getaddrinfo", guarded_getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", guarded_connect)


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    running = LoopbackServer()
    running.start()
    try:
        yield running
    finally:
        running.stop()


@dataclass
class FakeTime:
    """An injectable clock and sleep: sleeping advances the clock and is recorded."""

    now: float = 1000.0
    sleeps: list[float] = field(default_factory=list)

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


def make_client(fake: FakeTime | None = None, **overrides: Any) -> HttpClient:
    options: dict[str, Any] = {
        "user_agent": "coi-collector-tests/1.0",
        "contact": "coi-team@example.org",
        "connect_timeout": 2.0,
        "read_timeout": 2.0,
        "total_timeout": 5.0,
        "min_delay": 0.0,
        "backoff_base": 0.01,
    }
    if fake is not None:
        options["clock"] = fake.clock
        options["sleep"] = fake.sleep
    options.update(overrides)
    return HttpClient(**options)


@pytest.fixture
def client(fake_time: FakeTime) -> HttpClient:
    return make_client(fake_time)


@pytest.fixture
def client_factory() -> Callable[..., HttpClient]:
    return make_client


def _pdf_string(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def build_pdf(lines: Sequence[str], title: str = "Sample report") -> bytes:
    """A one-page PDF with ``lines`` of Helvetica text, written from scratch."""
    stream_lines = ["BT", "/F1 11 Tf", "14 TL", "72 760 Td"]
    for line in lines:
        stream_lines.append(f"({_pdf_string(line)}) Tj T*")
    stream_lines.append("ET")
    stream = "\n".join(stream_lines).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Title (" + _pdf_string(title).encode("latin-1") + b") >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info 6 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    ).encode()
    return bytes(out)


@pytest.fixture
def pdf_factory() -> Callable[..., bytes]:
    return build_pdf


def gzip_bytes(data: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    return compressor.compress(data) + compressor.flush()


@pytest.fixture
def gzipper() -> Callable[[bytes], bytes]:
    return gzip_bytes


def _snapshot_json(snapshot: Snapshot, base: str) -> dict[str, Any]:
    return {
        "url": snapshot.url.replace(base, "BASE"),
        "content_type": snapshot.content_type,
        "status": snapshot.status,
        # the server's port changes between runs: hash the bytes with the address replaced
        "sha256": hashlib.sha256(snapshot.content.replace(base.encode(), b"BASE")).hexdigest(),
    }


def record_json(record: Record, base: str = "\0") -> dict[str, Any]:
    """A record as plain JSON, with the server's address replaced by ``BASE``."""
    return {
        "url": record.url.replace(base, "BASE"),
        "link": record.link.replace(base, "BASE"),
        "title": record.title,
        "text": record.text,
        "summary": record.summary,
        "published_at": record.published_at.isoformat() if record.published_at else None,
        "author": record.author,
        "language": record.language,
        "document_type": record.document_type,
        "source_tags": list(record.source_tags),
        "countries": list(record.countries),
        "snapshot": _snapshot_json(record.snapshot, base),
        "extra_snapshots": [_snapshot_json(s, base) for s in record.extra_snapshots],
        "content_sha256": record.content_sha256,
    }


@pytest.fixture
def as_json() -> Callable[..., dict[str, Any]]:
    return record_json


@pytest.fixture
def golden() -> Callable[[str, Any], None]:
    """Compare JSON-able data with ``fixtures/<name>``; ``GOLDEN_WRITE=1`` rewrites the file."""
    import os

    def check(name: str, actual: Any) -> None:
        path = FIXTURES / name
        rendered = json.dumps(actual, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
        if os.environ.get("GOLDEN_WRITE") == "1":
            path.write_text(rendered, encoding="utf-8")
        expected = json.loads(path.read_text(encoding="utf-8"))
        assert json.loads(rendered) == expected

    return check
