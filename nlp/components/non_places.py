"""Non-places: names that look like places but name a vehicle, a disease, a street or a newspaper."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import cast

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from nlp.components.common import OFFICE_WORDS, _name_like, _text
from nlp.components.labels import (
    _VEHICLES_KEY,
    NON_PLACES_KEY,
)
from nlp.components.words import word_set
from nlp.gazetteer import Ambiguity, Gazetteer, get_gazetteer
from nlp.normalise import name_key

_DETERMINERS = word_set("determiners")


def _model_year(doc: Doc, start: int) -> bool:
    """A year between a determiner and a name: "a 1998 Toyota", "their blue 2003 Honda"."""
    if start < 2:
        return False
    year = doc[start - 1].text
    if not (len(year) == 4 and year.isdigit() and 1900 <= int(year) <= 2039):
        return False
    return _determined(doc, start - 1)


def _determined(doc: Doc, start: int) -> bool:
    """A determiner, perhaps with one adjective, before token ``start``: "a", "the red"."""
    if start < 1:
        return False
    before = doc[start - 1]
    if before.lower_ in _DETERMINERS:
        return True
    return start >= 2 and before.is_alpha and before.is_lower and doc[start - 2].lower_ in _DETERMINERS


_MAKE_PATTERNS: dict[frozenset[str], re.Pattern[str]] = {}


def _make_pattern(makes: frozenset[str]) -> re.Pattern[str]:
    pattern = _MAKE_PATTERNS.get(makes)
    if pattern is None:
        pattern = re.compile(r"\b(?:" + "|".join(sorted(map(re.escape, makes))) + r")\b")
        _MAKE_PATTERNS[makes] = pattern
    return pattern


def _model_after(tok: Token, amb: Ambiguity) -> Token | None:
    """The model name right after a make ("Toyota Camry"), or None: no place, street or office word."""
    if not tok.whitespace_ or tok.i + 1 >= len(tok.doc):
        return None
    nxt = tok.doc[tok.i + 1]
    if (
        not _name_like(nxt)
        or nxt.text in amb.facility_words
        or nxt.text in amb.street_words
        or nxt.text in amb.title_heads
        or nxt.lower_ in amb.place_words
    ):
        return None
    return nxt


def _vehicles(doc: Doc, gaz: Gazetteer) -> tuple[frozenset[str], frozenset[int]]:
    """Names the text uses as vehicles, and positions of makes used as vehicles there only.

    Names hold for the whole text: a make after a model year ("a 2005 Honda"),
    or before a model name after a determiner when the make names no place ("a
    red Dodge Durango"), and that model; later mentions ("the Honda", "the
    Durango") share the sense. "The 2014 Gaza war" is no vehicle. A make that
    names a town is a vehicle only where its model follows ("his Toyota
    Hilux"): "the Lincoln Navigator" does not make "Lincoln" a vehicle elsewhere.
    Kept on the doc, which the ruler and the linker both ask.
    """
    kept = doc.user_data.get(_VEHICLES_KEY)
    if kept is not None:
        return cast(tuple[frozenset[str], frozenset[int]], kept)
    amb = gaz.ambiguity
    names: set[str] = set()
    positions: set[int] = set()
    if amb is not None and amb.vehicle_makes and _make_pattern(amb.vehicle_makes).search(_text(doc)):
        makes = [tok for tok in doc if tok.text in amb.vehicle_makes]
        for tok in makes:
            model = _model_after(tok, amb)
            if _model_year(doc, tok.i) or (model and _determined(doc, tok.i) and not gaz.lookup(tok.text)):
                names.add(tok.text)
                if model is not None:
                    names.add(model.text)
        for tok in makes:
            model = _model_after(tok, amb)
            if (
                model is not None
                and tok.text not in names
                and _determined(doc, tok.i)
                and not gaz.lookup(model.text)
                and model.text not in OFFICE_WORDS
                and name_key(model.text) not in amb.common_words
            ):
                positions.add(tok.i)
    found = (frozenset(names), frozenset(positions))
    doc.user_data[_VEHICLES_KEY] = found
    return found


_NAME_RUN = r"((?:[A-Z][\w'’.-]* ){1,3})"


def _disease_names(doc: Doc, disease_words: frozenset[str]) -> set[str]:
    """Name keys of the capitalised words before a disease word anywhere in the text.

    "Marburg virus ... in Marburg" and "Lassa fever ... Lassa" name a disease,
    not a place, throughout one text: every trailing part of the name run
    ("West Nile", "Nile") is returned.
    """
    if not disease_words:
        return set()
    pattern = _disease_pattern(disease_words)
    found: set[str] = set()
    for match in pattern.finditer(_text(doc)):
        words = match.group(1).split()
        for i in range(len(words)):
            found.add(name_key(" ".join(words[i:])))
    return found


_VIRUS_SUBTYPE = re.compile(r"^H\d{1,2}N\d{1,2}$", re.IGNORECASE)


def _names_disease(ent: Span, names: frozenset[str], words: frozenset[str]) -> bool:
    """An entity that is a disease: "Ebola", "H1N1", "West Nile Virus", "Ebolavirus"."""
    last = ent[-1].lower_
    return (
        name_key(ent.text) in names
        or bool(_VIRUS_SUBTYPE.match(ent.text))
        or (len(ent) > 1 and last in words)
        or (last.endswith("virus") and last != "virus")
    )


_PATTERNS: dict[frozenset[str], re.Pattern[str]] = {}


def _disease_pattern(words: frozenset[str]) -> re.Pattern[str]:
    pattern = _PATTERNS.get(words)
    if pattern is None:
        alternatives = "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))
        pattern = re.compile(_NAME_RUN + r"(?i:" + alternatives + r")\b")
        _PATTERNS[words] = pattern
    return pattern


_STREET_PATTERNS: dict[tuple[tuple[str, ...], tuple[str, ...]], re.Pattern[str]] = {}


def _street_pattern(street_words: tuple[str, ...], road_words: tuple[str, ...]) -> re.Pattern[str]:
    key = (street_words, road_words)
    pattern = _STREET_PATTERNS.get(key)
    if pattern is None:
        streets = "|".join(re.escape(w) for w in sorted(street_words, key=len, reverse=True))
        roads = "|".join(re.escape(w) for w in sorted(road_words, key=len, reverse=True))
        pattern = re.compile(
            r"\b(?:(?:[A-Z][\w'’-]*|\d+(?:st|nd|rd|th)) ){1,3}(?:" + streets + r")(?!\w)"
            r"|\b(?:" + roads + r") \d+[A-Z]?\b"
        )
        _STREET_PATTERNS[key] = pattern
    return pattern


def _street_spans(doc: Doc, street_words: tuple[str, ...], road_words: tuple[str, ...]) -> list[Span]:
    """Streets, squares, bridges and numbered roads ("Darby Street", "Highway 19") as ``FAC`` spans."""
    if not street_words and not road_words:
        return []
    found: list[Span] = []
    for match in _street_pattern(street_words, road_words).finditer(_text(doc)):
        start, end = match.start(), match.end()
        if match.group(0).startswith(("The ", "A ")):
            start += match.group(0).index(" ") + 1
        span = doc.char_span(start, end, label="FAC", alignment_mode="contract")
        if span is not None and len(span) > 1:
            found.append(span)
    return found


_ADJECTIVE_MASTHEADS = word_set("adjective_mastheads")


def _masthead(doc: Doc, end: int, words: frozenset[str]) -> bool:
    """A newspaper's masthead after a place, perhaps after one more word: "Fairview State Gazette".

    An adjective before another capitalised word names a series: "Syria Daily Report".
    """
    for i in (end, end + 1):
        if i >= len(doc) or (i > end and not doc[end].is_title):
            return False
        word = doc[i].text
        if word in words:
            series = word in _ADJECTIVE_MASTHEADS and i + 1 < len(doc) and doc[i + 1].is_title
            return not series
    return False


@dataclass(frozen=True)
class NonPlaces:
    """Names in a doc that look like places but are not: diseases, vehicles."""

    enabled: bool
    diseases: frozenset[str] = frozenset()
    vehicles: frozenset[str] = frozenset()
    vehicle_makes: frozenset[int] = frozenset()


_NONE_FOUND = NonPlaces(enabled=False)


def non_place_names(doc: Doc) -> NonPlaces:
    """What ``coi_non_places`` found in ``doc`` (nothing, when it did not run)."""
    found = doc.user_data.get(NON_PLACES_KEY)
    return found if isinstance(found, NonPlaces) else _NONE_FOUND


@Language.factory("coi_non_places", default_config={"enabled": True})
def make_non_places(nlp: Language, name: str, enabled: bool) -> NonPlacesFinder:
    return NonPlacesFinder(enabled=enabled)


class NonPlacesFinder:
    """Before the ruler: finds diseases and vehicles named after places; the ruler and linker skip them.

    When it runs, the ruler also drops mastheads ("X Times") and the linker reads streets as places.
    """

    def __init__(self, *, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, doc: Doc) -> Doc:
        if not self.enabled:
            return doc
        gaz = get_gazetteer()
        amb = gaz.ambiguity
        diseases = _disease_names(doc, amb.disease_words) if amb is not None else set()
        vehicles, makes = _vehicles(doc, gaz)
        doc.user_data[NON_PLACES_KEY] = NonPlaces(
            True, frozenset(diseases), frozenset(vehicles), frozenset(makes)
        )
        return doc
