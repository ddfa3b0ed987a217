"""Name look-ups for the web process: countries, provinces, armed groups, state forces.

Answers "which country/group does this string name?" from the packaged
gazetteers without cities and without spaCy. Does not tag text.
"""

from __future__ import annotations

import gettext
from functools import lru_cache
from typing import Any

import pycountry

from nlp.gazetteer import get_gazetteer
from nlp.normalise import name_key


def _light() -> Any:
    return get_gazetteer(with_cities=False)


@lru_cache(maxsize=1)
def _codes() -> dict[str, str]:
    table: dict[str, str] = {}
    for code, country in _light().countries.items():
        table[code.lower()] = code
        table[str(country["alpha3"]).lower()] = code
    return table


def load() -> None:
    """Read the tables the look-ups use now rather than at the first look-up (a web worker calls
    this before it serves: the first document page otherwise waits about 0.3 s for them)."""
    _codes()
    _province_names()
    _translation("nl")
    pycountry.countries.get(alpha_2="NL")  # pycountry reads its tables at the first look-up


def resolve_country(text: str) -> list[str]:
    """ISO alpha-2 codes named by ``text``: a name in en/nl/fr/de, a demonym or an ISO code.

    ``resolve_country("syrie") == ["SY"]``; unknown text gives ``[]``.
    """
    text = text.strip()
    if not text:
        return []
    code = _codes().get(text.lower())
    if code and (len(text) <= 3):
        return [code]
    found: list[str] = []
    for cand in _light().lookup(text, exact_case=False):
        if cand.kind in ("country", "nationality") and cand.country and cand.country not in found:
            found.append(cand.country)
    return found


def resolve_group(text: str) -> list[str]:
    """Entity ids ("group:<slug>", "state:<CC>") of armed groups or state forces named by ``text``.

    Any alias, variant or acronym matches, regardless of case.
    """
    found: list[str] = []
    for cand in _light().lookup(text, exact_case=False):
        if cand.kind in ("armed_group", "state_force") and cand.entity_id not in found:
            found.append(cand.entity_id)
    return found


@lru_cache(maxsize=8)
def _translation(lang: str) -> gettext.NullTranslations:
    try:
        return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang])
    except OSError:
        return gettext.NullTranslations()


def country_name(code: str, lang: str = "en") -> str:
    """Display name of a country in ``lang``; the code itself when unknown."""
    country = _light().countries.get(code.upper())
    if country is None:
        return code
    labels: dict[str, str] = country["labels"]
    if lang in labels:
        return labels[lang]
    official = pycountry.countries.get(alpha_2=code.upper())
    if official is not None:
        value = _translation(lang).gettext(official.name)
        if value:
            return value
    return labels.get("en", code)


@lru_cache(maxsize=1)
def _province_names() -> dict[str, list[str]]:
    """Name key -> codes of the first-level divisions known by that name ("idlib" -> ["SY-ID"])."""
    table: dict[str, list[str]] = {}
    regions = _light().regions
    named = [(code, (region["name"], *region.get("names", ()))) for code, region in regions.items()]
    # divisions without an ISO 3166-2 code, by their GeoNames admin1 code ("DE.02")
    named += [(code, (name,)) for code, name in _light().province_names.items() if code not in regions]
    for code, names in named:
        for name in names:
            codes = table.setdefault(name_key(name), [])
            if code not in codes:
                codes.append(code)
    return table


def resolve_province(text: str) -> list[str]:
    """Codes of the first-level divisions named by ``text``: an ISO 3166-2 code or a name, in any case.

    ``resolve_province("sy-id") == resolve_province("Idlib") == ["SY-ID"]``; a name several
    countries use ("Punjab") gives each of them; unknown text gives ``[]``.
    """
    text = text.strip()
    if not text:
        return []
    gaz = _light()
    if text.upper() in gaz.regions or text.upper() in gaz.province_names:
        return [text.upper()]
    return list(_province_names().get(name_key(text), []))


def province_name(code: str) -> str | None:
    """The English name of a first-level division by its code, or None for unknown codes.

    The code is ISO 3166-2 (``SY-ID``) or, for a division that has none, GeoNames' admin1 code
    (``DE.02``), as the tagger stores them on mentions.
    """
    region = _light().regions.get(code.upper())
    if region is not None:
        return str(region["name"])
    name = _light().province_names.get(code.upper())
    return str(name) if name else None


def group_info(entity_id: str) -> dict[str, Any] | None:
    """The record of an armed group or state force, or None for unknown ids."""
    record = _light().groups.get(entity_id)
    return dict(record) if record is not None else None


def normalised(text: str) -> str:
    """The key under which names are compared (exposed for search filters)."""
    return name_key(text)
