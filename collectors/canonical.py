"""Canonical form of a URL, so that one document has one identity.

What it does: lower-cases scheme and host (IDNA-encodes non-ASCII host names), drops default ports,
user info and fragments, removes tracking parameters (``utm_*``, ``fbclid``, ``gclid``, ...), sorts
the remaining query parameters, resolves ``.``/``..`` path segments and normalises percent-escapes.

What it does not do: it never fetches anything, does not follow redirects, and does not guess
site-specific equivalences (``www.`` prefixes, trailing slashes, ``index.html``), which would merge
documents that may differ.
"""

from __future__ import annotations

import posixpath
import re
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

__all__ = ["TRACKING_PARAMETERS", "TRACKING_PREFIXES", "canonical_url", "is_tracking_parameter"]

TRACKING_PREFIXES: tuple[str, ...] = ("utm_", "at_", "pk_", "mtm_", "hsa_")
TRACKING_PARAMETERS: frozenset[str] = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "ocid",
        "cmpid",
        "icid",
        "_ga",
        "_gl",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "oly_anon_id",
        "oly_enc_id",
        "rb_clickid",
        "s_cid",
        "vero_id",
        "wt_mc",
        "xtor",
        "ito",
        "ns_campaign",
        "ns_mchannel",
        "ns_source",
        "ns_linkname",
        "ns_fee",
        "cmp",
        "smid",
        "sr_share",
        "ref_src",
        "ref_url",
        "taid",
    }
)

_DEFAULT_PORTS = {"http": 80, "https": 443}
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
_PATH_SAFE = "/:@!$&'()*+,;=-._~%"


def is_tracking_parameter(name: str) -> bool:
    """True for query parameters that only identify a campaign or a click, not the document."""
    lowered = name.lower()
    return lowered in TRACKING_PARAMETERS or lowered.startswith(TRACKING_PREFIXES)


def canonical_url(url: str) -> str:
    """The canonical form of ``url``; see the module docstring. Raises ``ValueError`` on garbage."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = _host(parts.hostname or "")
    port = parts.port  # raises ValueError on a non-numeric port
    netloc = host
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        netloc = f"{host}:{port}"
    path = _path(parts.path, absolute=bool(netloc))
    query = _query(parts.query)
    return urlunsplit((scheme, netloc, path, query, ""))


def _host(host: str) -> str:
    host = host.lower().rstrip(".")
    if not host or host.isascii():
        return f"[{host}]" if ":" in host else host
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return quote(host, safe="")


def _normalise_escapes(text: str) -> str:
    def fix(match: re.Match[str]) -> str:
        char = chr(int(match.group(1), 16))
        return char if char in _UNRESERVED else f"%{match.group(1).upper()}"

    return _ESCAPE.sub(fix, text)


def _path(path: str, *, absolute: bool) -> str:
    if not path:
        return "/" if absolute else ""
    path = _normalise_escapes(quote(path, safe=_PATH_SAFE))
    trailing = path.endswith("/") or path.endswith("/.") or path.endswith("/..")
    normalised = posixpath.normpath(path)
    if normalised.startswith("//"):
        normalised = "/" + normalised.lstrip("/")
    if normalised == ".":
        normalised = "/"
    if trailing and not normalised.endswith("/"):
        normalised += "/"
    return normalised


def _query(query: str) -> str:
    if not query:
        return ""
    pairs = [
        (name, value)
        for name, value in parse_qsl(query, keep_blank_values=True)
        if not is_tracking_parameter(name)
    ]
    pairs.sort()
    return urlencode(pairs, quote_via=quote, safe="/:@!$'()*,;~")
