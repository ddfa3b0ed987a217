"""ReliefWeb API v2 ``reports``: build the request URL, turn the JSON answer into listing items.

What it does: :func:`build_request_url` makes a GET URL for the reports endpoint from a source's
options (``appname`` is required by the API and here; optional ``query``, ``country`` as ISO3 codes
separated by commas, ``source``, ``theme``, ``format``, ``language`` and ``limit``), asking for the
fields the collectors use, newest first. :func:`parse_reports` maps each report to a
:class:`~collectors.items.ListingItem`: title, the human-readable URL, dates, body text, sources as
author, ISO3 countries converted to ISO 3166-1 alpha-2 with pycountry, themes as tags, format as
document type, language, and PDF attachments.

What it does not do: fetch (the collect step does), page through results, or cache anything.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlencode, urlsplit

import pycountry
from markdown_it import MarkdownIt

from collectors.errors import ParseError
from collectors.items import ListingItem, html_to_text, plausible_date

__all__ = [
    "DEFAULT_ENDPOINT",
    "DEFAULT_LIMIT",
    "FIELDS",
    "build_request_url",
    "iso3_to_alpha2",
    "parse_reports",
]

DEFAULT_ENDPOINT = "https://api.reliefweb.int/v2/reports"
DEFAULT_LIMIT = 50
MAX_LIMIT = 1000
FIELDS: tuple[str, ...] = (
    "title",
    "url",
    "url_alias",
    "date.created",
    "date.original",
    "date.changed",
    "body",
    "body-html",
    "source.name",
    "source.shortname",
    "primary_country.iso3",
    "country.iso3",
    "theme.name",
    "format.name",
    "language.code",
    "file",
)
_MARKDOWN = MarkdownIt("commonmark", {"html": False})
_FILTERS: tuple[tuple[str, str], ...] = (
    ("country", "country.iso3"),
    ("source", "source.shortname"),
    ("theme", "theme.name"),
    ("format", "format.name"),
    ("language", "language.code"),
)


def build_request_url(options: Mapping[str, str], endpoint: str = DEFAULT_ENDPOINT) -> str:
    """The GET URL for the newest reports matching ``options``; ``ValueError`` without ``appname``."""
    appname = (options.get("appname") or "").strip()
    if not appname:
        raise ValueError("ReliefWeb requires an 'appname' option (the name approved by ReliefWeb)")
    limit_text = (options.get("limit") or str(DEFAULT_LIMIT)).strip()
    if not limit_text.isdigit() or not 1 <= int(limit_text) <= MAX_LIMIT:
        raise ValueError(f"ReliefWeb 'limit' must be 1..{MAX_LIMIT}, got {limit_text!r}")
    params: list[tuple[str, str]] = [
        ("appname", appname),
        ("limit", limit_text),
        ("sort[]", "date.created:desc"),
    ]
    params.extend(("fields[include][]", name) for name in FIELDS)
    query = (options.get("query") or "").strip()
    if query:
        params.append(("query[value]", query))
        params.append(("query[operator]", "AND"))
    conditions: list[tuple[str, list[str]]] = []
    for option, field_name in _FILTERS:
        values = [v.strip() for v in (options.get(option) or "").split(",") if v.strip()]
        if values:
            conditions.append((field_name, values))
    if conditions:
        params.append(("filter[operator]", "AND"))
        for index, (field_name, values) in enumerate(conditions):
            prefix = f"filter[conditions][{index}]"
            params.append((f"{prefix}[field]", field_name))
            if len(values) == 1:
                params.append((f"{prefix}[value]", values[0]))
            else:
                params.append((f"{prefix}[operator]", "OR"))
                params.extend((f"{prefix}[value][]", value) for value in values)
    base = endpoint.split("?", 1)[0]
    return f"{base}?{urlencode(params)}"


def iso3_to_alpha2(code: str) -> str | None:
    """ISO 3166-1 alpha-2 for an alpha-3 code, or ``None`` (ReliefWeb also uses codes like WLD)."""
    try:
        country = pycountry.countries.get(alpha_3=code.strip().upper())
    except (KeyError, LookupError):
        return None
    return None if country is None else str(country.alpha_2)


def parse_reports(
    content: bytes, *, base_url: str = DEFAULT_ENDPOINT, now: datetime | None = None
) -> list[ListingItem]:
    """Listing items from a reports answer; :class:`ParseError` when it is not such an answer."""
    if not content.strip():
        raise ParseError(f"empty body instead of ReliefWeb JSON at {base_url}")
    try:
        document = json.loads(content)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ParseError(f"malformed JSON from ReliefWeb at {base_url}: {exc}") from exc
    if not isinstance(document, dict) or not isinstance(document.get("data"), list):
        raise ParseError(f"ReliefWeb answer at {base_url} has no 'data' list")
    items: list[ListingItem] = []
    for report in document["data"]:
        if not isinstance(report, dict) or not isinstance(report.get("fields"), dict):
            continue
        item = _report_item(report, now)
        if item is not None:
            items.append(item)
    return items


def _report_item(report: Mapping[str, Any], now: datetime | None) -> ListingItem | None:
    fields: Mapping[str, Any] = report["fields"]
    link = _http_url(fields.get("url_alias")) or _http_url(fields.get("url"))
    if link is None:
        return None
    raw_dates = fields.get("date")
    dates: Mapping[str, Any] = raw_dates if isinstance(raw_dates, dict) else {}
    body = html_to_text(_str(fields.get("body-html"))) or _markdown_text(_str(fields.get("body")))
    sources = _names(fields.get("source"), "name")
    formats = _names(fields.get("format"), "name")
    languages = _names(fields.get("language"), "code")
    countries: dict[str, None] = {}
    primary = fields.get("primary_country")
    for entry in ([primary] if isinstance(primary, dict) else []) + _list(fields.get("country")):
        alpha2 = iso3_to_alpha2(_str(entry.get("iso3"))) if isinstance(entry, dict) else None
        if alpha2:
            countries.setdefault(alpha2, None)
    return ListingItem(
        link=link,
        title=" ".join(_str(fields.get("title")).split()),
        summary=_teaser(body),
        published_at=_date(dates.get("original"), now) or _date(dates.get("created"), now),
        updated_at=_date(dates.get("changed"), now),
        author="; ".join(sources) or None,
        language=languages[0].lower() if languages else None,
        document_type=formats[0] if formats else None,
        source_tags=tuple(_names(fields.get("theme"), "name")),
        countries=tuple(countries),
        attachments=_pdfs(fields.get("file")),
        body=body,
        raw=json.dumps(report, ensure_ascii=False, sort_keys=True).encode("utf-8"),
        raw_type="application/json",
    )


def _str(value: object) -> str:
    return value if isinstance(value, str) else ""


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _names(value: object, key: str) -> list[str]:
    names: dict[str, None] = {}
    for entry in _list(value):
        if isinstance(entry, dict):
            name = " ".join(_str(entry.get(key)).split())
            if name:
                names.setdefault(name, None)
    return list(names)


def _http_url(value: object) -> str | None:
    text = _str(value).strip()
    return text if urlsplit(text).scheme in ("http", "https") else None


def _date(value: object, now: datetime | None) -> datetime | None:
    text = _str(value).strip()
    if not text:
        return None
    try:
        return plausible_date(datetime.fromisoformat(text.replace("Z", "+00:00")), now)
    except ValueError:
        return None


def _markdown_text(text: str) -> str:
    if not text.strip():
        return ""
    return html_to_text(_MARKDOWN.render(text))


def _teaser(body: str, limit: int = 400) -> str:
    first = " ".join(body.split())
    if len(first) <= limit:
        return first
    return first[:limit].rsplit(" ", 1)[0] + " …"


def _pdfs(value: object) -> tuple[str, ...]:
    found: dict[str, None] = {}
    for entry in _list(value):
        if not isinstance(entry, dict):
            continue
        url = _http_url(entry.get("url"))
        mimetype = _str(entry.get("mimetype")).lower()
        if url and (mimetype == "application/pdf" or url.lower().endswith(".pdf")):
            found.setdefault(url, None)
    return tuple(found)
