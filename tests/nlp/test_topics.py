from __future__ import annotations

from spacy.language import Language

from nlp.topics import TOPICS, resolve_topic, score_topics

REQUIRED = {
    "security-situation",
    "human-trafficking",
    "labour-exploitation",
    "migrant-smuggling",
    "identity-documents",
    "extremism-terrorism",
    "war-crimes",
    "torture-detention",
    "freedom-of-expression",
    "religious-minorities",
    "ethnic-minorities",
    "lgbtiq",
    "women-gbv",
    "children",
    "military-service",
    "returnees",
    "idps-refugees",
    "humanitarian-situation",
    "health-care",
    "political-opposition",
    "rule-of-law",
}


def topics_of(lang: Language, text: str) -> dict[str, tuple[str, ...]]:
    doc = lang(text)
    return {hit.id: hit.evidence for hit in doc._.coi_topics}


def test_topic_catalogue() -> None:
    assert set(TOPICS) >= REQUIRED
    for labels in TOPICS.values():
        assert labels["en"] and labels["nl"]
    assert resolve_topic("Mensenhandel") == ["human-trafficking"]
    assert resolve_topic("military-service") == ["military-service"]
    assert resolve_topic("Militaire dienst en desertie") == ["military-service"]
    assert resolve_topic("gardening") == []


def test_english_topics_with_evidence(blank_pipeline: Language) -> None:
    found = topics_of(
        blank_pipeline, "Deserters and draft evaders face arrest; torture in detention is common."
    )
    assert set(found["military-service"]) >= {"deserters", "draft evaders"}
    assert "torture" in found["torture-detention"]


def test_dutch_topics_with_evidence(blank_pipeline: Language) -> None:
    found = topics_of(
        blank_pipeline, "Het rapport beschrijft mensenhandel en gedwongen prostitutie van vrouwen."
    )
    assert set(found["human-trafficking"]) == {"mensenhandel", "gedwongen prostitutie"}


def test_below_threshold_gives_no_topic(blank_pipeline: Language) -> None:
    assert "children" not in topics_of(blank_pipeline, "A child was seen.")


def test_repeats_add_less_than_new_phrases() -> None:
    once = score_topics({"lgbtiq": {"lgbt": 1}})[0].score
    thrice = score_topics({"lgbtiq": {"lgbt": 3}})[0].score
    assert once < thrice < 2 * once
    assert score_topics({"no-such-topic": {"x": 1}}) == ()
