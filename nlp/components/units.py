"""Military units named with an ordinal: "the 4th Armoured Division", "3rd Battalion", "Third Army".

The small statistical model reads the ordinal as a number and the rest, at best, as part of an
organisation. A unit is what screening asks about (who served where), so the whole name becomes
one organisation for the linker, in place of whatever the model found inside it.
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc, Span

from nlp.components.words import word_set

UNIT_NOUNS = word_set("unit_nouns")
ORDINAL_UNIT_NOUNS = word_set("ordinal_unit_nouns")
ORDINAL_WORDS = word_set("ordinal_words")
_NUMERIC_ORDINAL = re.compile(r"^\d{1,3}(?:st|nd|rd|th)$")
# capitalised words between the ordinal and the unit noun ("Special Mission Forces")
MAX_MODIFIERS = 4


def unit_spans(doc: Doc) -> list[Span]:
    """Each ordinal, its capitalised modifiers and a unit noun, as an ORG span."""
    spans: list[Span] = []
    i = 0
    while i < len(doc):
        tok = doc[i]
        numeric = bool(_NUMERIC_ORDINAL.match(tok.text))
        if not numeric and tok.text not in ORDINAL_WORDS:
            i += 1
            continue
        nouns = UNIT_NOUNS if numeric else ORDINAL_UNIT_NOUNS
        j = i + 1
        while j < len(doc) and j - i <= MAX_MODIFIERS and doc[j].text not in nouns and doc[j].is_title:
            j += 1
        if j < len(doc) and doc[j].text in nouns:
            spans.append(Span(doc, i, j + 1, label="ORG"))
            i = j + 1
        else:
            i += 1
    return spans


@Language.factory("coi_units", default_config={"enabled": True})
def make_units(nlp: Language, name: str, enabled: bool) -> Units:
    return Units(enabled=enabled)


class Units:
    """Replaces the model's entities inside a unit's name with the unit, as an organisation."""

    def __init__(self, *, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, doc: Doc) -> Doc:
        if not self.enabled:
            return doc
        units = unit_spans(doc)
        if units:
            kept = [e for e in doc.ents if not any(e.start < u.end and u.start < e.end for u in units)]
            doc.ents = sorted([*kept, *units], key=lambda s: s.start)
        return doc
