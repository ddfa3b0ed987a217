"""Place mentions carry their first-level division where the gazetteer can tell it.

Sample sentences written for these tests.
"""

from __future__ import annotations

from nlp.gazetteer import get_gazetteer
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
