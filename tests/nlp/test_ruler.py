"""The gazetteer ruler alone (no NER): what becomes an entity, a doubtful candidate, or nothing."""

from __future__ import annotations

from spacy.language import Language

from nlp.components import CANDIDATES_KEY


def run_ruler(lang: Language, text: str) -> tuple[list[tuple[str, str]], list[str]]:
    doc = lang.get_pipe("coi_gazetteer_ruler")(lang.make_doc(text))
    return [(e.text, e.label_) for e in doc.ents], [s.text for s in doc.spans[CANDIDATES_KEY]]


def test_longest_match_keeps_group_names_whole(blank_pipeline: Language) -> None:
    ents, _ = run_ruler(blank_pipeline, "The Free Syrian Army and the Islamic State fought near Aleppo.")
    assert ("Free Syrian Army", "COI_GROUP") in ents
    assert ("Islamic State", "COI_GROUP") in ents
    assert not any(text in ("Syrian", "Islamic") for text, _ in ents)


def test_is_the_group_not_the_verb(blank_pipeline: Language) -> None:
    ents, _ = run_ruler(blank_pipeline, "IS fighters attacked the town, which is near Raqqa.")
    assert ("IS", "COI_GROUP") in ents
    assert [t for t, _ in ents].count("IS") == 1
    assert "is" not in [t for t, _ in ents]
    ents, _ = run_ruler(blank_pipeline, "WHO IS BEHIND THE ATTACK ON THE MARKET")
    assert "IS" not in [t for t, _ in ents]


def test_lower_case_words_are_not_places(blank_pipeline: Language) -> None:
    ents, cands = run_ruler(blank_pipeline, "the mobile clinic of the city is open")
    assert ents == [] and cands == []


def test_surname_is_not_a_place(blank_pipeline: Language) -> None:
    ents, cands = run_ruler(blank_pipeline, "Barack Obama visited Kabul. Later Obama said the war was over.")
    assert "Obama" not in [t for t, _ in ents] + cands
    assert "Kabul" in cands  # a single-word city: the NER may still overrule it


def test_title_before_a_place_name_means_a_person(blank_pipeline: Language) -> None:
    ents, cands = run_ruler(blank_pipeline, "Mr Houston met President Jackson.")
    assert "Houston" not in [t for t, _ in ents] + cands
    assert "Jackson" not in [t for t, _ in ents] + cands


def test_multi_word_places_and_countries_are_entities(blank_pipeline: Language) -> None:
    ents, cands = run_ruler(blank_pipeline, "From Deir ez-Zor to Syria and the Indian Ocean, Syrians fled.")
    assert ("Deir ez-Zor", "COI_PLACE") in ents and ("Syria", "COI_PLACE") in ents
    assert ("Indian Ocean", "COI_PLACE") in ents
    assert "Syrians" in cands


def test_stop_listed_and_small_places_are_doubtful(blank_pipeline: Language) -> None:
    ents, cands = run_ruler(blank_pipeline, "Florence Nightingale was a nurse. Mobile phones are common.")
    assert "Florence" not in [t for t, _ in ents]
    assert "Mobile" not in [t for t, _ in ents]
    ents, cands = run_ruler(blank_pipeline, "Shelling hit Mobile and Palmyra.")
    assert "Mobile" in cands and "Palmyra" in cands
