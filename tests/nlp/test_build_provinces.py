"""How the gazetteer build names the first-level divisions of towns.

Names below are real divisions written for these tests; candidate lists are made by hand.
"""

from __future__ import annotations

from nlp.build_gazetteers import (
    _english_division,
    build_provinces,
    division_key,
    english_region_names,
    match_iso,
)


def test_division_keys_drop_the_kind_of_division_accents_and_articles() -> None:
    assert division_key("Muhafazat Karbala'") == "karbala"
    assert division_key("Basra Governorate") == "basra"
    assert division_key("Ar-Raqqah") == division_key("Ar Raqqah") == "raqqah"
    assert division_key("Ḩamāh") == "hamah"
    assert division_key("Kharkivska oblast") == "kharkivska"
    assert division_key("Province") == "province"  # nothing left: the word stays


CANDIDATES = [
    ("XX-LV", {"lvivska"}, set(), True),
    ("XX-BM", {"bamyan"}, set(), True),
    ("XX-ND", {"northdarfur"}, set(), True),
    ("XX-NO", {"northern"}, set(), True),
    ("XX-KR", {"kurdistan"}, {"kurdistan"}, True),
    ("XX-ER", {"arbil"}, set(), False),
    ("XX-SU", {"sulaymaniyah"}, set(), False),
]


def test_equal_names_match_also_below_the_first_level() -> None:
    assert match_iso("Arbil", CANDIDATES) == "XX-ER"
    assert match_iso("Northern State", CANDIDATES) == "XX-NO"


def test_an_adjective_ending_and_a_transliteration_match_first_level_units() -> None:
    assert match_iso("Lviv", CANDIDATES) == "XX-LV"
    assert match_iso("Bamian", CANDIDATES) == "XX-BM"
    assert match_iso("Northern Darfur", CANDIDATES) == "XX-ND"


def test_an_iso_name_may_add_a_russian_adjective_ending_but_not_a_word() -> None:
    candidates = [("XX-RO", {"rostovskaya"}, set(), True), ("XX-GZ", {"gaza"}, set(), True)]
    assert match_iso("Rostov", candidates) == "XX-RO"  # "Rostovskaya oblast'"
    assert match_iso("Gaza Strip", candidates) is None  # the Strip holds more than Gaza governorate


def test_a_name_like_none_matches_nothing() -> None:
    assert match_iso("Katanga", CANDIDATES) is None
    assert match_iso("Sulaymaniya", CANDIDATES) is None  # similar, but a lower unit needs the same name


def test_display_names_lose_the_kind_of_division_unless_nothing_would_be_left() -> None:
    assert _english_division("Basra Governorate") == "Basra"
    assert _english_division("Muhafazat Kirkuk") == "Kirkuk"
    assert _english_division("Eastern Province") == "Eastern Province"
    assert _english_division("Free State") == "Free State"
    assert _english_division("Aleppo") == "Aleppo"
    assert _english_division("Australian Capital Territory") == "Australian Capital Territory"


def test_a_division_is_found_by_its_english_name_unless_a_town_or_a_country_carries_it() -> None:
    provinces = {
        "XX-GD": "Guangdong",  # pycountry: "Guangdong Sheng"
        "XX-AL": "Aleppo",  # the town's name: the province is "Aleppo Governorate"
        "XX-EA": "Eastern Province",  # says where and what, not which
        "XX-CE": "Central",
        "XX-TA": "Taiwan",  # a country's name, given to a division by mistake
        "XX-BQ": "al Buqa",  # a transcription, not an English name
        "XX-HA": "Ha",  # too short
        "XX.07": "Bavaria",  # a GeoNames key: no ISO division to name
    }
    countries = [{"code": "TW", "names": ["Taiwan"]}]
    towns = [
        [1, "Aleppo", "XX", 2_000_000, None, ["Aleppo", "Halab"]],
        [2, "Aleppo", "YY", 1, None, ["Guangdong"]],
    ]
    assert english_region_names(provinces, countries, towns) == {"XX-GD": "Guangdong"}


def test_conflict_provinces_known_by_their_english_names() -> None:
    from nlp.gazetteer import get_gazetteer

    gaz = get_gazetteer()
    assert [c.entity_id for c in gaz.lookup("Xinjiang")] == ["region:CN-XJ"]
    assert "region:IR-11" in {c.entity_id for c in gaz.lookup("Sistan and Baluchestan")}
    assert "region:RU-TA" in {c.entity_id for c in gaz.lookup("Tatarstan")}
    assert "city:170063" in {c.entity_id for c in gaz.lookup("Aleppo")}
    assert "region:SY-HL" not in {c.entity_id for c in gaz.lookup("Aleppo")}


def test_a_hand_kept_name_written_as_the_division_name_wins_over_a_shorter_iso_name() -> None:
    # GeoNames' "Mexico City" loses "City" when compared, and is then the State of Mexico's name
    assert build_provinces({})[0]["MX.09"] == "MX-MEX"
    codes, names = build_provinces({"regions": {"MX-CMX": ["Mexico City"]}})
    assert codes["MX.09"] == "MX-CMX"
    assert codes["MX.15"] == "MX-MEX"
    assert names["MX-CMX"] == "Mexico City"
