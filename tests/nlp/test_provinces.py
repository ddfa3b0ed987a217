"""Place mentions carry their first-level division where the gazetteer can tell it.

Sample sentences written for these tests.
"""

from __future__ import annotations

import pytest

from nlp.gazetteer import Gazetteer, _add_places, get_gazetteer
from nlp.jsonl import result_to_dict
from nlp.pipeline import tag
from nlp.records import Province, TagInput


def test_a_region_is_its_own_province() -> None:
    assert get_gazetteer().province("region:SY-HL") == Province("SY-HL", "Aleppo")


def test_an_unknown_id_has_no_province() -> None:
    gaz = get_gazetteer()
    assert gaz.province("country:SY") is None
    assert gaz.province("city:0") is None


def test_the_tag_contract_gives_a_province_or_null_on_every_mention() -> None:
    text = "Shelling was reported across Hama province and in Syria on Friday."
    (result,) = tag([TagInput(id="sample-1", text=text)], model="none")
    entities = {e["text"]: e for e in result_to_dict(result)["entities"]}
    assert entities["Hama province"]["province"] == {"code": "SY-HM", "name": "Hama"}
    assert entities["Syria"]["province"] is None


def _town(name: str, country: str) -> str:
    """Entity id of the most populous town of that name in that country."""
    towns = [c for c in get_gazetteer().lookup(name) if c.kind == "city" and c.country == country]
    assert towns, f"{name} ({country}) is not in the gazetteer"
    return max(towns, key=lambda c: c.population).entity_id


@pytest.mark.parametrize(
    ("town", "country", "province"),
    [
        ("Aleppo", "SY", Province("SY-HL", "Aleppo")),
        ("Homs", "SY", Province("SY-HI", "Homs")),
        ("Mosul", "IQ", Province("IQ-NI", "Nineveh")),
        ("Kandahar", "AF", Province("AF-KAN", "Kandahar")),
        ("Maiduguri", "NG", Province("NG-BO", "Borno")),
        ("Goma", "CD", Province("CD-NK", "North Kivu")),
        ("Bunia", "CD", Province("CD-IT", "Ituri")),  # GeoNames: the Orientale of before 2015
        ("Kharkiv", "UA", Province("UA-63", "Kharkiv")),
        ("Houston", "US", Province("US-TX", "Texas")),
        # a capital city that is a division of its own, beside a province of the same name
        ("Mexico City", "MX", Province("MX-CMX", "Mexico City")),
        ("Maputo", "MZ", Province("MZ-MPM", "Maputo City")),
        ("Manila", "PH", Province("PH-00", "Metro Manila")),  # not in the province around it
        # Indonesia's provinces, not the island groups ISO 3166-2 puts them in
        ("Bandung", "ID", Province("ID-JB", "West Java")),
        ("Jayapura", "ID", Province("ID-PA", "Papua")),
        # divisions GeoNames names as their main town, or transliterates its own way
        ("Aden", "YE", Province("YE-AD", "Aden")),
        ("Samara", "RU", Province("RU-SAM", "Samara")),
        ("Voronezh", "RU", Province("RU-VOR", "Voronezh")),
    ],
)
def test_towns_of_many_countries_lie_in_their_province(town: str, country: str, province: Province) -> None:
    assert get_gazetteer().province(_town(town, country)) == province


def test_an_island_group_is_no_province_and_leaves_its_provinces_their_names() -> None:
    gaz = get_gazetteer()
    assert gaz.province("region:ID-SM") is None  # Sumatra
    assert gaz.province("region:ID-AC") == Province("ID-AC", "Aceh")
    papua = [c.entity_id for c in gaz.lookup("Papua") if c.kind == "region"]
    assert papua == ["region:ID-PA"]


def test_a_name_kept_only_to_find_a_division_names_no_region() -> None:
    # "Samara" finds Samara Oblast's ISO code when the gazetteer is built; in a text it is the town
    assert [c.kind for c in get_gazetteer().lookup("Samara") if c.country == "RU"] == ["city"]
    assert "region:RU-SAM" in {c.entity_id for c in get_gazetteer().lookup("Samara Oblast")}


def test_a_county_lies_in_its_state_or_nation() -> None:
    gaz = get_gazetteer()
    assert gaz.province("region:US-06037") == Province("US-CA", "California")  # Los Angeles County
    assert gaz.province("region:GB-KEN") == Province("GB-ENG", "England")


def test_a_division_no_iso_code_matches_keeps_a_geonames_code_and_its_english_name() -> None:
    found = get_gazetteer().province(_town("Munich", "DE"))
    assert found is not None
    assert found.name == "Bavaria"
    assert found.code.startswith("DE.")


def test_every_town_with_a_key_has_a_named_province() -> None:
    gaz = get_gazetteer()
    assert len(gaz.city_admin1) > 60_000
    for entity_id, key in list(gaz.city_admin1.items())[::500]:
        province = gaz.province(entity_id)
        assert province is not None and province.name, entity_id
        assert key.split(".")[0] == province.code[:2]


def _tiny_gazetteer() -> Gazetteer:
    """A gazetteer of made-up places: one country, one region, three towns."""
    places = {
        "countries": [
            {"code": "ZZ", "name": "Zedland", "names": ["Zedland"], "demonyms": [], "population": 1000}
        ],
        "regions": [
            {"code": "ZZ-NO", "country": "ZZ", "name": "Nordmark", "type": "Province", "names": ["Nordmark"]}
        ],
        "cities_fields": ["geonameid", "name", "country", "population", "admin1", "names"],
        "cities": [
            [1, "Alpha Town", "ZZ", 50000, "ZZ.01", ["Alpha Town"]],
            [2, "Beta Town", "ZZ", 40000, "ZZ.02", ["Beta Town"]],
            [3, "Gamma Town", "ZZ", 30000, None, ["Gamma Town"]],
        ],
        "admin1": {"ZZ.01": "ZZ-NO", "ZZ.02": "ZZ.02"},
        "provinces": {"ZZ-NO": "Northmark", "ZZ.02": "Southmark"},
    }
    gaz = Gazetteer()
    _add_places(gaz, places)
    return gaz


def test_provinces_of_towns_come_from_their_geonames_key() -> None:
    gaz = _tiny_gazetteer()
    assert gaz.province("city:1") == Province("ZZ-NO", "Northmark")
    assert gaz.province("city:2") == Province("ZZ.02", "Southmark")
    assert gaz.admin1_key("city:2") == "ZZ.02"
    (alpha,) = gaz.lookup("Alpha Town")
    assert alpha.admin1 == "ZZ-NO"


def test_a_town_without_admin1_has_no_province() -> None:
    gaz = _tiny_gazetteer()
    assert gaz.province("city:3") is None
    assert gaz.admin1_key("city:3") is None


def test_a_region_takes_the_english_name_of_the_province_table() -> None:
    assert _tiny_gazetteer().province("region:ZZ-NO") == Province("ZZ-NO", "Northmark")


def test_the_tag_contract_gives_a_province_outside_the_united_states() -> None:
    text = "Fighting was reported near Goma and in Mosul on Friday."
    (result,) = tag([TagInput(id="sample-2", text=text)], model="none")
    entities = {e["text"]: e for e in result_to_dict(result)["entities"]}
    assert entities["Goma"]["province"] == {"code": "CD-NK", "name": "North Kivu"}
    assert entities["Mosul"]["province"] == {"code": "IQ-NI", "name": "Nineveh"}


def test_the_people_of_a_state_name_its_province() -> None:
    text = "Thousands of Texans lost power as the storm moved north."
    (result,) = tag([TagInput(id="sample-2", text=text)], model="none")
    (texans,) = [e for e in result_to_dict(result)["entities"] if e["text"] == "Texans"]
    assert texans["kind"] == "nationality"
    assert texans["province"] == {"code": "US-TX", "name": "Texas"}


def test_a_country_named_by_one_of_its_divisions_carries_that_division() -> None:
    text = "Shelling hit the Gaza Strip while raids went on in the West Bank; Wales and Panama sent aid."
    (result,) = tag([TagInput(id="sample-3", text=text)], model="none")
    entities = {e["text"]: e for e in result_to_dict(result)["entities"]}
    assert entities["Gaza Strip"]["country"] == entities["West Bank"]["country"] == "PS"
    assert entities["Gaza Strip"]["province"]["code"] != entities["West Bank"]["province"]["code"]
    assert entities["Gaza Strip"]["province"]["name"] == "Gaza Strip"
    assert entities["Wales"]["province"] == {"code": "GB-WLS", "name": "Wales"}
    # a country's own name is no division, though its capital's province has that name too
    assert entities["Panama"]["province"] is None


def test_a_county_name_several_states_share_is_read_in_the_home_province_of_its_source() -> None:
    text = "Deputies from Henry County arrested two men after a chase on Tuesday."

    def county(home: str | None) -> str | None:
        (result,) = tag([TagInput(id="c", text=text, home_province=home)], model="none")
        (mention,) = [m for m in result.entities if m.text == "Henry County"]
        return mention.province.code if mention.province else None

    assert county("US-TN") == "US-TN"
    assert county("US-IA") == "US-IA"
    # the home province weighs as one place named: a state the text names itself still wins
    (result,) = tag(
        [TagInput(id="d", text=text + " Iowa troopers helped.", home_province="US-TN")], model="none"
    )
    assert {m.province.code for m in result.entities if m.province} == {"US-IA"}


def test_a_source_has_a_home_province_when_most_of_its_documents_are_mainly_about_one() -> None:
    from nlp.scoring import home_province, main_province

    assert main_province(["SY-ID", "SY-HL", "SY-ID"]) == "SY-ID"
    assert main_province(["SY-HL", "SY-ID"]) == "SY-HL"  # a tie: the first named
    assert main_province([]) is None
    assert home_province(["SY-ID"] * 4 + ["SY-HL", None]) == "SY-ID"
    assert home_province(["SY-ID"] * 3 + ["SY-HL"] * 3) is None  # no majority
    assert home_province(["SY-ID"] * 4) is None  # too few documents to tell
