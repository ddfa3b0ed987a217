"""Ambiguity rules that replace word lists: diseases, streets, offices, English words, person context."""

from __future__ import annotations

import json
from pathlib import Path

from spacy.language import Language

import nlp
from nlp.gazetteer import get_gazetteer
from nlp.normalise import name_key
from nlp.records import Mention

DATA = Path(nlp.__file__).parent / "data"


def mentions(lang: Language, text: str) -> list[Mention]:
    doc = lang(lang.make_doc(text))
    found: list[Mention] = doc._.coi_mentions
    for m in found:
        assert text[m.start : m.end] == m.text
    return found


def kinds(lang: Language, text: str) -> dict[str, str]:
    return {m.text: m.kind for m in mentions(lang, text)}


def test_a_place_named_disease_is_no_place_anywhere_in_the_text(blank_pipeline: Language) -> None:
    found = kinds(blank_pipeline, "Reston virus turned up in pigs. More samples were taken in Reston today.")
    assert "Reston" not in found
    # Without the disease word the town is a place.
    assert kinds(blank_pipeline, "More samples were taken in Reston today.")["Reston"] == "city"


def test_agreement_names_do_not_spread(blank_pipeline: Language) -> None:
    found = kinds(blank_pipeline, "The Geneva talks resumed. Delegates met in Geneva on Monday.")
    assert list(found) == ["Geneva"]
    assert (
        mentions(blank_pipeline, "The Geneva talks resumed. Delegates met in Geneva on Monday.")[0].start > 20
    )


def test_streets_and_numbered_roads_are_locations(blank_pipeline: Language) -> None:
    found = kinds(blank_pipeline, "He fled down Darby Street and 3rd Street to Highway 19.")
    assert found == {"Darby Street": "location", "3rd Street": "location", "Highway 19": "location"}
    assert kinds(blank_pipeline, "Traffic on the street was slow.") == {}


def test_offices_are_persons(blank_pipeline: Language) -> None:
    found = kinds(
        blank_pipeline, "The Foreign Secretary received the Minister for the Western Balkans in Amman."
    )
    assert found["Foreign Secretary"] == "person"
    assert found["Minister for the Western Balkans"] == "person"
    assert "Western Balkans" not in found  # the office's domain, not a place of the text
    assert found["Amman"] == "city"
    assert kinds(blank_pipeline, "The ministry said the secretary was away.") == {}


def test_a_country_in_an_office_title_is_still_a_country(blank_pipeline: Language) -> None:
    found = kinds(blank_pipeline, "The President of Moldova welcomed the Minister for the Western Balkans.")
    assert found["President of Moldova"] == "person"
    assert found["Moldova"] == "country"  # a country of the text, unlike a generic domain
    assert "Western Balkans" not in found


def test_office_title_and_apposed_name_are_two_persons(blank_pipeline: Language) -> None:
    found = kinds(blank_pipeline, "The Foreign Secretary, David Lammy, flew to Baghdad.")
    assert found["Foreign Secretary"] == "person"
    assert not any("Lammy" in text for text in found if text.startswith("Foreign"))


def test_dateline_places(blank_pipeline: Language) -> None:
    found = kinds(blank_pipeline, "Fire destroys a barn. MANSFIELD — A fire destroyed a barn on Monday.")
    assert found["MANSFIELD"] == "city"
    found = kinds(blank_pipeline, "AKRON, Ohio (AP) — The vote was close.")
    assert found["AKRON"] == "city" and found["Ohio"] == "region"
    assert kinds(blank_pipeline, "The vote was close - NOT a landslide.") == {}


def test_names_coordinated_before_a_plural_place_noun(blank_pipeline: Language) -> None:
    found = kinds(blank_pipeline, "Schools in Barrow, Oconee and Jackson counties reopened.")
    assert {"Barrow", "Oconee", "Jackson"} <= set(found)
    assert all(found[name] in ("city", "location", "region") for name in ("Barrow", "Oconee", "Jackson"))
    assert kinds(blank_pipeline, "The counties reopened schools.") == {}
    # A range ("from ... to"), a sentence-opening name the gazetteer knows, a given name.
    found = kinds(
        blank_pipeline, "Roads closed from Zorbat to Riley counties. Marion and Shawnee counties too."
    )
    assert {"Zorbat", "Riley", "Marion", "Shawnee"} <= set(found)
    assert found["Riley"] == "region"  # Riley County
    assert "Both" not in kinds(blank_pipeline, "Both Clay and Grant counties flooded.")
    # Before "counties" the names are the counties, whatever towns share them.
    found = {m.text: m for m in mentions(blank_pipeline, "Hail hit Harper, Sumner and Kingman counties.")}
    assert {m.kind for m in found.values()} == {"region"}
    assert found["Harper"].country == "US"


def test_a_town_before_a_local_office_is_the_town(blank_pipeline: Language) -> None:
    assert kinds(blank_pipeline, "Woodstock Mayor Ellen Marsh sounded cautious.")["Woodstock"] == "city"
    assert kinds(blank_pipeline, "The Carthage Police Chief spoke.")["Carthage"] == "city"


def test_abbreviated_country_names_with_force_nouns(blank_pipeline: Language) -> None:
    table = {
        m.text: m for m in mentions(blank_pipeline, "U.S. forces and UK troops arrived; let us forces rest.")
    }
    assert table["U.S. forces"].entity_id == "state:US"
    assert table["UK troops"].entity_id == "state:GB"
    assert "us forces" not in table


def test_town_names_used_as_personal_names(blank_pipeline: Language) -> None:
    assert kinds(blank_pipeline, "Later Jackson said the vote was close.") == {}
    assert "Jackson" not in kinds(blank_pipeline, "The speech of Andrew Jackson was long.")
    found = kinds(blank_pipeline, "The storm reached Jackson, Mississippi, and Springfield, Ill.")
    assert found["Jackson"] == "city" and found["Ill."] == "region"


def test_english_words_need_support(blank_pipeline: Language) -> None:
    assert kinds(blank_pipeline, "But town leaders disagreed.") == {}
    assert kinds(blank_pipeline, "Prices are split between the two.") == {}
    assert kinds(blank_pipeline, "The ferry left Split at noon.") == {}  # no support
    assert kinds(blank_pipeline, "Tourists returned to Nice, France.")["Nice"] == "city"


def test_derived_english_words_are_town_names_only() -> None:
    data = json.loads((DATA / "common_names.json").read_text(encoding="utf-8"))
    words = set(data["common_words"])
    assert {"mobile", "nice", "split", "sandy"} <= words
    assert not words & {"paris", "aleppo", "shanghai", "chad", "jordan", "turkey", "american"}
    gaz = get_gazetteer()
    for word in words:
        found = gaz.lookup(word, exact_case=False)
        assert found and all(c.kind not in ("country", "nationality") for c in found), word
        assert name_key(word) == word and " " not in word


def test_eval_era_names_are_not_on_the_hand_lists() -> None:
    data = json.loads((DATA / "ambiguity.json").read_text(encoding="utf-8"))
    listed = {w for key in ("common_words", "given_names", "surnames") for w in data[key]}
    assert not listed & {"Ebola", "Zika", "Marburg", "Lassa", "Moore", "Walker", "Toyota", "Mosul"}


def test_the_regime_is_the_state_of_the_text(blank_pipeline: Language) -> None:
    found = {m.text: m for m in mentions(blank_pipeline, "Shelling hit Aleppo. The regime denied it.")}
    assert found["The regime"].entity_id == "state:SY" and found["The regime"].kind == "state_force"
    assert "regime" not in " ".join(kinds(blank_pipeline, "The regime denied it."))


def test_country_abbreviations_as_modifiers_and_the_union(blank_pipeline: Language) -> None:
    found = mentions(blank_pipeline, "EU sanctions hit Syria. The EU is united. In the UK and in Iraq.")
    table = [(m.text, m.kind) for m in found]
    assert ("EU", "nationality") in table and ("EU", "organisation") in table
    assert ("UK", "country") in table and ("Syria", "country") in table


def test_peoples_are_nationalities_placed_by_the_text(blank_pipeline: Language) -> None:
    found = {m.text: m for m in mentions(blank_pipeline, "Kurdish fighters held Kobani and Raqqa.")}
    assert found["Kurdish"].kind == "nationality" and found["Kurdish"].entity_id == "people:kurds"
    assert found["Kurdish"].country == "SY"
    alone = {m.text: m for m in mentions(blank_pipeline, "Kurdish fighters held the hill.")}
    assert alone["Kurdish"].country is None


def test_first_part_of_a_hyphenated_name_is_no_place(blank_pipeline: Language) -> None:
    assert "Wal" not in kinds(blank_pipeline, "Shoppers at Wal-Mart in Ohio.")
    assert kinds(blank_pipeline, "Egypt-Israel relations improved.")["Egypt"] == "country"


def test_newspaper_names_are_no_places(blank_pipeline: Language) -> None:
    found = kinds(blank_pipeline, "The New York Times and China Daily reported floods in China.")
    assert "New York" not in found
    text = "China Daily reported floods in China."
    assert [m.start for m in mentions(blank_pipeline, text)] == [text.rindex("China")]
    assert "Yemen" in kinds(blank_pipeline, "Yemen Daily Bulletin 12/09/2018")  # a report series
    # One word may come between ("Salina State Gazette"), and a headline may follow.
    found = kinds(blank_pipeline, "From Salina State Gazette The council met in Salina on Monday.")
    assert [
        m.start for m in mentions(blank_pipeline, "From Salina State Gazette The council met in Salina.")
    ] == [len("From Salina State Gazette The council met in ")]
    assert found == {"Salina": "city"}


def test_a_make_that_names_a_town_is_a_vehicle_before_its_model(blank_pipeline: Language) -> None:
    text = "The driver of the dented Toyota Corolla comes from Toyota."
    found = [(m.text, m.start) for m in mentions(blank_pipeline, text) if m.kind == "city"]
    assert found == [("Toyota", text.index("from Toyota") + 5)]
    # A place word after the make is no model: "Lincoln Road" crosses the town.
    assert kinds(blank_pipeline, "Lincoln Road crosses Lincoln.")["Lincoln"] == "city"


def test_name_after_an_inverted_speech_verb_is_a_person(blank_pipeline: Language) -> None:
    assert "Jackson" not in kinds(blank_pipeline, '"It was late," said Jackson. The vote was close.')
    assert kinds(blank_pipeline, "The vote in Jackson was close.")["Jackson"] == "city"


def test_australian_state_abbreviations(blank_pipeline: Language) -> None:
    found = {m.text: m for m in mentions(blank_pipeline, "Cattle from NSW and Qld were sold at auction.")}
    assert found["NSW"].entity_id == "region:AU-NSW" and found["Qld"].entity_id == "region:AU-QLD"
    assert "nsw" not in kinds(blank_pipeline, "the nsw of it")


def tag_ner(lang: Language, text: str, ents: list[tuple[str, str]]) -> set[tuple[str, str]]:
    """(text, kind) of the mentions of a doc whose NER entities are given as (text, label)."""
    doc = lang.make_doc(text)
    doc.ents = [doc.char_span(text.index(t), text.index(t) + len(t), label=label) for t, label in ents]
    for _name, proc in lang.pipeline:
        doc = proc(doc)
    return {(m.text, m.kind) for m in doc._.coi_mentions}


def _with_ner(lang: Language, text: str, ents: list[tuple[str, str]]) -> dict[str, str]:
    """Run the blank pipeline on a doc whose NER entities are given as (text, label)."""
    doc = lang.make_doc(text)
    doc.ents = [doc.char_span(text.index(t), text.index(t) + len(t), label=label) for t, label in ents]
    for _name, proc in lang.pipeline:
        doc = proc(doc)
    return {m.text: m.kind for m in doc._.coi_mentions}


def test_unknown_given_names_the_ner_calls_places_are_persons(blank_pipeline: Language) -> None:
    text = "A story of Brenda and Abdirahman, and of Gwendolyn Okafor, told on Maria Island and in Zorbatiya."
    ents = [(w, "GPE") for w in ("Brenda", "Abdirahman", "Gwendolyn Okafor", "Maria Island", "Zorbatiya")]
    found = _with_ner(blank_pipeline, text, ents)
    assert found["Brenda"] == "person" and found["Abdirahman"] == "person"
    assert found["Gwendolyn Okafor"] == "person"
    assert found["Maria Island"] == "location"  # a facility word: a place
    assert found["Zorbatiya"] in ("city", "location")  # no given name: the NER's place stands


def test_census_given_names_are_generated_and_well_formed() -> None:
    data = json.loads((DATA / "given_names.json").read_text(encoding="utf-8"))
    names = data["given_names"]
    assert len(names) > 1000 and names == sorted(set(names))
    assert {"Mary", "James", "Brenda"} <= set(names)
    assert all(n.isalpha() and n[0].isupper() and n[1:].islower() for n in names)


def test_ghouta_is_rural_damascus(blank_pipeline: Language) -> None:
    found = {m.text: m for m in mentions(blank_pipeline, "Shelling hit Eastern Ghouta; convoys left Ghouta.")}
    assert found["Eastern Ghouta"].entity_id == "region:SY-RD"
    assert found["Ghouta"].country == "SY"


def test_capitalised_acronyms_of_five_letters_are_no_towns(blank_pipeline: Language) -> None:
    assert get_gazetteer().lookup("Nafta", exact_case=False)  # a town of that name exists
    assert "NAFTA" not in kinds(blank_pipeline, "Leaders said NAFTA would be renegotiated in Ottawa.")
    assert kinds(blank_pipeline, "Leaders met in Nafta on Monday.")["Nafta"] == "city"


def test_a_capitalised_article_is_no_given_name(blank_pipeline: Language) -> None:
    # A headline run into the text leaves "The" capitalised mid-sentence.
    found = kinds(
        blank_pipeline, "The bridge stayed shut all winter The Macon Police Department seeks witnesses."
    )
    assert found["Macon"] == "city"
    assert "Jackson" not in kinds(blank_pipeline, "The prize went to Andrew Jackson on Friday.")


def test_a_model_year_makes_a_vehicle_not_a_town(blank_pipeline: Language) -> None:
    found = kinds(
        blank_pipeline, "A 1998 Toyota struck her blue 2003 Honda. In 2011 Paris hosted the summit."
    )
    assert "Toyota" not in found and "Honda" not in found
    assert found["Paris"] == "city"


def test_a_vehicle_keeps_its_sense_through_the_text(blank_pipeline: Language) -> None:
    text = "A 2005 Toyota Camry hit him. The driver of the Toyota was unhurt."
    assert [m.text for m in mentions(blank_pipeline, text)] == []
    text = "A grey Dodge Durango pulled over. Someone in the Durango shot at a van in Tulsa."
    assert kinds(blank_pipeline, text) == {"Tulsa": "city"}


def test_a_year_before_a_place_is_no_model_year(blank_pipeline: Language) -> None:
    assert kinds(blank_pipeline, "He fought in the 2014 Gaza war.") == {"Gaza": "city"}
    assert kinds(blank_pipeline, "The 2016 Walker County Rodeo starts today.") == {"Walker County": "region"}


def test_a_state_named_like_a_person_opens_an_institution(blank_pipeline: Language) -> None:
    found = {
        m.text: m
        for m in mentions(blank_pipeline, "Officers from the Georgia Department of Corrections arrived.")
    }
    assert found["Georgia"].kind in ("country", "region")
    # Alone, a listed given name before a surname is still a person's name.
    assert "Georgia" not in kinds(blank_pipeline, "The film starred Georgia Okonkwo.")


def test_a_census_given_name_before_a_surname_is_no_town(blank_pipeline: Language) -> None:
    found = kinds(blank_pipeline, "The film starred Tyler Okonkwo. Floods hit Tyler Street in Tyler, Texas.")
    assert [m.text for m in mentions(blank_pipeline, "The film starred Tyler Okonkwo.")] == []
    assert found["Tyler"] == "city"


def test_a_party_named_after_its_country_is_the_party(blank_pipeline: Language) -> None:
    found = {m.text: m for m in mentions(blank_pipeline, "A United Russia deputy and the KDP met in Erbil.")}
    assert found["United Russia"].entity_id == "org:united-russia"
    assert "Russia" not in found
    assert found["KDP"].kind == "organisation" and found["Erbil"].country == "IQ"


def test_an_unknown_seat_of_a_local_office_is_a_place(blank_pipeline: Language) -> None:
    text = "Zorbatown Mayor Jane Okafor met the band Arcade Fire."
    found = _with_ner(
        blank_pipeline, text, [("Zorbatown Mayor Jane Okafor", "PERSON"), ("Arcade Fire", "PERSON")]
    )
    assert found["Zorbatown"] == "location"
    assert any(kind == "person" and name.endswith("Jane Okafor") for name, kind in found.items())
    assert "Arcade" not in found  # a band, not the seat of an office


def test_a_name_given_an_age_is_a_person_throughout(blank_pipeline: Language) -> None:
    text = "Officers arrested Campbell, 42, on Friday. Later Campbell appealed."
    found = _with_ner(blank_pipeline, text, [("Campbell", "PERSON")])
    assert found.get("Campbell") != "city"
    assert kinds(blank_pipeline, "Floods hit Campbell, California, on Monday.")["Campbell"] == "city"


def test_a_lone_town_abroad_needs_support_in_a_text_about_another_country(blank_pipeline: Language) -> None:
    text = "Roads in Dallas, Texas, were closed, according to Kendari dispatchers in Houston."
    assert get_gazetteer().lookup("Kendari")  # a town in Indonesia
    assert "Kendari" not in kinds(blank_pipeline, text)
    placed = kinds(blank_pipeline, "Refugees from Manbij reached Gaziantep and Kilis in Turkey.")
    assert placed["Manbij"] == "city"
    supported = kinds(
        blank_pipeline, "In Dallas, Texas, Houston and Austin, Indonesian workers praised Kendari."
    )
    assert supported["Kendari"] == "city"  # an Indonesian nationality supports it


def test_a_demonym_before_a_territory_noun_names_the_country(blank_pipeline: Language) -> None:
    found = {
        m.text: m for m in mentions(blank_pipeline, "Jets entered Lebanese airspace near the Syrian border.")
    }
    assert (
        found["Lebanese airspace"].kind == "country" and found["Lebanese airspace"].entity_id == "country:LB"
    )
    assert found["Syrian"].kind == "nationality"  # a border has two sides


def test_an_unknown_name_after_a_place_noun_is_a_place_not_an_organisation(blank_pipeline: Language) -> None:
    text = "Fighters left the Syrian town of Zorbatiya. The Zorbatiya Times reported it."
    found = _with_ner(blank_pipeline, text, [("Zorbatiya", "ORG"), ("Zorbatiya Times", "ORG")])
    assert found["Zorbatiya"] == "location"
    assert found["Zorbatiya Times"] == "organisation"


def test_a_town_before_a_resident_noun_is_a_place(blank_pipeline: Language) -> None:
    text = "Police questioned a Zorbaville man and the Saratoga native."
    found = _with_ner(blank_pipeline, text, [("Zorbaville", "PRODUCT"), ("Saratoga", "PERSON")])
    assert found["Zorbaville"] == "location"
    assert found["Saratoga"] == "city"


def test_a_minor_town_needs_the_text_to_place_it(blank_pipeline: Language) -> None:
    placed = mentions(blank_pipeline, "Deputies said Marcy Hollins, 37, of Grovetown, staged the burglary.")
    assert [(m.text, m.kind, m.country) for m in placed] == [("Grovetown", "city", "US")]
    assert kinds(blank_pipeline, "A Buford man was hurt in the crash.") == {"Buford": "city"}
    # Without support, even in a text about its country, the small town is left out.
    assert "Grovetown" not in kinds(blank_pipeline, "Grovetown beat Augusta in Georgia on Friday.")
    # Small towns named like English words are not in the gazetteer at all.
    assert kinds(blank_pipeline, "Beef was traced to a farm in Valley, Nebraska.") == {"Nebraska": "region"}


def test_a_relative_who_or_a_kin_noun_makes_a_person(blank_pipeline: Language) -> None:
    assert "Dayton" not in kinds(blank_pipeline, "Dayton, who was guarding the gate, was injured.")
    assert "Dayton" not in kinds(blank_pipeline, "The mayor sent flowers to Dayton's widow.")
    # After a preposition the clause belongs to someone else: "a man in Kashmir, who".
    found = kinds(blank_pipeline, "A farmer near Dayton, who lost his barn, spoke to us.")
    assert found["Dayton"] == "city"


def test_holidays_and_companies_are_no_places(blank_pipeline: Language) -> None:
    text = "Parades were held on St. Andrew's Day. Harwell Co. bought a farm in Loudon Co. this spring."
    ents = [("St. Andrew's Day", "GPE"), ("Harwell Co.", "ORG"), ("Loudon Co.", "ORG")]
    found = _with_ner(blank_pipeline, text, ents)
    assert found == {"Harwell Co.": "organisation", "Loudon Co.": "location"}


def test_a_name_before_a_relative_who_is_a_person(blank_pipeline: Language) -> None:
    text = "The site was bought by Yogananda, who made it his home. Zorbat Hall, who spoke, agreed."
    found = _with_ner(blank_pipeline, text, [("Yogananda", "GPE"), ("Zorbat Hall", "ORG")])
    assert found == {"Yogananda": "person", "Zorbat Hall": "person"}


def test_a_town_closing_a_misread_name_is_still_a_town_elsewhere(blank_pipeline: Language) -> None:
    text = "The Dublin Dental Practice closed. Plans for Historic Dublin were approved."
    ents = [("Dublin Dental Practice", "ORG"), ("Historic Dublin", "PERSON")]
    found = tag_ner(blank_pipeline, text, ents)
    assert ("Dublin", "city") in found or ("Dublin", "region") in found
    # A real full name still makes its last word a person's: "John Moore ... Moore said".
    text = "John Moore spoke. Later Moore left."
    assert ("Moore", "city") not in tag_ner(blank_pipeline, text, [("John Moore", "PERSON")])


def test_a_name_of_two_words_before_a_resident_noun_is_a_town(home_towns_on: Language) -> None:
    blank_pipeline = home_towns_on
    found = kinds(blank_pipeline, "Police said a Zorba Grove man was fined.")
    assert found == {"Zorba Grove": "location"}
    assert kinds(blank_pipeline, "Medals went to the Bernard Okonkwo family.") == {}
    assert "Native American" not in kinds(blank_pipeline, "She met a Native American woman.")


def test_a_town_before_home_after_a_possessive(home_towns_on: Language) -> None:
    blank_pipeline = home_towns_on
    assert kinds(blank_pipeline, "He drove to his Zorba Grove home.") == {"Zorba Grove": "location"}
    assert kinds(blank_pipeline, "Guns were found at Carter's Buford home.")["Buford"] == "city"
    assert kinds(blank_pipeline, "He came home on Friday.") == {}


def test_home_towns_are_off_by_default(blank_pipeline: Language) -> None:
    assert kinds(blank_pipeline, "Police said a Zorba Grove man was fined.") == {}


def test_a_hometown_after_an_age_is_a_place(home_towns_on: Language) -> None:
    blank_pipeline = home_towns_on
    text = "We met Jeremy Okafor, 30, of Ten Zorba, who was walking his dog."
    found = tag_ner(blank_pipeline, text, [("Jeremy Okafor", "PERSON"), ("Ten", "CARDINAL")])
    assert ("Ten Zorba", "location") in found


def test_a_headline_read_as_a_person_leaves_its_town_alone(blank_pipeline: Language) -> None:
    text = "Banker Petrov Enters Sochi Contest. He registered with the Sochi electoral office."
    found = tag_ner(blank_pipeline, text, [("Banker Petrov Enters Sochi", "PERSON")])
    assert ("Sochi", "city") in found


def test_a_country_joined_by_a_hyphen_is_no_given_name(blank_pipeline: Language) -> None:
    found = kinds(blank_pipeline, "Diplomats doubted an EU-Israel meeting would happen soon.")
    assert found["Israel"] == "country"
    assert kinds(blank_pipeline, "Reporters followed the Israel-Hamas talks.")["Israel"] == "country"
    # The given name alone, with no partner, still needs support.
    assert "Israel" not in kinds(blank_pipeline, "Israel Smith-Jones won the race.")


def test_reference_marks_and_abbreviation_hyphens_are_split_off(blank_pipeline: Language) -> None:
    found = kinds(blank_pipeline, "The fighters crossed into Iraq.[3] Later they held Mosul[12][13].")
    assert found == {"Iraq": "country", "Mosul": "city"}
    found = kinds(blank_pipeline, "A lasting U.S.-Iraq alliance was promised, said the U.S.-led force.")
    assert found["Iraq"] == "country"
    assert [t.text for t in blank_pipeline.make_doc("the U.S.-led force")] == [
        "the",
        "U.S.-led",
        "force",
    ]


def test_a_work_of_art_cut_after_a_small_word_leaves_the_place(blank_pipeline: Language) -> None:
    text = "Raids continued with heavy bombing of Aleppo and Daraya."
    found = _with_ner(blank_pipeline, text, [("Aleppo and", "WORK_OF_ART")])
    assert found == {"Aleppo": "city", "Daraya": "city"}
    # A whole title stays the NER's: no place is taken out of it.
    assert "Aleppo" not in _with_ner(
        blank_pipeline, "He read Aleppo Nights twice.", [("Aleppo Nights", "WORK_OF_ART")]
    )


def test_coordinates_are_locations_in_their_country(blank_pipeline: Language) -> None:
    text = "The village lies in Diyala. Coordinates: 33°52′N 44°51′E / 33.867°N 44.850°E / 33.867; 44.850"
    found = [m for m in mentions(blank_pipeline, text) if m.kind == "location"]
    assert [m.text for m in found] == ["33°52′N 44°51′E", "33.867°N 44.850°E", "33.867; 44.850"]
    assert {m.country for m in found} == {"IQ"}
    assert len({m.entity_id for m in found}) == 1  # one point, written three ways
    # Seconds and southern and western hemispheres; a point at sea has no country.
    (nairobi,) = mentions(blank_pipeline, "The camp at 1°17′S 36°49′E was full.")
    assert nairobi.country == "KE"
    (sea,) = mentions(blank_pipeline, "The boat sank at 20°S 30°W.")
    assert (sea.kind, sea.country) == ("location", None)
    # A bare pair of decimals needs a coordinate or the word nearby: prices are no places.
    assert mentions(blank_pipeline, "Fuel rose from 33.867; 44.850 in May.") == []


def test_a_demonym_read_as_a_person_or_language_before_its_noun(blank_pipeline: Language) -> None:
    text = "A well-known Slovak painter settled in the English town of Ludlow."
    found = _with_ner(blank_pipeline, text, [("Slovak", "PERSON"), ("English", "LANGUAGE")])
    assert found["Slovak"] == "nationality" and found["English"] == "nationality"
    # A language before other nouns, or alone, stays a language; a person stays a person.
    text = "English language learners came with Slovak."
    found = _with_ner(blank_pipeline, text, [("English", "LANGUAGE"), ("Slovak", "PERSON")])
    assert "English" not in found and found.get("Slovak") != "nationality"


def test_a_hamlet_overrules_the_ner_only_without_another_country(blank_pipeline: Language) -> None:
    # Sarmin: a Syrian town kept below the usual 15,000 inhabitants.
    ner = [("Sarmin", "ORG")]
    assert _with_ner(blank_pipeline, "Sarmin was shelled again overnight.", ner) == {"Sarmin": "city"}
    found = _with_ner(blank_pipeline, "Syrian medics said Sarmin was shelled again.", ner)
    assert found["Sarmin"] == "city"
    found = _with_ner(blank_pipeline, "Officials in Texas said Sarmin will open a store.", ner)
    assert found.get("Sarmin") == "organisation"


def test_foreign_country_names_that_are_english_words_need_support(blank_pipeline: Language) -> None:
    found = kinds(
        blank_pipeline, "Island residents bought a Suede jacket, a Grenade launcher and Chili sauce."
    )
    assert not {"Island", "Suede", "Grenade", "Chili"} & set(found)
    # The English names still count.
    assert kinds(blank_pipeline, "Flights from Iceland and Chile resumed.") == {
        "Iceland": "country",
        "Chile": "country",
    }


def test_an_unknown_name_before_a_local_unit_noun_is_a_place(blank_pipeline: Language) -> None:
    text = "Bombs hit the Zorbani neighborhood and the Qarqash district, Smith townsfolk said."
    ner = [("Zorbani", "ORG"), ("Qarqash", "PERSON"), ("Smith", "PERSON")]
    found = _with_ner(blank_pipeline, text, ner)
    assert found["Zorbani"] == "location" and found["Qarqash"] == "location"
    assert found["Smith"] == "person"
    # After "vicinity of", as after "village of", a name is a place; a gate is a site.
    found = _with_ner(
        blank_pipeline,
        "He died in the vicinity of Zorbani near the Qarqash Gate.",
        [("Zorbani", "PERSON"), ("Qarqash Gate", "ORG")],
    )
    assert found == {"Zorbani": "location", "Qarqash Gate": "location"}


def test_an_unknown_name_joined_to_a_persons_name_is_a_person(blank_pipeline: Language) -> None:
    text = "Here is a tale of Karim and Zorbek. Zorbek, in a grey coat, smiled."
    found = mentions(blank_pipeline, text)
    assert found == []  # no NER: nothing is read as a place
    ner = [("Karim", "GPE"), ("Zorbek", "GPE")]
    assert _with_ner(blank_pipeline, text, ner) == {"Karim": "person", "Zorbek": "person"}
    # Places listed after a place noun stay places, even beside a name.
    found = _with_ner(
        blank_pipeline,
        "Birds died in the villages of Zorbek and Karim.",
        [("Zorbek", "GPE"), ("Karim", "GPE")],
    )
    assert found["Zorbek"] == "location"


def test_a_town_closing_a_titled_name_with_a_given_name_is_a_surname(blank_pipeline: Language) -> None:
    text = "Petty Officer Alan R. Dayton, 39, died on Sunday. Dayton was hit in the east."
    found = _with_ner(blank_pipeline, text, [("Petty Officer Alan R. Dayton", "PERSON")])
    assert "Dayton" not in {k for k, v in found.items() if v == "city"}


def test_names_listed_with_a_known_town_after_a_preposition_are_places(blank_pipeline: Language) -> None:
    text = "Drones struck near Talamenes, Qamenas and Sarmin on Tuesday."
    found = _with_ner(blank_pipeline, text, [("Sarmin", "PERSON")])
    assert found == {"Talamenes": "location", "Qamenas": "location", "Sarmin": "city"}
    # A person beside a town, a title after a comma, or no known town: no list of places.
    text = "Reporting by Maria Ortega in Phoenix and Dale Hughes in Tucson."
    assert kinds(blank_pipeline, text).get("Dale Hughes") != "location"
    assert "Staff Sgt" not in kinds(
        blank_pipeline, "She was deployed to Iraq, Staff Sgt. Nora Quinn recalled."
    )
    assert kinds(blank_pipeline, "Drones struck near Talamenes and Qamenas on Tuesday.") == {}


def test_a_name_after_place_noun_such_as_or_including_is_a_place(blank_pipeline: Language) -> None:
    text = "Convoys cannot reach people in camps such as Zamzam; towns including Qarqash were shelled."
    found = _with_ner(blank_pipeline, text, [("Zamzam", "PERSON"), ("Qarqash", "ORG")])
    assert found == {"Zamzam": "location", "Qarqash": "location"}
    assert _with_ner(blank_pipeline, "Singers such as Zamzam came.", [("Zamzam", "PERSON")]) == {
        "Zamzam": "person"
    }


def test_a_town_after_a_preposition_before_a_speech_verb_is_a_place(blank_pipeline: Language) -> None:
    found = kinds(blank_pipeline, "Families from camps in Duhok told reporters their homes were gone.")
    assert found["Duhok"] == "city"
    assert "Jackson" not in kinds(blank_pipeline, "Jackson told reporters their homes were gone.")
    found = _with_ner(blank_pipeline, "Recruits trained in the Qarqash valley.", [("Qarqash", "PERSON")])
    assert found == {"Qarqash": "location"}


def test_a_place_before_based_or_after_a_name_and_comma_is_a_place(blank_pipeline: Language) -> None:
    assert kinds(blank_pipeline, "The Kent-based team won.")["Kent"] == "region"
    text = "The rally ends at Haldon Forest, Devon. Then it moves on."
    found = _with_ner(blank_pipeline, text, [("Devon", "PERSON")])
    assert found["Devon"] == "region"
    # Not when the name goes on speaking: "Clark, Kent said" is a person.
    found = _with_ner(blank_pipeline, "He met Clark, Kent said.", [("Clark", "PERSON"), ("Kent", "PERSON")])
    assert found["Kent"] == "person"


def test_an_unknown_word_read_as_an_organisation_after_a_preposition_is_a_place(
    blank_pipeline: Language,
) -> None:
    text = "Atrocities in Zorbani were reported, and UNHCR staff in Qarqash Group offices."
    found = _with_ner(blank_pipeline, text, [("Zorbani", "ORG"), ("Qarqash Group", "ORG")])
    assert found["Zorbani"] == "location"
    assert found["Qarqash Group"] == "organisation"  # a longer name stays the NER's
    assert _with_ner(blank_pipeline, "Jobs in ZORBCO rose.", [("ZORBCO", "ORG")]) == {
        "ZORBCO": "organisation"
    }


def test_an_unknown_name_before_a_site_noun_is_a_place(blank_pipeline: Language) -> None:
    text = "Blasts hit the Zorbani military airport and the Qarqash hospital."
    found = _with_ner(blank_pipeline, text, [("Zorbani", "ORG"), ("Qarqash", "PERSON")])
    assert found == {"Zorbani": "location", "Qarqash": "location"}
    text = "Zorbani military officials met."
    assert _with_ner(blank_pipeline, text, [("Zorbani", "ORG")]) == {"Zorbani": "organisation"}


def test_the_subject_of_a_definition_of_a_place_is_a_place(blank_pipeline: Language) -> None:
    found = kinds(blank_pipeline, "Zorbani (Arabic: a name) is a small farming village in Diyala.")
    assert found["Zorbani"] == "location"
    text = "Qarqash General Hospital in Baghdad is one of the oldest hospitals in the country."
    assert kinds(blank_pipeline, text)["Qarqash General Hospital"] == "location"
    assert "Zorbani Corp" not in kinds(blank_pipeline, "Zorbani Corp is a company that owns a hospital.")


def test_a_language_name_is_no_place(blank_pipeline: Language) -> None:
    text = "The book is written in the Northern Zorbani language."
    assert _with_ner(blank_pipeline, text, [("Northern Zorbani", "LOC")]) == {}
