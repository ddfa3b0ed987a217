"""Focus is where the events happen: foreign forces, transnational groups, places in two countries.

Sample sentences written for these tests.
"""

from __future__ import annotations

import pytest
from spacy.language import Language

from nlp.records import CountryScore
from nlp.scoring import home_country


def countries(lang: Language, text: str) -> tuple[CountryScore, ...]:
    doc = lang(lang.make_doc(text))
    scores: tuple[CountryScore, ...] = doc._.coi_countries
    return scores


def focus(scores: tuple[CountryScore, ...]) -> dict[str, float]:
    return {s.code: s.score for s in scores if s.role == "focus"}


def test_a_foreign_air_force_in_a_named_town_is_mentioned_not_focus(blank_pipeline: Language) -> None:
    scores = countries(blank_pipeline, "Russian air force jets struck Saraqib on Tuesday.")
    assert list(focus(scores)) == ["SY"]
    assert {s.code: s.role for s in scores}["RU"] == "mentioned"


def test_a_foreign_army_in_a_named_town_is_mentioned_not_focus(blank_pipeline: Language) -> None:
    scores = countries(blank_pipeline, "Turkish army units shelled villages west of Manbij overnight.")
    assert list(focus(scores)) == ["SY"]


def test_a_capital_named_for_its_government_is_mentioned_not_focus(blank_pipeline: Language) -> None:
    scores = countries(blank_pipeline, "Nairobi condemned the raid on Kismayo.")
    assert list(focus(scores)) == ["SO"]
    assert "KE" in {s.code for s in scores if s.role == "mentioned"}


def test_a_transnational_group_with_no_place_gives_no_focus(blank_pipeline: Language) -> None:
    assert focus(countries(blank_pipeline, "Islamic State fighters attacked an army convoy at dawn.")) == {}


def test_a_transnational_group_takes_the_country_of_the_place_near_it(blank_pipeline: Language) -> None:
    assert list(
        focus(
            countries(
                blank_pipeline, "Islamic State fighters attacked a convoy on the desert highway to Palmyra."
            )
        )
    ) == ["SY"]


def test_a_coalition_in_two_countries_gives_both_at_half_score(blank_pipeline: Language) -> None:
    found = focus(countries(blank_pipeline, "The coalition hit depots in Syria and Iraq this week."))
    assert found == {"IQ": 0.5, "SY": 0.5}


def test_a_focus_from_actors_alone_scores_below_a_placed_one(blank_pipeline: Language) -> None:
    actors_only = focus(countries(blank_pipeline, "Syrian army units advanced overnight."))
    placed = focus(countries(blank_pipeline, "Syrian army units advanced on Saraqib overnight."))
    assert actors_only["SY"] <= 0.5 < placed["SY"]


def test_a_transnational_group_in_two_countries_favours_neither(blank_pipeline: Language) -> None:
    # its countries are these two: the one named first lends it no weight
    found = focus(countries(blank_pipeline, "Islamic State cells struck in Iraq and Syria last week."))
    assert found == {"IQ": 0.5, "SY": 0.5}


def test_countries_of_equal_score_come_in_the_order_the_text_names_them(blank_pipeline: Language) -> None:
    for text, first in (
        ("Shells fell along the Nepal-India border.", "NP"),
        ("Shells fell along the India-Nepal border.", "IN"),
    ):
        scores = countries(blank_pipeline, text)
        assert scores[0].code == first and len({s.score for s in scores}) == 1


@pytest.mark.parametrize(
    ("focus", "home"),
    [
        (["US"] * 6 + ["CA", None], "US"),  # 6 of 8
        (["US"] * 4 + ["CA"] * 4, None),  # no country has most of them
        (["SY"] * 3 + [None] * 3, None),  # half is not most
        (["SY"] * 4, None),  # too few to tell
        ([None] * 9, None),
    ],
)
def test_home_country_of_a_source_is_the_focus_of_most_of_its_documents(
    focus: list[str | None], home: str | None
) -> None:
    assert home_country(focus) == home
