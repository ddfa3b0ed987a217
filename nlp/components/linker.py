"""``coi_entity_linker``: ruler and NER entities to :class:`nlp.records.Mention` records."""

from __future__ import annotations

from dataclasses import replace
from functools import cached_property

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from nlp.components.common import (
    _POSSESSIVE,
    BIG_CITY,
    DEMONYM_PLACE_NOUNS,
    HOLIDAY_WORDS,
    LANGUAGE_NOUNS,
    LOCAL_OFFICE_WORDS,
    MINOR_CITY,
    OFFICE_WORDS,
    OPENING_PREPOSITIONS,
    PLACE_PREPOSITIONS,
    PREPOSITIONS,
    STRAY_DOMINANCE,
    TRANSLITERATED_COUNTRIES,
    VESSEL_PREFIXES,
    _after_locative,
    _aged_names,
    _among_places,
    _apposed,
    _before_local_noun,
    _big_city,
    _capitalised,
    _local_office,
    _mended,
    _name_like,
    _opens,
    _person,
    _person_follows,
    _populated,
    _said_by,
    _text,
    _titled_names,
)
from nlp.components.datelines import _strip_preposition
from nlp.components.home_towns import _resident
from nlp.components.labels import (
    CANDIDATES_KEY,
    DISEASE_LABELS,
    DOMINANT_KEY,
    FORCEABLE_LABELS,
    FORCED_KEY,
    FORCED_RULES,
    MISREAD_LABELS,
    NAMED_ACTOR_KINDS,
    NER_KINDS,
    NESTING_LABELS,
    PLACE_KINDS,
    RESIDENT_LABELS,
    RULER_LABELS,
)
from nlp.components.non_places import (
    _names_disease,
    _street_spans,
    non_place_names,
)
from nlp.components.office_holders import _split_office_seats, _trailing_name
from nlp.components.words import word_set
from nlp.gazetteer import Ambiguity, Candidate, Gazetteer, get_gazetteer
from nlp.normalise import name_key, slug
from nlp.records import Mention, Province

# Words after a name that favour its region or its town among namesakes: "Idlib province", "Idlib city".
_REGION_FOLLOWERS = word_set("region_followers")
_TOWN_FOLLOWERS = word_set("town_followers")
_COMPASS_WORDS = word_set("compass_words")

# --------------------------------------------------------------------------- linker


_VERB_COMPANIONS = word_set("verb_companions")
# What a country's possessive may name that is its state ("Russia's air force"), as words.
_STATE_POSSESSIONS = frozenset(tuple(w.split()) for w in word_set("state_possessions"))
_LONGEST_POSSESSION = max(len(words) for words in _STATE_POSSESSIONS)
POSSESSIVE_MARKS = ("'s", "’s")
#: The context weight of a country tag the source gives this very text ...
SOURCE_TAG_WEIGHT = 2.0
#: ... and of the country the source mostly writes about: half that, as much as one unambiguous
#: place the text names.
HOME_WEIGHT = 1.0
# The province a source mostly writes about counts as one more place named in it there.
HOME_PROVINCE_WEIGHT = 1.0
_FORCE_VERBS = word_set("force_verbs")
MAX_BEFORE_VERB = 2


def _placed_after(
    doc: Doc, span: Span, resolved: list[tuple[Span, list[Candidate]]], idx: int
) -> list[Candidate]:
    """The candidates of the place set after ``span`` by a comma or a bracket, perhaps with words of
    where between: "Alexandria, Louisiana", "Moura, central Mali", "Afrin (northern Syria)"."""
    if idx + 1 >= len(resolved):
        return []
    after, candidates = resolved[idx + 1]
    gap = doc[span.end : after.start] if after.start >= span.end else None
    if not gap or gap[0].text not in (",", "(") or not candidates:
        return []
    if any(tok.lower_ not in _COMPASS_WORDS and tok.text != "-" for tok in gap[1:]):
        return []
    return candidates


_LIST_JOINS = frozenset({",", "and", ", and", "or", ", or"})


def _listed(doc: Doc, span: Span, resolved: list[tuple[Span, list[Candidate]]], idx: int) -> bool:
    """``span`` and the place after it are items of a list ("Chad, Niger, Mali and Burkina
    Faso"): a place is joined to ``span`` before it, or to that next place after it, or
    "and" follows that next place."""

    def joined(j: int, k: int) -> bool:
        first, second = resolved[j][0], resolved[k][0]
        return first.end <= second.start and doc[first.end : second.start].text.strip() in _LIST_JOINS

    if idx + 1 < len(resolved):
        end = resolved[idx + 1][0].end
        if end < len(doc) and doc[end].lower_ in ("and", "or", "&"):
            return True  # "Afrin, Azaz and ...": the list goes on
    return (idx > 0 and joined(idx - 1, idx)) or (idx + 2 < len(resolved) and joined(idx + 1, idx + 2))


def _after_name_word(doc: Doc, span: Span) -> bool:
    """``span`` follows a capitalised word inside a sentence: it ends a longer name ("Baja California
    Sur")."""
    if span.start == 0:
        return False
    before = doc[span.start - 1]
    return before.is_title and not before.is_sent_start


def _unknown_place(
    start: int, end: int, text: str, clean: str, where: tuple[str | None, Province | None]
) -> Mention:
    """A place no gazetteer entry reads, named ``clean``, in the country and province ``where``."""
    country, province = where
    return Mention(
        start, end, text, "location", f"location:{slug(clean)}", clean, country, None, province=province
    )


def _owns_state_body(doc: Doc, i: int) -> bool:
    """A possessive at ``i`` followed by one of the state's people or bodies: "'s army"."""
    if i + 1 >= len(doc) or doc[i].lower_ not in POSSESSIVE_MARKS:
        return False
    following = tuple(t.lower_ for t in doc[i + 1 : i + 1 + _LONGEST_POSSESSION])
    return any(following[:n] in _STATE_POSSESSIONS for n in range(1, len(following) + 1))


def _auxiliary_or_adverb(tok: Token) -> bool:
    """A word that may come between a subject and its verb: an auxiliary ("has"), "also", "not"
    or an adverb in -ly ("firmly"), in lower case."""
    text = tok.text
    return text in _VERB_COMPANIONS or (
        len(text) > 4 and text.endswith("ly") and text.isalpha() and text.islower()
    )


def _source_prior(doc: Doc) -> dict[str, float]:
    """Context weight per country from the source: its tags on this text, the country it writes about."""
    prior: dict[str, float] = {}
    for code in doc._.coi_source_countries or ():
        prior[code] = prior.get(code, 0.0) + SOURCE_TAG_WEIGHT
    if doc._.coi_home_country:
        prior[doc._.coi_home_country] = prior.get(doc._.coi_home_country, 0.0) + HOME_WEIGHT
    return prior


@Language.factory("coi_entity_linker", default_config={"context_weight": 0.45, "province_weight": 1.0})
def make_entity_linker(
    nlp: Language, name: str, context_weight: float, province_weight: float
) -> EntityLinker:
    return EntityLinker(context_weight=context_weight, province_weight=province_weight)


class EntityLinker:
    """Links ruler and NER entities to gazetteer ids; sets ``doc._.coi_mentions``.

    Namesakes are resolved by score = prior (population, kind) + context
    (share of the document's unambiguous place evidence in the candidate's
    country) + adjacency ("Alexandria, Louisiana": the next place's country or
    US state) + a small bonus when a place word agrees ("Gaza province"
    prefers a region, "Aleppo city" a city). Among the namesakes of the chosen
    country, the provinces the document's other place names can lie in weigh too
    (``province_weight``; 0 turns it off).
    """

    def __init__(self, *, context_weight: float, province_weight: float = 0.0) -> None:
        self.context_weight = context_weight
        self.province_weight = province_weight
        self._provinces: dict[str, str | None] = {}

    def _province_code(self, cand: Candidate) -> str | None:
        """The first-level division a town or region candidate lies in (a region: itself)."""
        code = self._provinces.get(cand.entity_id, "")
        if code == "":
            province = self.gazetteer.province(cand.entity_id) if cand.kind in ("city", "region") else None
            code = self._provinces[cand.entity_id] = province.code if province is not None else None
        return code

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
        """Words after a country abbreviation that show it is no modifier ("U.S. and", "EU is")."""
        amb = self.gazetteer.ambiguity
        assert amb is not None
        return amb.function_words | amb.state_verbs | amb.person_verbs

    def __call__(self, doc: Doc) -> Doc:
        gaz = self.gazetteer
        amb = gaz.ambiguity
        assert amb is not None
        non_places = non_place_names(doc)
        diseases, vehicles, vehicle_makes = non_places.diseases, non_places.vehicles, non_places.vehicle_makes
        spans: list[Span] = [
            ent
            for ent in doc.ents
            if not (
                ent.label_ in DISEASE_LABELS
                and (
                    name_key(ent.text) in diseases
                    or (non_places.enabled and _names_disease(ent, amb.disease_names, amb.disease_words))
                    or ent.text in vehicles
                    or (len(ent) == 1 and ent.start in vehicle_makes)
                )
            )
        ]
        spans = _mended(doc, spans)
        streets = _street_spans(doc, amb.street_words, amb.road_words) if non_places.enabled else []
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
        found = doc.user_data.get(FORCED_KEY) or {}
        forced: list[Span] = [span for rule in FORCED_RULES for span in found.get(rule, ())]
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
        early = self._early_context(spans + candidates, _source_prior(doc))
        split_tokens: set[int] = set()
        deferred: list[tuple[Span, Span, str]] = []
        # Words used as parts of personal names elsewhere in the text ("Ruth Calder ... Calder").
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
            and not (tok.i > 0 and doc[tok.i - 1].lower_ in PREPOSITIONS)  # "a pastor in Lubbock told"
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
                        # A place inside a name: "the Nevada Gaming Control Board", "Corinth Police".
                        spans.append(Span(doc, cand.start, cand.end, label=label))
                    elif outer.label_ in MISREAD_LABELS and not listed and self._seat_of_office(cand, outer):
                        # "Brookvale Mayor Ann Tolliver" read as one name: the town, then the person.
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
                    and key not in amb.personal_names  # "steered by Mary": the NER's person stands
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
                    if ent.label_ in ("PERSON", "ORG") and (
                        not listed or any(c.kind == "country" for c in entries)
                    ):
                        deferred.append((cand, ent, label))  # a country's name is also a given name: Jordan
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
        # One sense per text: a name read as a place elsewhere in it is a place here too, and so is
        # the name of a country the text names otherwise ("join Jordan ... the Hashemite Kingdom
        # of Jordan", "Jordanian troops"), and of a city of a million or more in it, even as the
        # subject of speech ("Turkish drones ... Ankara said", a capital for its government).
        place_spans = [sp for sp in spans if sp.label_ in ("COI_PLACE", "COI_NAT", "GPE", "LOC")]
        place_texts = {sp.text for sp in place_spans}
        named_countries: set[str] = set()
        for sp in place_spans if deferred else ():
            found = {c.entity_id for c in self._candidates(sp)}
            if len(found) == 1 and next(iter(found)).startswith("country:"):
                named_countries |= found
        for cand, ent, label in deferred:
            entries = gaz.lookup(cand.text) if named_countries else []
            same_place = (
                cand.text in place_texts
                or (
                    cand.text.lower() not in speakers
                    and any(c.kind == "country" and c.entity_id in named_countries for c in entries)
                )
                or any(
                    c.kind == "city"
                    and c.population >= BIG_CITY
                    and "country:" + str(c.country) in named_countries
                    for c in entries
                )
            )
            if same_place and cand.text.lower() not in person_words and ent in spans:
                spans.remove(ent)
                spans.append(Span(doc, cand.start, cand.end, label=label))
        spans.sort(key=lambda s: s.start)

        # Pass 1: candidates per span, and unambiguous context.
        resolved: list[tuple[Span, list[Candidate]]] = []
        context = _source_prior(doc)
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
        # The same within a country: each place name's share of evidence goes to the provinces
        # its towns and regions lie in, split between them. A village name that three provinces
        # have is then read in the province where the document's other places can lie.
        provinces: dict[str, float] = {}
        if self.province_weight:
            if doc._.coi_home_province:
                provinces[doc._.coi_home_province] = HOME_PROVINCE_WEIGHT
            for _, cands in resolved:
                found = (self._province_code(c) for c in cands)
                held = {province for province in found if province is not None}
                for province in held:
                    provinces[province] = provinces.get(province, 0.0) + 1.0 / len(held)
        total = sum(provinces.values()) or 1.0
        province_share = {code: value / total for code, value in provinces.items()}
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
                province_share,
            )
            if mention is not None:
                mentions.append(mention)
        # "Russia said", "France condemned": a country named for its government stays a country
        # mention, marked as an actor: actor evidence, not place evidence, for the focus.
        # So is a city of a million or more named for its government ("Ankara said", "Moscow denied").
        for i, m in enumerate(mentions):
            named = doc.char_span(m.start, m.end) if m.country and m.kind in ("country", "city") else None
            if named is not None and self._acts(doc, named) and (m.kind == "country" or _big_city(m)):
                mentions[i] = replace(m, actor=True)
        # Office holders and the post-link rewrites (their own components) run on these.
        doc.user_data[DOMINANT_KEY] = dominant
        doc._.coi_mentions = mentions
        return doc

    def _attributive_demonym(self, doc: Doc, cand: Span, ent: Span, key: str) -> bool:
        """A demonym the NER read as a person or a language, before a noun it qualifies.

        "the noted Slovak painter"; read as a language, only before a place noun:
        "the northern English city of Durham", not "Slovak language courses".
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
        """Unknown one-word names joined by "and" or "or" to a person's name: "Karim and Zorbek"."""
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
                    found.add(ent.text.lower())  # not "the villages of Zorbek and Qarqash"
        return found

    def _misread_town(self, ent: Span, amb: Ambiguity) -> bool:
        """A "person" closing with a town of 100,000 and holding no given name before it.

        "Old Dublin" or a headline run "Chemist Petrov Visits Sochi" read as
        a person says nothing about "Dublin" or "Sochi" elsewhere in the text;
        "Ruth Calder" and "Petty Officer Lena M. Dayton" do.
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

        "the village of Kafr Nasih", "the hamlets of Ceatalchioi", "camps such as Zamzam".
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

    @staticmethod
    def _opens_name(cand: Span, outer: Span, listed: bool) -> bool:
        """A town opening or closing an organisation's name: "Corinth Police", "Savings Bank of Trenton"."""
        if _opens(cand, outer):
            return cand.end < outer.end and not listed
        # "the Second Savings Bank of Trenton", "St. Mark's Grammar School in Elgin"
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

        "Summit 411" or "Apex Drilling" in a Texan story are not towns of Indonesia or
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
        """A country name used for its government: followed by a speech or stance verb, maybe
        after an auxiliary or an adverb ("Iraq has rejected", "France firmly condemned"), or the
        owner of its state's people or bodies ("Turkey's foreign minister", "Russia's air
        force"); never right after a locative word, where it is a place ("delegates in Qatar
        agreed")."""
        amb = self.gazetteer.ambiguity
        if amb is None or (span.start > 0 and doc[span.start - 1].lower_ in amb.locative_words):
            return False
        if _owns_state_body(doc, span.end):
            return True
        i = span.end
        while i < len(doc) and i < span.end + MAX_BEFORE_VERB and _auxiliary_or_adverb(doc[i]):
            i += 1
        if i >= len(doc):
            return False
        verb = doc[i].lower_
        if verb in _FORCE_VERBS:  # "Turkey shelled", not "Turkey shelled by"
            return not (i + 1 < len(doc) and doc[i + 1].lower_ == "by")
        return verb in amb.state_verbs

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

    def _holds(self, region: Candidate, town: Candidate) -> bool:
        """The region may hold the town: same country, and the town's ISO province, where known, is
        the region or the province the region lies in (Oregon, Ohio is no town of the state of Oregon).

        A town's province in GeoNames' own code ("PS.WE") cannot be compared, and is taken to agree.
        """
        if region.country != town.country:
            return False
        if not town.admin1 or "-" not in town.admin1:
            return True
        code = region.entity_id[7:]
        return town.admin1 in (code, self.gazetteer.regions.get(code, {}).get("province"))

    @staticmethod
    def _hometown(doc: Doc, cand: Span, spans: list[Span]) -> bool:
        """ "Ada Morrow of Nelson", "Kessler, of Fenwick", "a 19-year-old from Halden"."""
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

    def _early_context(self, spans: list[Span], prior: dict[str, float]) -> dict[str, float]:
        """Country shares of the ruler's unambiguous entities and the source's `prior`."""
        counts = dict(prior)
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

        ``named``: an institution's name after "the" counts ("the Georgia Department of
        Corrections"); not for small towns ("the Vice Chancellor").
        """
        amb = self.gazetteer.ambiguity
        assert amb is not None
        common = name_key(span.text) in amb.common_words  # "the South" alone is not enough
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
            return True  # "the Ohio Bureau of Records": a place naming an institution
        if span.end < len(doc):
            nxt = doc[span.end]
            if nxt.lower_ in amb.place_words:
                return True
            if nxt.text in LOCAL_OFFICE_WORDS and not common:
                return True  # "Millbrook Mayor Dana Hale", "Ashford Fire Chief"
            if _resident(doc, span) and not common:
                return True  # "a Ridgeford native", "a Liberty teenager"
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
        province_share: dict[str, float],
    ) -> Mention | None:
        text = span.text
        label = span.label_
        unit = placed.get((span.start, span.end))
        if unit:
            # "Adams, Brown and Clay counties": the counties, not towns of those names.
            county = f"{_POSSESSIVE.sub('', text)} {unit}"
            counties = [c for c in self.gazetteer.lookup(county) if c.kind == "region"]
            if counties:
                cands = counties
        if not cands:
            kind = NER_KINDS.get(label)
            if label in RESIDENT_LABELS and _resident(doc, span) and span[0].is_title:
                kind = "location"  # "a Pinecrest Falls man": the town people come from
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
                kind = "location"  # a named building or site: "Saint Anselm Church", "Sednaya Prison"
            if kind == "location" and span[-1].text in HOLIDAY_WORDS:
                return None  # "St. Andrew's Day": a day, not a place
            if kind == "location" and span.end < len(doc) and doc[span.end].lower_ in LANGUAGE_NOUNS:
                return None  # "the Southern Kurdish language": a language, not a place
            if _person_follows(doc, span.start, span.end):
                kind = "person"  # "Amos Church, who was seen": a person, whatever the name's form
            if kind == "person" and (self._placed(doc, span) or _resident(doc, span)):
                kind = "location"  # "in Daquq", "the village of Kafr Nasih": a place the NER read as a name
            one_word = len(span) == 1 and not span.text.isupper()
            if kind == "organisation" and one_word and self._placed(doc, span):
                kind = "location"  # "abuses in Tall Rifaat": one unknown word placed by a preposition
            if kind == "organisation" and len(span) <= 3 and self._after_place_noun(doc, span):
                kind = "location"  # "the village of Zorbatiya": a place, not a company
            if kind in ("organisation", "person") and len(span) <= 3 and _before_local_noun(doc, span):
                kind = "location"  # "the Al-Warda neighbourhood", "Qaraqosh district"
            if kind in ("location", "organisation") and len(span) == 1 and span.root.lower_ in person_words:
                kind = "person"  # "Karim" after "Abdul Karim": a name, not a place
            if (
                kind in ("location", "organisation")
                and amb is not None
                and self._given_name(span, amb)
                and (span.start, span.end) not in placed  # "from Marion to Greene counties"
                and not self._placed(doc, span)
                and not _among_places(doc, resolved, idx)
            ):
                kind = "person"  # "Brenda and Abdirahman", "Gwendolyn Okafor": a name no gazetteer knows
            if kind in ("location", "organisation") and len(span) <= 2 and self._titled(doc, span):
                kind = "person"  # "President Tokayev", "coach Dunmore"
            if kind in ("location", "organisation") and len(span) == 1 and span.root.lower_ in speakers:
                kind = "person"  # an unknown single name that speaks in the text: "Karim said"
            start_char = span.start_char
            if kind in ("location", "organisation") and len(span) > 1 and span[0].lower_ == "the":
                start_char = span[1].idx  # "the East Coast", "the Ohio Bureau of Records"
                text = _text(doc)[start_char : span.end_char]
            clean = _POSSESSIVE.sub("", text.strip())
            if kind == "location":
                common = amb is not None and name_key(clean) in amb.common_words
                if not (clean[:1].isupper() or clean[:1].isdigit()) or (common and len(span) == 1):
                    return None  # "the South", "Gulf"
                if span[-1].is_lower:
                    return None  # a cut name: a "City of" and nothing after
                # "Tal Shihab, Daraa governorate": a place the text sets in a known one
                around = self._set_in(doc, span, resolved, idx, dominant)
                return _unknown_place(start_char, span.end_char, text, clean, around or (dominant, None))
            if kind == "nationality":
                return None  # religions, political groups: not nationalities
            if not any(ch.isalpha() for ch in clean):
                return None  # a footnote mark or a number the NER read as a name: "[1]"
            if kind == "person":
                return _person(span, clean)
            if not (clean[:1].isupper() or clean[:1].isdigit()):  # "4th Armoured Division"
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
            # "coach Dunmore", "Janae McMahon ... McMahon": a person the NER read as a town.
            return _person(span, text)
        # Prefer actor readings for group-like spans, place readings otherwise.
        actors = [c for c in cands if c.kind in NAMED_ACTOR_KINDS]
        if actors and (label in ("COI_GROUP", "ORG", "PERSON", "NORP") or len(actors) == len(cands)):
            cands = actors
        best = max(cands, key=lambda c: self._score(doc, span, c, share, regions_named, resolved, idx, {}))
        namesakes = [c for c in cands if c.country == best.country and c.kind in ("city", "region")]
        if province_share and len(namesakes) > 1 and best in namesakes:
            # Among the namesakes of the chosen country, the provinces of the document's other
            # places weigh too; between countries, the country context has decided.
            best = max(
                namesakes,
                key=lambda c: self._score(doc, span, c, share, regions_named, resolved, idx, province_share),
            )
        if best.kind == "city":
            around = self._set_in(doc, span, resolved, idx, dominant)
            if around is not None and not any(c.country == around[0] for c in cands):
                # "Moura, central Mali": a town of Mali the gazetteer does not know, not the
                # Portuguese one it does
                clean = _POSSESSIVE.sub("", text.strip())
                return _unknown_place(span.start_char, span.end_char, text, clean, around)
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

    def _set_in(
        self,
        doc: Doc,
        span: Span,
        resolved: list[tuple[Span, list[Candidate]]],
        idx: int,
        dominant: str | None,
    ) -> tuple[str, Province | None] | None:
        """The country, and the province where a region names it, that the text sets ``span`` in
        with a comma: "Moura, central Mali", "Haverbrook, Ohio", not items of a list."""
        if _listed(doc, span, resolved, idx) or _after_name_word(doc, span):
            return None
        after = _placed_after(doc, span, resolved, idx)
        countries = {c.country for c in after if c.kind in ("region", "country")}
        if len(countries) != 1 or None in countries:
            return None
        country = str(next(iter(countries)))
        if dominant not in (None, country) and any(c.kind == "city" and c.country == dominant for c in after):
            return None  # "Elm Road, Jordan" in a text about Minnesota: the town of Jordan
        regions = {c.entity_id for c in after if c.kind == "region"}
        province = self.gazetteer.province(next(iter(regions))) if len(regions) == 1 else None
        return country, province

    def _score(
        self,
        doc: Doc,
        span: Span,
        cand: Candidate,
        share: dict[str, float],
        regions_named: set[str],
        resolved: list[tuple[Span, list[Candidate]]],
        idx: int,
        province_share: dict[str, float],
    ) -> float:
        amb = self.gazetteer.ambiguity
        assert amb is not None
        score = cand.prior
        if province_share:
            code = self._province_code(cand)
            if code is not None:
                score += self.province_weight * province_share.get(code, 0.0)
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
                and any(c.kind == "region" and self._holds(c, cand) for c in others)
                and not any(c.kind == "city" and c.country != cand.country for c in others)
            ):
                # "Idlib", "Gaza": the city that names its province, unless a province word
                # follows; between namesake cities abroad ("Paris", "Dublin") context decides.
                score += 0.35
        if cand.admin1 and cand.admin1 in regions_named:
            score += 0.5
        # Adjacent place: "Alexandria, Louisiana" / "Aleppo, northern Syria".
        nxt_cands = _placed_after(doc, span, resolved, idx)
        if nxt_cands:
            nxt_codes = {c.country for c in nxt_cands if c.kind in ("region", "country")}
            nxt_regions = {c.entity_id[7:] for c in nxt_cands if c.kind == "region"}
            if cand.country in nxt_codes:
                score += 1.0
            if cand.admin1 and cand.admin1 in nxt_regions:
                score += 1.0
        if span.end < len(doc):
            word = doc[span.end].lower_
            if word in _REGION_FOLLOWERS:
                score += 0.4 if cand.kind == "region" else 0.0
            elif word in _TOWN_FOLLOWERS:
                score += 0.4 if cand.kind == "city" else 0.0
        return score
