"""Datelines ("CITY, Country (Wire) -"): the opening place of a report is a place, whatever the NER read."""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc, Span

from nlp.components.common import OPENING_PREPOSITIONS, _text
from nlp.components.labels import add_forced
from nlp.components.words import word_tuple

_DASHES = ("—", "–", "--", "-", "―")
_WIRE_TAG = re.compile(r"\s*\((?:" + "|".join(map(re.escape, word_tuple("wire_agencies"))) + r")\)")
_DATELINE = re.compile(
    r"([A-Z][A-Z'’.-]*[A-Z.](?: [A-Z][A-Z'’.-]*[A-Z.]){0,3})"  # CAPITALS
    r"(?:, ([A-Z][A-Za-z.]+(?: [A-Z][a-z]+)?))?"  # ", Ohio" / ", W.Va."
)


def _dateline_spans(doc: Doc) -> list[Span]:
    """The place of a news dateline: "ELMWOOD —", "AKRON, Ohio (AP) —", "BEIRUT (AP)".

    A run of capitalised words at the start of the text or of a sentence,
    followed by a wire tag or a dash, names the place the report is filed
    from; the state or country after a comma is a place too.
    """
    text = _text(doc)
    found: list[Span] = []
    for match in _DATELINE.finditer(text):
        start = match.start()
        before = text[:start].rstrip(" ")
        if before and before[-1] not in '.!?\n"”|' and not before[-1].isdigit():
            continue
        rest = text[match.end() :]
        tag = _WIRE_TAG.match(rest)
        after = rest[tag.end() :] if tag else rest
        dashed = after.lstrip(" ").startswith(_DASHES) and (
            after[:1] == " " or tag is not None or after.startswith(("--", "—"))
        )
        if not (tag or dashed):
            continue
        letters = [ch for ch in match.group(1) if ch.isalpha()]
        if len(letters) < 3:
            continue
        for group in (1, 2):
            if match.group(group) is None:
                continue
            span = doc.char_span(match.start(group), match.end(group), label="GPE", alignment_mode="contract")
            if span is not None and len(span):
                found.append(span)
    return found


def _strip_preposition(ent: Span) -> Span:
    """ "Near Palmyra, two strikes...": a capitalised preposition is not part of the name."""
    if len(ent) > 1 and ent[0].lower_ in OPENING_PREPOSITIONS and ent[0].is_title:
        return Span(ent.doc, ent.start + 1, ent.end, label="GPE")
    return ent


@Language.factory("coi_datelines", default_config={"enabled": True})
def make_datelines(nlp: Language, name: str, enabled: bool) -> Datelines:
    return Datelines(enabled=enabled)


class Datelines:
    """Marks the dateline's place ("CITY, Country (Wire) -") for the linker."""

    def __init__(self, *, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, doc: Doc) -> Doc:
        if self.enabled:
            add_forced(doc, "dateline", _dateline_spans(doc))
        return doc
