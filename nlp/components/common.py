"""Text helpers shared by the rule families: capitals, sentence starts, names, place nouns.

No rule family lives here; this module imports nothing from the others but :mod:`labels`."""

from __future__ import annotations

import logging
import re

from spacy.attrs import IDX
from spacy.tokens import Doc, Span, Token

from nlp.components.labels import _NAME_LABELS, PLACE_KINDS, RULER_LABELS, TEXT_KEY
from nlp.components.words import word_set
from nlp.gazetteer import Candidate, get_gazetteer
from nlp.normalise import slug
from nlp.records import Mention

log = logging.getLogger(__name__)

TRANSLITERATED_COUNTRIES = word_set("transliterated_countries")
VESSEL_PREFIXES = word_set("vessel_prefixes")
LOCAL_OFFICE_WORDS = word_set("local_office_words")
INSTITUTION_WORDS = word_set("institution_words")
# Words that end the personal name in a title run ("Brookvale Mayor Ann Tolliver").
OFFICE_WORDS = LOCAL_OFFICE_WORDS | INSTITUTION_WORDS
PLACE_PREPOSITIONS = word_set("place_prepositions")
OPENING_PREPOSITIONS = PLACE_PREPOSITIONS | word_set("opening_prepositions")
PREPOSITIONS = OPENING_PREPOSITIONS | word_set("other_prepositions")
HOLIDAY_WORDS = word_set("holiday_words")
LANGUAGE_NOUNS = word_set("language_nouns")
DEMONYM_PLACE_NOUNS = word_set("demonym_place_nouns")
MINOR_CITY = 100_000
LONE_TOWN = 15_000
TERRITORY_NOUNS = word_set("territory_nouns")
# Share of a text's place evidence its dominant country needs before a lone foreign town is doubted.
STRAY_DOMINANCE = 0.6
BIG_CITY = 1_000_000
_TITLE_CASE_WORD = re.compile(r"^[A-Z][a-z]")
_POSSESSIVE = re.compile(r"(?:'s|’s|')$")

for _name in (
    "coi_title_end",
    "coi_source_countries",
    "coi_home_country",
    "coi_home_province",
    "coi_mentions",
    "coi_evidence",
    "coi_local_actors",
    "coi_countries",
    "coi_topic_counts",
    "coi_topics",
):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)


# --------------------------------------------------------------------------- helpers


def _text(doc: Doc) -> str:
    """The text of ``doc``, kept once per doc: spaCy rebuilds ``Doc.text`` from its tokens on every call."""
    text = doc.user_data.get(TEXT_KEY)
    if not isinstance(text, str):
        text = doc.user_data[TEXT_KEY] = doc.text
    return text


def _is_upper_context(doc: Doc, start: int, end: int, window: int = 4) -> bool:
    """True when the neighbourhood is written in capitals (a shouting headline)."""
    words = [t.text for t in doc[max(0, start - window) : min(len(doc), end + window)] if t.is_alpha]
    others = [w for i, w in enumerate(words) if len(w) > 1]
    if len(others) < 3:
        return False
    return sum(w.isupper() for w in others) >= 0.7 * len(others)


def _sentence_initial(doc: Doc, i: int) -> bool:
    if i == 0:
        return True
    prev = doc[i - 1]
    return (
        (prev.is_punct and prev.text in {".", "!", "?", ":", '"', "“", "\n"})
        or "\n" in prev.text
        or prev.is_space
    )


def _name_like(tok: Token) -> bool:
    """A capitalised word with lower-case letters: "Karim", "McMahon", not "ISIS" or "the"."""
    return tok.is_alpha and tok.text[:1].isupper() and any(c.islower() for c in tok.text)


_PLACE_OPENING_TITLES = word_set("place_opening_titles")


_CAPITALS_KEY = "coi_capitalised"


def _capitalised(doc: Doc) -> list[Token]:
    """The tokens of ``doc`` that open with a capital letter, for the passes that look at names.

    Found from the tokens' character offsets, so that only these tokens become Python objects,
    and kept on the doc for the next pass (no component of the pipeline retokenises)."""
    kept = doc.user_data.get(_CAPITALS_KEY)
    if kept is None or kept[0] != len(doc):
        text = doc.text
        kept = (
            len(doc),
            tuple(i for i, start in enumerate(doc.to_array(IDX).tolist()) if text[start].isupper()),
        )
        doc.user_data[_CAPITALS_KEY] = kept
    return [doc[i] for i in kept[1]]


def _titled_names(doc: Doc, titles: frozenset[str], capitals: list[Token]) -> set[str]:
    """Last words of names written after a capitalised personal title: "President Tokayev"."""
    names: set[str] = set()
    for tok in capitals:
        word = tok.lower_.rstrip(".")
        if tok.i + 1 >= len(doc) or word not in titles or word in _PLACE_OPENING_TITLES:
            continue
        end = tok.i + 1
        while end < len(doc) and end - tok.i <= 3 and _name_like(doc[end]):
            end += 1
        if end > tok.i + 1:
            names.add(doc[end - 1].lower_)
    return names


def _aged_names(doc: Doc, capitals: list[Token]) -> set[str]:
    """Single names given an age in apposition, the news way to introduce a person: "Campbell, 42,"."""
    found: set[str] = set()
    for tok in capitals:
        if tok.i + 3 >= len(doc):
            break
        age = doc[tok.i + 2].text
        if (
            _name_like(tok)
            and doc[tok.i + 1].text == ","
            and age.isdigit()
            and 0 < int(age) < 120
            and doc[tok.i + 3].text == ","
        ):
            found.add(tok.lower_)
    return found


def _local_office(rest: Span) -> bool:
    """The rest of an organisation's name holds a local office or institution word."""
    return not _POSSESSIVE.search(rest.text) and any(tok.text in OFFICE_WORDS for tok in rest)


def _after_locative(doc: Doc, span: Span) -> bool:
    """A name right after a lower-case locative preposition and not possessive: "in Sochi"."""
    if span.start == 0 or doc[span.start - 1].text not in PLACE_PREPOSITIONS:
        return False
    return span.end >= len(doc) or doc[span.end].text not in ("'s", "’s")


def _among_places(doc: Doc, resolved: list[tuple[Span, list[Candidate]]], idx: int) -> bool:
    """A name listed with a known place next to it: "Adams, Brown, Clay", "Elmira, Corning"."""
    span = resolved[idx][0]
    for j in (idx - 1, idx + 1):
        if not 0 <= j < len(resolved):
            continue
        other, cands = resolved[j]
        gap = doc[min(span.end, other.end) : max(span.start, other.start)]
        known = other.label_ in RULER_LABELS or any(c.kind in PLACE_KINDS for c in cands)
        if known and len(gap) == 1 and gap[0].lower_ in (",", "and", "or", "&"):
            return True
    return False


def _opens(cand: Span, outer: Span) -> bool:
    """``cand`` starts ``outer``, after a leading "the": "the Corinth Police Department"."""
    return cand.start == outer.start + (outer[0].lower_ == "the")


_RAGGED_ENDS = word_set("ragged_ends")


def _mended(doc: Doc, spans: list[Span]) -> list[Span]:
    """Without the NER's works, products and events cut after a small word ("Aleppo and").

    Such a span is no reading at all: the gazetteer decides instead ("raids hit Aleppo
    and Daraya"). Names cut that way (a "City of" and nothing after) are left to the other rules.
    """
    return [
        ent
        for ent in spans
        if not (
            len(ent) > 1
            and ent[-1].is_lower
            and ent[-1].lower_ in _RAGGED_ENDS
            and ent.label_ not in _NAME_LABELS
        )
    ]


LOCAL_PLACE_NOUNS = word_set("local_place_nouns")
SITE_NOUNS = word_set("site_nouns")
_LOCAL_OR_SITE_NOUNS = LOCAL_PLACE_NOUNS | SITE_NOUNS


def _before_local_noun(doc: Doc, span: Span) -> bool:
    """A name right before a lower-case noun of a local unit or a site.

    "the Al-Warda neighbourhood", "the Shabelle valley"; a site may follow one
    lower-case word: "the Qarnayn military airport", "the Al Noor hospital".
    """
    end = span.end
    if end < len(doc) and doc[end].is_lower and doc[end].lower_ in _LOCAL_OR_SITE_NOUNS:
        return True
    return (
        end + 1 < len(doc)
        and doc[end].is_lower
        and doc[end].is_alpha
        and doc[end + 1].is_lower
        and doc[end + 1].lower_ in SITE_NOUNS
    )


_PLACE_SUFFIXES = word_set("place_suffixes")


def _hyphened_after(doc: Doc, span: Span) -> Token | None:
    """The word a bare hyphen joins to the end of ``span`` ("Kent" -> "based"), or None."""
    end = span.end
    if (
        end + 1 < len(doc)
        and doc[end].text == "-"
        and not doc[end - 1].whitespace_
        and not doc[end].whitespace_
    ):
        return doc[end + 1]
    return None


def _hyphened_before(doc: Doc, span: Span) -> Token | None:
    """The word a bare hyphen joins to the start of ``span`` ("Israel" <- "EU"), or None."""
    start = span.start
    if (
        start >= 2
        and doc[start - 1].text == "-"
        and not doc[start - 2].whitespace_
        and not doc[start - 1].whitespace_
    ):
        return doc[start - 2]
    return None


def _place_suffix(doc: Doc, span: Span) -> bool:
    """A name joined by a hyphen to "based", "born"...: "Kent-based", "Homs-born"."""
    other = _hyphened_after(doc, span)
    return other is not None and other.lower_ in _PLACE_SUFFIXES


def _apposed(doc: Doc, span: Span) -> bool:
    """A name after "<Name>, " that closes its clause: "Silverstone Circuit, Northamptonshire."."""
    if span.start < 2 or doc[span.start - 1].text != ",":
        return False
    before = doc[span.start - 2]
    closes = span.end == len(doc) or doc[span.end].is_punct
    return closes and before.is_title and not before.is_sent_start


def _populated(entries: list[Candidate]) -> bool:
    """Entries of a country, a region or a town of :data:`LONE_TOWN` or more.

    Hamlets of the followed countries (kept down to 1,000 inhabitants, some with no
    census at all) overrule the NER only where the text names their country or
    no country at all.
    """
    return any(c.kind != "city" or c.population >= LONE_TOWN for c in entries)


def _big_city(mention: Mention) -> bool:
    """A city mention of a city of :data:`BIG_CITY` people or more."""
    return mention.kind == "city" and any(
        c.entity_id == mention.entity_id and c.population >= BIG_CITY
        for c in get_gazetteer().lookup(mention.text)
    )


def _person(span: Span, name: str) -> Mention:
    """A person mention of ``span`` under the name ``name`` (the span without a possessive)."""
    return Mention(
        span.start_char, span.end_char, span.text, "person", f"person:{slug(name)}", name, None, None
    )


def _said_by(doc: Doc, start: int, end: int) -> bool:
    """A name after an inverted speech verb and before punctuation: '"...," said Noma.'."""
    if start == 0 or end >= len(doc):
        return False
    return doc[start - 1].lower_ in ("said", "says", "added", "explained") and doc[end].is_punct


KIN_NOUNS = word_set("kin_nouns")


def _person_follows(doc: Doc, start: int, end: int) -> bool:
    """What follows a name only follows a person: ", who", "'s family", "'s widow".

    A relative clause after a name that follows a preposition may belong to the
    noun before it ("a man in Kashmir, who"): no evidence then.
    """
    if end + 1 >= len(doc):
        return False
    here, nxt = doc[end], doc[end + 1]
    if here.text == ",":
        placed = start > 0 and doc[start - 1].lower_ in PREPOSITIONS
        return nxt.lower_ in ("who", "whose") and not placed
    return here.text in ("'s", "’s") and nxt.lower_ in KIN_NOUNS


def _has_capital(text: str) -> bool:
    return any(ch.isupper() for ch in text) or any(ch.isdigit() for ch in text)
