"""Post-link rewrites of mentions: a country named for its state, "the regime", coordinates."""

from __future__ import annotations

import re

from spacy.tokens import Doc

from nlp.components.common import _sentence_initial
from nlp.coordinates import find_coordinates
from nlp.records import Mention

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


def _with_coordinates(text: str, mentions: list[Mention]) -> list[Mention]:
    """``mentions`` and the coordinates written in the text, as locations with their country."""
    added = [
        Mention(p.start, p.end, text[p.start : p.end], "location", p.entity_id, p.canonical, p.country)
        for p in find_coordinates(text)
        if not any(m.start < p.end and p.start < m.end for m in mentions)
    ]
    return sorted(mentions + added, key=lambda m: (m.start, m.end)) if added else mentions
