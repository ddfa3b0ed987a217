"""spaCy components of the tagger, registered as factories.

* ``coi_gazetteer_ruler`` - a SpanRuler placed before ``ner``: phrase patterns
  for every place, demonym, armed group and state force of the gazetteers,
  built at ``initialize`` from the data files. Safe matches become entities
  (so the statistical NER keeps "Ahrar al-Sham" whole instead of tagging a
  person); doubtful ones (a surname, a given name, a common word, a small
  town) are kept aside in ``doc.spans["coi_candidates"]`` for the linker.
* ``coi_entity_linker`` - turns entities into :class:`nlp.records.Mention`
  records with stable ids, choosing among namesakes by document context.
* ``coi_doc_countries`` - focus and mentioned countries (``nlp.scoring``).
* ``coi_topic_tagger`` - COI topics from English and Dutch phrase rules.

Model labels map to domain kinds in one place: :data:`NER_KINDS`.
This module imports spaCy; the rest of the package does not need it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Sequence
from functools import cached_property
from typing import Any, cast

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.pipeline import SpanRuler
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

from nlp.coordinates import find_coordinates
from nlp.gazetteer import Ambiguity, Candidate, Gazetteer, get_gazetteer
from nlp.normalise import name_key, slug
from nlp.records import CountryScore, EntityKind, Mention, TopicHit
from nlp.scoring import collect_evidence, country_scores
from nlp.topics import load_topics, score_topics

log = logging.getLogger(__name__)

CANDIDATES_KEY = "coi_candidates"
TEXT_KEY = "coi_text"  # doc.user_data: the doc's text, set by whoever made the doc, else kept on first use
_VEHICLES_KEY = "coi_vehicles"  # doc.user_data: what _vehicles found
RULER_LABELS = ("COI_PLACE", "COI_NAT", "COI_GROUP")
# Labels of the ruler's candidates that the NER may overrule.
CANDIDATE_LABELS = {
    "strong": "COI_STRONG",
    "weak": "COI_WEAK",
    "minor": "COI_MINOR",
    "nationality": "COI_NAT",
}

# The one mapping from statistical NER labels to domain kinds.
NER_KINDS: dict[str, EntityKind] = {
    "GPE": "location",
    "LOC": "location",
    "FAC": "location",
    "NORP": "nationality",
    "PERSON": "person",
    "ORG": "organisation",
}

# Countries whose town names are transliterated (Arabic, Pashto, Somali...): there a
# town of the document's country outweighs the NER's reading of it as a name.
TRANSLITERATED_COUNTRIES = frozenset(
    [
        "SY",
        "IQ",
        "AF",
        "PK",
        "SO",
        "ML",
        "BF",
        "NE",
        "NG",
        "TD",
        "SD",
        "SS",
        "ET",
        "ER",
        "YE",
        "LY",
        "PS",
        "LB",
        "JO",
        "EG",
        "DZ",
        "TN",
        "MA",
        "IR",
        "SA",
        "MR",
    ]
)
# NER labels given to a disease named after a place ("Ebola", "Zika") that are dropped.
DISEASE_LABELS = frozenset({"GPE", "LOC", "FAC", "ORG", "PERSON", "NORP"})
# NER entities that may hold a place name inside (organisations, facilities).
NESTING_LABELS = frozenset({"ORG"})
# Ship prefixes: "USS Hopper", "HMS Daring", "FS Forbin".
VESSEL_PREFIXES = frozenset({"USS", "HMS", "FS", "HMAS", "HMCS", "INS", "USNS", "RFA", "USCGC"})
# Capitalised words after a town that make it the seat of a local office: "Dublin Mayor", "Athens Police".
LOCAL_OFFICE_WORDS = frozenset(
    {"Mayor", "Police", "Fire", "Sheriff", "City", "County", "Council", "Township", "Borough", "Mayor's"}
)
# NER labels that a town opening a local office's name is misread into ("Dublin Mayor Jane Roe").
MISREAD_LABELS = frozenset({"PERSON", "WORK_OF_ART"})
# Capitalised words of local institutions that the NER folds into a name ("Huntsville High School").
INSTITUTION_WORDS = frozenset(
    {"Chief", "Judge", "Superintendent", "Commissioner", "Department", "School", "Elementary", "High"}
    | {"Library", "Hospital", "Parks", "Recreation", "Board", "Court", "Circuit", "Attorney", "Attorney's"}
)
# Words that end the personal name in a title run ("Lewisburg Mayor John Manchester").
OFFICE_WORDS = LOCAL_OFFICE_WORDS | INSTITUTION_WORDS
# Prepositions after which a gazetteer place outweighs the NER's reading as a name ("in Palmyra").
PLACE_PREPOSITIONS = frozenset({"in", "near", "outside", "inside", "around", "across", "into", "towards"})
# Capitalised prepositions the NER takes into a name: "Near Palmyra, two strikes...".
OPENING_PREPOSITIONS = PLACE_PREPOSITIONS | {"at", "from"}
PREPOSITIONS = OPENING_PREPOSITIONS | {"of", "to", "on"}
# NER labels that datelines, coordinated place lists and hometowns overrule ("Ten" in "Ten Mile").
FORCEABLE_LABELS = frozenset(
    {"ORG", "PERSON", "GPE", "LOC", "NORP", "FAC", "PRODUCT", "WORK_OF_ART", "CARDINAL"}
)
# Last words of the names of days: "St. Patrick's Day", "Christmas Eve".
HOLIDAY_WORDS = frozenset({"Day", "Eve"})
LANGUAGE_NOUNS = frozenset({"language", "languages", "dialect", "dialects", "script"})
DEMONYM_PLACE_NOUNS = frozenset(
    {
        "city",
        "town",
        "village",
        "county",
        "coast",
        "countryside",
        "capital",
        "port",
        "border",
        "region",
        "island",
    }
)
PLACE_KINDS = frozenset({"country", "region", "city", "nationality", "location"})
ACTOR_KINDS = frozenset({"armed_group", "state_force"})
# Kinds the ruler matches as named actors: armed groups, state forces, listed organisations.
NAMED_ACTOR_KINDS = ACTOR_KINDS | {"organisation"}
# Mentions inside the complement of an office title ("Secretary of State", "Minister for the Middle East").
TITLE_DOMAIN_KINDS = frozenset({"location", "organisation"})
MINOR_CITY = 100_000
LONE_TOWN = 15_000
# Nouns after a demonym that make it the country's land: "Syrian territory", "Turkish soil".
# Not "border" or "side": "near the Turkish border" may lie on either side of it.
TERRITORY_NOUNS = frozenset(
    {"territory", "territories", "airspace", "soil", "waters", "land", "lands", "coast", "coastline"}
    | {"mainland", "countryside"}
)
# Share of a text's place evidence its dominant country needs before a lone foreign town is doubted.
STRAY_DOMINANCE = 0.6
BIG_CITY = 1_000_000
_TITLE_CASE_WORD = re.compile(r"^[A-Z][a-z]")
_POSSESSIVE = re.compile(r"(?:'s|’s|')$")

for _name in (
    "coi_title_end",
    "coi_source_countries",
    "coi_mentions",
    "coi_acting",
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


# Titles that also open place names ("Prince Edward", "General Santos", "King George") or that
# stand before other words ("former Yugoslavia"): they do not make the next name a person's.
_PLACE_OPENING_TITLES = frozenset(
    {"chief", "deputy", "former", "general", "justice", "king", "lady", "late", "lord", "major", "prime"}
    | {"prince", "princess", "queen", "saint", "st", "sir", "vice"}
)


def _capitalised(doc: Doc) -> list[Token]:
    """The tokens of ``doc`` that open with a capital letter, for the passes that look at names."""
    return [tok for tok in doc if tok.text[:1].isupper()]


def _titled_names(doc: Doc, titles: frozenset[str], capitals: list[Token]) -> set[str]:
    """Last words of names written after a capitalised personal title: "President Saakashvili"."""
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


_DETERMINERS = frozenset({"a", "an", "the", "his", "her", "their", "my", "our", "its", "this", "that"})


def _model_year(doc: Doc, start: int) -> bool:
    """A year between a determiner and a name: "a 1992 Toyota", "their red 1991 Honda"."""
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


# Office words strong enough to make the words before them a place the gazetteer may not know.
SEAT_OFFICE_WORDS = frozenset({"Mayor", "Police", "Sheriff", "Council", "Mayor's"})


def _split_office_seats(spans: list[Span], titles: frozenset[str]) -> list[Span]:
    """A name the NER read as one person opening with the seat of a local office.

    "Tillsonburg Mayor Stephen Molnar" is the town and the mayor: the capitalised
    words before the office word become a place, the name after it a person.
    """
    out: list[Span] = []
    for ent in spans:
        office = next((t.i for t in ent[1:] if t.text in SEAT_OFFICE_WORDS), None)
        seat = ent.doc[ent.start : office] if office is not None else None
        if (
            ent.label_ not in MISREAD_LABELS
            or seat is None
            or len(seat) > 3
            or not all(_name_like(t) and t.lower_ not in titles for t in seat)
        ):
            out.append(ent)
            continue
        out.append(Span(ent.doc, seat.start, seat.end, label="GPE"))
        holder = _trailing_name(ent, OFFICE_WORDS)
        if holder is not None:
            out.append(holder)
    return out


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


# Nouns for people after a town used as their origin: "a Meadow Grove man", "the Saratoga native".
RESIDENT_NOUNS = frozenset(
    {"man", "woman", "men", "women", "native", "natives", "resident", "residents", "teen", "teenager"}
    | {"boy", "girl", "couple", "family", "youth", "mother", "father", "student", "students", "home"}
)


# NER labels a town before a resident noun is read as ("a Meadow Grove man" as a product).
RESIDENT_LABELS = frozenset({"PERSON", "ORG", "PRODUCT", "WORK_OF_ART", "FAC", "GPE", "LOC"})


def _resident(doc: Doc, span: Span) -> bool:
    """A name between an article or number and a resident noun: "a Meadow Grove man"."""
    if span.start == 0 or span.end >= len(doc) or doc[span.end].lower_ not in RESIDENT_NOUNS:
        return False
    before = doc[span.start - 1]
    if doc[span.end].lower_ == "home":
        return before.lower_ in ("a", "his", "her", "their", "its") or before.text in ("'s", "’s")
    return before.lower_ in ("a", "an", "the", "two", "three", "four") or before.like_num


# Last words of institutions whose members are named like residents: "a Harvard University student".
_MEMBER_INSTITUTIONS = frozenset({"University", "College", "Academy", "Institute"})


def _resident_spans(doc: Doc, gaz: Gazetteer) -> list[Span]:
    """Names of two or three words between an article or number and a resident noun.

    "a Meadow Grove man", "the Glen Carbon couple": the town people come from,
    even where neither the NER nor the gazetteer knows it. Names holding a
    demonym or a generic word ("a Native American woman"), names opening with a
    given name ("the Bernard Becker family") and members of an institution ("a
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
            continue  # "the Bernard Becker family": a person's family
        if any(
            name_key(w.text) in amb.common_words or any(c.kind == "nationality" for c in gaz.lookup(w.text))
            for w in span
        ):
            continue
        found.append(span)
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
    """A name listed with a known place next to it: "Butler, Clark, Hamilton", "Newark, Heath"."""
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
    """``cand`` starts ``outer``, after a leading "the": "the Athens Police Department"."""
    return cand.start == outer.start + (outer[0].lower_ == "the")


def _trailing_name(span: Span, office: frozenset[str]) -> Span | None:
    """The personal name closing a title run: "John Manchester" in "Lewisburg Mayor John Manchester"."""
    start = span.end
    while (
        start > span.start
        and span.end - start < 3
        and _name_like(span.doc[start - 1])
        and span.doc[start - 1].text not in office
    ):
        start -= 1
    if span.end - start < 2:
        return None
    return Span(span.doc, start, span.end, label="PERSON")


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


_DASHES = ("—", "–", "--", "-", "―")
_WIRE_TAG = re.compile(r"\s*\((?:AP|Reuters|AFP|UPI|CNN|dpa|IANS|PTI|Xinhua|Sputnik|TASS|Trend)\)")
_DATELINE = re.compile(
    r"([A-Z][A-Z'’.-]*[A-Z.](?: [A-Z][A-Z'’.-]*[A-Z.]){0,3})"  # CAPITALS
    r"(?:, ([A-Z][A-Za-z.]+(?: [A-Z][a-z]+)?))?"  # ", Ohio" / ", W.Va."
)


def _dateline_spans(doc: Doc) -> list[Span]:
    """The place of a news dateline: "MANSFIELD —", "COLUMBUS, Ohio (AP) —", "BEIRUT (AP)".

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


# A legislator's party and home: "Rep. Torrey Westrom, R-Elbow Lake", "D-Calif.", "D-McDowell";
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


_PLURAL_PLACE_NOUNS = frozenset(
    {
        "counties",
        "parishes",
        "provinces",
        "governorates",
        "districts",
        "states",
        "towns",
        "cities",
        "villages",
        "townships",
        "boroughs",
        "streets",
        "roads",
        "avenues",
        "rivers",
        "lakes",
        "islands",
    }
)


_PLURAL_PLACE_RE = re.compile(r"\b(?:" + "|".join(sorted(_PLURAL_PLACE_NOUNS)) + r")\b")
# Plural county nouns and the singular that closes each county's name: "Harper County".
_COUNTY_NOUNS = {"counties": "County", "parishes": "Parish"}


def _coordinated_places(doc: Doc, gaz: Gazetteer) -> list[Span]:
    """Names coordinated before a plural place noun: "Jackson and Barrow counties".

    Each name of the list ("Clay, Douglas, Grant and Wilkin counties",
    "Woodfield and Martingale roads", "from Ellsworth to Riley counties") is a
    place, whatever the NER says. A single word opening a sentence is one only
    where the gazetteer knows it ("Douglas and Wyandotte counties"; not "Both").
    Before "counties" or "parishes" each span's ``kb_id_`` holds "County" or
    "Parish", so that the linker can look up "Harper County".
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
    read. Names opening with a given name or holding a title ("Terry Collins",
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


# Nouns that make the subject of a definition a place: "Hibhib is a village in Diyala".
DEFINING_NOUNS = frozenset(
    {
        "village",
        "town",
        "city",
        "district",
        "municipality",
        "suburb",
        "neighbourhood",
        "neighborhood",
        "region",
    }
    | {
        "province",
        "governorate",
        "settlement",
        "hamlet",
        "port",
        "island",
        "mountain",
        "river",
        "lake",
        "valley",
    }
    | {"mosque", "hospital", "airport", "prison", "camp", "dam"}
)
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


def _known_place(span: Span, gaz: Gazetteer, amb: Ambiguity) -> bool:
    key = name_key(span.text)
    if key in amb.given_names or key in amb.surnames or key in amb.common_words:
        return False
    return any(c.kind in ("city", "region", "country") for c in gaz.lookup(span.text))


def _personal(span: Span, amb: Ambiguity) -> bool:
    """A name opening with a given name, or holding a title or an office word."""
    words = {tok.lower_.rstrip(".") for tok in span}
    if words & amb.titles or any(tok.text in OFFICE_WORDS or tok.text in amb.title_heads for tok in span):
        return True
    return len(span) > 1 and name_key(span[0].text) in amb.personal_names


def _office_holders(
    doc: Doc, mentions: list[Mention], heads: frozenset[str], capitals: list[Token]
) -> list[Mention]:
    """Persons named by their office: "Foreign Secretary Boris Johnson", "the Minister for the Middle East".

    A capitalised office word (``title_heads``) with the capitalised words
    before it ("Iraqi Foreign Minister") and an "of"/"for" complement after
    it ("Secretary of State") is a title. A person mention right after the
    title is extended over it (the id and canonical name stay the person's);
    a title with no name after it is itself a person mention.
    """
    text = _text(doc)
    if not any(head in text for head in heads):
        return mentions
    by_start = {m.start: i for i, m in enumerate(mentions)}
    covered = [(m.start, m.end, m.kind) for m in mentions]
    out = list(mentions)
    used: set[int] = set()
    for tok in capitals:
        if tok.text not in heads or tok.i in used:
            continue
        if any(s <= tok.idx < e and k not in PLACE_KINDS for s, e, k in covered):
            continue  # inside an organisation or a person already
        start = tok.i
        while start > 0 and tok.i - start < 4:
            prev = doc[start - 1]
            if not prev.text[:1].isupper() or prev.is_punct or prev.text in heads:
                break
            start -= 1
            if _sentence_initial(doc, start):
                break
        end = tok.i + 1
        if end + 1 < len(doc) and doc[end].lower_ in ("of", "for"):
            j = end + 1
            if j < len(doc) and doc[j].lower_ == "the":
                j += 1
            k = j
            while k < len(doc) and k - j < 4 and doc[k].text[:1].isupper() and doc[k].is_alpha:
                k += 1
            if k > j:
                end = k
        used.update(range(start, end))
        if doc[start].lower_ == "the":
            start += 1
        if start >= end:
            continue
        start_char, end_char = doc[start].idx, doc[end - 1].idx + len(doc[end - 1])
        if end > tok.i + 1:
            # The office's domain is part of the title, not a place of the text:
            # "the Minister for the Middle East".
            complement = (tok.idx + len(tok), end_char)
            out = [
                m
                for m in out
                if not (m.kind in TITLE_DOMAIN_KINDS and complement[0] <= m.start < complement[1])
            ]
            by_start = {m.start: i for i, m in enumerate(out)}
        # A name after a comma is an apposition ("the Minister, Tobias Ellwood"): two mentions.
        index = by_start.get(doc[end].idx) if end < len(doc) else None
        if index is not None and out[index].kind == "person":
            person = out[index]
            out[index] = Mention(
                start_char,
                person.end,
                text[start_char : person.end],
                "person",
                person.entity_id,
                person.canonical,
                person.country,
                person.ucdp,
            )
            continue
        if index is not None or (end - start == 1 and doc[start].i == tok.i and tok.i == 0):
            continue
        if any(s < end_char and start_char < e for s, e, k in covered if k == "person"):
            continue
        phrase = text[start_char:end_char]
        out.append(
            Mention(start_char, end_char, phrase, "person", f"person:{slug(phrase)}", phrase, None, None)
        )
    out.sort(key=lambda m: (m.start, m.end))
    return out


_REGIME = re.compile(r"\b[Tt]he regime\b")
_UNION_NAMES = frozenset({"European Union", "EU", "E.U."})


def _abbreviation(text: str) -> bool:
    letters = text.replace(".", "")
    return text.isupper() and 2 <= len(letters) <= 4 and letters.isalpha()


def _state_names(doc: Doc, mentions: list[Mention], not_modified: frozenset[str]) -> list[Mention]:
    """Abbreviated country names used as modifiers, and the European Union as an organisation.

    "U.S. Central Command", "UK ships", "EU sanctions": the abbreviation
    qualifies the next word the way "American" does, so the mention is a
    nationality. "The EU is committed" names the Union as an organisation.
    """
    out: list[Mention] = []
    for m in mentions:
        union = m.kind == "location" and m.canonical in _UNION_NAMES
        if not (union or (m.kind == "country" and _abbreviation(m.text))):
            out.append(m)
            continue
        span = doc.char_span(m.start, m.end, alignment_mode="expand")
        nxt = doc[span.end] if span is not None and span.end < len(doc) else None
        modifier = (
            nxt is not None
            and nxt.is_alpha
            and nxt.lower_ not in not_modified
            and not (m.text.endswith(".") and nxt.is_title and _sentence_initial(doc, nxt.i))
        )
        if modifier:
            out.append(
                Mention(m.start, m.end, m.text, "nationality", m.entity_id, m.canonical, m.country, None)
            )
        elif union:
            out.append(
                Mention(m.start, m.end, m.text, "organisation", "org:european-union", "European Union", None)
            )
        else:
            out.append(m)
    return out


_RAGGED_ENDS = frozenset(
    {"and", "or", "of", "the", "a", "an", "in", "on", "at", "to", "for", "with", "by", "from"}
)
_NAME_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "FAC", "NORP"})


def _mended(doc: Doc, spans: list[Span]) -> list[Span]:
    """Without the NER's works, products and events cut after a small word ("Aleppo and").

    Such a span is no reading at all: the gazetteer decides instead ("attacks on Aleppo
    and Daraya"). Names cut that way ("the City of") are left to the other rules.
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


LOCAL_PLACE_NOUNS = frozenset(
    {
        "valley",
        "plain",
        "plains",
        "basin",
        "district",
        "neighborhood",
        "neighbourhood",
        "village",
        "town",
        "governorate",
        "province",
        "subdistrict",
        "sub-district",
        "suburb",
        "countryside",
    }
)


SITE_NOUNS = frozenset({"airport", "airbase", "prison", "hospital", "checkpoint", "refinery", "crossing"})
_LOCAL_OR_SITE_NOUNS = LOCAL_PLACE_NOUNS | SITE_NOUNS


def _before_local_noun(doc: Doc, span: Span) -> bool:
    """A name right before a lower-case noun of a local unit or a site.

    "the Al-Sinek neighborhood", "the Jubba valley"; a site may follow one
    lower-case word: "the Mezzeh military airport", "the Al Salem hospital".
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


_PLACE_SUFFIXES = frozenset({"based", "born", "bred", "headquartered", "registered"})


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
    """A name after "<Name>, " that closes its clause: "Brands Hatch Indy, Kent."."""
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


def _with_coordinates(text: str, mentions: list[Mention]) -> list[Mention]:
    """``mentions`` and the coordinates written in the text, as locations with their country."""
    added = [
        Mention(p.start, p.end, text[p.start : p.end], "location", p.entity_id, p.canonical, p.country)
        for p in find_coordinates(text)
        if not any(m.start < p.end and p.start < m.end for m in mentions)
    ]
    return sorted(mentions + added, key=lambda m: (m.start, m.end)) if added else mentions


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


KIN_NOUNS = frozenset(
    {"family", "wife", "husband", "widow", "son", "daughter"}
    | {"mother", "father", "parents", "brother", "sister"}
)


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


# Masthead words that are adjectives: before another capitalised word they name a series.
_ADJECTIVE_MASTHEADS = frozenset({"Daily", "Independent", "Standard"})


def _masthead(doc: Doc, end: int, words: frozenset[str]) -> bool:
    """A newspaper's masthead after a place, perhaps after one more word: "Lansing State Journal".

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


def _has_capital(text: str) -> bool:
    return any(ch.isupper() for ch in text) or any(ch.isdigit() for ch in text)


# --------------------------------------------------------------------------- ruler


@Language.factory(
    "coi_gazetteer_ruler",
    default_config={"phrase_matcher_attr": "LOWER", "minor_city_population": MINOR_CITY},
)
def make_gazetteer_ruler(
    nlp: Language, name: str, phrase_matcher_attr: str, minor_city_population: int
) -> GazetteerRuler:
    return GazetteerRuler(
        nlp, name, phrase_matcher_attr=phrase_matcher_attr, minor_city_population=minor_city_population
    )


class GazetteerRuler(SpanRuler):  # type: ignore[misc,unused-ignore]
    """Phrase ruler over the gazetteers with the ambiguity policy applied.

    Policy, per match (longest match wins, overlaps resolved first):

    1. no capital letter in the match ("of", "mobile", the verb "is") - drop;
    2. a case-sensitive acronym that is spelled otherwise, or a short acronym
       inside an all-capitals headline ("WHO IS") - drop;
    3. armed groups and state forces - entity;
    4. a place name after a title ("President Obama"); a listed name or a
       town name after a given name or before a speech verb ("Barack Obama",
       "Jackson said") - drop: it is a person;
    5. a place name followed by a disease or agreement word ("Ebola virus"),
       a name followed by a disease word anywhere in the text, a short
       all-capitals word that is not a known acronym ("HIV"), or a vehicle
       make or model the text uses as one ("a 2005 Honda ... the Honda") - drop;
    6. demonyms - candidate ``COI_NAT``;
    7. a name on the stop-lists (common words, English words of
       ``common_names.json``, given names, surnames) - candidate ``COI_WEAK``;
       a common or English word opening a sentence before a lower-case word
       ("But town leaders") - drop;
    8. other multi-word places, countries, seas and continents - entity;
    9. a single-word region or a town of ``minor_city_population`` or more -
       candidate ``COI_STRONG``; smaller towns - candidate ``COI_WEAK``.

    Candidates go to ``doc.spans["coi_candidates"]``; the linker keeps them
    unless the NER reads them otherwise, and keeps ``COI_WEAK`` ones only with
    support (a locative word before, a place word or a place after, or a text
    about their country).
    """

    def __init__(
        self, nlp: Language, name: str, *, phrase_matcher_attr: str, minor_city_population: int
    ) -> None:
        super().__init__(
            nlp,
            name,
            spans_key=None,
            annotate_ents=True,
            phrase_matcher_attr=phrase_matcher_attr,
            validate=False,
            overwrite=False,
        )
        self.minor_city_population = minor_city_population
        self._gazetteer: Gazetteer | None = None

    @property
    def gazetteer(self) -> Gazetteer:
        if self._gazetteer is None:
            self._gazetteer = get_gazetteer()
        return self._gazetteer

    def initialize(
        self,
        get_examples: Callable[[], Iterable[Any]] | None = None,
        *,
        nlp: Language | None = None,
        patterns: Sequence[dict[str, Any]] | None = None,
    ) -> None:
        """Build the patterns from the gazetteer data files (or from ``patterns``).

        Gazetteer patterns are tokenised with the tokenizer alone (never the
        rest of the pipeline) and added one match key per name.
        """
        self.clear()
        if patterns is not None:
            self.add_patterns(list(patterns))
            return
        grouped: dict[tuple[str, str], list[str]] = {}
        for label, surface, key in self.gazetteer.patterns():
            grouped.setdefault((label, key), []).append(surface)
        tokenizer = self.nlp.tokenizer
        strings = self.nlp.vocab.strings
        for (label, key), surfaces in grouped.items():
            match_key = repr((label, key))
            self._match_label_id_map[strings.add(match_key)] = {"label": label, "id": key}
            self.phrase_matcher.add(match_key, [tokenizer(s) for s in surfaces])
            self._patterns.extend({"label": label, "pattern": s, "id": key} for s in surfaces)

    def __call__(self, doc: Doc) -> Doc:
        if not self._patterns:
            return doc
        spans = filter_spans(list(self.match(doc)))
        keep: list[Span] = []
        doubtful: list[Span] = []
        amb = self.gazetteer.ambiguity
        diseases = _disease_names(doc, amb.disease_words) if amb is not None else set()
        vehicles, vehicle_makes = _vehicles(doc, self.gazetteer)
        for span in spans:
            if diseases and name_key(span.text) in diseases and not self._is_country(span.text):
                continue  # "Lassa" in a text about Lassa fever
            if span.text in vehicles or (len(span) == 1 and span.start in vehicle_makes):
                continue  # "a 2005 Honda ... the Honda", "his Toyota Hilux": a vehicle, not the town
            verdict = self.classify(doc, span)
            if verdict == "entity":
                keep.append(span)
            elif verdict in CANDIDATE_LABELS:
                doubtful.append(Span(doc, span.start, span.end, label=CANDIDATE_LABELS[verdict]))
        existing = list(doc.ents)
        taken = {i for ent in existing for i in range(ent.start, ent.end)}
        new = [s for s in keep if not any(i in taken for i in range(s.start, s.end))]
        doc.set_ents(filter_spans(existing + new))
        doc.spans[CANDIDATES_KEY] = doubtful
        return doc

    def classify(self, doc: Doc, span: Span) -> str:
        text = span.text
        if not _has_capital(text):
            return "drop"
        candidates = self.gazetteer.lookup(text)
        if not candidates:
            return "drop"
        if self._compound_name(doc, span):
            return "drop"  # "Wal-Mart", "Coca-Cola": part of a hyphenated name
        if (
            any(c.exact for c in candidates)
            and len(text) <= 3
            and _is_upper_context(doc, span.start, span.end)
        ):
            return "drop"
        kinds = {c.kind for c in candidates}
        if kinds & NAMED_ACTOR_KINDS:
            if all(c.exact for c in candidates) and text == "IS" and not self._is_group_is(doc, span):
                return "drop"
            return "entity"
        amb = self.gazetteer.ambiguity
        assert amb is not None
        key = name_key(text)
        if kinds & {"city", "region", "country"} and _place_suffix(doc, span):
            return "entity"  # "the Kent-based outfit", "a Homs-born engineer"
        if self._person_context(doc, span, key, candidates):
            return "drop"
        acronym_like = len(span) == 1 and text.isupper() and len(text) <= 5
        if (
            acronym_like
            and not any(c.exact for c in candidates)
            and not _is_upper_context(doc, span.start, span.end)
        ):
            return "drop"  # "HIV", "AIDS": an acronym, not the town spelled in capitals
        if span.end < len(doc) and doc[span.end].lower_ in amb.named_after_words:
            return "drop"  # "Ebola virus", "Marburg fever", "Reston ebolavirus"
        if _masthead(doc, span.end, amb.masthead_words):
            return "drop"  # a newspaper: "New York Times", "Lansing State Journal"
        if kinds <= {"nationality"}:
            return "nationality"
        if all(c.minor for c in candidates):
            return "minor"  # a small town: kept only where the text places it
        if key in amb.common_words or (key in amb.english_words and not text.endswith(".")):
            # "Mobile", "Nice", "East"; not the abbreviations "Ill." or "Mass."
            if _sentence_initial(doc, span.start) and span.end < len(doc) and doc[span.end].is_lower:
                return "drop"  # "But town leaders", "Mobile phones"
            return "weak"
        if key in amb.given_names or key in amb.surnames:
            if "country" in kinds and self._hyphen_partner(doc, span):
                return "entity"  # "an EU-Israel summit": a country, not the given name
            if "region" in kinds and _apposed(doc, span):
                return "entity"  # "Brands Hatch, Kent.": the county of the place before it
            return "weak"
        if len(span) > 1:
            return "entity"
        if kinds & {"country", "location"}:
            return "entity"
        biggest = max((c.population for c in candidates if c.kind == "city"), default=0)
        if "region" in kinds or biggest >= self.minor_city_population:
            if _sentence_initial(doc, span.start) and "region" not in kinds and biggest < BIG_CITY:
                return "weak"
            return "strong"
        return "weak"

    def _compound_name(self, doc: Doc, span: Span) -> bool:
        """The first part of a hyphenated name whose other part is a capitalised word, not a place."""
        other = _hyphened_after(doc, span)
        if other is None or not other.is_title:
            return False  # "Kent-based", "Egypt - a country"
        return not self.gazetteer.lookup(other.text)

    def _hyphen_partner(self, doc: Doc, span: Span) -> bool:
        """Joined by a bare hyphen to a name the gazetteer knows ("EU-Israel", "Israel-Hamas")."""
        return any(
            other is not None and bool(self.gazetteer.lookup(other.text))
            for other in (_hyphened_before(doc, span), _hyphened_after(doc, span))
        )

    def _is_country(self, text: str) -> bool:
        return any(c.kind in ("country", "nationality") for c in self.gazetteer.lookup(text))

    @staticmethod
    def _is_group_is(doc: Doc, span: Span) -> bool:
        """ "IS" names the Islamic State unless it reads as the verb ("WHO IS", "IS IT")."""
        prev = doc[span.start - 1] if span.start > 0 else None
        nxt = doc[span.end] if span.end < len(doc) else None
        for token in (prev, nxt):
            if token is not None and token.is_alpha and token.text.isupper() and len(token.text) > 1:
                return False
        return True

    def _person_context(self, doc: Doc, span: Span, key: str, candidates: list[Candidate]) -> bool:
        """A single-word place name used as a personal name.

        Any place name after a title ("Mr Houston"); a listed name, or the name
        of a town (not a country, region or city of a million) after a given
        name ("Andrew Jackson") or before a speech verb ("Jackson said").
        """
        amb = self.gazetteer.ambiguity
        assert amb is not None
        if len(span) != 1:
            return False
        town_only = all(c.kind == "city" and c.population < BIG_CITY for c in candidates)
        surname = key in amb.surnames or key in amb.given_names or town_only
        prev = doc[span.start - 1] if span.start > 0 else None
        nxt = doc[span.end] if span.end < len(doc) else None
        if prev is not None:
            p = prev.lower_.rstrip(".")
            if p in amb.titles:
                return True
            if (
                surname
                and _TITLE_CASE_WORD.match(prev.text)
                and not _sentence_initial(doc, prev.i)
                and p not in amb.locative_words
                and p not in amb.place_words
                and p not in amb.function_words  # "... months The Athens Police"
                and name_key(prev.text) not in amb.common_words
                and not self.gazetteer.lookup(prev.text)
            ):
                return True  # "Barack Obama", "Andrew Jackson"
        if surname and nxt is not None:
            placed = prev is not None and prev.is_lower and prev.lower_ in PREPOSITIONS
            if (nxt.lower_ in amb.person_verbs and not placed) or (
                nxt.text in {"'s", "’s"} and key in amb.surnames
            ):
                return True  # "Jackson said"; not "families from camps in Duhok told"
            if _said_by(doc, span.start, span.end):
                return True  # '..." said Noma.'
            if _person_follows(doc, span.start, span.end):
                return True  # "Dayton, who was", "Dayton's family"; not "in Kashmir, who"
            given = key in amb.given_names or (town_only and key in amb.personal_names)
            if (
                _TITLE_CASE_WORD.match(nxt.text)
                and given
                and not self.gazetteer.lookup(nxt.text)
                and nxt.lower_ not in amb.place_words
                and nxt.text not in amb.facility_words
                and nxt.text not in amb.street_words
                and nxt.text not in OFFICE_WORDS
                and (prev is None or prev.lower_ != "the")  # "the Georgia School Boards Association"
            ):
                return True  # "Jordan Henderson", "Florence Nightingale", "Tyler Perry"
        return False


# --------------------------------------------------------------------------- linker


@Language.factory("coi_entity_linker", default_config={"context_weight": 0.45})
def make_entity_linker(nlp: Language, name: str, context_weight: float) -> EntityLinker:
    return EntityLinker(context_weight=context_weight)


class EntityLinker:
    """Links ruler and NER entities to gazetteer ids; sets ``doc._.coi_mentions``.

    Namesakes are resolved by score = prior (population, kind) + context
    (share of the document's unambiguous place evidence in the candidate's
    country) + adjacency ("Alexandria, Louisiana": the next place's country or
    US state) + a small bonus when a place word agrees ("Gaza province"
    prefers a region, "Aleppo city" a city).
    """

    def __init__(self, *, context_weight: float) -> None:
        self.context_weight = context_weight

    @property
    def gazetteer(self) -> Gazetteer:
        return get_gazetteer()

    @cached_property
    def _office_words(self) -> frozenset[str]:
        """Office, institution and title words that end a personal name ("Dublin Mayor")."""
        amb = self.gazetteer.ambiguity
        assert amb is not None
        return OFFICE_WORDS | amb.title_heads

    @cached_property
    def _not_modified(self) -> frozenset[str]:
        """Words after a country abbreviation that show it is no modifier ("in the U.S. and", "the EU is")."""
        amb = self.gazetteer.ambiguity
        assert amb is not None
        return amb.function_words | amb.state_verbs | amb.person_verbs

    def __call__(self, doc: Doc) -> Doc:
        gaz = self.gazetteer
        amb = gaz.ambiguity
        assert amb is not None
        diseases = _disease_names(doc, amb.disease_words)
        vehicles, vehicle_makes = _vehicles(doc, gaz)
        spans: list[Span] = [
            ent
            for ent in doc.ents
            if not (
                ent.label_ in DISEASE_LABELS
                and (
                    name_key(ent.text) in diseases
                    or _names_disease(ent, amb.disease_names, amb.disease_words)
                    or ent.text in vehicles
                    or (len(ent) == 1 and ent.start in vehicle_makes)
                )
            )
        ]
        spans = _mended(doc, spans)
        streets = _street_spans(doc, amb.street_words, amb.road_words)
        if streets:
            # A street the NER missed or read as an organisation ("Bank Street") is a place.
            for street in streets:
                hit = [e for e in spans if e.start < street.end and street.start < e.end]
                if all(
                    e.label_ in ("ORG", "PERSON") or (e.label_ == "FAC" and e.end <= street.end) for e in hit
                ):
                    spans = [e for e in spans if e not in hit]
                    spans.append(street)
            spans.sort(key=lambda s: s.start)
        spans = [_strip_preposition(ent) for ent in spans]
        spans = _split_office_seats(spans, amb.titles)
        forced = _dateline_spans(doc) + _coordinated_places(doc, gaz) + _party_homes(doc)
        forced += _resident_spans(doc, gaz) + _aged_homes(doc) + _place_lists(doc, gaz) + _defined_places(doc)
        placed = {(sp.start, sp.end): sp.kb_id_ for sp in forced}
        if forced:
            # Datelines and coordinated names before "counties": places, whatever the NER read.
            for place in forced:
                hit = [e for e in spans if e.start < place.end and place.start < e.end]
                if all(e.label_ in FORCEABLE_LABELS for e in hit):
                    spans = [e for e in spans if e not in hit]
                    spans.append(place)
            spans.sort(key=lambda s: s.start)
        ner_by_token = {i: ent for ent in spans for i in range(ent.start, ent.end)}
        candidates = list(doc.spans.get(CANDIDATES_KEY, []))
        early = self._early_context(spans + candidates, doc._.coi_source_countries or ())
        split_tokens: set[int] = set()
        deferred: list[tuple[Span, Span, str]] = []
        # Words used as parts of personal names elsewhere in the text ("John Moore ... Moore").
        # and names after a personal title ("President Saakashvili ... Saakashvili").
        capitals = _capitalised(doc)
        person_words = {
            ent[-1].lower_
            for ent in spans
            if ent.label_ == "PERSON"
            and len(ent) > 1
            and _name_like(ent[-1])
            and not self._misread_town(ent, amb)
        } | _titled_names(doc, amb.titles, capitals)
        # Single capitalised words that speak somewhere in the text ("Karim replied").
        names = [tok for tok in capitals if tok.i + 1 < len(doc) and _name_like(tok)]
        speakers = {
            tok.lower_
            for tok in names
            if (doc[tok.i + 1].lower_ in amb.person_verbs or _person_follows(doc, tok.i, tok.i + 1))
            and not (tok.i > 0 and doc[tok.i - 1].lower_ in PREPOSITIONS)  # "a resident of Lubbock told"
        } | {tok.lower_ for tok in names if tok.i > 0 and _said_by(doc, tok.i, tok.i + 1)}
        speakers |= _aged_names(doc, capitals)
        person_words |= self._partners(doc, spans, person_words | speakers)
        for cand in candidates:
            label = "COI_NAT" if cand.label_ == "COI_NAT" else "COI_PLACE"
            overlapping = {ner_by_token[i] for i in range(cand.start, cand.end) if i in ner_by_token}
            key = name_key(cand.text)
            entries = gaz.lookup(cand.text)
            listed = (
                key in amb.common_words
                or key in amb.given_names
                or key in amb.surnames
                or key in amb.english_words
            )
            minor = cand.label_ == "COI_MINOR"
            in_context = (
                not listed
                and not minor
                and any(early.get(c.country or "", 0.0) >= 0.3 for c in entries if c.kind == "city")
            )
            # The NER is unreliable on transliterated town names of the followed countries.
            overrule = in_context and any(
                c.country in TRANSLITERATED_COUNTRIES for c in entries if c.kind == "city"
            )
            if (
                len(cand) == 1
                and cand.text.lower() in person_words
                and not overrule
                and not _after_locative(doc, cand)
            ):
                continue
            if overlapping:
                same = [e for e in overlapping if (e.start, e.end) == (cand.start, cand.end)]
                if not same:
                    outer = next(iter(overlapping))
                    if len(overlapping) == 1 and (
                        self._splittable(outer, candidates) or self._hyphenated_demonym(outer, cand)
                    ):
                        # "Dallas, Texas" as one GPE: keep the gazetteer's parts instead.
                        spans.remove(outer)
                        for i in range(outer.start, outer.end):
                            ner_by_token.pop(i, None)
                            split_tokens.add(i)
                        spans.append(Span(doc, cand.start, cand.end, label=label))
                    elif outer.label_ in NESTING_LABELS and (
                        cand.label_ in ("COI_STRONG", "COI_NAT")
                        or (
                            self._opens_name(cand, outer, listed and not self._territory(cand, amb))
                            and (not minor or _local_office(outer[cand.end - outer.start :]))
                        )
                    ):
                        # A place inside a name: "the Texas Department of Health", "Athens Police".
                        spans.append(Span(doc, cand.start, cand.end, label=label))
                    elif outer.label_ in MISREAD_LABELS and not listed and self._seat_of_office(cand, outer):
                        # "Lewisburg Mayor John Manchester" read as one name: the town, then the person.
                        spans.remove(outer)
                        for i in range(outer.start, outer.end):
                            ner_by_token.pop(i, None)
                        spans.append(Span(doc, cand.start, cand.end, label=label))
                        holder = _trailing_name(outer, self._office_words)
                        if holder is not None:
                            spans.append(holder)
                    continue  # otherwise the longer NER entity ("Indian Ocean", "Barack Obama") decides
                ent = same[0]
                agrees = (ent.label_ in ("GPE", "LOC", "NORP", "FAC") and key not in amb.common_words) or (
                    label == "COI_NAT" and self._attributive_demonym(doc, cand, ent, key)
                )
                after_preposition = (
                    label == "COI_PLACE"
                    and key not in amb.common_words
                    and (
                        (cand.start > 0 and doc[cand.start - 1].lower_ in PLACE_PREPOSITIONS)
                        or self._hometown(doc, cand, spans)
                        or (cand.end < len(doc) and doc[cand.end].text in LOCAL_OFFICE_WORDS)
                        or _resident(doc, cand)
                        or (_apposed(doc, cand) and any(c.kind == "region" for c in entries))
                    )
                )
                # A one-word town the NER reads as a name, never introduced as a person in the
                # text ("Cheltenham", "Misrata"): people in news get their full name first.
                lone = (
                    label == "COI_PLACE"
                    and not minor
                    and len(cand) == 1
                    and not listed
                    and key not in amb.personal_names  # "driven by Mary": the NER's person stands
                    and ent.label_ in ("PERSON", "ORG")
                    and key not in person_words
                    and key not in speakers
                    and not self._titled(doc, ent)
                    and (
                        not early
                        or _populated(entries)
                        or any(early.get(c.country or "", 0.0) > 0 for c in entries)
                    )
                )
                if ent.label_ in RULER_LABELS or not (
                    agrees or after_preposition or lone or (overrule and label == "COI_PLACE")
                ):
                    if ent.label_ in ("PERSON", "ORG") and not listed:
                        deferred.append((cand, ent, label))
                    continue  # the NER reads a person or an organisation
                spans.remove(ent)
                spans.append(Span(doc, cand.start, cand.end, label=label))
                continue
            if (
                cand.label_ in ("COI_NAT", "COI_STRONG")
                or cand.start in split_tokens
                or in_context
                or self._supported(doc, cand, named=not minor)
            ):
                spans.append(Span(doc, cand.start, cand.end, label=label))
        # One sense per text: a name read as a place elsewhere in it is a place here too.
        place_texts = {sp.text for sp in spans if sp.label_ in ("COI_PLACE", "COI_NAT", "GPE", "LOC")}
        for cand, ent, label in deferred:
            if cand.text in place_texts and cand.text.lower() not in person_words and ent in spans:
                spans.remove(ent)
                spans.append(Span(doc, cand.start, cand.end, label=label))
        spans.sort(key=lambda s: s.start)

        # Pass 1: candidates per span, and unambiguous context.
        resolved: list[tuple[Span, list[Candidate]]] = []
        context: dict[str, float] = {}
        for code in doc._.coi_source_countries or ():
            context[code] = context.get(code, 0.0) + 2.0
        for span in spans:
            cands = self._candidates(span)
            resolved.append((span, cands))
            places = [c for c in cands if c.kind in PLACE_KINDS or c.kind == "location"]
            codes = {c.country for c in places if c.country}
            if len(codes) == 1 and places:
                code = next(iter(codes))
                weight = 0.5 if all(c.kind == "nationality" for c in places) else 1.0
                context[code] = context.get(code, 0.0) + weight
        total = sum(context.values()) or 1.0
        share = {code: value / total for code, value in context.items()}
        dominant = max(share, key=lambda c: share[c]) if share else None
        regions_named = {
            c.entity_id[7:] for _, cands in resolved for c in cands if c.kind == "region" and len(cands) == 1
        }

        # Pass 2: choose.
        mentions: list[Mention] = []
        for idx, (span, cands) in enumerate(resolved):
            mention = self._choose(
                doc,
                span,
                cands,
                share,
                dominant,
                regions_named,
                resolved,
                idx,
                person_words,
                speakers,
                placed,
            )
            if mention is not None:
                mentions.append(mention)
        # "Russia said", "France condemned": a country named for its government stays a country
        # mention, but is actor evidence, not place evidence, for the focus.
        acting: list[tuple[int, int]] = []
        for m in mentions:
            named = doc.char_span(m.start, m.end) if m.kind == "country" and m.country else None
            if named is not None and self._acts(doc, named):
                acting.append((m.start, m.end))
        doc._.coi_acting = tuple(acting)
        if amb.title_heads:
            mentions = _office_holders(doc, mentions, amb.title_heads, capitals)
        mentions = _state_names(doc, mentions, self._not_modified)
        mentions = self._territories(doc, mentions)
        if dominant:
            mentions = self._the_regime(doc, mentions, dominant)
        mentions = _with_coordinates(_text(doc), mentions)
        doc._.coi_mentions = mentions
        return doc

    def _attributive_demonym(self, doc: Doc, cand: Span, ent: Span, key: str) -> bool:
        """A demonym the NER read as a person or a language, before a noun it qualifies.

        "the prominent Slovak architect"; read as a language, only before a place noun:
        "the southern English city of Salisbury", not "English language learners".
        """
        if ent.label_ not in ("PERSON", "LANGUAGE") or len(cand) != 1 or cand.end >= len(doc):
            return False
        amb = self.gazetteer.ambiguity
        assert amb is not None
        if key in amb.given_names or key in amb.surnames or key in amb.personal_names:
            return False
        following = doc[cand.end]
        if ent.label_ == "LANGUAGE":
            return following.lower_ in DEMONYM_PLACE_NOUNS
        return (
            following.is_lower
            and following.is_alpha
            and not following.is_stop
            and not following.lower_.endswith("ly")
        )

    def _partners(self, doc: Doc, spans: list[Span], persons: set[str]) -> set[str]:
        """Unknown one-word names joined by "and" or "or" to a person's name: "Karim and Sadiq"."""
        amb = self.gazetteer.ambiguity
        assert amb is not None
        singles = {ent.start: ent for ent in spans if len(ent) == 1 and _name_like(ent[0])}

        def person(ent: Span) -> bool:
            key = name_key(ent.text)
            return (key in persons or key in amb.personal_names or key in amb.given_names) and not any(
                c.kind in PLACE_KINDS for c in self.gazetteer.lookup(ent.text)
            )

        found: set[str] = set()
        for start, ent in singles.items():
            if ent.label_ not in ("GPE", "LOC", "ORG") or self.gazetteer.lookup(ent.text):
                continue
            for other, link in ((start - 2, start - 1), (start + 2, start + 1)):
                partner = singles.get(other)
                if partner is None or doc[link].lower_ not in ("and", "or") or not person(partner):
                    continue
                if not self._placed(doc, partner if other < start else ent):
                    found.add(ent.text.lower())  # not "the villages of Bumbacari and Dudescu"
        return found

    def _misread_town(self, ent: Span, amb: Ambiguity) -> bool:
        """A "person" closing with a town of 100,000 and holding no given name before it.

        "Historic Dublin" or a headline run "Freemason Bogdanov Joins Sochi" read as
        a person says nothing about "Dublin" or "Sochi" elsewhere in the text;
        "John Moore" and "Petty Officer Scott C. Dayton" do.
        """
        if len(ent) < 2:
            return False
        for tok in ent[:-1]:
            word = name_key(tok.text)
            if word in amb.personal_names or word in amb.given_names:
                return False
        towns = self.gazetteer.lookup(ent[-1].text)
        return any(c.kind == "city" and c.population >= MINOR_CITY for c in towns)

    def _county_abbreviation(self, span: Span) -> bool:
        """ "Loudon Co.": a county the gazetteer knows; not a company ("Crane Co.")."""
        county = _text(span.doc)[span.start_char : span[-1].idx] + "County"
        if county.startswith("the "):
            county = county[4:]
        return any(c.kind == "region" for c in self.gazetteer.lookup(county))

    def _titled(self, doc: Doc, span: Span) -> bool:
        """A name right after a personal title ("President", "Mr", "coach"), not "St." or "Saint"."""
        amb = self.gazetteer.ambiguity
        if span.start == 0 or amb is None:
            return False
        prev = doc[span.start - 1].lower_.rstrip(".")
        return prev in amb.titles and prev not in ("st", "saint")

    def _placed(self, doc: Doc, span: Span) -> bool:
        """A name after a locative preposition ("in", "near") or after "<place word> of"."""
        if span.start == 0:
            return False
        prev = doc[span.start - 1]
        return (prev.lower_ in PLACE_PREPOSITIONS and prev.is_lower) or self._after_place_noun(doc, span)

    def _after_place_noun(self, doc: Doc, span: Span) -> bool:
        """A name after "<place word> of" or "<place word> such as", "including", "like".

        "the town of Tel Tamer", "the villages of Maliuc", "camps such as Zamzam".
        """
        amb = self.gazetteer.ambiguity
        if span.start < 2 or amb is None:
            return False
        at = span.start - 1
        if doc[at].lower_ == "as" and at > 1 and doc[at - 1].lower_ == "such":
            at -= 1
        elif doc[at].lower_ not in ("of", "including", "like"):
            return False
        word = doc[at - 1].lower_ if at >= 1 else ""
        singular = word[:-3] + "y" if word.endswith("ies") else word[:-1] if word.endswith("s") else word
        return word in amb.place_words or singular in amb.place_words

    def _the_regime(self, doc: Doc, mentions: list[Mention], dominant: str) -> list[Mention]:
        """ "The regime" in a text about one country is that country's state ("the regime's forces")."""
        state = self.gazetteer.groups.get(f"state:{dominant}")
        if state is None or "regime" not in _text(doc):
            return mentions
        added = [
            Mention(
                match.start(),
                match.end(),
                match.group(0),
                "state_force",
                str(state["entity_id"]),
                str(state["name"]),
                dominant,
                state.get("ucdp"),
            )
            for match in _REGIME.finditer(_text(doc))
            if not any(m.start < match.end() and match.start() < m.end for m in mentions)
        ]
        return sorted(mentions + added, key=lambda m: (m.start, m.end)) if added else mentions

    @staticmethod
    def _opens_name(cand: Span, outer: Span, listed: bool) -> bool:
        """A town opening or closing an organisation's name: "Athens Police", "First Bank of Princeton"."""
        if _opens(cand, outer):
            return cand.end < outer.end and not listed
        # "the First Bank of Princeton", "St. John's Lutheran School in Lombard"
        return cand.end == outer.end and outer.doc[cand.start - 1].lower_ in ("of", "in")

    def _territory(self, cand: Span, amb: Ambiguity) -> bool:
        """A state or country that is also a personal name ("Georgia", "Virginia", "Jordan")."""
        key = name_key(cand.text)
        if key in amb.common_words or key in amb.english_words:
            return False
        return any(c.kind in ("region", "country") for c in self.gazetteer.lookup(cand.text))

    @staticmethod
    def _given_name(span: Span, amb: Ambiguity) -> bool:
        """A listed given name alone or before one more capitalised word that is not a place word."""
        first = name_key(span[0].text)
        if len(span) > 2 or not (first in amb.personal_names or first in amb.given_names):
            return False
        if len(span) == 1:
            return True
        last = span[1]
        return (
            _name_like(last)
            and last.text not in amb.facility_words
            and last.text not in amb.street_words
            and last.lower_ not in amb.place_words
        )

    def _territories(self, doc: Doc, mentions: list[Mention]) -> list[Mention]:
        """A country's demonym before a territory noun names the country: "Syrian territory"."""
        out: list[Mention] = []
        for m in mentions:
            span = doc.char_span(m.start, m.end) if m.kind == "nationality" else None
            country = self.gazetteer.countries.get(m.country or "") if span is not None else None
            if (
                span is None
                or country is None
                or m.entity_id != f"country:{m.country}"
                or span.end >= len(doc)
                or doc[span.end].lower_ not in TERRITORY_NOUNS
            ):
                out.append(m)
                continue
            end = doc[span.end].idx + len(doc[span.end])
            text = _text(doc)[m.start : end]
            out.append(Mention(m.start, end, text, "country", m.entity_id, str(country["name"]), m.country))
        return out

    @staticmethod
    def _stray_town(
        span: Span,
        best: Candidate,
        share: dict[str, float],
        dominant: str | None,
        resolved: list[tuple[Span, list[Candidate]]],
        idx: int,
    ) -> bool:
        """A one-word town abroad that nothing else in a text about another country supports.

        "Metro 911" or "Titan Operating" in a Texan story are not towns of Indonesia or
        Afghanistan: a lone foreign town below a million inhabitants needs another
        place, nationality or actor of its country in the text.
        """
        if (
            len(span) != 1
            or best.kind != "city"
            or best.population >= BIG_CITY
            or dominant is None
            or best.country == dominant
            or share.get(dominant, 0.0) < STRAY_DOMINANCE
            or (span.start > 0 and span.doc[span.start - 1].lower_ in OPENING_PREPOSITIONS)
        ):
            return False  # "refugees from Manbij reached Gaziantep, Turkey": placed by the text
        return not any(
            j != idx and any(c.country == best.country or best.country in c.countries for c in cands)
            for j, (_other, cands) in enumerate(resolved)
        )

    def _seat_of_office(self, cand: Span, outer: Span) -> bool:
        """A town opening a longer name that holds an office or institution word: "Dublin Mayor"."""
        if not _opens(cand, outer) or cand.end >= outer.end:
            return False
        return any(tok.text in self._office_words for tok in outer.doc[cand.end : outer.end])

    def _acts(self, doc: Doc, span: Span) -> bool:
        """A country name used for its government: followed by a speech or stance verb."""
        amb = self.gazetteer.ambiguity
        if amb is None or span.end >= len(doc):
            return False
        nxt = doc[span.end]
        if nxt.text in {"'s", "’s"}:
            return False
        return nxt.lower_ in amb.state_verbs

    def _splittable(self, ent: Span, candidates: list[Span]) -> bool:
        """A GPE/LOC entity made of several gazetteer places and punctuation ("Dallas, Texas")."""
        if ent.label_ not in ("GPE", "LOC") or self.gazetteer.lookup(ent.text):
            return False
        amb = self.gazetteer.ambiguity
        assert amb is not None
        inside = [c for c in candidates if c.start >= ent.start and c.end <= ent.end]
        generic = amb.common_words | amb.english_words
        if len(inside) < 2 or any(name_key(c.text) in generic for c in inside):
            return False
        covered = {i for c in inside for i in range(c.start, c.end)}
        return all(i in covered or ent.doc[i].is_punct for i in range(ent.start, ent.end))

    @staticmethod
    def _hometown(doc: Doc, cand: Span, spans: list[Span]) -> bool:
        """ "James Tauber of Nelson", "Amstutz, of Wooster", "a 20-year-old from Brampton"."""
        if cand.start < 2 or doc[cand.start - 1].lower_ not in ("of", "from"):
            return False
        before = doc[cand.start - 2]
        if before.text == "," or before.like_num or before.lower_.endswith("-old"):
            return True
        return any(e.label_ == "PERSON" and e.end == before.i + 1 for e in spans)

    def _hyphenated_demonym(self, ent: Span, cand: Span) -> bool:
        """A demonym inside a hyphenated NORP word: "anti-Russian", "Austro-Hungarian", "ex-Soviet"."""
        if ent.label_ != "NORP" or cand.label_ != "COI_NAT" or self.gazetteer.lookup(ent.text):
            return False
        doc = ent.doc
        before = doc[cand.start - 1] if cand.start > ent.start else None
        after = doc[cand.end] if cand.end < ent.end else None
        return (before is not None and before.text == "-") or (after is not None and after.text == "-")

    def _early_context(self, spans: list[Span], sources: Iterable[str]) -> dict[str, float]:
        """Country shares of the ruler's unambiguous entities and the source's country tags."""
        counts: dict[str, float] = {code: 2.0 for code in sources}
        for span in spans:
            if span.label_ not in ("COI_PLACE", "COI_STRONG", "COI_GROUP"):
                continue
            codes = {c.country for c in self.gazetteer.lookup(span.text) if c.country}
            if len(codes) == 1:
                code = next(iter(codes))
                counts[code] = counts.get(code, 0.0) + (0.5 if span.label_ == "COI_GROUP" else 1.0)
        total = sum(counts.values())
        return {code: value / total for code, value in counts.items()} if total else {}

    # -- candidates

    def _candidates(self, span: Span) -> list[Candidate]:
        gaz = self.gazetteer
        text = _POSSESSIVE.sub("", span.text.strip())
        label = span.label_
        if label in RULER_LABELS:
            return gaz.lookup(text)
        if label in ("GPE", "LOC", "FAC"):
            amb = gaz.ambiguity
            if amb is not None and name_key(text) in amb.common_words:
                return []  # "the South", "Gulf": a place, but not the namesake town
            found = [c for c in gaz.lookup(text) if c.kind in PLACE_KINDS]
            if not found and text.lower().startswith("the "):
                found = [c for c in gaz.lookup(text[4:]) if c.kind in PLACE_KINDS]
            return [c for c in found if c.kind != "nationality"] or found
        if label == "NORP":
            return [c for c in gaz.lookup(text) if c.kind in ("nationality", "armed_group", "state_force")]
        if label in ("ORG", "PERSON"):
            return [c for c in gaz.lookup(text) if c.kind in NAMED_ACTOR_KINDS]
        return []

    def _supported(self, doc: Doc, span: Span, *, named: bool = True) -> bool:
        """Support for a doubtful place: a locative word before, a place word or a place after.

        ``named``: an institution's name after "the" counts ("the Georgia Bureau of
        Investigation"); not for small towns ("the Vice Chancellor").
        """
        amb = self.gazetteer.ambiguity
        assert amb is not None
        common = name_key(span.text) in amb.common_words  # "in the South" is not enough
        prev = doc[span.start - 1] if span.start > 0 else None
        if prev is not None and prev.is_lower and prev.lower_ in amb.locative_words and not common:
            return True
        if (
            named
            and prev is not None
            and prev.text == "the"
            and span.end < len(doc)
            and doc[span.end].is_title
            and not common
        ):
            return True  # "the Georgia Bureau of Investigation": a place naming an institution
        if span.end < len(doc):
            nxt = doc[span.end]
            if nxt.lower_ in amb.place_words:
                return True
            if nxt.text in LOCAL_OFFICE_WORDS and not common:
                return True  # "Woodstock Mayor Michael Harding", "Cookville Fire Chief"
            if _resident(doc, span) and not common:
                return True  # "a Saratoga native", "an Independence teenager"
            if nxt.text == "," and span.end + 1 < len(doc):
                follower = doc[span.end + 1]
                if follower.text[:1].isupper() and any(
                    c.kind in ("region", "country") for c in self.gazetteer.lookup(follower.text)
                ):
                    return True
        return False

    # -- choice

    def _choose(
        self,
        doc: Doc,
        span: Span,
        cands: list[Candidate],
        share: dict[str, float],
        dominant: str | None,
        regions_named: set[str],
        resolved: list[tuple[Span, list[Candidate]]],
        idx: int,
        person_words: set[str],
        speakers: set[str],
        placed: dict[tuple[int, int], str],
    ) -> Mention | None:
        text = span.text
        label = span.label_
        unit = placed.get((span.start, span.end))
        if unit:
            # "Harvey, Harper and Kingman counties": the counties, not towns of those names.
            county = f"{_POSSESSIVE.sub('', text)} {unit}"
            counties = [c for c in self.gazetteer.lookup(county) if c.kind == "region"]
            if counties:
                cands = counties
        if not cands:
            kind = NER_KINDS.get(label)
            if label in RESIDENT_LABELS and _resident(doc, span) and span[0].is_title:
                kind = "location"  # "a Meadow Grove man": the town people come from
            if kind is None or span[0].text in VESSEL_PREFIXES:
                return None  # not a tagged kind, or a ship ("USS Mahan"): neither place nor person
            amb = self.gazetteer.ambiguity
            if (
                kind in ("organisation", "person")
                and len(span) > 1
                and amb is not None
                and span[-1].text in amb.facility_words
                and (span[-1].text != "Co." or self._county_abbreviation(span))
            ):
                kind = "location"  # a named building or site: "Holy Redeemer Church", "Sednaya Prison"
            if kind == "location" and span[-1].text in HOLIDAY_WORDS:
                return None  # "St. Patrick's Day": a day, not a place
            if kind == "location" and span.end < len(doc) and doc[span.end].lower_ in LANGUAGE_NOUNS:
                return None  # "the Northern Kurdish language": a language, not a place
            if _person_follows(doc, span.start, span.end):
                kind = "person"  # "Rufus Church, who was found": a person, whatever the name's form
            if kind == "person" and (self._placed(doc, span) or _resident(doc, span)):
                kind = "location"  # "in Daquq", "the town of Tel Tamer": a place the NER read as a name
            one_word = len(span) == 1 and not span.text.isupper()
            if kind == "organisation" and one_word and self._placed(doc, span):
                kind = "location"  # "atrocities in Dabiq": one unknown word placed by a preposition
            if kind == "organisation" and len(span) <= 3 and self._after_place_noun(doc, span):
                kind = "location"  # "the village of Zorbatiya": a place, not a company
            if kind in ("organisation", "person") and len(span) <= 3 and _before_local_noun(doc, span):
                kind = "location"  # "the Al-Sinek neighborhood", "Qaraqosh district"
            if kind in ("location", "organisation") and len(span) == 1 and span.root.lower_ in person_words:
                kind = "person"  # "Karim" after "Abdul Karim": a name, not a place
            if (
                kind in ("location", "organisation")
                and amb is not None
                and self._given_name(span, amb)
                and (span.start, span.end) not in placed  # "from Ellsworth to Riley counties"
                and not self._placed(doc, span)
                and not _among_places(doc, resolved, idx)
            ):
                kind = "person"  # "Brenda and Abdirahman", "Gwendolyn Okafor": a name no gazetteer knows
            if kind in ("location", "organisation") and len(span) <= 2 and self._titled(doc, span):
                kind = "person"  # "President Saakashvili", "coach Ripley"
            if kind in ("location", "organisation") and len(span) == 1 and span.root.lower_ in speakers:
                kind = "person"  # an unknown single name that speaks in the text: "Karim said"
            start_char = span.start_char
            if kind in ("location", "organisation") and len(span) > 1 and span[0].lower_ == "the":
                start_char = span[1].idx  # "the East Coast", "the Georgia Bureau of Investigation"
                text = _text(doc)[start_char : span.end_char]
            clean = _POSSESSIVE.sub("", text.strip())
            if kind == "location":
                common = amb is not None and name_key(clean) in amb.common_words
                if not (clean[:1].isupper() or clean[:1].isdigit()) or (common and len(span) == 1):
                    return None  # "the South", "Gulf"
                if span[-1].is_lower:
                    return None  # a cut name: "the City of"
                return Mention(
                    start_char,
                    span.end_char,
                    text,
                    "location",
                    f"location:{slug(clean)}",
                    clean,
                    dominant,
                    None,
                )
            if kind == "nationality":
                return None  # religions, political groups: not nationalities
            if kind == "person":
                return _person(span, clean)
            if not clean[:1].isupper():
                return None
            return Mention(
                start_char, span.end_char, text, "organisation", f"org:{slug(clean)}", clean, None, None
            )
        if (
            label in ("GPE", "LOC")
            and len(span) == 1
            and (self._titled(doc, span) or span[0].lower_ in person_words or span[0].lower_ in speakers)
            and not any(c.kind in ("country", "nationality") for c in cands)
        ):
            # "coach Ripley", "Janae McMahon ... McMahon": a person the NER read as a town.
            return _person(span, text)
        # Prefer actor readings for group-like spans, place readings otherwise.
        actors = [c for c in cands if c.kind in NAMED_ACTOR_KINDS]
        if actors and (label in ("COI_GROUP", "ORG", "PERSON", "NORP") or len(actors) == len(cands)):
            cands = actors
        best = max(cands, key=lambda c: self._score(doc, span, c, share, regions_named, resolved, idx))
        if (span.start, span.end) not in placed and self._stray_town(
            span, best, share, dominant, resolved, idx
        ):
            return None
        country = best.country
        if best.kind in ("armed_group", "nationality") and country is None and dominant in best.countries:
            country = dominant
        return Mention(
            span.start_char,
            span.end_char,
            text,
            best.kind,
            best.entity_id,
            best.canonical,
            country,
            best.ucdp,
        )

    def _score(
        self,
        doc: Doc,
        span: Span,
        cand: Candidate,
        share: dict[str, float],
        regions_named: set[str],
        resolved: list[tuple[Span, list[Candidate]]],
        idx: int,
    ) -> float:
        amb = self.gazetteer.ambiguity
        assert amb is not None
        score = cand.prior
        if cand.country:
            score += self.context_weight * share.get(cand.country, 0.0)
            # Namesakes in one country support each other (Gaza city and Gaza governorate).
            siblings = sum(
                1 for c in resolved[idx][1] if c.country == cand.country and c.entity_id != cand.entity_id
            )
            score += 0.05 * min(siblings, 2)
            others = resolved[idx][1]
            if (
                cand.kind == "city"
                and any(c.kind == "region" and c.country == cand.country for c in others)
                and not any(c.kind == "city" and c.country != cand.country for c in others)
            ):
                # "Idlib", "Gaza": the city that names its province, unless a province word
                # follows; between namesake cities abroad ("Paris", "Dublin") context decides.
                score += 0.35
        if cand.admin1 and cand.admin1 in regions_named:
            score += 0.5
        # Adjacent place: "Alexandria, Louisiana" / "Aleppo, Syria".
        if idx + 1 < len(resolved):
            nxt_span, nxt_cands = resolved[idx + 1]
            gap = doc[span.end : nxt_span.start].text if nxt_span.start >= span.end else "x"
            if gap.strip() in {",", "("} and nxt_cands:
                nxt_codes = {c.country for c in nxt_cands if c.kind in ("region", "country")}
                nxt_regions = {c.entity_id[7:] for c in nxt_cands if c.kind == "region"}
                if cand.country in nxt_codes:
                    score += 1.0
                if cand.admin1 and cand.admin1 in nxt_regions:
                    score += 1.0
        if span.end < len(doc):
            word = doc[span.end].lower_
            if word in {"province", "governorate", "region", "state", "oblast", "countryside"}:
                score += 0.4 if cand.kind == "region" else 0.0
            elif word in {"city", "town", "village"}:
                score += 0.4 if cand.kind == "city" else 0.0
        return score


# --------------------------------------------------------------------------- document countries


_EXPEDITIONARY = (
    "airstrikes",
    "air strikes",
    "airstrike",
    "air strike",
    "warplanes",
    "jets",
    "coalition",
    "air force",
)


def _expeditionary(text: str) -> bool:
    """Forces that usually act abroad ("Russian airstrikes", "US-led coalition")."""
    return text.lower().endswith(_EXPEDITIONARY)


@Language.factory("coi_doc_countries", default_config={})
def make_doc_countries(nlp: Language, name: str) -> DocCountries:
    return DocCountries()


class DocCountries:
    """Focus and mentioned countries of a document from its linked mentions."""

    def __call__(self, doc: Doc) -> Doc:
        mentions: list[Mention] = doc._.coi_mentions or []
        gaz = get_gazetteer()
        group_countries = {
            m.entity_id: tuple(gaz.groups[m.entity_id]["countries"])
            for m in mentions
            if m.kind == "armed_group" and m.entity_id in gaz.groups
        }
        acting = set(doc._.coi_acting or ())
        evidence = collect_evidence(
            mentions,
            title_end=doc._.coi_title_end or 0,
            source_countries=doc._.coi_source_countries or (),
            group_countries=group_countries,
            acting=acting,
        )
        local = sorted(
            {
                m.country
                for m in mentions
                if m.country
                and (
                    (m.kind == "state_force" and not _expeditionary(m.text))
                    or (m.kind == "country" and (m.start, m.end) in acting)
                )
            }
            | {codes[0] for codes in group_countries.values() if len(codes) == 1}
        )
        doc._.coi_evidence = evidence
        doc._.coi_local_actors = local
        scores: tuple[CountryScore, ...] = country_scores(evidence, local_actor_countries=local)
        doc._.coi_countries = scores
        return doc


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
