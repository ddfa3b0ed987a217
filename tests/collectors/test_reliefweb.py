"""ReliefWeb API v2: request URL and mapping of reports."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from collectors.errors import ParseError
from collectors.reliefweb import build_request_url, iso3_to_alpha2, parse_reports

REPORTS = Path(__file__).parent / "fixtures" / "reliefweb" / "reports.json"
NOW = datetime(2026, 6, 1, tzinfo=UTC)


def test_request_url_carries_appname_fields_and_filters() -> None:
    url = build_request_url(
        {"appname": "coi-portal-test", "country": "SYR, AFG", "query": "detention", "limit": "20"}
    )
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://api.reliefweb.int/v2/reports"
    params = parse_qsl(parts.query)
    assert ("appname", "coi-portal-test") in params
    assert ("limit", "20") in params
    assert ("sort[]", "date.created:desc") in params
    included = [value for key, value in params if key == "fields[include][]"]
    for name in (
        "title",
        "url",
        "url_alias",
        "date.created",
        "date.original",
        "body",
        "source.name",
        "country.iso3",
        "theme.name",
        "format.name",
        "language.code",
        "file",
    ):
        assert name in included
    assert ("query[value]", "detention") in params
    assert ("filter[conditions][0][field]", "country.iso3") in params
    assert [v for k, v in params if k == "filter[conditions][0][value][]"] == ["SYR", "AFG"]


def test_request_url_needs_appname() -> None:
    with pytest.raises(ValueError, match="appname"):
        build_request_url({"query": "x"})
    with pytest.raises(ValueError, match="appname"):
        build_request_url({"appname": "  "})


def test_request_url_rejects_bad_limit() -> None:
    with pytest.raises(ValueError, match="limit"):
        build_request_url({"appname": "a", "limit": "5000"})


def test_reports_golden(golden: Any) -> None:
    items = parse_reports(REPORTS.read_bytes(), now=NOW)
    rendered = [
        {
            "link": item.link,
            "title": item.title,
            "summary": item.summary,
            "body": item.body,
            "published_at": item.published_at.isoformat() if item.published_at else None,
            "updated_at": item.updated_at.isoformat() if item.updated_at else None,
            "author": item.author,
            "language": item.language,
            "document_type": item.document_type,
            "source_tags": list(item.source_tags),
            "countries": list(item.countries),
            "attachments": list(item.attachments),
        }
        for item in items
    ]
    golden("reliefweb/reports.expected.json", rendered)
    assert json.loads(items[0].raw)["id"] == "900001"


def test_iso3_mapping() -> None:
    assert iso3_to_alpha2("SYR") == "SY"
    assert iso3_to_alpha2("afg") == "AF"
    assert iso3_to_alpha2("WLD") is None
    assert iso3_to_alpha2("") is None


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "empty body"),
        (b"{not json", "malformed JSON"),
        (b'{"error": "appname not approved"}', "no 'data' list"),
        (b"[1, 2]", "no 'data' list"),
    ],
)
def test_bad_answers(body: bytes, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        parse_reports(body)
