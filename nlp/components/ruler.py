"""``coi_gazetteer_ruler``: phrase patterns for the gazetteers with the ambiguity policy applied."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from spacy.language import Language
from spacy.pipeline import SpanRuler
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from nlp.components.common import (
    _TITLE_CASE_WORD,
    BIG_CITY,
    MINOR_CITY,
    OFFICE_WORDS,
    PREPOSITIONS,
    _apposed,
    _has_capital,
    _hyphened_after,
    _hyphened_before,
    _is_upper_context,
    _person_follows,
    _place_suffix,
    _said_by,
    _sentence_initial,
)
from nlp.components.labels import CANDIDATE_LABELS, CANDIDATES_KEY, NAMED_ACTOR_KINDS, NON_PLACES_KEY
from nlp.components.non_places import _masthead, non_place_names
from nlp.gazetteer import Candidate, Gazetteer, get_gazetteer
from nlp.normalise import name_key

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
       ("But town officials") - drop;
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
        non_places = non_place_names(doc)
        diseases, vehicles, vehicle_makes = non_places.diseases, non_places.vehicles, non_places.vehicle_makes
        for span in spans:
            if diseases and name_key(span.text) in diseases and not self._is_country(span.text):
                continue  # "Lassa" in a text about Lassa fever
            if span.text in vehicles or (len(span) == 1 and span.start in vehicle_makes):
                continue  # "a 2005 Honda ... the Honda", "her Toyota Corolla": a vehicle, not the town
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
            return "entity"  # "the Kent-based charity", "a Homs-born engineer"
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
        if doc.user_data.get(NON_PLACES_KEY) is not None and _masthead(doc, span.end, amb.masthead_words):
            return "drop"  # a newspaper: "Jerusalem Post", "Fairview State Gazette"
        if kinds <= {"nationality"}:
            return "nationality"
        if all(c.minor for c in candidates):
            return "minor"  # a small town: kept only where the text places it
        if key in amb.common_words or (key in amb.english_words and not text.endswith(".")):
            # "Mobile", "Nice", "East"; not the abbreviations "Ill." or "Mass."
            if _sentence_initial(doc, span.start) and span.end < len(doc) and doc[span.end].is_lower:
                return "drop"  # "But town officials", "Mobile phones"
            return "weak"
        if key in amb.given_names or key in amb.surnames:
            if "country" in kinds and self._hyphen_partner(doc, span):
                return "entity"  # "an EU-Jordan meeting": a country, not the given name
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
                and p not in amb.function_words  # "... months The Corinth Police"
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
                return True  # "Dayton, who", "Dayton's family"; not "in Kashmir, who"
            given = key in amb.given_names or (town_only and key in amb.personal_names)
            if (
                _TITLE_CASE_WORD.match(nxt.text)
                and given
                and not self.gazetteer.lookup(nxt.text)
                and nxt.lower_ not in amb.place_words
                and nxt.text not in amb.facility_words
                and nxt.text not in amb.street_words
                and nxt.text not in OFFICE_WORDS
                and (prev is None or prev.lower_ != "the")  # "the Georgia Department of Corrections"
            ):
                return True  # "Jordan Henderson", "Florence Nightingale", "Tyler Perry"
        return False
