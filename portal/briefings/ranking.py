"""Ranking story clusters for a briefing draft. Pure functions: no database, no Flask.

A story scores by three things, each scaled to 0..1 and weighted:

* source assessment: the best reliability (1-5) among the sources carrying it, with a bonus for
  intergovernmental and NGO sources, whose reports carry more weight in COI work;
* corroboration: how many distinct sources carry it (1 source = 0, 5 or more = 1);
* topic relevance: the strongest topic score of its documents, doubled for a desk's own topics.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

WEIGHTS = {"assessment": 0.4, "sources": 0.35, "topics": 0.25}
TYPE_BONUS = {"igo": 0.15, "ngo": 0.1, "government": 0.05, "research": 0.05, "media": 0.0}


@dataclass(frozen=True)
class StoryDoc:
    document_id: int
    source_id: int
    reliability: int  # 1..5
    publisher_type: str
    topic_scores: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Story:
    cluster_id: int
    documents: tuple[StoryDoc, ...]


@dataclass(frozen=True)
class RankedStory:
    cluster_id: int
    lead_document_id: int
    score: float
    parts: Mapping[str, float]


def _assessment(docs: Iterable[StoryDoc]) -> float:
    best = 0.0
    for d in docs:
        value = (min(max(d.reliability, 1), 5) - 1) / 4 + TYPE_BONUS.get(d.publisher_type, 0.0)
        best = max(best, min(value, 1.0))
    return best


def _sources(docs: Iterable[StoryDoc]) -> float:
    count = len({d.source_id for d in docs})
    return min(count - 1, 4) / 4 if count else 0.0


def _topics(docs: Iterable[StoryDoc], desk_topics: frozenset[str]) -> float:
    best = 0.0
    for d in docs:
        for topic, score in d.topic_scores.items():
            value = score * (2.0 if topic in desk_topics else 1.0)
            best = max(best, value)
    return min(best, 1.0)


def lead_document(story: Story) -> StoryDoc:
    """The document shown for a story: the most reliable source, then the earliest id."""
    return min(
        story.documents, key=lambda d: (-d.reliability, -TYPE_BONUS.get(d.publisher_type, 0), d.document_id)
    )


def rank(stories: Iterable[Story], desk_topics: Iterable[str] = ()) -> list[RankedStory]:
    topics = frozenset(desk_topics)
    ranked = []
    for story in stories:
        if not story.documents:
            continue
        parts = {
            "assessment": _assessment(story.documents),
            "sources": _sources(story.documents),
            "topics": _topics(story.documents, topics),
        }
        score = sum(WEIGHTS[k] * v for k, v in parts.items())
        ranked.append(
            RankedStory(
                story.cluster_id,
                lead_document(story).document_id,
                round(score, 4),
                {k: round(v, 4) for k, v in parts.items()},
            )
        )
    ranked.sort(key=lambda r: (-r.score, r.cluster_id))
    return ranked
