from __future__ import annotations

from nlp.pipeline import tag
from nlp.records import CountryScore, Mention, TagInput
from nlp.scoring import collect_evidence, country_scores


def roles(scores: tuple[CountryScore, ...]) -> dict[str, str]:
    return {s.code: s.role for s in scores}


def run(text: str, title: str = "", sources: tuple[str, ...] = ()) -> dict[str, str]:
    (result,) = tag([TagInput("x", text, title=title, source_countries=sources)], model="none")
    return roles(result.countries)


def test_foreign_actor_is_not_the_focus(blank_pipeline: object) -> None:
    assert run("Russian warplanes pound Hama countryside overnight") == {"SY": "focus", "RU": "mentioned"}


def test_place_mentions_outweigh_nationalities(blank_pipeline: object) -> None:
    found = run("Iranian and Turkish envoys talked about the fighting around Aleppo, Idlib and Hama.")
    assert found["SY"] == "focus"
    assert found["IR"] == "mentioned" and found["TR"] == "mentioned"


def test_title_mentions_weigh_more(blank_pipeline: object) -> None:
    found = run("Delegates later travelled to Amman and Beirut.", title="Talks on Iraq in Baghdad")
    assert found["IQ"] == "focus"
    assert found["JO"] == "mentioned"


def test_source_countries_count(blank_pipeline: object) -> None:
    assert run("Aid agencies warned of shortages.", sources=("YE",)) == {"YE": "focus"}


def test_local_armed_group_makes_focus_without_places(blank_pipeline: object) -> None:
    assert run("HTS detained two activists.") == {"SY": "focus"}
    assert run("Russian airstrikes killed ten.") == {"RU": "mentioned"}


def test_scores_are_shares_and_sorted() -> None:
    mentions = [
        Mention(0, 4, "Homs", "city", "city:1", "Homs", "SY"),
        Mention(5, 11, "Turkey", "country", "country:TR", "Turkey", "TR"),
        Mention(12, 18, "Syrian", "nationality", "country:SY", "Syria", "SY"),
    ]
    scores = country_scores(collect_evidence(mentions))
    assert scores[0].code == "SY"
    assert abs(sum(s.score for s in scores) - 1.0) < 1e-3
    assert roles(scores) == {"SY": "focus", "TR": "focus"}
    assert country_scores({}) == ()


def test_named_areas_and_coordinates_are_place_evidence(blank_pipeline: object) -> None:
    found = run("Militias burned villages in Darfur and the Nuba Mountains; families fled to Chad.")
    assert found["SD"] == "focus"
    assert run("The strike hit a depot at 36°12′N 37°08′E before dawn.") == {"SY": "focus"}
    # A street's country is only guessed from the text: it proves nothing.
    assert run("Protesters gathered on Darby Street.") == {}
