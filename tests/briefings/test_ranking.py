"""Briefing ranking: assessment, corroboration and topic relevance."""

from __future__ import annotations

from portal.briefings.ranking import Story, StoryDoc, lead_document, rank


def doc(doc_id: int, source: int, reliability: int = 3, kind: str = "media", **topics: float) -> StoryDoc:
    return StoryDoc(doc_id, source, reliability, kind, topics)


def test_more_sources_rank_higher() -> None:
    single = Story(1, (doc(1, 1),))
    wire = Story(2, (doc(2, 1), doc(3, 2), doc(4, 3)))
    assert [r.cluster_id for r in rank([single, wire])] == [2, 1]


def test_same_source_twice_is_not_corroboration() -> None:
    twice = Story(1, (doc(1, 7), doc(2, 7)))
    assert rank([twice])[0].parts["sources"] == 0.0


def test_reliable_igo_beats_unassessed_media() -> None:
    igo = Story(1, (doc(1, 1, reliability=5, kind="igo"),))
    media = Story(2, (doc(2, 2, reliability=2, kind="media"),))
    assert [r.cluster_id for r in rank([media, igo])] == [1, 2]


def test_desk_topics_weigh_double() -> None:
    trafficking = Story(1, (doc(1, 1, **{"human-trafficking": 0.4}),))
    health = Story(2, (doc(2, 2, **{"health-care": 0.6}),))
    assert [r.cluster_id for r in rank([trafficking, health])] == [2, 1]
    assert [r.cluster_id for r in rank([trafficking, health], desk_topics=["human-trafficking"])] == [1, 2]


def test_lead_document_is_the_most_reliable() -> None:
    story = Story(
        1, (doc(5, 1, reliability=2), doc(9, 2, reliability=5, kind="ngo"), doc(7, 3, reliability=5))
    )
    assert lead_document(story).document_id == 9
    assert rank([story])[0].lead_document_id == 9


def test_empty_story_is_ignored_and_order_is_stable() -> None:
    a, b = Story(3, (doc(1, 1),)), Story(2, (doc(2, 1),))
    assert [r.cluster_id for r in rank([a, Story(9, ()), b])] == [2, 3]
