"""spaCy components of the tagger, registered as factories.

* ``coi_gazetteer_ruler`` - a SpanRuler placed before ``ner``: phrase patterns
  for every place, demonym, armed group and state force of the gazetteers,
  built at ``initialize`` from the data files. Safe matches become entities
  (so the statistical NER keeps "Ahrar al-Sham" whole instead of tagging a
  person); doubtful ones (a surname, a given name, a common word, a small
  town) are kept aside in ``doc.spans["coi_candidates"]`` for the linker.
* ``coi_entity_linker`` - turns entities into :class:`nlp.records.Mention`
  records with stable ids, choosing among namesakes by document context: the
  country first, then, among one country's namesakes, the province the
  document's other places can lie in (``province_weight``, 0 to turn it off).
* ``coi_doc_countries`` - focus and mentioned countries (``nlp.scoring``).
* ``coi_topic_tagger`` - COI topics from English and Dutch phrase rules.

Model labels map to domain kinds in one place: :data:`nlp.components.labels.NER_KINDS`.
This package imports spaCy; the rest of the package does not need it.
"""

from __future__ import annotations

from nlp.components import (  # noqa: F401  (factories)
    datelines,
    home_towns,
    non_places,
    office_holders,
    person_names,
    place_lists,
    rewrites,
    units,
)
from nlp.components.doc_countries import DocCountries
from nlp.components.labels import CANDIDATES_KEY, NER_KINDS, TEXT_KEY
from nlp.components.linker import EntityLinker
from nlp.components.non_places import _names_disease
from nlp.components.ruler import GazetteerRuler
from nlp.components.topics import TopicTagger

__all__ = [
    "CANDIDATES_KEY",
    "NER_KINDS",
    "TEXT_KEY",
    "DocCountries",
    "EntityLinker",
    "GazetteerRuler",
    "TopicTagger",
    "_names_disease",
]
