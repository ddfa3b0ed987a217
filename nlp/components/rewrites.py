"""Post-link rewrites of mentions: a country named for its state, "the regime", coordinates."""

from __future__ import annotations

import re
from functools import cached_property

from spacy.language import Language
from spacy.tokens import Doc

from nlp.components.common import TERRITORY_NOUNS, _sentence_initial, _text
from nlp.components.labels import DOMINANT_KEY
from nlp.components.words import word_set
from nlp.coordinates import find_coordinates
from nlp.gazetteer import Gazetteer, get_gazetteer
from nlp.records import Mention

_REGIME = re.compile(r"\b[Tt]he regime\b")
_UNION_NAMES = word_set("union_names")


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


def _with_coordinates(text: str, mentions: list[Mention]) -> list[Mention]:
    """``mentions`` and the coordinates written in the text, as locations with their country."""
    added = [
        Mention(p.start, p.end, text[p.start : p.end], "location", p.entity_id, p.canonical, p.country)
        for p in find_coordinates(text)
        if not any(m.start < p.end and p.start < m.end for m in mentions)
    ]
    return sorted(mentions + added, key=lambda m: (m.start, m.end)) if added else mentions


def _the_regime(gaz: Gazetteer, doc: Doc, mentions: list[Mention], dominant: str) -> list[Mention]:
    """ "The regime" in a text about one country is that country's state ("the regime's forces")."""
    state = gaz.groups.get(f"state:{dominant}")
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


def _territories(gaz: Gazetteer, doc: Doc, mentions: list[Mention]) -> list[Mention]:
    """A country's demonym before a territory noun names the country: "Syrian territory"."""
    out: list[Mention] = []
    for m in mentions:
        span = doc.char_span(m.start, m.end) if m.kind == "nationality" else None
        country = gaz.countries.get(m.country or "") if span is not None else None
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


@Language.factory("coi_post_link_rewrites", default_config={"enabled": True})
def make_post_link_rewrites(nlp: Language, name: str, enabled: bool) -> PostLinkRewrites:
    return PostLinkRewrites(enabled=enabled)


class PostLinkRewrites:
    """After the linker: states named for their governments, territories, "the regime"; coordinates.

    Coordinates are attached whether or not the rewrites are enabled.
    """

    def __init__(self, *, enabled: bool) -> None:
        self.enabled = enabled

    @cached_property
    def _not_modified(self) -> frozenset[str]:
        """Words after a country abbreviation that show it is no modifier ("in the U.S. and", "the EU is")."""
        amb = get_gazetteer().ambiguity
        assert amb is not None
        return amb.function_words | amb.state_verbs | amb.person_verbs

    def __call__(self, doc: Doc) -> Doc:
        mentions: list[Mention] | None = doc._.coi_mentions
        if mentions is None:
            return doc
        if self.enabled:
            gaz = get_gazetteer()
            mentions = _state_names(doc, mentions, self._not_modified)
            mentions = _territories(gaz, doc, mentions)
            dominant = doc.user_data.get(DOMINANT_KEY)
            if dominant:
                mentions = _the_regime(gaz, doc, mentions, dominant)
        doc._.coi_mentions = _with_coordinates(_text(doc), mentions)
        return doc
