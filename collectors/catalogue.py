"""The catalogue of known public sources: loading and validating ``data/catalogue.json``.

What it does: reads a catalogue file (the packaged default or another path), checks every entry
(known kind, publisher type, language and country codes, http(s) URL, selectors for HTML sources,
review date, unique ids) and returns frozen :class:`CatalogueEntry` objects that can turn into
:class:`~collectors.records.SourceSpec`. Any problem raises :class:`CatalogueError` naming the entry
and the field.

What it does not do: fetch anything, check that the URLs still work, or store the catalogue; the
portal copies entries into its own tables.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, cast, get_args
from urllib.parse import urlsplit

import pycountry

from collectors.records import SourceKind, SourceSpec

__all__ = [
    "Assessment",
    "CatalogueEntry",
    "CatalogueError",
    "PublisherType",
    "load_catalogue",
    "parse_catalogue",
]

PublisherType = Literal["igo", "ngo", "government", "media", "research"]
_KINDS: frozenset[str] = frozenset(get_args(SourceKind))
_PUBLISHER_TYPES: frozenset[str] = frozenset(get_args(PublisherType))
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
_REQUIRED = (
    "id",
    "name",
    "url",
    "kind",
    "publisher",
    "publisher_type",
    "language",
    "countries",
    "themes",
    "update_frequency_minutes",
    "assessment",
)
_OPTIONAL = ("options", "homepage")
_ASSESSMENT = ("mandate", "methodology", "reliability_note", "last_reviewed")
MIN_FREQUENCY = 15
MAX_FREQUENCY = 7 * 24 * 60


class CatalogueError(ValueError):
    """The catalogue file is unreadable or an entry is invalid."""


@dataclass(frozen=True)
class Assessment:
    """Why and how far a source can be trusted, in the reviewers' own words."""

    mandate: str
    methodology: str
    reliability_note: str
    last_reviewed: date


@dataclass(frozen=True)
class CatalogueEntry:
    """One source of the catalogue."""

    id: str
    name: str
    url: str
    kind: SourceKind
    publisher: str
    publisher_type: PublisherType
    language: str
    countries: tuple[str, ...]  # ISO 3166-1 alpha-2, or ("*",) for worldwide
    themes: tuple[str, ...]
    update_frequency_minutes: int
    assessment: Assessment
    options: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    homepage: str | None = None

    def to_spec(self, options: Mapping[str, str] | None = None) -> SourceSpec:
        """A :class:`SourceSpec` for this source; ``options`` override the catalogue's (e.g. appname)."""
        merged = {**self.options, **(options or {})}
        return SourceSpec(
            name=self.id,
            kind=self.kind,
            url=self.url,
            options=MappingProxyType(merged),
            language=self.language,
        )


def load_catalogue(path: str | Path | None = None) -> tuple[CatalogueEntry, ...]:
    """Entries of the catalogue at ``path``, or of the packaged default catalogue."""
    try:
        if path is None:
            text = resources.files("collectors.data").joinpath("catalogue.json").read_text("utf-8")
            origin = "packaged catalogue.json"
        else:
            text = Path(path).read_text(encoding="utf-8")
            origin = str(path)
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogueError(f"cannot read catalogue {path}: {exc}") from exc
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise CatalogueError(f"{origin} is not valid JSON: {exc}") from exc
    return parse_catalogue(data, origin)


def parse_catalogue(data: object, origin: str = "catalogue") -> tuple[CatalogueEntry, ...]:
    """Validate already-decoded catalogue data; see :func:`load_catalogue`."""
    if not isinstance(data, dict) or data.get("version") != 1 or not isinstance(data.get("sources"), list):
        raise CatalogueError(f"{origin}: expected an object with version 1 and a 'sources' list")
    entries: list[CatalogueEntry] = []
    seen: set[str] = set()
    for index, raw in enumerate(data["sources"]):
        label = f"{origin}: source #{index + 1}"
        if isinstance(raw, dict) and isinstance(raw.get("id"), str):
            label = f"{origin}: source {raw['id']!r}"
        entry = _entry(raw, label)
        if entry.id in seen:
            raise CatalogueError(f"{label}: duplicate id")
        seen.add(entry.id)
        entries.append(entry)
    return tuple(entries)


def _entry(raw: object, label: str) -> CatalogueEntry:
    if not isinstance(raw, dict):
        raise CatalogueError(f"{label}: expected an object")
    missing = [key for key in _REQUIRED if key not in raw]
    if missing:
        raise CatalogueError(f"{label}: missing {', '.join(missing)}")
    unknown = sorted(set(raw) - set(_REQUIRED) - set(_OPTIONAL))
    if unknown:
        raise CatalogueError(f"{label}: unknown field(s) {', '.join(unknown)}")
    source_id = _text(raw, "id", label)
    if not _ID.match(source_id):
        raise CatalogueError(f"{label}: id must be lower-case letters, digits and hyphens")
    kind = _text(raw, "kind", label)
    if kind not in _KINDS:
        raise CatalogueError(f"{label}: kind must be one of {sorted(_KINDS)}, not {kind!r}")
    publisher_type = _text(raw, "publisher_type", label)
    if publisher_type not in _PUBLISHER_TYPES:
        raise CatalogueError(f"{label}: publisher_type must be one of {sorted(_PUBLISHER_TYPES)}")
    options = _options(raw.get("options", {}), label)
    if kind == "html" and not options.get("item"):
        raise CatalogueError(f"{label}: html sources need an 'item' selector in options")
    homepage = raw.get("homepage")
    if homepage is not None:
        homepage = _url(homepage, "homepage", label)
    frequency = raw["update_frequency_minutes"]
    if not isinstance(frequency, int) or isinstance(frequency, bool):
        raise CatalogueError(f"{label}: update_frequency_minutes must be an integer")
    if not MIN_FREQUENCY <= frequency <= MAX_FREQUENCY:
        raise CatalogueError(f"{label}: update_frequency_minutes must be {MIN_FREQUENCY}..{MAX_FREQUENCY}")
    return CatalogueEntry(
        id=source_id,
        name=_text(raw, "name", label),
        url=_url(raw["url"], "url", label),
        kind=cast(SourceKind, kind),
        publisher=_text(raw, "publisher", label),
        publisher_type=cast(PublisherType, publisher_type),
        language=_language(raw["language"], label),
        countries=_countries(raw["countries"], label),
        themes=_themes(raw["themes"], label),
        update_frequency_minutes=frequency,
        assessment=_assessment(raw["assessment"], label),
        options=MappingProxyType(options),
        homepage=homepage,
    )


def _text(raw: Mapping[str, Any], key: str, label: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise CatalogueError(f"{label}: {key} must be a non-empty string")
    return value.strip()


def _url(value: object, key: str, label: str) -> str:
    if not isinstance(value, str):
        raise CatalogueError(f"{label}: {key} must be a string")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CatalogueError(f"{label}: {key} must be an absolute http(s) URL")
    return value


def _language(value: object, label: str) -> str:
    if not isinstance(value, str) or pycountry.languages.get(alpha_2=value) is None:
        raise CatalogueError(f"{label}: language must be an ISO 639-1 code, not {value!r}")
    return value


def _countries(value: object, label: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise CatalogueError(f"{label}: countries must be a non-empty list")
    if value == ["*"]:
        return ("*",)
    codes: list[str] = []
    for code in value:
        if not isinstance(code, str) or len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:
            raise CatalogueError(f"{label}: {code!r} is not an ISO 3166-1 alpha-2 code (or use ['*'])")
        codes.append(code)
    return tuple(codes)


def _themes(value: object, label: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise CatalogueError(f"{label}: themes must be a non-empty list")
    if not all(isinstance(theme, str) and theme.strip() for theme in value):
        raise CatalogueError(f"{label}: themes must be non-empty strings")
    return tuple(theme.strip() for theme in value)


def _options(value: object, label: str) -> dict[str, str]:
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise CatalogueError(f"{label}: options must map strings to strings")
    return dict(value)


def _assessment(value: object, label: str) -> Assessment:
    if not isinstance(value, dict):
        raise CatalogueError(f"{label}: assessment must be an object")
    missing = [key for key in _ASSESSMENT if not isinstance(value.get(key), str) or not value[key].strip()]
    if missing:
        raise CatalogueError(f"{label}: assessment needs {', '.join(missing)}")
    try:
        reviewed = date.fromisoformat(value["last_reviewed"])
    except ValueError as exc:
        raise CatalogueError(f"{label}: assessment.last_reviewed must be an ISO date") from exc
    return Assessment(
        mandate=value["mandate"].strip(),
        methodology=value["methodology"].strip(),
        reliability_note=value["reliability_note"].strip(),
        last_reviewed=reviewed,
    )
