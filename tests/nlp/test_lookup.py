from __future__ import annotations

import pytest

from nlp.groups import groups_in_country
from nlp.lookup import (
    country_name,
    group_info,
    province_name,
    resolve_country,
    resolve_group,
    resolve_province,
)


@pytest.mark.parametrize(
    "text", ["Syria", "syrie", "SY", "SYR", "Syrian", "Syrië", "Syrien", "Syrian Arab Republic"]
)
def test_resolve_country(text: str) -> None:
    assert resolve_country(text) == ["SY"]


def test_resolve_country_unknown_and_empty() -> None:
    assert resolve_country("Atlantis") == []
    assert resolve_country("   ") == []


@pytest.mark.parametrize(
    "text", ["ISIS", "ISIL", "IS", "Daesh", "Islamic State", "islamic state of iraq and the levant"]
)
def test_islamic_state_is_one_entity(text: str) -> None:
    assert resolve_group(text) == ["group:islamic-state"]


def test_resolve_group_variants_and_state_forces() -> None:
    assert resolve_group("Jabhat an-Nusrah") == ["group:jabhat-al-nusra"]
    assert resolve_group("al-Nusra Front") == ["group:jabhat-al-nusra"]
    assert resolve_group("Ahrar ash-Sham") == ["group:ahrar-al-sham"]
    assert resolve_group("Sudanese Armed Forces") == ["state:SD"]
    assert resolve_group("IDF") == ["state:IL"]
    assert resolve_group("nothing of the sort") == []


def test_country_name_languages() -> None:
    assert country_name("SY") == "Syria"
    assert country_name("SY", "nl") == "Syrië"
    assert country_name("DE", "fr") == "Allemagne"
    assert country_name("ZZ") == "ZZ"


def test_group_info() -> None:
    info = group_info("group:free-syrian-army")
    assert info is not None and info["countries"] == ["SY"] and info["ucdp"] == "FSA"
    state = group_info("state:SY")
    assert state is not None and state["ucdp"] == "Government of Syria" and state["kind"] == "state_force"
    assert group_info("group:no-such-group") is None
    assert "group:hayat-tahrir-al-sham" in groups_in_country("sy")


def test_provinces_resolve_by_code_or_name_in_any_case() -> None:
    assert resolve_province("SY-HM") == ["SY-HM"]
    assert resolve_province("sy-hm") == ["SY-HM"]
    assert resolve_province("Hama") == ["SY-HM"]
    assert resolve_province("hama governorate") == ["SY-HM"]
    assert resolve_province("  RIF DIMASHQ ") == ["SY-RD"]
    assert sorted(resolve_province("punjab")) == ["IN-PB", "PK-PB"]  # one name, two countries
    assert resolve_province("Texas") == ["US-TX"]
    assert resolve_province("nowhere-in-particular") == []
    assert resolve_province("") == []
    assert province_name("sy-hm") == "Hama"
    assert province_name("ZZ-99") is None
    # a division the gazetteer knows only by its GeoNames admin1 code, as mentions store it
    assert province_name("DE.02") == "Bavaria"
    assert resolve_province("de.02") == resolve_province("Bavaria") == ["DE.02"]
    assert province_name("ZZ.99") is None
