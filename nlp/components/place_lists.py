"""Place lists: coordinated names before a plural place noun, "the towns of X, Y and Z", and the
subject of an encyclopaedic definition of a place."""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc, Span

from nlp.components.common import PLACE_PREPOSITIONS, _sentence_initial, _text
from nlp.components.labels import add_forced
from nlp.components.office_holders import _known_place, _personal
from nlp.components.words import word_map, word_set
from nlp.gazetteer import Gazetteer, get_gazetteer

_PLURAL_PLACE_NOUNS = word_set("plural_place_nouns")
_PLURAL_PLACE_RE = re.compile(r"\b(?:" + "|".join(sorted(_PLURAL_PLACE_NOUNS)) + r")\b")
_COUNTY_NOUNS = word_map("county_nouns")


def _coordinated_places(doc: Doc, gaz: Gazetteer) -> list[Span]:
    """Names coordinated before a plural place noun: "Jackson and Barrow counties".

    Each name of the list ("Clay, Douglas, Grant and Wilkin counties",
    "Linden and Foxglove roads", "from Marion to Greene counties") is a
    place, whatever the NER says. A single word opening a sentence is one only
    where the gazetteer knows it ("Adair and Boone counties"; not "Both").
    Before "counties" or "parishes" each span's ``kb_id_`` holds "County" or
    "Parish", so that the linker can look up "Adair County".
    """
    found: list[Span] = []
    nouns = [doc.char_span(m.start(), m.end()) for m in _PLURAL_PLACE_RE.finditer(_text(doc))]
    for noun in nouns:
        if noun is None or len(noun) != 1:
            continue
        tok = noun[0]
        if not tok.is_lower or tok.i == 0:
            continue
        names: list[tuple[int, int]] = []
        i = tok.i
        while i > 0:
            end = i
            while i > 0 and end - i < 3 and doc[i - 1].is_title and not doc[i - 1].is_punct:
                i -= 1
            if i == end:
                break
            names.append((i, end))
            if i == 0:
                break
            sep = doc[i - 1]
            if sep.text == "," or sep.lower_ in ("and", "or", "to"):
                i -= 1
                if i > 0 and sep.text == "," and doc[i - 1].lower_ in ("and", "or"):
                    i -= 1
                if i > 0 and sep.lower_ in ("and", "or") and doc[i - 1].text == ",":
                    i -= 1
                continue
            break
        if len(names) < 2:
            continue
        unit = _COUNTY_NOUNS.get(tok.lower_, "")
        for start, end in names:
            if _sentence_initial(doc, start) and end - start == 1 and not gaz.lookup(doc[start].text):
                continue
            found.append(Span(doc, start, end, label="GPE", kb_id=unit))
    return found


def _place_lists(doc: Doc, gaz: Gazetteer) -> list[Span]:
    """Names listed after a locative preposition beside a known town: "in Qamenas, Sarmin and Talamenes".

    A list of two or more capitalised names (of up to three words, separated by
    commas and closed by "and" or "or") right after "in", "near", "around"... is a
    list of places when one of them is a town, region or country of the gazetteer
    that is no given name or surname: the others are places too, whatever the NER
    read. Names opening with a given name or holding a title ("Dale Foster",
    "Staff Sgt") are left alone, and lists before "counties" are left to
    :func:`_coordinated_places`.
    """
    amb = gaz.ambiguity
    if amb is None:
        return []
    found: list[Span] = []
    n = len(doc)
    i = 0
    while i < n - 1:
        tok = doc[i]
        i += 1
        if tok.lower_ not in PLACE_PREPOSITIONS or not tok.is_lower:
            continue
        names: list[tuple[int, int]] = []
        closed = False
        j = i
        while j < n and doc[j].is_title and not doc[j].is_punct:
            end = j
            while end < n and end - j < 3 and doc[end].is_title and not doc[end].is_punct:
                end += 1
            names.append((j, end))
            if closed or end >= n:
                break
            if end + 1 < n and doc[end].text == "," and doc[end + 1].lower_ in ("and", "or"):
                j, closed = end + 2, True
            elif doc[end].lower_ in ("and", "or"):
                j, closed = end + 1, True
            elif doc[end].text == ",":
                j = end + 1
            else:
                break
        if len(names) < 2 or not closed:
            continue
        last = names[-1][1]
        if last < n and doc[last].lower_ in _PLURAL_PLACE_NOUNS:
            continue
        if any(_personal(doc[s:e], amb) for s, e in names):
            continue
        if any(_known_place(doc[s:e], gaz, amb) for s, e in names):
            found.extend(Span(doc, s, e, label="GPE") for s, e in names)
        i = last
    return found


DEFINING_NOUNS = word_set("defining_nouns")
_DEFINITION_HINT = re.compile(r"\b(?:is|was) (?:a|an|one of the)\b")


def _defined_places(doc: Doc) -> list[Span]:
    """The subject of an encyclopaedic definition of a place.

    "Hibhib (Arabic: ...) is a village in Diyala", "Al Assad University Hospital in
    Damascus is one of the largest teaching hospitals": a capitalised name opening a
    sentence, then "is a", "was an" or "is one of the" and, after at most four
    lower-case words that are no function words, a noun of a place or a site.
    """
    if not _DEFINITION_HINT.search(_text(doc)):
        return []
    found: list[Span] = []
    n = len(doc)
    for i, tok in enumerate(doc):
        if not tok.is_title or (i > 0 and not (doc[i - 1].is_space or doc[i - 1].text in (".", "\n"))):
            continue
        end = i
        while end < n and end - i < 5 and doc[end].is_title:
            end += 1
        j = end
        if j < n and doc[j].text == "(":
            close = next((k for k in range(j, min(n, j + 60)) if doc[k].text == ")"), None)
            if close is None:
                continue
            j = close + 1
        if j + 1 < n and doc[j].lower_ == "in" and doc[j + 1].is_title:
            j += 1
            while j < n and doc[j].is_title:
                j += 1
        if j < n and doc[j].text == ",":
            j += 1
        if j + 2 >= n or doc[j].lower_ not in ("is", "was"):
            continue
        if doc[j + 1].lower_ in ("a", "an"):
            k = j + 2
        elif doc[j + 1 : j + 4].text.lower() == "one of the":
            k = j + 4
        else:
            continue
        for word in doc[k : min(n, k + 5)]:
            if not word.is_lower or word.is_stop:
                break  # "a company that owns a hospital" defines no hospital
            lemma = word.lower_[:-1] if word.lower_.endswith("s") else word.lower_
            if word.lower_ in DEFINING_NOUNS or lemma in DEFINING_NOUNS:
                found.append(Span(doc, i, end, label="GPE"))
                break
    return found


@Language.factory("coi_place_lists", default_config={"enabled": True})
def make_place_lists(nlp: Language, name: str, enabled: bool) -> PlaceLists:
    return PlaceLists(enabled=enabled)


class PlaceLists:
    """Marks places named in lists ("the towns of X, Y and Z", "X and Y counties") and definitions."""

    def __init__(self, *, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, doc: Doc) -> Doc:
        if self.enabled:
            gaz = get_gazetteer()
            add_forced(doc, "coordinated", _coordinated_places(doc, gaz))
            add_forced(doc, "place_list", _place_lists(doc, gaz))
            add_forced(doc, "defined", _defined_places(doc))
        return doc
