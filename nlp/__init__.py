"""Tagging library: linked entities, document countries, COI topics and language.

``import nlp`` is cheap and never loads spaCy: the records (``nlp.records``),
look-ups (``nlp.lookup``), topics (``nlp.topics``) and gazetteers
(``nlp.gazetteer``) work without it. The spaCy pipeline lives in
``nlp.pipeline`` and is imported only when text is tagged.

No database and no Flask here.
"""

from __future__ import annotations

from typing import TextIO

from nlp.records import CountryScore, Mention, TagInput, TagResult, TopicHit

__all__ = ["CountryScore", "Mention", "TagInput", "TagResult", "TopicHit", "tag_jsonl"]


def tag_jsonl(infile: TextIO, outfile: TextIO, *, model: str | None = None, batch_size: int = 32) -> int:
    """Tag JSON lines ``{"id", "text"}`` from ``infile`` into ``outfile``; see :mod:`nlp.jsonl`."""
    from nlp.jsonl import tag_jsonl as _tag_jsonl

    return _tag_jsonl(infile, outfile, model=model, batch_size=batch_size)
