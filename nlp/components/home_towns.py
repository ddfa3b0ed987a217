"""Home towns: "a resident of X", "Jane Roe, 34, of X", a party and state after a politician's name."""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc, Span

from nlp.components.common import OFFICE_WORDS, _name_like, _text
from nlp.components.labels import add_forced
from nlp.components.words import word_set
from nlp.gazetteer import Gazetteer, get_gazetteer
from nlp.normalise import name_key

RESIDENT_NOUNS = word_set("resident_nouns")


def _resident(doc: Doc, span: Span) -> bool:
    """A name between an article or number and a resident noun: "a Pinecrest Falls man"."""
    if span.start == 0 or span.end >= len(doc) or doc[span.end].lower_ not in RESIDENT_NOUNS:
        return False
    before = doc[span.start - 1]
    if doc[span.end].lower_ == "home":
        return before.lower_ in ("a", "his", "her", "their", "its") or before.text in ("'s", "’s")
    return before.lower_ in ("a", "an", "the", "two", "three", "four") or before.like_num


_MEMBER_INSTITUTIONS = word_set("member_institutions")


def _resident_spans(doc: Doc, gaz: Gazetteer) -> list[Span]:
    """Names of two or three words between an article or number and a resident noun.

    "a Pinecrest Falls man", "the Oak Hollow couple": the town people come from,
    even where neither the NER nor the gazetteer knows it. Names holding a
    demonym or a generic word ("a Native American woman"), names opening with a
    given name ("the Oswin Tarrant family") and members of an institution ("a
    Harvard University student") are left out.
    """
    amb = gaz.ambiguity
    found: list[Span] = []
    if amb is None:
        return found
    for tok in doc[3:]:
        if tok.lower_ not in RESIDENT_NOUNS or not tok.is_lower:
            continue
        start = tok.i
        while start > 0 and tok.i - start < 3 and _name_like(doc[start - 1]):
            start -= 1
        if tok.i - start < 2 or start == 0:
            continue
        span = Span(doc, start, tok.i, label="GPE")
        if not _resident(doc, span) or span[-1].text in _MEMBER_INSTITUTIONS or span[-1].text in OFFICE_WORDS:
            continue
        first = name_key(span[0].text)
        if first in amb.personal_names or first in amb.given_names:
            continue  # "the Oswin Tarrant family": a person's family
        if any(
            name_key(w.text) in amb.common_words or any(c.kind == "nationality" for c in gaz.lookup(w.text))
            for w in span
        ):
            continue
        found.append(span)
    return found


# A legislator's party and home: "Rep. Jane Roe, R-Cedar Bluff", "D-Calif.", "D-McDowell";
# not a postal code ("D-CA").
_PARTY_HOME = re.compile(
    r"(?<![\w-])(?:[RDI]|DFL)-([A-Z][a-z][A-Za-z]*\.?(?: [A-Z][a-z][A-Za-z]*)?)(?=[,;.)\s])"
)


# A person's age, then "of" and a hometown: "Jeremy Watson, 30, of Ten Mile, said".
_AGED_HOME = re.compile(r"(?<=\d), of ((?:[A-Z][a-z]+ ){0,2}[A-Z][a-z]+)(?=[,.;]| in )")


def _aged_homes(doc: Doc) -> list[Span]:
    """Hometowns after an age in apposition ("Rebecca Sears, 41, of Grovetown,"), as places."""
    found = []
    text = _text(doc)
    for match in _AGED_HOME.finditer(text):
        start = match.start(1)
        if not text[max(0, start - 9) : start - 5].strip(", ").isdigit():
            continue
        span = doc.char_span(start, match.end(1), label="GPE", alignment_mode="contract")
        if span is not None and len(span):
            found.append(span)
    return found


def _party_homes(doc: Doc) -> list[Span]:
    found = []
    for match in _PARTY_HOME.finditer(_text(doc)):
        end = match.end(1)
        if match.group(1).endswith(".") and len(match.group(1)) > 6:
            end -= 1  # a full stop, not an abbreviation: "D-McDowell." ("D-Calif." keeps it)
        span = doc.char_span(match.start(1), end, label="GPE", alignment_mode="contract")
        if span is not None and len(span):
            found.append(span)
    return found


@Language.factory("coi_home_towns", default_config={"enabled": True})
def make_home_towns(nlp: Language, name: str, enabled: bool) -> HomeTowns:
    return HomeTowns(enabled=enabled)


class HomeTowns:
    """Marks home towns ("a resident of X", "Jane Roe, 34, of X", a politician's party and state)."""

    def __init__(self, *, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, doc: Doc) -> Doc:
        if self.enabled:
            gaz = get_gazetteer()
            add_forced(doc, "party_home", _party_homes(doc))
            add_forced(doc, "resident", _resident_spans(doc, gaz))
            add_forced(doc, "aged_home", _aged_homes(doc))
        return doc
