"""Each rule family is its own registered component and can be switched off.

Sample sentences written for these tests.
"""

from __future__ import annotations

import pytest
from spacy.language import Language

from nlp.components.datelines import Datelines
from nlp.components.labels import FORCED_KEY
from nlp.pipeline import RULE_FAMILIES


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
