"""``coi_topic_tagger``: COI topics from English and Dutch phrase rules."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from nlp.records import TopicHit
from nlp.topics import load_topics, score_topics

# --------------------------------------------------------------------------- topics


@Language.factory("coi_topic_tagger", default_config={})
def make_topic_tagger(nlp: Language, name: str) -> TopicTagger:
    return TopicTagger(nlp)


class TopicTagger:
    """Matches the topic phrases (lower-cased tokens) and scores topics."""

    def __init__(self, nlp: Language) -> None:
        self.nlp = nlp
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self._topic_of: dict[int, tuple[str, str]] = {}

    def initialize(
        self, get_examples: Callable[[], Iterable[Any]] | None = None, *, nlp: Language | None = None
    ) -> None:
        self.matcher = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        self._topic_of = {}
        for tid, topic in load_topics().items():
            for phrase in topic.phrases:
                key = f"{tid}|{phrase}"
                self.matcher.add(key, [self.nlp.make_doc(phrase)])
                self._topic_of[self.nlp.vocab.strings[key]] = (tid, phrase)

    def __call__(self, doc: Doc) -> Doc:
        counts: dict[str, dict[str, int]] = {}
        if self._topic_of:
            for match_id, _start, _end in self.matcher(doc):
                tid, phrase = self._topic_of[match_id]
                table = counts.setdefault(tid, {})
                table[phrase] = table.get(phrase, 0) + 1
        doc._.coi_topic_counts = counts
        hits: tuple[TopicHit, ...] = score_topics(counts)
        doc._.coi_topics = hits
        return doc
