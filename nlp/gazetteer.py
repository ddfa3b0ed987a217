"""Name index over the packaged gazetteers: places, armed groups, state forces.

Loads ``data/places.json`` (built by ``nlp.build_gazetteers``),
``data/armed_groups.json``, ``data/peoples.json``, ``data/organisations.json``,
``data/ambiguity.json`` and
``data/common_names.json`` (built by ``nlp.build_word_lists``) and answers one
question: which entities can this name refer to? Each answer is a list of
:class:`Candidate` records; choosing between them is the tagger's job
(``nlp.linking``).

This module never imports spaCy: the web process uses it for look-ups.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from nlp.normalise import ascii_fold, name_key, slug
from nlp.records import EntityKind, Province

DATA_DIR = Path(__file__).resolve().parent / "data"

# Nouns that turn a demonym into a state force: "Syrian army", "Russian airstrikes".
# The names of a country's forces as institutions, after the country's name.
INSTITUTION_FORCE_NOUNS = (
    "army",
    "armed forces",
    "air force",
    "navy",
    "national army",
    "security forces",
    "defence forces",
    "defense forces",
)
STATE_FORCE_NOUNS = (
    "army",
    "armed forces",
    "forces",
    "troops",
    "military",
    "soldiers",
    "air force",
    "airstrikes",
    "air strikes",
    "warplanes",
    "jets",
    "government forces",
    "security forces",
    "regime forces",
    "navy",
    "shelling",
    "service members",
    "personnel",
)


@dataclass(frozen=True)
class Candidate:
    """One entity a name may refer to."""

    entity_id: str
    kind: EntityKind
    canonical: str
    country: str | None
    population: int = 0  # a region's is an even share of its country's (see _region_shares)
    ucdp: str | None = None
    admin1: str | None = None  # province code of a town: ISO 3166-2 ("SY-HL") or GeoNames-style ("DE.02")
    exact: str | None = None  # set for case-sensitive names: the only spelling accepted
    countries: tuple[str, ...] = ()  # every country of an armed group
    alternative: bool = False  # matched through an alternative (not the main) name
    minor: bool = False  # a small town known only from the minor list: needs the text to place it

    def accepts(self, surface: str) -> bool:
        return self.exact is None or surface.strip() == self.exact

    @property
    def prior(self) -> float:
        """Prior weight before context: population-based, kind-aware."""
        if self.kind == "country":
            return 1.0
        if self.kind == "location" or (self.kind == "region" and not self.population):
            return 1.0
        if self.kind == "nationality":  # "French": France, not the French Southern Territories
            return 0.3 + math.log10(max(self.population, 1)) / 20.0
        if self.kind in ("city", "region"):  # a region by its share of the country (_region_shares)
            prior = min(1.0, math.log10(max(self.population, 1000)) / 7.0)
            return prior * 0.6 if self.alternative else prior
        return 0.5


@dataclass(frozen=True)
class Ambiguity:
    """Word lists of the ambiguity policy (``data/ambiguity.json``)."""

    common_words: frozenset[str]
    english_words: frozenset[str]  # derived: town names that are English words ("Mobile")
    given_names: frozenset[str]
    surnames: frozenset[str]
    titles: frozenset[str]
    person_verbs: frozenset[str]
    locative_words: frozenset[str]
    place_words: frozenset[str]
    named_after_words: frozenset[str]
    disease_words: frozenset[str]
    state_verbs: frozenset[str]
    street_words: tuple[str, ...] = ()  # case-sensitive: "Darby Street", "Grand Ave."
    road_words: tuple[str, ...] = ()  # before a number: "Highway 19"
    title_heads: frozenset[str] = frozenset()  # case-sensitive: "the Home Secretary"
    facility_words: frozenset[str] = frozenset()  # case-sensitive: "Saint Anselm Church"
    masthead_words: frozenset[str] = frozenset()  # case-sensitive: "Jerusalem Post"
    function_words: frozenset[str] = frozenset()  # "and", "the", "is": closed-class English words
    disease_names: frozenset[str] = frozenset()  # "Ebola", "Zika": diseases the NER reads as places
    personal_names: frozenset[str] = frozenset()  # "Brenda", "Abdirahman": for names no gazetteer knows
    vehicle_makes: frozenset[str] = frozenset()  # case-sensitive: "Toyota", "Dodge"
    minor_town_words: frozenset[str] = frozenset()  # derived: small towns named like words ("Valley")


@dataclass
class Gazetteer:
    """Name -> candidates index plus per-entity records."""

    index: dict[str, list[Candidate]] = field(default_factory=dict)
    surfaces: dict[str, set[str]] = field(default_factory=dict)  # key -> spellings seen in the data
    countries: dict[str, dict[str, Any]] = field(default_factory=dict)
    regions: dict[str, dict[str, Any]] = field(default_factory=dict)
    groups: dict[str, dict[str, Any]] = field(default_factory=dict)  # entity_id -> record
    city_admin1: dict[str, str] = field(default_factory=dict)  # "city:<geonameid>" -> GeoNames key "SY.09"
    admin1_codes: dict[str, str] = field(default_factory=dict)  # "SY.09" -> province code "SY-HL" or "DE.02"
    province_names: dict[str, str] = field(default_factory=dict)  # province code -> English name
    admin1_keys: dict[str, str] = field(default_factory=dict)  # interned GeoNames keys
    ambiguity: Ambiguity | None = None
    _named_provinces: dict[tuple[str, str], str] | None = field(default=None, repr=False)

    def province(self, entity_id: str) -> Province | None:
        """The first-level division of a region or town, where the data tells it.

        A region of the gazetteer is a first-level division itself, or lies in one (US
        counties, the counties of England or Ireland). A town is placed through
        its GeoNames admin1 key, which names an ISO 3166-2 code where one matches the division
        and a GeoNames-style code ("DE.02") where none does; towns GeoNames places in no
        division have none.
        """
        if entity_id.startswith("region:"):
            region = self.regions.get(entity_id[7:])
            if region is None or region.get("groups"):  # an island group, no division
                return None
            code = str(region.get("province") or region["code"])  # a county lies in its state
            top = self.regions.get(code, region)
            return Province(code, self.province_names.get(code) or str(top["name"]))
        key = self.city_admin1.get(entity_id)
        code = self.admin1_codes.get(key, "") if key else ""
        name = self.province_names.get(code)
        return Province(code, name) if name else None

    def province_named(self, country: str, text: str) -> Province | None:
        """The division of ``country`` that a country name written as ``text`` names: "England"
        (United Kingdom), "Gaza Strip" (Palestine); None for the country's own name ("Panama",
        whose capital's province has that name too) and for any other name."""
        if self._named_provinces is None:
            table: dict[tuple[str, str], list[str]] = {}
            for division, name in self.province_names.items():
                table.setdefault((division[:2], name_key(name)), []).append(division)
            self._named_provinces = {key: codes[0] for key, codes in table.items() if len(codes) == 1}
        key = name_key(text)
        record = self.countries.get(country)
        code = self._named_provinces.get((country, key))
        if record is None or code is None:
            return None
        own = [record["name"], *record.get("labels", {}).values()]
        if key in {name_key(str(name)) for name in own}:
            return None
        return Province(code, self.province_names[code])

    def admin1_key(self, entity_id: str) -> str | None:
        """GeoNames admin1 key of a town ("SY.09" for Aleppo), or None."""
        return self.city_admin1.get(entity_id)

    def add(self, surface: str, candidate: Candidate) -> None:
        surface = surface.strip()
        if "'" in surface:  # typographic apostrophes tokenise differently: "Da’esh"
            self._add(surface.replace("'", "’"), candidate)
        self._add(surface, candidate)

    def _add(self, surface: str, candidate: Candidate) -> None:
        key = name_key(surface)
        if len(key) < 2:
            return
        bucket = self.index.setdefault(key, [])
        for i, known in enumerate(bucket):
            if (known.entity_id, known.exact, known.kind) == (
                candidate.entity_id,
                candidate.exact,
                candidate.kind,
            ):
                if known.alternative and not candidate.alternative:
                    bucket[i] = candidate
                break
        else:
            bucket.append(candidate)
        self.surfaces.setdefault(key, set()).add(surface)

    def lookup(self, text: str, *, exact_case: bool = True) -> list[Candidate]:
        """Candidates for a surface string; case-sensitive names must match exactly."""
        found = self.index.get(name_key(text), [])
        if not exact_case:
            return list(found)
        return [c for c in found if c.accepts(text)]

    def patterns(self) -> Iterator[tuple[str, str, str]]:
        """(label, surface, key) triples for a phrase ruler.

        Labels: ``COI_GROUP`` (armed groups, state forces, organisations), ``COI_NAT``
        (demonyms only), ``COI_PLACE`` (everything else).
        """
        for key, candidates in self.index.items():
            kinds = {c.kind for c in candidates}
            if kinds & {"armed_group", "state_force", "organisation"}:
                label = "COI_GROUP"
            elif kinds == {"nationality"}:
                label = "COI_NAT"
            else:
                label = "COI_PLACE"
            for surface in sorted(self.surfaces.get(key, ())):
                yield label, surface, key


def _load_json(name: str) -> Any:
    return json.loads((DATA_DIR / name).read_text(encoding="utf-8"))


def load_ambiguity() -> Ambiguity:
    data = _load_json("ambiguity.json")
    derived = _load_json("common_names.json")
    census = _load_json("given_names.json")

    def lower(items: Iterable[str]) -> frozenset[str]:
        return frozenset(name_key(i) for i in items)

    return Ambiguity(
        common_words=lower(data["common_words"]),
        english_words=lower(derived["common_words"]),
        given_names=lower(data["given_names"]),
        surnames=lower(data["surnames"]),
        titles=lower(data["titles"]),
        person_verbs=lower(data["person_verbs"]),
        locative_words=lower(data["locative_words"]),
        place_words=lower(data["place_words"]),
        named_after_words=lower(data["named_after_words"]),
        disease_words=lower(data["disease_words"]),
        state_verbs=lower(data["state_verbs"]),
        street_words=tuple(data.get("street_words", ())),
        road_words=tuple(data.get("road_words", ())),
        title_heads=frozenset(data.get("title_heads", ())),
        facility_words=frozenset(data.get("facility_words", ())),
        masthead_words=frozenset(data.get("masthead_words", ())),
        function_words=lower(data.get("function_words", ())),
        disease_names=lower(data.get("disease_names", ())),
        vehicle_makes=frozenset(data.get("vehicle_makes", ())),
        minor_town_words=lower(derived.get("minor_town_words", ())),
        personal_names=lower([*data.get("personal_names", ()), *census["given_names"]]),
    )


def _attributive(name: str) -> bool:
    """Abbreviated country names written before a noun: "US", "U.S.", "UK", "UAE"."""
    letters = name.replace(".", "")
    return name.isupper() and 2 <= len(letters) <= 3 and letters.isalpha()


def _exact(name: str, cand: Candidate) -> Candidate:
    """Short all-capitals names ("US", "CAR", "DRC") match only as written."""
    if name.isupper() and len(name.replace(".", "")) <= 5:
        return Candidate(**{**cand.__dict__, "exact": name})
    return cand


# Countries whose states and provinces have demonyms in common use ("Iowans", "Texan", "Albertan").
STATE_DEMONYM_COUNTRIES = frozenset({"US", "CA"})


def _demonym_forms(demonyms: Iterable[str]) -> list[str]:
    """Demonyms as listed, split where a source joins two ("Bosnian,Herzegovinian"), with plurals."""
    forms: list[str] = []
    for item in demonyms:
        for demonym in (part.strip() for part in item.split(",")):
            if not demonym:
                continue
            forms.append(demonym)
            if demonym.endswith(("an", "i", "er", "ite")) and not demonym.endswith("man"):
                forms.append(demonym + "s")  # "South Africans", "Pakistanis"
    return forms


def _derived_demonyms(name: str) -> set[str]:
    """English demonyms of a state or province by the usual endings, singular and plural.

    "Iowa" -> "Iowan", "Ohio" -> "Ohioan", "Texas" -> "Texan", "Oregon" ->
    "Oregonian", "Maryland" -> "Marylander", "Quebec" -> "Quebecer". A form
    nobody uses never occurs in a text, so over-generating costs nothing.
    """
    forms: set[str] = set()
    if name.endswith("a"):
        forms.add(name + "n")
    if name.endswith(("o", "i")):
        forms |= {name + "an", name[:-1] + "an"}
    if name.endswith("as"):
        forms.add(name[:-2] + "an")
    if name.endswith("n"):
        forms.add(name + "ian")
    if name.endswith("e"):
        forms.add(name + "r")
    if name.endswith(("land", "k", "c")):
        forms.add(name + "er")
    return forms | {form + "s" for form in forms}


def _region_shares(places: dict[str, Any]) -> dict[str, int]:
    """An even share of its country's inhabitants for each region, the data holding no count of its own.

    The share is of the divisions at the region's level: a US state holds a 57th of the United
    States, a US county a 3,235th, a Jamaican parish a 14th of Jamaica. It ranks a region
    among namesake towns by size as a town is ranked ("Portland", Oregon before the parish
    of Portland, Jamaica), where a fixed weight put every region of any country first.
    0 where the country's population is unknown.
    """
    level: dict[tuple[str, bool], int] = {}
    for region in places["regions"]:
        key = (region["country"], "province" in region)
        level[key] = level.get(key, 0) + 1
    people = {c["code"]: int(c.get("population") or 0) for c in places["countries"]}
    return {
        r["code"]: people.get(r["country"], 0) // level[(r["country"], "province" in r)]
        for r in places["regions"]
    }


def _add_places(gaz: Gazetteer, places: dict[str, Any]) -> None:
    for country in places["countries"]:
        code = country["code"]
        gaz.countries[code] = country
        cand = Candidate(f"country:{code}", "country", country["name"], code, country["population"])
        for name in country["names"]:
            gaz.add(name, _exact(name, cand))
        nat = Candidate(f"country:{code}", "nationality", country["name"], code, country["population"])
        for demonym in _demonym_forms(country["demonyms"]):
            gaz.add(demonym, nat)
            gaz.add(ascii_fold(demonym), nat)
    shares = _region_shares(places)
    for region in places["regions"]:
        gaz.regions[region["code"]] = region
        cand = Candidate(
            f"region:{region['code']}", "region", region["name"], region["country"], shares[region["code"]]
        )
        for name in region["names"]:
            gaz.add(name, _exact(name, cand))
    for region in places["regions"]:
        if region["country"] in STATE_DEMONYM_COUNTRIES and region["code"][3:].isalpha():
            nat = Candidate(f"region:{region['code']}", "nationality", region["name"], region["country"], 0)
            for form in _derived_demonyms(region["name"]):
                if not gaz.lookup(form):
                    gaz.add(form, nat)
    for code, areas in places.get("areas", {}).items():
        for names in areas:
            cand = Candidate(f"area:{code}-{slug(names[0])}", "location", names[0], code)
            for name in names:
                gaz.add(name, _exact(name, cand))
    for key, area in places.get("supranational", {}).items():
        for name in area["names"]:
            gaz.add(name, _exact(name, Candidate(f"location:{slug(name)}", "location", name, None)))
        for demonym in area["demonyms"]:
            gaz.add(demonym, Candidate(f"location:{key}", "nationality", area["name"], None))
    _add_provinces(gaz, places)
    for geonameid, name, cc, pop, key, names in places["cities"]:
        admin1 = gaz.admin1_codes.get(key) if key else None
        main = Candidate(f"city:{geonameid}", "city", name, cc, int(pop), admin1=admin1)
        if key:
            gaz.city_admin1[main.entity_id] = gaz.admin1_keys.get(key, key)
        alt = Candidate(f"city:{geonameid}", "city", name, cc, int(pop), admin1=admin1, alternative=True)
        main_keys = {name_key(name)}
        for alias in names:
            gaz.add(alias, main if name_key(alias) in main_keys else alt)


def _add_provinces(gaz: Gazetteer, places: dict[str, Any]) -> None:
    """GeoNames admin1 keys of towns, the province codes they stand for, English names."""
    gaz.admin1_codes = dict(places.get("admin1", {}))
    gaz.admin1_keys = {key: key for key in gaz.admin1_codes}  # one string per key, shared by every town
    gaz.province_names = dict(places.get("provinces", {}))


def _add_groups(gaz: Gazetteer, data: dict[str, Any]) -> None:
    for group in data["groups"]:
        entity_id = f"group:{group['id']}"
        countries = tuple(group["countries"])
        record = dict(group, entity_id=entity_id, kind="armed_group")
        gaz.groups[entity_id] = record
        base = Candidate(
            entity_id,
            "armed_group",
            group["name"],
            countries[0] if len(countries) == 1 else None,
            ucdp=group.get("ucdp"),
            countries=countries,
        )
        for alias in [group["name"], *group["aliases"], *group["variants"]]:
            gaz.add(alias, base)
            gaz.add(ascii_fold(alias), base)
        for acronym in group["acronyms"]:
            gaz.add(acronym, Candidate(**{**base.__dict__, "exact": acronym}))
    listed = {force["country"]: force for force in data["state_forces"]}
    for code, country in gaz.countries.items():
        if not country["demonyms"] and code not in listed:
            continue
        force = listed.get(code, {"country": code, "ucdp": None, "extra": [], "acronyms": []})
        entity_id = f"state:{code}"
        canonical = f"{country['name']} state forces"
        gaz.groups[entity_id] = {
            "entity_id": entity_id,
            "id": code,
            "kind": "state_force",
            "name": canonical,
            "countries": [code],
            "ucdp": force["ucdp"],
            "type": "state force",
            "aliases": force["extra"],
            "acronyms": force["acronyms"],
            "wikidata": None,
            "description": f"Armed and security forces of {country['name']}.",
        }
        cand = Candidate(entity_id, "state_force", canonical, code, ucdp=force["ucdp"], countries=(code,))
        stems = [d for d in country["demonyms"] if not (d.endswith("s") and d[:-1] in country["demonyms"])]
        for stem in stems[:2]:
            for noun in STATE_FORCE_NOUNS:
                gaz.add(f"{stem} {noun}", cand)
            gaz.add(f"{stem}-led coalition", cand)
        # Short names used attributively: "U.S. forces", "UK troops", "US-led coalition".
        for short in [n for n in country["names"] if _attributive(n)][:4]:
            for noun in STATE_FORCE_NOUNS:
                gaz.add(f"{short} {noun}", cand)  # the ruler needs a capital: not "us forces"
            gaz.add(f"{short}-led coalition", cand)
        for form in (f"Government of {country['name']}", f"{country['name']} government"):
            gaz.add(form, cand)
        # "Kenya Armed Forces", "Pakistan Army"; not "Georgia Army National Guard".
        if not any(c.kind == "region" for c in gaz.lookup(country["name"])):
            for noun in INSTITUTION_FORCE_NOUNS:
                gaz.add(f"{country['name']} {noun}", cand)
        for stem in stems[:1]:
            for form in (f"{stem} government", f"{stem} regime", f"{stem} authorities"):
                gaz.add(form, cand)
        for extra in force["extra"]:
            gaz.add(extra, cand)
        for acronym in force["acronyms"]:
            gaz.add(acronym, Candidate(**{**cand.__dict__, "exact": acronym}))


def _add_organisations(gaz: Gazetteer, data: dict[str, Any]) -> None:
    """News agencies, human rights and humanitarian organisations, UN bodies, courts."""
    for org in data["organisations"]:
        cand = Candidate(f"org:{org['id']}", "organisation", org["name"], None)
        for alias in [org["name"], *org["aliases"]]:
            gaz.add(alias, _exact(alias, cand))  # "BBC", "NATO" only as written
        for acronym in org["acronyms"]:
            gaz.add(acronym, Candidate(**{**cand.__dict__, "exact": acronym}))


# Weight of a people's name against a town of the same name ("Igbo" the people, not the town).
PEOPLE_POPULATION = 10_000_000


def _add_peoples(gaz: Gazetteer, data: dict[str, Any]) -> None:
    """Ethnic and ethno-religious groups: nationality mentions with an id of their own."""
    for people in data["peoples"]:
        countries = tuple(people["countries"])
        cand = Candidate(
            f"people:{people['id']}",
            "nationality",
            people["name"],
            countries[0] if len(countries) == 1 else None,
            PEOPLE_POPULATION,
            countries=countries,
        )
        for form in people["forms"]:
            if any(c.kind in ("country", "nationality", "region") for c in gaz.lookup(form)):
                continue  # a country's demonym or a province keeps its reading ("Afar")
            gaz.add(form, cand)


@lru_cache(maxsize=2)
def get_gazetteer(*, with_cities: bool = True) -> Gazetteer:
    """The process-wide gazetteer, loaded on first use.

    ``with_cities=False`` gives a lighter index (countries, regions, groups)
    for name look-ups in the web process.
    """
    gaz = Gazetteer()
    places = _load_json("places.json")
    if not with_cities:
        places = dict(places, cities=[])
    _add_places(gaz, places)
    _add_groups(gaz, _load_json("armed_groups.json"))
    _add_peoples(gaz, _load_json("peoples.json"))
    _add_organisations(gaz, _load_json("organisations.json"))
    gaz.ambiguity = load_ambiguity()
    if with_cities:
        _add_minor_cities(gaz, places.get("minor_cities", ()), gaz.ambiguity)
    return gaz


def _add_minor_cities(gaz: Gazetteer, rows: Iterable[list[Any]], amb: Ambiguity) -> None:
    """Small towns, under names nothing else in the gazetteer or the word lists holds."""
    taken = (
        amb.common_words
        | amb.english_words
        | amb.minor_town_words
        | amb.given_names
        | amb.surnames
        | amb.personal_names
    )
    for geonameid, name, cc, pop, key, names in rows:
        admin1 = gaz.admin1_codes.get(key) if key else None
        cand = Candidate(f"city:{geonameid}", "city", name, cc, int(pop), admin1=admin1, minor=True)
        if key:
            gaz.city_admin1[cand.entity_id] = gaz.admin1_keys.get(key, key)
        for alias in names:
            key = name_key(alias)
            if key in taken or (key in gaz.index and not all(c.minor for c in gaz.index[key])):
                continue
            gaz.add(alias, cand)
