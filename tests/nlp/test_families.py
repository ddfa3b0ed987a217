"""Each rule family is its own registered component and can be switched off.

Sample sentences written for these tests.
"""

from __future__ import annotations

import pytest
import spacy
from spacy.language import Language

from nlp.components.datelines import Datelines
from nlp.components.labels import FORCED_KEY
from nlp.components.person_names import PersonNames, person_short_forms
from nlp.gazetteer import get_gazetteer
from nlp.pipeline import RULE_FAMILIES
from nlp.records import Mention


def texts(lang: Language, text: str, *, without: str | None = None) -> list[str]:
    if without is None:
        return [m.text for m in lang(lang.make_doc(text))._.coi_mentions]
    with lang.select_pipes(disable=[without]):
        return [m.text for m in lang(lang.make_doc(text))._.coi_mentions]


def test_every_family_is_in_the_pipeline(blank_pipeline: Language) -> None:
    assert set(RULE_FAMILIES) <= set(blank_pipeline.pipe_names)


def test_dateline_family_marks_the_opening_place(blank_pipeline: Language) -> None:
    doc = blank_pipeline(blank_pipeline.make_doc("BOSASO, Somalia - Port workers went on strike on Tuesday."))
    assert [s.text for s in doc.user_data[FORCED_KEY]["dateline"]] == ["BOSASO", "Somalia"]


@pytest.mark.parametrize("enabled", [True, False])
def test_a_family_switched_off_finds_nothing(blank_pipeline: Language, enabled: bool) -> None:
    doc = blank_pipeline.make_doc("BOSASO, Somalia - Port workers went on strike on Tuesday.")
    Datelines(enabled=enabled)(doc)
    assert bool(doc.user_data.get(FORCED_KEY)) is enabled


def test_non_places_family_drops_a_disease_named_after_a_town(blank_pipeline: Language) -> None:
    text = "Reston virus turned up in pigs. More samples were taken in Reston today."
    assert "Reston" not in texts(blank_pipeline, text)
    assert "Reston" in texts(blank_pipeline, text, without="coi_non_places")


def test_office_holders_family_reads_an_office_title_as_a_person(blank_pipeline: Language) -> None:
    text = "The Minister for Syria met aid agencies."
    assert "Minister for Syria" in texts(blank_pipeline, text)
    assert "Minister for Syria" not in texts(blank_pipeline, text, without="coi_office_holders")


def test_post_link_rewrites_family_reads_the_regime_as_the_state(blank_pipeline: Language) -> None:
    text = "The regime shelled villages south of Idlib."
    assert "The regime" in texts(blank_pipeline, text)
    assert "The regime" not in texts(blank_pipeline, text, without="coi_post_link_rewrites")


def test_units_family_keeps_a_unit_named_with_an_ordinal(blank_pipeline: Language) -> None:
    text = "Witnesses said the 4th Armoured Division and the Ninth Regiment held the bridge."
    assert {"4th Armoured Division", "Ninth Regiment"} <= set(texts(blank_pipeline, text))
    assert "4th Armoured Division" not in texts(blank_pipeline, text, without="coi_units")


def test_units_family_leaves_dates_and_leagues_alone(blank_pipeline: Language) -> None:
    from nlp.components.units import unit_spans

    for text in (
        "The club was promoted from the Second Division on 4th May.",
        "He came 3rd in the race; the Fifth Avenue shops were shut.",
        "On the 12th the company said it would close.",
    ):
        assert unit_spans(blank_pipeline.make_doc(text)) == [], text


def _mention(text: str, phrase: str, kind: str, entity_id: str, nth: int = 0) -> Mention:
    start = -1
    for _ in range(nth + 1):
        start = text.index(phrase, start + 1)
    return Mention(start, start + len(phrase), phrase, kind, entity_id, phrase, None)  # type: ignore[arg-type]


def _short_forms(text: str, mentions: list[Mention]) -> list[Mention]:
    amb = get_gazetteer().ambiguity
    assert amb is not None
    return person_short_forms(spacy.blank("en")(text), mentions, amb)


def test_person_names_family_reads_a_part_of_a_full_name_as_that_person() -> None:
    text = "Rebel commander Anas Khudair spoke on Monday. Khudair said Anas had left. Later Khudair wept."
    mentions = [
        _mention(text, "Anas Khudair", "person", "person:anas-khudair"),
        _mention(text, "Khudair", "person", "person:khudair", nth=1),  # the NER's person of its own
        _mention(text, "Anas", "organisation", "org:anas", nth=1),  # the NER's organisation
    ]
    found = _short_forms(text, mentions)
    # the third Khudair, which nothing had found, is added
    assert [(m.text, m.entity_id) for m in found] == [
        ("Anas Khudair", "person:anas-khudair"),
        ("Khudair", "person:anas-khudair"),
        ("Anas", "person:anas-khudair"),
        ("Khudair", "person:anas-khudair"),
    ]
    assert {m.kind for m in found} == {"person"}
    assert all(m.canonical == "Anas Khudair" for m in found)


def test_person_names_family_leaves_shared_parts_places_and_common_words_alone() -> None:
    text = "Omar Haddad met Omar Nassif and Grace Jordan in Jordan. Omar said Haddad and Grace left Haddad Street."
    mentions = [
        _mention(text, "Omar Haddad", "person", "person:omar-haddad"),
        _mention(text, "Omar Nassif", "person", "person:omar-nassif"),
        _mention(text, "Grace Jordan", "person", "person:grace-jordan"),
        _mention(text, "Jordan", "country", "country:JO", nth=1),
    ]
    found = {(m.start, m.text): m for m in _short_forms(text, mentions)}
    assert found[(text.index("Jordan."), "Jordan")].kind == "country"  # a place stays a place
    assert (text.index("Omar said"), "Omar") not in found  # Omar names two persons here
    assert (text.index("Grace left"), "Grace") not in found  # a common word
    assert found[(text.index("Haddad and"), "Haddad")].entity_id == "person:omar-haddad"
    assert (text.index("Haddad Street"), "Haddad") not in found  # part of a longer name


def test_person_names_family_reads_an_unknown_place_that_is_a_name_part_as_the_person() -> None:
    text = "Marta Ivanenko was wounded in Kharkiv. Doctors said Marta was recovering."
    mentions = [
        _mention(text, "Marta Ivanenko", "person", "person:marta-ivanenko"),
        _mention(text, "Kharkiv", "city", "city:706483"),
        _mention(text, "Marta", "location", "location:marta", nth=1),  # the NER's place, in no gazetteer
    ]
    found = {m.text: m for m in _short_forms(text, mentions)}
    assert found["Marta"].kind == "person"
    assert found["Marta"].entity_id == "person:marta-ivanenko"
    assert found["Kharkiv"].kind == "city"


def test_person_names_family_drops_a_plural_noun_for_people_read_as_a_name() -> None:
    text = "Returnees described the camp. Amal Rashed, a returnee, said guards beat Detainees."
    doc = spacy.blank("en")(text)
    doc._.coi_mentions = [
        _mention(text, "Returnees", "person", "person:returnees"),
        _mention(text, "Amal Rashed", "person", "person:amal-rashed"),
        _mention(text, "Detainees", "person", "person:detainees"),
    ]
    PersonNames(enabled=True)(doc)
    assert [m.text for m in doc._.coi_mentions] == ["Amal Rashed"]


def test_person_names_family_can_be_switched_off() -> None:
    text = "Commander Anas Khudair spoke. Khudair left."
    doc = spacy.blank("en")(text)
    doc._.coi_mentions = [_mention(text, "Anas Khudair", "person", "person:anas-khudair")]
    PersonNames(enabled=False)(doc)
    assert len(doc._.coi_mentions) == 1
    PersonNames(enabled=True)(doc)
    assert [m.text for m in doc._.coi_mentions] == ["Anas Khudair", "Khudair"]
