"""The HTTP client against a real loopback server."""

from __future__ import annotations

import socket
import time
from typing import Any

import pytest

from collectors import http as http_module
from collectors.errors import (
    BlockedAddressError,
    FetchError,
    FetchTimeoutError,
    HttpStatusError,
    RobotsDisallowedError,
    TooLargeError,
    TooManyRedirectsError,
)
from collectors.http import HttpClient, address_refusal


def test_fetch_returns_body_headers_and_dates(server: Any, client: HttpClient) -> None:
    server.route(
        "/page",
        server.Reply(
            body=b"<p>hello</p>",
            content_type="text/html; charset=utf-8",
            headers={
                "ETag": '"v1"',
                "Last-Modified": "Mon, 01 Jun 2026 08:00:00 GMT",
                "Date": "Mon, 01 Jun 2026 09:30:00 GMT",
            },
        ),
    )
    response = client.fetch(server.url("/page"), allow_private=True)
    assert response.status == 200
    assert response.content == b"<p>hello</p>"
    assert response.mime_type == "text/html"
    assert response.etag == '"v1"'
    assert response.last_modified == "Mon, 01 Jun 2026 08:00:00 GMT"
    assert response.http_date is not None and response.http_date.isoformat() == "2026-06-01T09:30:00+00:00"
    assert response.fetched_at.tzinfo is not None
    assert not response.not_modified
    sent = next(r for r in server.requests if r.path == "/page").headers
    assert sent["user-agent"] == "coi-collector-tests/1.0 (+mailto:coi-team@example.org)"
    assert sent["from"] == "coi-team@example.org"


def test_conditional_get_gives_not_modified(server: Any, client: HttpClient) -> None:
    def answer(seen: Any) -> Any:
        if seen.headers.get("if-none-match") == '"v1"':
            return server.Reply(status=304, body=b"", headers={"ETag": '"v1"'})
        return server.Reply(body=b"full", headers={"ETag": '"v1"'})

    server.route_fn("/feed", answer)
    first = client.fetch(server.url("/feed"), allow_private=True)
    second = client.fetch(server.url("/feed"), allow_private=True, etag=first.etag)
    assert first.content == b"full" and not first.not_modified
    assert second.not_modified and second.status == 304 and second.content == b""
    assert second.etag == '"v1"'


def test_if_modified_since_is_sent(server: Any, client: HttpClient) -> None:
    server.route("/feed", server.Reply(status=304))
    response = client.fetch(
        server.url("/feed"), allow_private=True, last_modified="Sun, 31 May 2026 10:00:00 GMT"
    )
    assert response.not_modified
    assert response.last_modified == "Sun, 31 May 2026 10:00:00 GMT"
    assert server.requests[-1].headers["if-modified-since"] == "Sun, 31 May 2026 10:00:00 GMT"


def test_redirects_are_followed(server: Any, client: HttpClient) -> None:
    server.route("/old", server.Reply(status=301, headers={"Location": "/middle"}))
    server.route("/middle", server.Reply(status=302, headers={"Location": server.url("/new")}))
    server.route("/new", server.Reply(body=b"moved here"))
    response = client.fetch(server.url("/old"), allow_private=True)
    assert response.final_url == server.url("/new")
    assert response.url == server.url("/old")
    assert response.content == b"moved here"


def test_redirect_loop_is_detected(server: Any, client: HttpClient) -> None:
    server.route("/a", server.Reply(status=302, headers={"Location": "/b"}))
    server.route("/b", server.Reply(status=302, headers={"Location": "/a"}))
    with pytest.raises(TooManyRedirectsError, match="redirect loop"):
        client.fetch(server.url("/a"), allow_private=True)
    assert server.hits("/a") == 1 and server.hits("/b") == 1


def test_too_many_redirects(server: Any, client_factory: Any) -> None:
    for hop in range(5):
        server.route(f"/r{hop}", server.Reply(status=307, headers={"Location": f"/r{hop + 1}"}))
    server.route("/r5", server.Reply(body=b"end"))
    with pytest.raises(TooManyRedirectsError, match="more than 3 redirects"):
        client_factory(max_redirects=3).fetch(server.url("/r0"), allow_private=True)
    assert client_factory(max_redirects=5).fetch(server.url("/r0"), allow_private=True).content == b"end"


def test_redirect_to_another_scheme_is_refused(server: Any, client: HttpClient) -> None:
    server.route("/sneaky", server.Reply(status=302, headers={"Location": "file:///etc/passwd"}))
    with pytest.raises(BlockedAddressError, match="only http and https"):
        client.fetch(server.url("/sneaky"), allow_private=True)


def test_redirect_hop_to_private_address_is_refused(server: Any, client_factory: Any) -> None:
    # the loopback server is exempted so the first hop can run; the second hop must be checked again
    client = client_factory(exempt_networks=["127.0.0.1/32"])
    server.route("/go", server.Reply(status=302, headers={"Location": "http://10.1.2.3/internal"}))
    with pytest.raises(BlockedAddressError, match="10.1.2.3"):
        client.fetch(server.url("/go"))
    assert server.hits("/go") == 1


def test_client_error_raises_status_error(server: Any, client: HttpClient) -> None:
    server.route("/gone", server.Reply(status=410, body=b"gone"))
    with pytest.raises(HttpStatusError) as caught:
        client.fetch(server.url("/gone"), allow_private=True)
    assert caught.value.status == 410
    assert "HTTP 410" in str(caught.value)
    assert server.hits("/gone") == 1  # 4xx is not retried


def test_server_error_is_retried_then_succeeds(server: Any, client: HttpClient, fake_time: Any) -> None:
    server.route("/flaky", server.Reply(status=503), server.Reply(status=500), server.Reply(body=b"finally"))
    response = client.fetch(server.url("/flaky"), allow_private=True)
    assert response.content == b"finally"
    assert server.hits("/flaky") == 3
    assert fake_time.sleeps == [0.01, 0.02]  # exponential backoff from backoff_base


def test_retries_are_exhausted(server: Any, client_factory: Any, fake_time: Any) -> None:
    server.route("/down", server.Reply(status=502))
    with pytest.raises(HttpStatusError) as caught:
        client_factory(fake_time, retries=2).fetch(server.url("/down"), allow_private=True)
    assert caught.value.status == 502
    assert server.hits("/down") == 3


def test_retry_after_seconds_is_honoured_and_capped(server: Any, client_factory: Any, fake_time: Any) -> None:
    server.route(
        "/busy",
        server.Reply(status=429, headers={"Retry-After": "7"}),
        server.Reply(status=429, headers={"Retry-After": "86400"}),
        server.Reply(body=b"ok"),
    )
    client = client_factory(fake_time, max_retry_wait=30.0)
    assert client.fetch(server.url("/busy"), allow_private=True).content == b"ok"
    assert fake_time.sleeps == [7.0, 30.0]


def test_retry_after_http_date(server: Any, client_factory: Any, fake_time: Any) -> None:
    from datetime import UTC, datetime

    server.route(
        "/busy",
        server.Reply(status=503, headers={"Retry-After": "Mon, 01 Jun 2026 12:00:20 GMT"}),
        server.Reply(body=b"ok"),
    )
    client = client_factory(fake_time, now=lambda: datetime(2026, 6, 1, 12, 0, 0, tzinfo=UTC))
    client.fetch(server.url("/busy"), allow_private=True)
    assert fake_time.sleeps == [20.0]


def test_slow_drip_hits_the_deadline(server: Any, client_factory: Any) -> None:
    server.route("/slow", server.Reply(body=b"x" * 200, drip_seconds=0.05))
    client = client_factory(read_timeout=1.0, total_timeout=0.5)
    started = time.monotonic()
    with pytest.raises(FetchTimeoutError, match="timed out"):
        client.fetch(server.url("/slow"), allow_private=True)
    assert time.monotonic() - started < 2.0


def test_silent_server_hits_the_read_timeout(server: Any, client_factory: Any) -> None:
    server.route("/silent", server.Reply(body=b"late", drip_seconds=2.0))
    started = time.monotonic()
    with pytest.raises(FetchTimeoutError):
        client_factory(read_timeout=0.3, total_timeout=5.0).fetch(server.url("/silent"), allow_private=True)
    assert time.monotonic() - started < 1.5


def test_declared_oversized_body_is_refused(server: Any, client_factory: Any) -> None:
    server.route("/big", server.Reply(body=b"a" * 5000))
    with pytest.raises(TooLargeError, match="declares 5000 bytes"):
        client_factory(max_bytes=1000).fetch(server.url("/big"), allow_private=True)


def test_undeclared_oversized_body_is_cut(server: Any, client_factory: Any) -> None:
    server.route("/big", server.Reply(body=b"a" * 300_000, send_length=False))
    with pytest.raises(TooLargeError, match="more than 100000 bytes"):
        client_factory(max_bytes=100_000).fetch(server.url("/big"), allow_private=True)


def test_gzip_body_is_decoded(server: Any, client: HttpClient, gzipper: Any) -> None:
    server.route(
        "/z", server.Reply(body=gzipper(b"compressed text " * 10), headers={"Content-Encoding": "gzip"})
    )
    assert client.fetch(server.url("/z"), allow_private=True).content == b"compressed text " * 10
    assert server.requests[-1].headers["accept-encoding"] == "gzip"


def test_gzip_bomb_is_capped(server: Any, client_factory: Any, gzipper: Any) -> None:
    bomb = gzipper(b"\0" * 5_000_000)
    assert len(bomb) < 10_000
    server.route("/bomb", server.Reply(body=bomb, headers={"Content-Encoding": "gzip"}))
    with pytest.raises(TooLargeError, match="decompresses to more than"):
        client_factory(max_bytes=100_000).fetch(server.url("/bomb"), allow_private=True)


def test_robots_disallow_is_respected(server: Any, client: HttpClient) -> None:
    server.route(
        "/robots.txt",
        server.Reply(
            body=b"User-agent: coi-collector-tests\nDisallow: /private/\n\nUser-agent: *\nDisallow:\n"
        ),
    )
    server.route("/private/doc", server.Reply(body=b"secret"))
    server.route("/public/doc", server.Reply(body=b"open"))
    with pytest.raises(RobotsDisallowedError, match="robots.txt disallows"):
        client.fetch(server.url("/private/doc"), allow_private=True)
    assert client.fetch(server.url("/public/doc"), allow_private=True).content == b"open"
    assert server.hits("/private/doc") == 0
    assert server.hits("/robots.txt") == 1  # cached per host


def test_robots_failure_means_allowed(server: Any, client: HttpClient) -> None:
    server.route("/robots.txt", server.Reply(status=500))
    server.route("/doc", server.Reply(body=b"fine"))
    assert client.fetch(server.url("/doc"), allow_private=True).content == b"fine"


def test_robots_can_be_ignored(server: Any, client_factory: Any) -> None:
    server.route("/robots.txt", server.Reply(body=b"User-agent: *\nDisallow: /\n"))
    server.route("/doc", server.Reply(body=b"fine"))
    client = client_factory(respect_robots=False)
    assert client.fetch(server.url("/doc"), allow_private=True).content == b"fine"
    assert server.hits("/robots.txt") == 0


def test_min_delay_per_host(server: Any, client_factory: Any, fake_time: Any) -> None:
    server.route("/a", server.Reply(body=b"a"))
    server.route("/b", server.Reply(body=b"b"))
    client = client_factory(fake_time, min_delay=2.5, respect_robots=False)
    client.fetch(server.url("/a"), allow_private=True)
    client.fetch(server.url("/b"), allow_private=True)
    assert fake_time.sleeps == [2.5]


def test_loopback_is_refused_unless_allowed(server: Any, client: HttpClient) -> None:
    server.route("/doc", server.Reply(body=b"inside"))
    with pytest.raises(BlockedAddressError, match="127.0.0.1 \\(loopback\\)"):
        client.fetch(server.url("/doc"))
    assert server.requests == []


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://192.168.1.1:8080/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[fe80::1]/",
        "http://0.0.0.0/",
        "http://224.0.0.1/",
        "https://100.64.0.1/",
    ],
)
def test_private_addresses_refused_without_traffic(
    url: str, client: HttpClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_socket(*args: Any, **kwargs: Any) -> socket.socket:
        raise AssertionError("a socket was opened")

    monkeypatch.setattr(http_module.socket, "socket", no_socket)
    with pytest.raises(BlockedAddressError, match="refused"):
        client.fetch(url)


@pytest.mark.parametrize("url", ["ftp://example.org/file", "file:///etc/passwd", "gopher://x/"])
def test_other_schemes_refused(url: str, client: HttpClient) -> None:
    with pytest.raises(BlockedAddressError, match="only http and https"):
        client.fetch(url)


def test_address_refusal_classifies() -> None:
    assert address_refusal("8.8.8.8") is None
    assert address_refusal("2001:4860:4860::8888") is None
    assert address_refusal("127.0.0.1") == "loopback"
    assert address_refusal("169.254.1.1") == "link-local"
    assert address_refusal("::ffff:10.0.0.1") is not None
    assert address_refusal("fc00::1") is not None
    assert address_refusal("240.0.0.1") == "reserved"


def test_connection_refused_is_a_fetch_error(client: HttpClient) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(FetchError, match="cannot connect"):
        client.fetch(f"http://127.0.0.1:{port}/", allow_private=True)


def test_errors_have_one_line_messages(server: Any, client: HttpClient) -> None:
    server.route("/e", server.Reply(status=404))
    with pytest.raises(FetchError) as caught:
        client.fetch(server.url("/e"), allow_private=True)
    assert "\n" not in str(caught.value)
    assert caught.value.url == server.url("/e")


def test_dns_failure_is_a_fetch_error(client: HttpClient, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_such_host(*args: Any, **kwargs: Any) -> Any:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(http_module.socket, "getaddrinfo", no_such_host)
    with pytest.raises(FetchError, match="cannot resolve no-such-host.invalid"):
        client.fetch("https://no-such-host.invalid/feed")


def test_slow_dns_hits_the_connect_timeout(client_factory: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    def slow(*args: Any, **kwargs: Any) -> Any:
        time.sleep(1.0)
        raise socket.gaierror(socket.EAI_AGAIN, "too late")

    monkeypatch.setattr(http_module.socket, "getaddrinfo", slow)
    started = time.monotonic()
    with pytest.raises(FetchTimeoutError, match="DNS lookup"):
        client_factory(connect_timeout=0.2).fetch("https://slow-dns.invalid/")
    assert time.monotonic() - started < 0.8


def test_name_resolving_to_private_address_is_refused(
    client: HttpClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def rebinding(host: str, port: int, *args: Any, **kwargs: Any) -> Any:
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("192.168.0.10", port)),
        ]

    monkeypatch.setattr(http_module.socket, "getaddrinfo", rebinding)
    with pytest.raises(BlockedAddressError, match="192.168.0.10 \\(private\\)"):
        client.fetch("https://mixed-answers.example/feed")


def test_unsafe_characters_in_links_are_escaped(server: Any, client: HttpClient) -> None:
    server.route("/a%20b/%C3%A9t%C3%A9", server.Reply(body=b"escaped"))
    assert client.fetch(server.url("/a b/été"), allow_private=True).content == b"escaped"
    assert client.fetch(server.url("/a%20b/%C3%A9t%C3%A9"), allow_private=True).content == b"escaped"


def test_bad_validator_value_is_a_fetch_error(server: Any, client: HttpClient) -> None:
    server.route("/feed", server.Reply(body=b"x"))
    with pytest.raises(FetchError, match="cannot request"):
        client.fetch(server.url("/feed"), allow_private=True, etag='"v1"\r\nX-Injected: 1')
