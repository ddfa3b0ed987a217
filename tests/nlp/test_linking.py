"""Linking through the whole blank pipeline (gazetteers, no statistical model)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import spacy
from spacy.language import Language

from nlp.components import _names_disease
from nlp.gazetteer import get_gazetteer, load_ambiguity
from nlp.records import Mention

ID_PATTERN = re.compile(
    r"^(country:[A-Z]{2}|region:[A-Z]{2}-[A-Z0-9]+|city:\d+|group:[a-z0-9-]+|state:[A-Z]{2}|location:[a-z0-9-]+"
    r"|area:[A-Z]{2}-[a-z0-9-]+|point:-?\d+\.\d{3},-?\d+\.\d{3})$"
)


def mentions(
    lang: Language, text: str, source_countries: tuple[str, ...] = (), home: str | None = None
) -> list[Mention]:
    doc = lang.make_doc(text)
    doc._.coi_source_countries = source_countries
    doc._.coi_home_country = home
    doc = lang(doc)
    result: list[Mention] = doc._.coi_mentions
    return result


def by_text(found: list[Mention]) -> dict[str, Mention]:
    return {m.text: m for m in found}


def test_mentions_carry_ids_kinds_countries_and_offsets(blank_pipeline: Language) -> None:
    text = "Russian airstrikes target Hama countryside; HTS fighters withdrew from Idlib."
    found = mentions(blank_pipeline, text)
    for m in found:
        assert text[m.start : m.end] == m.text
        assert ID_PATTERN.match(m.entity_id), m.entity_id
    table = by_text(found)
    assert table["Russian airstrikes"].kind == "state_force"
    assert table["Russian airstrikes"].entity_id == "state:RU"
    assert table["Russian airstrikes"].ucdp == "Government of Russia (Soviet Union)"
    assert table["Hama countryside"].entity_id == "region:SY-HM"
    assert table["HTS"].entity_id == "group:hayat-tahrir-al-sham" and table["HTS"].ucdp == "HTS"
    assert table["Idlib"].kind == "city" and table["Idlib"].country == "SY"


def test_ascii_and_variant_spellings_of_syrian_and_iraqi_places(blank_pipeline: Language) -> None:
    text = "Clashes in Deir el-Zour, Dayr az Zawr and Raqqa; refugees from Mosul reached Erbil and Homs."
    table = by_text(mentions(blank_pipeline, text))
    for name in ("Deir el-Zour", "Dayr az Zawr", "Raqqa", "Homs"):
        assert table[name].country == "SY", name
    for name in ("Mosul", "Erbil"):
        assert table[name].country == "IQ", name


def test_islamic_state_is_not_cut_to_a_nationality(blank_pipeline: Language) -> None:
    table = by_text(mentions(blank_pipeline, "The Islamic State and ISIL and Daesh claimed it."))
    assert {table[n].entity_id for n in ("Islamic State", "ISIL", "Daesh")} == {"group:islamic-state"}
    assert all(m.kind != "nationality" for m in table.values())


def test_free_syrian_army_gives_no_syrian_nationality(blank_pipeline: Language) -> None:
    found = mentions(blank_pipeline, "The Free Syrian Army shelled positions.")
    assert [(m.text, m.kind) for m in found] == [("Free Syrian Army", "armed_group")]


def test_armed_groups_with_transliteration_variants(blank_pipeline: Language) -> None:
    table = by_text(
        mentions(blank_pipeline, "Ahrar ash-Sham and Jabhat an-Nusrah clashed with Jaish al-Islam.")
    )
    assert table["Ahrar ash-Sham"].entity_id == "group:ahrar-al-sham"
    assert table["Jabhat an-Nusrah"].entity_id == "group:jabhat-al-nusra"
    assert table["Jaish al-Islam"].entity_id == "group:jaysh-al-islam"


def test_province_or_city_gaza_is_palestine_without_context(blank_pipeline: Language) -> None:
    table = by_text(mentions(blank_pipeline, "Airstrikes hit Gaza overnight."))
    assert table["Gaza"].country == "PS"


def test_gaza_province_of_mozambique_wins_with_mozambican_context(blank_pipeline: Language) -> None:
    text = "Floods in Mozambique: Maputo and Inhambane were hit, and in Gaza province Chokwe was flooded."
    table = by_text(mentions(blank_pipeline, text))
    assert table["Gaza"].entity_id == "region:MZ-G"


def test_namesake_town_follows_the_adjacent_state(blank_pipeline: Language) -> None:
    table = by_text(mentions(blank_pipeline, "A fire broke out in Alexandria, Louisiana on Monday."))
    assert table["Alexandria"].country == "US"
    table = by_text(mentions(blank_pipeline, "Protests spread from Cairo to Alexandria."))
    assert table["Alexandria"].country == "EG"


def test_a_big_town_comes_before_a_small_countrys_region_without_context(blank_pipeline: Language) -> None:
    # The Barbadian parish of Saint Joseph holds some 26,000 people, the Missouri town 77,000.
    assert (
        by_text(mentions(blank_pipeline, "A storm hit Saint Joseph overnight."))["Saint Joseph"].country
        == "US"
    )


def test_a_town_of_another_province_does_not_take_the_provinces_name(blank_pipeline: Language) -> None:
    # Caldas, Antioquia is no town of the department of Caldas.
    table = by_text(mentions(blank_pipeline, "Landslides buried roads in Caldas after a week of rain."))
    assert table["Caldas"].entity_id == "region:CO-CAL"


def test_namesake_resolved_by_dominant_country(blank_pipeline: Language) -> None:
    text = "Shelling in Homs, Hama and Aleppo killed civilians; the Syrian army advanced."
    assert by_text(mentions(blank_pipeline, text))["Homs"].country == "SY"


def test_doubtful_place_needs_support(blank_pipeline: Language) -> None:
    assert "Mobile" not in by_text(mentions(blank_pipeline, "Mobile phones were confiscated."))
    assert by_text(mentions(blank_pipeline, "The storm reached Mobile, Alabama."))["Mobile"].country == "US"


def test_source_countries_give_context(blank_pipeline: Language) -> None:
    found = mentions(blank_pipeline, "Fighting near Jarabulus.", ("SY",))
    assert found and found[0].country == "SY"


def test_country_used_for_its_government_stays_a_country_but_acts(blank_pipeline: Language) -> None:
    doc = blank_pipeline("France condemned the strikes on Idlib; Russia's role in Syria grew.")
    table = by_text(doc._.coi_mentions)
    assert table["France"].kind == "country" and table["France"].entity_id == "country:FR"
    assert table["Russia"].kind == "country"
    assert table["Syria"].kind == "country"
    # only "France condemned" speaks for a government
    assert [m.text for m in doc._.coi_mentions if m.actor] == ["France"]


def acting(lang: Language, texts: Iterable[str]) -> dict[str, list[str]]:
    """Per text, the countries it names for their state."""
    return {text: [m.text for m in mentions(lang, text) if m.actor] for text in texts}


def test_a_country_acts_through_an_auxiliary_or_an_adverb_but_not_through_other_words(
    blank_pipeline: Language,
) -> None:
    expected = {
        "Norway has rejected the request from Chad.": ["Norway"],
        "Peru sharply denied any role in Bolivia.": ["Peru"],
        "Kenya would also pledge troops to Somalia.": [],  # a base form is no state verb
        "Roads in Ghana rejected by inspectors were closed.": [],
        "Aid from Japan, the minister said, arrived in Nepal.": [],
    }
    assert acting(blank_pipeline, expected) == expected


def test_a_city_of_a_million_acts_for_its_government_but_not_a_small_town(blank_pipeline: Language) -> None:
    expected = {
        "Nairobi condemned the raid on Kismayo.": ["Nairobi"],
        "Lima warned of floods in Piura.": ["Lima"],
        "Piura warned of floods.": [],  # a town of a few hundred thousand speaks for its people
        "Residents of Nairobi said the roads were closed.": [],
    }
    assert acting(blank_pipeline, expected) == expected


def test_a_country_owning_its_state_bodies_acts_but_not_one_owning_places(blank_pipeline: Language) -> None:
    expected = {
        "Peru's foreign minister flew to Chile.": ["Peru"],
        "Mali’s army withdrew from the town.": ["Mali"],  # a typographic apostrophe
        "Shelling hit Sudan's north; Egypt's government kept silent.": ["Egypt"],
        "Nepal's capital was flooded.": [],
        "Kenya's air quality worsened.": [],  # "air" alone is not the air force
    }
    assert acting(blank_pipeline, expected) == expected


def test_a_country_doing_armed_action_acts_but_not_one_it_befalls(blank_pipeline: Language) -> None:
    expected = {
        "Chile shelled a border post near Tacna.": ["Chile"],
        "Laos struck by floods again.": [],
        "Roads in Chad raided by bandits stay shut.": [],
    }
    assert acting(blank_pipeline, expected) == expected


def test_a_foreign_air_force_in_a_named_town_leaves_the_focus_on_the_town() -> None:
    from nlp.pipeline import tag
    from nlp.records import TagInput

    (result,) = tag(
        [TagInput("1", "Chile's air force bombed a depot near Tacna, officials said.")], model="none"
    )
    roles = {c.code: c.role for c in result.countries}
    assert roles == {"PE": "focus", "CL": "mentioned"}


def test_an_acting_country_is_marked_in_the_tagging_output() -> None:
    from nlp.jsonl import result_to_dict
    from nlp.pipeline import tag
    from nlp.records import TagInput

    (result,) = tag(
        [TagInput("1", "Fighting in Sudan. Egypt condemned the shelling of Khartoum.")], model="none"
    )
    entities = {e["text"]: e for e in result_to_dict(result)["entities"]}
    assert entities["Egypt"]["actor"] is True
    assert entities["Sudan"]["actor"] is False and entities["Khartoum"]["actor"] is False
    assert [c.code for c in result.countries if c.role == "focus"] == ["SD"]


def test_government_names_and_typographic_apostrophes(blank_pipeline: Language) -> None:
    table = by_text(mentions(blank_pipeline, "The Government of Iraq fought Da’esh with Coalition forces."))
    assert table["Government of Iraq"].entity_id == "state:IQ"
    assert table["Da’esh"].entity_id == "group:islamic-state"
    assert table["Coalition forces"].entity_id == "group:global-coalition"


def test_continents_and_seas_have_no_country(blank_pipeline: Language) -> None:
    table = by_text(mentions(blank_pipeline, "Boats crossed the Mediterranean Sea towards Europe."))
    assert table["Mediterranean Sea"].kind == "location" and table["Mediterranean Sea"].country is None
    assert table["Europe"].entity_id == "location:europe"


def test_disease_named_after_a_place_is_not_a_place(blank_pipeline: Language) -> None:
    found = mentions(blank_pipeline, "Cases of Marburg fever and Ebola virus were reported in Uganda.")
    assert [m.text for m in found] == ["Uganda"]


def test_diseases_the_ner_reads_as_places_are_dropped() -> None:
    lang = spacy.blank("en")
    text = "She had Ebola and H1N1; Rift Valley Fever and Ebolavirus spread in Liberia."
    doc = lang.make_doc(text)
    doc.ents = [
        doc.char_span(text.index(name), text.index(name) + len(name), label="GPE")
        for name in ("Ebola", "H1N1", "Rift Valley Fever", "Ebolavirus", "Liberia")
    ]
    amb = load_ambiguity()
    dropped = [e.text for e in doc.ents if _names_disease(e, amb.disease_names, amb.disease_words)]
    assert dropped == ["Ebola", "H1N1", "Rift Valley Fever", "Ebolavirus"]


def test_town_opening_an_office_held_name_is_split(blank_pipeline: Language) -> None:
    text = "Macon Mayor Ruth Calder opened the library."
    doc = blank_pipeline.make_doc(text)
    doc.ents = [doc.char_span(0, len("Macon Mayor Ruth Calder"), label="PERSON")]
    for _name, proc in blank_pipeline.pipeline:
        doc = proc(doc)
    table = by_text(doc._.coi_mentions)
    assert table["Macon"].kind == "city" and table["Macon"].country == "US"
    assert any(m.kind == "person" and m.text.endswith("Ruth Calder") for m in doc._.coi_mentions)


def test_namesake_cities_abroad_are_left_to_context(blank_pipeline: Language) -> None:
    doc = blank_pipeline(blank_pipeline.make_doc("Dublin, Ohio, opened a park. Dublin residents came."))
    assert {m.country for m in doc._.coi_mentions if m.text == "Dublin"} == {"US"}


def test_a_town_name_two_provinces_share_is_read_in_the_province_of_the_other_places(
    blank_pipeline: Language,
) -> None:
    # Syria has a Suran in Hama governorate (the larger) and one in Aleppo governorate.
    def province(text: str) -> str | None:
        found = get_gazetteer().province(by_text(mentions(blank_pipeline, text))["Suran"].entity_id)
        return found.code if found is not None else None

    assert province("Shelling was reported in Suran on Monday.") == "SY-HM"
    assert province("Shelling hit Suran on Monday; families fled from Azaz and Marea to Afrin.") == "SY-HL"
    assert province("Shelling hit Suran on Monday; families fled from Morek and Latamneh to Hama.") == "SY-HM"
    # switched off, the larger town is taken whatever the other places
    linker: Any = blank_pipeline.get_pipe("coi_entity_linker")
    linker.province_weight = 0.0
    try:
        assert (
            province("Shelling hit Suran on Monday; families fled from Azaz and Marea to Afrin.") == "SY-HM"
        )
    finally:
        linker.province_weight = 1.0


def test_province_context_never_changes_the_country(blank_pipeline: Language) -> None:
    # Homs names towns in Syria and Libya: the country is the country context's to decide, and
    # the province only chooses among one country's namesakes.
    text = "Shelling in Homs, Hama and Aleppo killed civilians; the Syrian army advanced."
    assert by_text(mentions(blank_pipeline, text))["Homs"].country == "SY"


def test_a_town_several_countries_have_leans_to_the_home_country_of_its_source(
    blank_pipeline: Language,
) -> None:
    text = "A fire destroyed a warehouse in Tripoli overnight, the fire brigade said."
    assert by_text(mentions(blank_pipeline, text))["Tripoli"].country == "LY"  # the larger town
    assert by_text(mentions(blank_pipeline, text, home="LB"))["Tripoli"].country == "LB"
    assert by_text(mentions(blank_pipeline, text, home="IN"))["Tripoli"].country == "LY"  # India has none


def test_a_place_the_text_names_outweighs_the_home_country(blank_pipeline: Language) -> None:
    text = "Militias fought near Benghazi and in Tripoli as Libya's rival governments traded blame."
    assert by_text(mentions(blank_pipeline, text, home="LB"))["Tripoli"].country == "LY"


def test_a_town_set_beside_a_country_lies_in_it_even_where_words_of_where_come_between(
    blank_pipeline: Language,
) -> None:
    found = {m.text: m for m in mentions(blank_pipeline, "Fighting went on near Kherson, southern Ukraine.")}
    assert (found["Kherson"].kind, found["Kherson"].country) == ("city", "UA")
    found = {m.text: m for m in mentions(blank_pipeline, "A convoy was ambushed near Paris, northern Mali.")}
    # no Paris of Mali in the gazetteer: a place of Mali it does not know, not the French capital
    assert (found["Paris"].kind, found["Paris"].country, found["Paris"].entity_id) == (
        "location",
        "ML",
        "location:paris",
    )
    found = {m.text: m for m in mentions(blank_pipeline, "A convoy was ambushed near Paris, Georgia.")}
    assert found["Paris"].country == "US"  # Georgia is a country and a state: the state's town
    # items of a list are not set beside each other
    found = {
        m.text: m for m in mentions(blank_pipeline, "Flights leave for Paris, Mali and Niger each week.")
    }
    assert (found["Paris"].kind, found["Paris"].country) == ("city", "FR")
    found = {m.text: m for m in mentions(blank_pipeline, "Jets struck Paris, Mali and three other towns.")}
    assert (found["Paris"].kind, found["Paris"].country) == ("city", "FR")
