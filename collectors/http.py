"""A polite, guarded HTTP client for untrusted public sites.

What it does: GET one URL at a time over ``http.client`` with connect and read timeouts plus a
deadline for the whole exchange (a server dripping one byte a second still ends in time), a cap on
the body size (also after gzip decoding), a bounded number of redirects with loop detection,
conditional GET (``If-None-Match``/``If-Modified-Since``), robots.txt (cached per host; a robots.txt
that cannot be fetched allows everything), a descriptive User-Agent, a minimum delay between two
requests to the same host, and retries with exponential backoff on 429 and 5xx that honour
``Retry-After``. Host names are resolved by the client itself; private, loopback, link-local,
multicast and reserved addresses (IPv4, IPv6, IPv4-mapped IPv6) are refused unless the caller allows
them, the address actually connected to is checked again, and every redirect hop goes through the
same checks.

What it does not do: cookies, authentication, proxies, caching of bodies, JavaScript, or parsing.
It never stores anything; the caller decides what to keep. All failures are :class:`FetchError`
subclasses with a one-line message.
"""

from __future__ import annotations

import email.utils
import http.client
import io
import ipaddress
import socket
import ssl
import threading
import time
import urllib.robotparser
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

from collectors.errors import (
    BlockedAddressError,
    FetchError,
    FetchTimeoutError,
    HttpStatusError,
    RobotsDisallowedError,
    TooLargeError,
    TooManyRedirectsError,
)
from collectors.records import Snapshot

__all__ = [
    "BlockedAddressError",
    "FetchError",
    "FetchResponse",
    "FetchTimeoutError",
    "HttpClient",
    "HttpStatusError",
    "RobotsDisallowedError",
    "TooLargeError",
    "TooManyRedirectsError",
    "address_refusal",
]

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
ROBOTS_MAX_BYTES = 512_000
ROBOTS_TTL_SECONDS = 24 * 3600.0
MAX_CRAWL_DELAY = 60.0
_CHUNK = 64 * 1024
_PATH_SAFE = "/%:@!$&'()*+,;=-._~"
_QUERY_SAFE = _PATH_SAFE + "?[]"


@dataclass(frozen=True)
class FetchResponse:
    """What one fetch produced, after redirects. ``content`` is empty when ``not_modified``."""

    url: str
    final_url: str
    status: int
    content: bytes
    content_type: str
    headers: Mapping[str, str]
    etag: str | None
    last_modified: str | None
    http_date: datetime | None
    fetched_at: datetime
    not_modified: bool = False

    @property
    def mime_type(self) -> str:
        """The media type without parameters, lower-case (``""`` when the server sent none)."""
        return self.content_type.split(";", 1)[0].strip().lower()

    def to_snapshot(self) -> Snapshot:
        """The stored copy of this response."""
        return Snapshot(
            url=self.final_url,
            content=self.content,
            content_type=self.content_type,
            fetched_at=self.fetched_at,
            http_date=self.http_date,
            status=self.status,
        )


@dataclass(frozen=True)
class _Raw:
    url: str
    status: int
    headers: Mapping[str, str]
    body: bytes


def address_refusal(address: str) -> str | None:
    """Why ``address`` must not be contacted, or ``None`` when it is a public unicast address."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return "not an IP address"
    if isinstance(ip, ipaddress.IPv6Address):
        mapped = ip.ipv4_mapped or ip.sixtofour
        if mapped is not None:
            inner = address_refusal(str(mapped))
            return None if inner is None else f"IPv6 wrapping of {mapped}: {inner}"
        if ip.teredo is not None:
            return "Teredo tunnel address"
    checks = (
        (ip.is_loopback, "loopback"),
        (ip.is_link_local, "link-local"),
        (ip.is_multicast, "multicast"),
        (ip.is_unspecified, "unspecified"),
        (ip.is_reserved, "reserved"),
        (ip.is_private, "private"),
        (not ip.is_global, "not globally routable"),
    )
    for flag, reason in checks:
        if flag:
            return reason
    return None


class _DeadlineReader(io.RawIOBase):
    """Raw reader over a socket that re-arms the timeout before every receive."""

    def __init__(self, owner: _DeadlineSocket) -> None:
        super().__init__()
        self._owner = owner

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        return self._owner.recv_into(buffer)

    def close(self) -> None:
        if not self.closed:
            self._owner.release()
        super().close()


class _DeadlineSocket:
    """The part of the socket API http.client uses, with a per-operation timeout and a deadline."""

    def __init__(self, sock: socket.socket, deadline: float, read_timeout: float) -> None:
        self._sock = sock
        self._deadline = deadline
        self._read_timeout = read_timeout
        self._readers = 0
        self._closing = False

    def _arm(self) -> None:
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("total time limit reached")
        self._sock.settimeout(min(self._read_timeout, remaining))

    def sendall(self, data: bytes) -> None:
        self._arm()
        self._sock.sendall(data)

    def recv_into(self, buffer: bytearray | memoryview) -> int:
        self._arm()
        return self._sock.recv_into(buffer)

    def makefile(self, mode: str = "rb", buffering: int | None = None) -> io.BufferedReader:
        self._readers += 1
        return io.BufferedReader(_DeadlineReader(self))

    def release(self) -> None:
        """A reader is done; the socket closes once it is also closed by its connection."""
        self._readers -= 1
        if self._closing and self._readers <= 0:
            self._sock.close()

    def close(self) -> None:
        # like socket.socket, stay open while a reader made by makefile() is still in use
        self._closing = True
        if self._readers <= 0:
            self._sock.close()


class _Connection(http.client.HTTPConnection):
    """An HTTP(S) connection to an address chosen and vetted by the client."""

    def __init__(self, sock: _DeadlineSocket, host: str, port: int, default_port: int) -> None:
        super().__init__(host, port)
        self.default_port = default_port
        self._ready = sock
        self.sock = sock  # already connected: close() must reach it even before the first send

    def connect(self) -> None:
        self.sock = self._ready


class HttpClient:
    """Fetches URLs politely and defensively; see the module docstring for the guarantees."""

    def __init__(
        self,
        user_agent: str,
        contact: str | None = None,
        connect_timeout: float = 10.0,
        read_timeout: float = 30.0,
        max_bytes: int = 20_000_000,
        max_redirects: int = 5,
        min_delay: float = 1.0,
        retries: int = 3,
        respect_robots: bool = True,
        *,
        exempt_networks: Iterable[str] = (),
        total_timeout: float = 120.0,
        backoff_base: float = 1.0,
        max_retry_wait: float = 120.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], datetime] | None = None,
        pinned_hosts: Mapping[str, tuple[str, int]] | None = None,
    ) -> None:
        """``pinned_hosts`` maps a host name to the (address, port) to connect to instead of
        resolving it, like curl's ``--resolve``; the mapping is read at each connection, so its
        owner may fill it later. URLs, ``Host`` headers and stored copies keep the name."""
        if not user_agent.strip():
            raise ValueError("user_agent must not be empty")
        self.user_agent = f"{user_agent} (+{_contact_uri(contact)})" if contact else user_agent
        self.contact = contact
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.total_timeout = total_timeout
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.min_delay = min_delay
        self.retries = retries
        self.respect_robots = respect_robots
        self.exempt_networks = tuple(ipaddress.ip_network(net, strict=False) for net in exempt_networks)
        self.backoff_base = backoff_base
        self.max_retry_wait = max_retry_wait
        self._clock = clock
        self._sleep = sleep
        self._now = now or (lambda: datetime.now(UTC))
        self._last_request: dict[str, float] = {}
        self._host_delay: dict[str, float] = {}
        self._robots: dict[str, tuple[float, urllib.robotparser.RobotFileParser | None]] = {}
        self._ssl = ssl.create_default_context()
        self.pinned_hosts: Mapping[str, tuple[str, int]] = pinned_hosts if pinned_hosts is not None else {}

    # -- public -------------------------------------------------------------------------------

    def fetch(
        self,
        url: str,
        *,
        allow_private: bool = False,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str | None = None,
    ) -> FetchResponse:
        """GET ``url`` following redirects; raise a :class:`FetchError` subclass on any failure.

        A 304 answer to a conditional request gives ``not_modified=True`` and an empty body.
        """
        headers = {"Accept": accept or "*/*"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        raw = self._follow(url, headers, allow_private, self.max_bytes, check_robots=True)
        if raw.status == 304:
            not_modified = True
        elif 200 <= raw.status < 300:
            not_modified = False
        else:
            raise HttpStatusError(f"HTTP {raw.status} from {raw.url}", raw.url, raw.status)
        return FetchResponse(
            url=url,
            final_url=raw.url,
            status=raw.status,
            content=b"" if not_modified else raw.body,
            content_type=raw.headers.get("content-type", ""),
            headers=raw.headers,
            etag=raw.headers.get("etag") or (etag if not_modified else None),
            last_modified=raw.headers.get("last-modified") or (last_modified if not_modified else None),
            http_date=_parse_http_date(raw.headers.get("date")),
            fetched_at=self._now(),
            not_modified=not_modified,
        )

    # -- redirects, robots, retries ----------------------------------------------------------

    def _follow(
        self,
        url: str,
        headers: Mapping[str, str],
        allow_private: bool,
        max_bytes: int,
        *,
        check_robots: bool,
    ) -> _Raw:
        current = url
        seen = {url}
        hops = 0
        while True:
            _check_url(current)
            if check_robots and self.respect_robots:
                self._enforce_robots(current, allow_private)
            raw = self._with_retries(current, headers, allow_private, max_bytes)
            if raw.status not in REDIRECT_STATUSES:
                return raw
            location = raw.headers.get("location", "").strip()
            if not location:
                raise FetchError(f"HTTP {raw.status} without Location from {current}", current)
            target = urljoin(current, location)
            hops += 1
            if target in seen:
                raise TooManyRedirectsError(f"redirect loop at {target}", url)
            if hops > self.max_redirects:
                raise TooManyRedirectsError(
                    f"more than {self.max_redirects} redirects starting at {url}", url
                )
            seen.add(target)
            current = target

    def _with_retries(
        self, url: str, headers: Mapping[str, str], allow_private: bool, max_bytes: int
    ) -> _Raw:
        attempt = 0
        while True:
            self._wait_turn(url)
            raw = self._request(url, headers, allow_private, max_bytes)
            if raw.status not in RETRY_STATUSES or attempt >= self.retries:
                return raw
            wait = _retry_after(raw.headers.get("retry-after"), self._now())
            if wait is None:
                wait = self.backoff_base * (2**attempt)
            self._sleep(max(0.0, min(wait, self.max_retry_wait)))
            attempt += 1

    def _wait_turn(self, url: str) -> None:
        key = _host_key(url)
        delay = max(self.min_delay, self._host_delay.get(key, 0.0))
        last = self._last_request.get(key)
        if last is not None and delay > 0:
            remaining = last + delay - self._clock()
            if remaining > 0:
                self._sleep(remaining)
        self._last_request[key] = self._clock()

    def _enforce_robots(self, url: str, allow_private: bool) -> None:
        key = _host_key(url)
        cached = self._robots.get(key)
        if cached is None or self._clock() - cached[0] > ROBOTS_TTL_SECONDS:
            cached = (self._clock(), self._load_robots(url, allow_private))
            self._robots[key] = cached
        parser = cached[1]
        if parser is None:
            return
        if not parser.can_fetch(self.user_agent, url):
            raise RobotsDisallowedError(f"robots.txt disallows {url}", url)
        crawl_delay = parser.crawl_delay(self.user_agent)
        if crawl_delay is not None:
            self._host_delay[key] = min(float(crawl_delay), MAX_CRAWL_DELAY)

    def _load_robots(self, url: str, allow_private: bool) -> urllib.robotparser.RobotFileParser | None:
        parts = urlsplit(url)
        robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
        try:
            raw = self._follow(
                robots_url,
                {"Accept": "text/plain"},
                allow_private,
                ROBOTS_MAX_BYTES,
                check_robots=False,
            )
        except BlockedAddressError:
            raise
        except FetchError:
            return None  # robots.txt unreachable: everything is allowed
        if raw.status != 200:
            return None
        parser = urllib.robotparser.RobotFileParser(robots_url)
        parser.parse(raw.body.decode("utf-8", errors="replace").splitlines())
        return parser

    # -- one request --------------------------------------------------------------------------

    def _request(self, url: str, headers: Mapping[str, str], allow_private: bool, max_bytes: int) -> _Raw:
        deadline = time.monotonic() + self.total_timeout
        parts = urlsplit(url)
        host = parts.hostname or ""
        secure = parts.scheme == "https"
        default_port = 443 if secure else 80
        try:
            port = parts.port or default_port
        except ValueError as exc:
            raise FetchError(f"bad port in {url}", url) from exc
        # links from untrusted pages may hold spaces or non-ASCII characters: escape them once
        path = quote(parts.path or "/", safe=_PATH_SAFE)
        if parts.query:
            path = f"{path}?{quote(parts.query, safe=_QUERY_SAFE)}"
        try:
            sock = self._connect(host, port, allow_private, deadline, url)
            try:
                if secure:
                    sock.settimeout(min(self.connect_timeout, _remaining(deadline)))
                    sock = self._ssl.wrap_socket(sock, server_hostname=host)
            except BaseException:
                sock.close()
                raise
            conn = _Connection(_DeadlineSocket(sock, deadline, self.read_timeout), host, port, default_port)
            response: http.client.HTTPResponse | None = None
            try:
                conn.putrequest("GET", path, skip_accept_encoding=True)
                conn.putheader("User-Agent", self.user_agent)
                conn.putheader("Accept-Encoding", "gzip")
                conn.putheader("Connection", "close")
                if self.contact and "@" in self.contact and ":" not in self.contact:
                    conn.putheader("From", self.contact)
                for name, value in headers.items():
                    conn.putheader(name, value)
                conn.endheaders()
                response = conn.getresponse()
                status = response.status
                resp_headers = MappingProxyType({k.lower(): v for k, v in response.getheaders()})
                if status in REDIRECT_STATUSES or status in RETRY_STATUSES or status == 304:
                    body = b""
                else:
                    body = _read_body(response, resp_headers, max_bytes, url)
            finally:
                if response is not None:
                    response.close()
                conn.close()
        except FetchError:
            raise
        except TimeoutError as exc:
            raise FetchTimeoutError(f"timed out fetching {url} ({_reason(exc)})", url) from exc
        except ssl.SSLError as exc:
            raise FetchError(f"TLS failure for {url}: {_reason(exc)}", url) from exc
        except http.client.HTTPException as exc:
            raise FetchError(f"malformed HTTP response from {url}: {_reason(exc)}", url) from exc
        except OSError as exc:
            raise FetchError(f"network error for {url}: {_reason(exc)}", url) from exc
        except ValueError as exc:  # header values http.client refuses to send
            raise FetchError(f"cannot request {url}: {_reason(exc)}", url) from exc
        return _Raw(url=url, status=status, headers=resp_headers, body=body)

    def _refusal(self, address: str) -> str | None:
        why = address_refusal(address)
        if why is not None and self.exempt_networks:
            ip = ipaddress.ip_address(address.split("%", 1)[0])
            if any(ip.version == net.version and ip in net for net in self.exempt_networks):
                return None
        return why

    def _connect(self, host: str, port: int, allow_private: bool, deadline: float, url: str) -> socket.socket:
        pinned = self.pinned_hosts.get(host.lower())
        if pinned is not None:
            host, port = pinned
        try:
            infos = _resolve(host, port, min(self.connect_timeout, _remaining(deadline)))
        except socket.gaierror as exc:
            raise FetchError(f"cannot resolve {host}: {_reason(exc)}", url) from exc
        if not infos:
            raise FetchError(f"cannot resolve {host}", url)
        if not allow_private:
            for info in infos:
                address = str(info[4][0])
                why = self._refusal(address)
                if why is not None:
                    raise BlockedAddressError(f"refused {url}: {host} resolves to {address} ({why})", url)
        last_error: OSError | None = None
        for family, socktype, proto, _name, sockaddr in infos:
            sock = socket.socket(family, socktype, proto)
            try:
                sock.settimeout(min(self.connect_timeout, _remaining(deadline)))
                sock.connect(sockaddr)
                peer = str(sock.getpeername()[0])
                if not allow_private:
                    why = self._refusal(peer)
                    if why is not None:
                        raise BlockedAddressError(f"refused {url}: connected to {peer} ({why})", url)
                return sock
            except BaseException as exc:
                sock.close()
                if isinstance(exc, TimeoutError):
                    raise
                if not isinstance(exc, OSError) or isinstance(exc, BlockedAddressError):
                    raise
                last_error = exc
        assert last_error is not None
        raise FetchError(f"cannot connect to {host}:{port}: {_reason(last_error)}", url)


# -- internals ---------------------------------------------------------------------------------


_AddrInfo = tuple[socket.AddressFamily, socket.SocketKind, int, str, tuple[Any, ...]]


def _resolve(host: str, port: int, timeout: float) -> list[_AddrInfo]:
    """``getaddrinfo`` with a time limit (the resolver itself has none)."""
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        pass
    else:  # a literal address: no lookup, no thread
        return list(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
    answer: list[_AddrInfo] = []
    failure: list[BaseException] = []

    def lookup() -> None:
        try:
            answer.extend(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
        except BaseException as exc:  # handed over to the calling thread
            failure.append(exc)

    worker = threading.Thread(target=lookup, name=f"resolve {host}", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise TimeoutError(f"DNS lookup of {host} took longer than {timeout:.1f} s")
    if failure:
        raise failure[0]
    return answer


def _remaining(deadline: float) -> float:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise TimeoutError("total time limit reached")
    return remaining


def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


def _contact_uri(contact: str) -> str:
    if "@" in contact and ":" not in contact:
        return f"mailto:{contact}"
    return contact


def _check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise BlockedAddressError(f"refused {url!r}: only http and https are fetched", url)
    if not parts.hostname:
        raise FetchError(f"no host in {url!r}", url)


def _host_key(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{(parts.hostname or '').lower()}:{parts.port or ''}"


def _read_body(
    response: http.client.HTTPResponse, headers: Mapping[str, str], max_bytes: int, url: str
) -> bytes:
    declared = headers.get("content-length", "").strip()
    if declared.isdigit() and int(declared) > max_bytes:
        raise TooLargeError(f"{url} declares {declared} bytes, above the {max_bytes} cap", url)
    encoding = headers.get("content-encoding", "").strip().lower()
    if encoding in ("gzip", "x-gzip", "deflate"):
        return _inflate(_chunks(response, max_bytes, url), max_bytes, url)
    return b"".join(_chunks(response, max_bytes, url))


def _chunks(response: http.client.HTTPResponse, max_bytes: int, url: str) -> Iterator[bytes]:
    total = 0
    while True:
        chunk = response.read(_CHUNK)
        if not chunk:
            return
        total += len(chunk)
        if total > max_bytes:
            raise TooLargeError(f"{url} sent more than {max_bytes} bytes", url)
        yield chunk


def _inflate(chunks: Iterator[bytes], max_bytes: int, url: str) -> bytes:
    decoder = zlib.decompressobj(32 + zlib.MAX_WBITS)  # gzip or zlib header
    out = bytearray()
    try:
        for chunk in chunks:
            pending = chunk
            while pending:
                out += decoder.decompress(pending, max_bytes + 1 - len(out))
                if len(out) > max_bytes:
                    raise TooLargeError(f"{url} decompresses to more than {max_bytes} bytes", url)
                pending = decoder.unconsumed_tail
        out += decoder.flush()
    except zlib.error as exc:
        raise FetchError(f"corrupt compressed body from {url}: {exc}", url) from exc
    if len(out) > max_bytes:
        raise TooLargeError(f"{url} decompresses to more than {max_bytes} bytes", url)
    return bytes(out)


def _parse_http_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP date), if usable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    when = _parse_http_date(value)
    if when is None:
        return None
    return max(0.0, (when - now).total_seconds())
