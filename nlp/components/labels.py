"""Labels and kinds: the one mapping from statistical NER labels to our kinds (:data:`NER_KINDS`),
the ruler's labels and the keys the components share on a ``Doc``."""

from __future__ import annotations

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
# Mentions inside the complement of an office title ("Secretary of State", "Minister for the Middle East").
TITLE_DOMAIN_KINDS = frozenset({"location", "organisation"})


# NER labels a town before a resident noun is read as ("a Meadow Grove man" as a product).
RESIDENT_LABELS = frozenset({"PERSON", "ORG", "PRODUCT", "WORK_OF_ART", "FAC", "GPE", "LOC"})
_NAME_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "FAC", "NORP"})
