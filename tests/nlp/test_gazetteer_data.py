from __future__ import annotations

import json
import re
from pathlib import Path

import pycountry
import pytest

import nlp
from nlp.build_gazetteers import arabic_variants
from nlp.gazetteer import Candidate, _region_shares, get_gazetteer
from nlp.normalise import ascii_fold, name_key

DATA = Path(nlp.__file__).parent / "data"


@pytest.fixture(scope="module")
def groups() -> dict[str, object]:
    return json.loads((DATA / "armed_groups.json").read_text(encoding="utf-8"))


def test_armed_groups_file_is_complete_and_well_formed(groups: dict[str, list[dict[str, object]]]) -> None:
    items = groups["groups"]
    assert len(items) >= 150
    ids = [g["id"] for g in items]
    assert len(ids) == len(set(ids))
    codes = {c.alpha_2 for c in pycountry.countries} | {"XK"}
    for g in items:
        assert re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", str(g["id"])), g["id"]
        assert g["countries"] and set(g["countries"]) <= codes, g["id"]
        assert g["wikidata"] is None or re.fullmatch(r"Q[1-9][0-9]*", str(g["wikidata"])), g["id"]
        assert g["type"] and g["description"] and g["name"]
        for acronym in g["acronyms"]:
            assert acronym.strip() == acronym and acronym
    covered = {c for g in items for c in g["countries"]}
    for country in [
        "SY",
        "IQ",
        "AF",
        "PK",
        "SO",
        "ML",
        "BF",
        "NE",
        "NG",
        "CD",
        "SD",
        "SS",
        "ET",
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
        "LB",
        "CF",
        "CM",
        "PH",
        "IN",
    ]:
        assert country in covered, country


def test_names_in_four_languages_and_ascii_spellings() -> None:
    gaz = get_gazetteer()
    for name in ("Syria", "Syrië", "Syrie", "Syrien", "Irak", "Duitsland", "Allemagne", "Deutschland"):
        assert any(c.kind == "country" for c in gaz.lookup(name)), name
    for name in (
        "Deir ez-Zor",
        "Deir el-Zour",
        "Dayr az Zawr",
        "Raqqa",
        "Palmyra",
        "Aleppo",
        "Idlib",
        "Homs",
        "Mosul",
        "Kabul",
    ):
        assert any(c.kind in ("city", "region") for c in gaz.lookup(name)), name
    assert gaz.lookup("Ḩimş")[0].country == "SY"
    assert ascii_fold("Ḩalab") == "Halab"
    assert name_key("Deir Ez - Zor") == name_key("deir ez-zor")


def test_regions_and_demonyms() -> None:
    gaz = get_gazetteer()
    assert {c.entity_id for c in gaz.lookup("Hama countryside")} == {"region:SY-HM"}
    assert [c.kind for c in gaz.lookup("Syrian")] == ["nationality"]
    assert [c.entity_id for c in gaz.lookup("Russian airstrikes")] == ["state:RU"]
    assert [c.entity_id for c in gaz.lookup("Syrian Arab Army")] == ["state:SY"]


def test_a_region_holds_an_even_share_of_its_countrys_people_at_its_level() -> None:
    places = {
        "countries": [{"code": "AA", "population": 9_000_000}, {"code": "BB", "population": 0}],
        "regions": [
            {"code": "AA-1", "country": "AA"},
            {"code": "AA-2", "country": "AA"},
            {"code": "AA-3", "country": "AA"},
            {"code": "AA-101", "country": "AA", "province": "AA-1"},
            {"code": "BB-1", "country": "BB"},
        ],
    }
    assert _region_shares(places) == {
        "AA-1": 3_000_000,
        "AA-2": 3_000_000,
        "AA-3": 3_000_000,
        "AA-101": 9_000_000,
        "BB-1": 0,
    }


def test_a_regions_prior_follows_its_share_like_a_towns() -> None:
    def region(people: int) -> Candidate:
        return Candidate("region:AA-1", "region", "A", "AA", people)

    town = Candidate("city:1", "city", "A", "CC", 600_000)
    assert region(5_000_000).prior > town.prior > region(200_000).prior
    assert region(0).prior == 1.0  # a country of unknown size: ranked before towns, as before
    assert get_gazetteer().countries["PS"]["population"] > 0  # GeoNames' count where countryinfo has none


def test_case_sensitive_acronyms() -> None:
    gaz = get_gazetteer()
    assert [c.entity_id for c in gaz.lookup("IS")] == ["group:islamic-state"]
    assert gaz.lookup("is") == []
    assert [c.entity_id for c in gaz.lookup("HTS")] == ["group:hayat-tahrir-al-sham"]
    assert gaz.lookup("hts") == []
    assert [c.entity_id for c in gaz.lookup("hts", exact_case=False)] == ["group:hayat-tahrir-al-sham"]


def test_transliteration_variants_of_the_build() -> None:
    variants = arabic_variants("Ar Raqqah")
    assert {"Raqqah", "Raqqa", "al-Raqqah"} <= variants
    assert arabic_variants("Homs") == {"Homs"}


def test_peoples_file_is_well_formed_and_linked() -> None:
    data = json.loads((DATA / "peoples.json").read_text(encoding="utf-8"))
    ids = [p["id"] for p in data["peoples"]]
    assert len(ids) == len(set(ids))
    codes = {c.alpha_2 for c in pycountry.countries}
    for people in data["peoples"]:
        assert set(people["countries"]) <= codes, people["id"]
        assert people["forms"] and all(form[:1].isupper() or form[:1] == "e" for form in people["forms"])
    gaz = get_gazetteer()
    assert [c.entity_id for c in gaz.lookup("Yazidis")] == ["people:yazidis"]
    # A country's own demonym keeps its reading.
    assert "country:SO" in [c.entity_id for c in gaz.lookup("Somali")]
    assert not any(c.entity_id.startswith("people:") for c in gaz.lookup("Somali"))


def test_organisations_file_is_well_formed_and_linked() -> None:
    data = json.loads((DATA / "organisations.json").read_text(encoding="utf-8"))
    ids = [o["id"] for o in data["organisations"]]
    assert len(ids) == len(set(ids))
    gaz = get_gazetteer()
    assert [c.entity_id for c in gaz.lookup("Human Rights Watch")] == ["org:human-rights-watch"]
    # Acronyms are case-sensitive: the pronoun "who" is no organisation.
    assert "org:who" in [c.entity_id for c in gaz.lookup("WHO")]
    assert not gaz.lookup("Who")


def test_demonyms_of_states_and_plurals() -> None:
    gaz = get_gazetteer()
    assert [c.entity_id for c in gaz.lookup("Iowans")] == ["region:US-IA"]
    assert [c.kind for c in gaz.lookup("Texan")] == ["nationality"]
    assert "country:ZA" in [c.entity_id for c in gaz.lookup("South Africans")]
    # A country's demonym is never taken over by a state's: "Georgian" stays Georgia's.
    assert [c.entity_id for c in gaz.lookup("Georgian")] == ["country:GE"]


def test_conflict_areas_outside_the_iso_list_have_their_country() -> None:
    gaz = get_gazetteer()
    expected = {
        "Chechnya": ("region:RU-CE", "RU"),
        "Dagestan": ("region:RU-DA", "RU"),
        "Transnistria": ("region:MD-SN", "MD"),
        "South Ossetia": ("area:GE-south-ossetia", "GE"),
        "Darfur": ("area:SD-darfur", "SD"),
        "Donbass": ("area:UA-donbas", "UA"),
        "Nagorno-Karabakh": ("area:AZ-nagorno-karabakh", "AZ"),
        "Somaliland": ("area:SO-somaliland", "SO"),
        "FATA": ("area:PK-federally-administered-tribal-areas", "PK"),
    }
    for name, (entity_id, country) in expected.items():
        assert [(c.entity_id, c.country) for c in gaz.lookup(name)] == [(entity_id, country)], name
    # An area that spans countries has none.
    assert [(c.kind, c.country) for c in gaz.lookup("South Caucasus")] == [("location", None)]


def test_plural_demonyms_that_are_no_regular_plural() -> None:
    gaz = get_gazetteer()
    for name, code in {"Czechs": "CZ", "Poles": "PL", "Swedes": "SE", "Danes": "DK", "Croats": "HR"}.items():
        assert [(c.kind, c.country) for c in gaz.lookup(name)] == [("nationality", code)], name


def test_demonyms_beside_the_sources_own() -> None:
    gaz = get_gazetteer()
    for name, code in {
        "Korean": "KR",
        "Azeri": "AZ",
        "Spaniards": "ES",
        "Kosovan": "XK",
        "Frenchman": "FR",
    }.items():
        assert [(c.kind, c.country) for c in gaz.lookup(name)] == [("nationality", code)], name


def test_a_countrys_name_before_its_forces_is_a_state_force() -> None:
    gaz = get_gazetteer()
    for name, code in {"Kenya Armed Forces": "KE", "Iraq Army": "IQ", "Turkey Air Force": "TR"}.items():
        assert [(c.kind, c.entity_id) for c in gaz.lookup(name)] == [("state_force", f"state:{code}")], name
    # Georgia the US state shares the name: its National Guard is no Georgian force.
    assert gaz.lookup("Georgia Army") == []


def test_regional_and_de_facto_authorities_are_organisations() -> None:
    gaz = get_gazetteer()
    for name in (
        "Kurdistan Regional Government",
        "KRG",
        "Palestinian Authority",
        "Syrian Salvation Government",
    ):
        assert [c.kind for c in gaz.lookup(name)] == ["organisation"], name
    # The region keeps its own entry.
    assert [c.entity_id for c in gaz.lookup("Kurdistan Region of Iraq")] == ["region:IQ-KR"]


def test_a_hand_kept_region_name_names_one_region_of_its_country() -> None:
    aliases = json.loads((DATA / "place_aliases.json").read_text(encoding="utf-8"))["regions"]
    seen: dict[tuple[str, str], str] = {}
    for code, names in aliases.items():
        assert pycountry.subdivisions.get(code=code) is not None, code
        for name in names:
            key = (code[:2], name_key(name))
            assert seen.setdefault(key, code) == code, f"{name!r} names {seen[key]} and {code}"


def test_the_kordofan_states_and_their_towns_lie_in_the_right_one() -> None:
    gaz = get_gazetteer()
    assert [c.entity_id for c in gaz.lookup("South Kordofan")] == ["region:SD-KS"]
    assert [c.entity_id for c in gaz.lookup("North Kordofan")] == ["region:SD-KN"]
    kadugli = next(c for c in gaz.lookup("Kadugli") if c.kind == "city")
    el_obeid = next(c for c in gaz.lookup("El Obeid") if c.kind == "city")
    assert (kadugli.admin1, el_obeid.admin1) == ("SD-KS", "SD-KN")


def test_provinces_of_followed_countries_are_known_by_their_english_names() -> None:
    gaz = get_gazetteer()
    expected = {
        "East Azerbaijan": "IR-03",
        "Razavi Khorasan": "IR-09",
        "South Lebanon": "LB-JA",
        "Southern Red Sea": "ER-DK",
        "Northern Red Sea": "ER-SK",
    }
    for name, code in expected.items():
        assert [c.entity_id for c in gaz.lookup(name)] == [f"region:{code}"], name

    def town(name: str, country: str) -> str | None:
        return next(c.admin1 for c in gaz.lookup(name) if c.kind == "city" and c.country == country)

    # their towns lie in the same units, not in divisions of another code
    assert (town("Tabriz", "IR"), town("Mashhad", "IR")) == ("IR-03", "IR-09")
    assert (town("Assab", "ER"), town("Massawa", "ER"), town("Tyre", "LB")) == ("ER-DK", "ER-SK", "LB-JA")
