"""The exceptions the collectors raise.

Every failure to fetch is a :class:`FetchError`; every failure to make sense of fetched bytes is a
:class:`ParseError`. Both carry a one-line message fit for a run log. Nothing here retries or logs.
"""

from __future__ import annotations


class CollectorError(Exception):
    """Base of everything the collectors raise on purpose."""


class FetchError(CollectorError):
    """A URL could not be fetched; the message says which URL and why."""

    def __init__(self, message: str, url: str = "") -> None:
        super().__init__(message)
        self.url = url


class BlockedAddressError(FetchError):
    """The host resolves to an address the client refuses (private, loopback, ...) or bad scheme."""


class RobotsDisallowedError(FetchError):
    """The site's robots.txt forbids this URL to our user agent."""


class TooLargeError(FetchError):
    """The response body is bigger than the configured cap."""


class HttpStatusError(FetchError):
    """The server answered with an error status (after any retries)."""

    def __init__(self, message: str, url: str = "", status: int = 0) -> None:
        super().__init__(message, url)
        self.status = status


class TooManyRedirectsError(FetchError):
    """Too many redirects, or a redirect loop."""


class FetchTimeoutError(FetchError):
    """Connecting, reading, or the whole exchange took longer than allowed."""


class ParseError(CollectorError):
    """Fetched bytes are not what the source kind promises (malformed, empty, wrong format)."""


class SourceConfigError(CollectorError, ValueError):
    """A source's specification cannot work (missing option, unknown kind)."""
