"""``coi_doc_countries``: focus and mentioned countries of a document (:mod:`nlp.scoring`)."""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from nlp.components.words import word_tuple
from nlp.gazetteer import get_gazetteer
from nlp.records import CountryScore, Mention
from nlp.scoring import collect_evidence, country_scores

# --------------------------------------------------------------------------- document countries


_EXPEDITIONARY = word_tuple("expeditionary_endings")


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
        # A transnational group ("Islamic State", an expeditionary company) has no home country:
        # the places near it say where it acts, so it adds no country evidence of its own.
        group_countries = {
            m.entity_id: ()
            if gaz.groups[m.entity_id].get("transnational")
            else tuple(gaz.groups[m.entity_id]["countries"])
            for m in mentions
            if m.kind == "armed_group" and m.entity_id in gaz.groups
        }
        acting = {(m.start, m.end) for m in mentions if m.actor}
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
