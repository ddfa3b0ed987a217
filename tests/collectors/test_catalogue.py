"""The default catalogue and its validation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from collectors.catalogue import CatalogueError, load_catalogue, parse_catalogue
from collectors.reliefweb import build_request_url


def test_default_catalogue_loads() -> None:
    entries = load_catalogue()
    assert len(entries) >= 30
    kinds = {entry.kind for entry in entries}
    assert {"rss", "html", "reliefweb"} <= kinds
    assert {entry.publisher_type for entry in entries} == {"igo", "ngo", "government", "media", "research"}
    for entry in entries:
        assert entry.url.startswith("https://")
        assert entry.assessment.reliability_note
        if entry.kind == "html":
            assert entry.options["item"]


def test_reliefweb_entry_becomes_a_spec_with_appname() -> None:
    entry = next(e for e in load_catalogue() if e.kind == "reliefweb")
    spec = entry.to_spec({"appname": "coi-portal-test"})
    assert spec.kind == "reliefweb" and spec.name == entry.id
    assert "appname=coi-portal-test" in build_request_url(spec.options, spec.url)


def _valid() -> dict[str, Any]:
    return {
        "version": 1,
        "sources": [
            {
                "id": "sample-source",
                "name": "Sample",
                "url": "https://example.org/feed.xml",
                "kind": "rss",
                "publisher": "Sample publisher",
                "publisher_type": "ngo",
                "language": "en",
                "countries": ["SY", "IQ"],
                "themes": ["conflict"],
                "update_frequency_minutes": 60,
                "assessment": {
                    "mandate": "m",
                    "methodology": "x",
                    "reliability_note": "r",
                    "last_reviewed": "2026-01-31",
                },
            }
        ],
    }


def test_valid_minimal_catalogue(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_text(json.dumps(_valid()), encoding="utf-8")
    (entry,) = load_catalogue(path)
    assert entry.countries == ("SY", "IQ")
    assert entry.assessment.last_reviewed.isoformat() == "2026-01-31"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"kind": "gopher"}, "kind must be one of"),
        ({"publisher_type": "blog"}, "publisher_type"),
        ({"language": "english"}, "ISO 639-1"),
        ({"countries": ["SYR"]}, "alpha-2"),
        ({"countries": []}, "non-empty list"),
        ({"url": "ftp://example.org/"}, "http\\(s\\) URL"),
        ({"update_frequency_minutes": 1}, "update_frequency_minutes"),
        ({"kind": "html"}, "'item' selector"),
        ({"surprise": 1}, "unknown field"),
        ({"assessment": {"mandate": "m"}}, "assessment needs"),
        ({"id": "Bad Id"}, "lower-case"),
    ],
)
def test_invalid_entries(change: dict[str, Any], message: str) -> None:
    data = _valid()
    data["sources"][0].update(change)
    with pytest.raises(CatalogueError, match=message):
        parse_catalogue(data)


def test_duplicate_ids() -> None:
    data = _valid()
    data["sources"].append(dict(data["sources"][0]))
    with pytest.raises(CatalogueError, match="duplicate id"):
        parse_catalogue(data)


def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text("{", encoding="utf-8")
    with pytest.raises(CatalogueError, match="not valid JSON"):
        load_catalogue(path)
