"""Labels and kinds: the one mapping from statistical NER labels to our kinds (:data:`NER_KINDS`),
the ruler's labels and the keys the components share on a ``Doc``."""

from __future__ import annotations

from spacy.tokens import Doc, Span

from nlp.records import EntityKind

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
# NER labels given to a disease named after a place ("Ebola", "Zika") that are dropped.
DISEASE_LABELS = frozenset({"GPE", "LOC", "FAC", "ORG", "PERSON", "NORP"})
# NER entities that may hold a place name inside (organisations, facilities).
NESTING_LABELS = frozenset({"ORG"})
# NER labels that a town opening a local office's name is misread into ("Dublin Mayor Jane Roe").
MISREAD_LABELS = frozenset({"PERSON", "WORK_OF_ART"})
# NER labels that datelines, coordinated place lists and hometowns overrule ("Ten" in "Ten Mile").
FORCEABLE_LABELS = frozenset(
    {"ORG", "PERSON", "GPE", "LOC", "NORP", "FAC", "PRODUCT", "WORK_OF_ART", "CARDINAL"}
)
PLACE_KINDS = frozenset({"country", "region", "city", "nationality", "location"})
ACTOR_KINDS = frozenset({"armed_group", "state_force"})
# Kinds the ruler matches as named actors: armed groups, state forces, listed organisations.
NAMED_ACTOR_KINDS = ACTOR_KINDS | {"organisation"}
# Mentions inside the complement of an office title ("Minister for the Western Balkans").
TITLE_DOMAIN_KINDS = frozenset({"location", "organisation"})


# NER labels a town before a resident noun is read as ("a Pinecrest Falls man" as a product).
RESIDENT_LABELS = frozenset({"PERSON", "ORG", "PRODUCT", "WORK_OF_ART", "FAC", "GPE", "LOC"})
_NAME_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "FAC", "NORP"})

# doc.user_data keys through which the rule families hand their findings to the linker.
# FORCED_KEY: {rule: [Span]} places the NER's reading does not overrule; the linker reads them
# in the order of FORCED_RULES (the order decides between overlapping findings).
FORCED_KEY = "coi_forced"
FORCED_RULES = ("dateline", "coordinated", "party_home", "resident", "aged_home", "place_list", "defined")
NON_PLACES_KEY = "coi_non_places"  # a NonPlaces record, set by ``coi_non_places``
DOMINANT_KEY = "coi_dominant"  # the country with the most place evidence, set by the linker


def add_forced(doc: Doc, rule: str, spans: list[Span]) -> None:
    """Hand ``spans`` found by ``rule`` (one of :data:`FORCED_RULES`) to the linker."""
    doc.user_data.setdefault(FORCED_KEY, {})[rule] = spans
