"""COI topic rules: loading, look-up by id or label, and scoring.

The rules live in ``data/topics/*.json`` (English and Dutch phrases with
weights and a threshold per topic). This module holds the data and the pure
scoring step; the phrase matching itself is done by the spaCy component in
``nlp.components``. It never imports spaCy, so the portal can list topics.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from nlp.normalise import name_key
from nlp.records import TopicHit

TOPICS_DIR = Path(__file__).resolve().parent / "data" / "topics"


@dataclass(frozen=True)
class Topic:
    id: str
    labels: Mapping[str, str]
    threshold: float
    phrases: Mapping[str, float]  # lower-cased phrase -> weight (all languages)


@lru_cache(maxsize=1)
def load_topics() -> dict[str, Topic]:
    """All topics from the data folder, keyed by id."""
    topics: dict[str, Topic] = {}
    for path in sorted(TOPICS_DIR.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for item in data["topics"]:
            phrases: dict[str, float] = {}
            for table in item["phrases"].values():
                for phrase, weight in table.items():
                    phrases[phrase.lower()] = max(float(weight), phrases.get(phrase.lower(), 0.0))
            if item["id"] in topics:
                raise ValueError(f"topic {item['id']!r} defined twice")
            topics[item["id"]] = Topic(item["id"], dict(item["labels"]), float(item["threshold"]), phrases)
    return topics


TOPICS: dict[str, dict[str, str]] = {tid: dict(t.labels) for tid, t in load_topics().items()}
"""Topic id -> labels by language ("en", "nl"), for the portal."""


def resolve_topic(text: str) -> list[str]:
    """Topic ids whose id or English/Dutch label equals ``text`` (case-insensitive)."""
    key = name_key(text)
    if not key:
        return []
    found = []
    for tid, topic in load_topics().items():
        names = {name_key(tid), name_key(tid.replace("-", " "))} | {
            name_key(v) for v in topic.labels.values()
        }
        if key in names:
            found.append(tid)
    return found


def score_topics(counts: Mapping[str, Mapping[str, int]]) -> tuple[TopicHit, ...]:
    """Topic hits from matched phrases: ``{topic_id: {phrase: occurrences}}``.

    Each distinct phrase adds its weight once, plus a quarter of it for each
    repeat (at most two repeats count). A topic is kept when its score reaches
    the threshold; hits are sorted by score, best first.
    """
    topics = load_topics()
    hits = []
    for tid, phrases in counts.items():
        topic = topics.get(tid)
        if topic is None:
            continue
        score = 0.0
        for phrase, n in phrases.items():
            weight = topic.phrases.get(phrase, 0.0)
            score += weight * (1.0 + 0.25 * min(max(n - 1, 0), 2))
        if score >= topic.threshold and score > 0:
            evidence = tuple(
                sorted(
                    (p for p in phrases if topic.phrases.get(p, 0.0) > 0),
                    key=lambda p: (-topic.phrases[p], p),
                )
            )
            hits.append(TopicHit(tid, round(score, 3), evidence))
    hits.sort(key=lambda h: (-h.score, h.id))
    return tuple(hits)
