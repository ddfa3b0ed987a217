"""Armed groups and state forces as records, for listings and filters.

Reads ``data/armed_groups.json`` through the light gazetteer (no cities, no
spaCy). Recognising group names in text is the tagger's job, not this module's.
"""

from __future__ import annotations

from typing import Any

from nlp.gazetteer import get_gazetteer


def all_groups() -> list[dict[str, Any]]:
    """Every armed group and state force record, sorted by entity id."""
    groups = get_gazetteer(with_cities=False).groups
    return [dict(groups[key]) for key in sorted(groups)]


def groups_in_country(code: str) -> list[str]:
    """Entity ids of the groups and state forces active in country ``code``."""
    code = code.upper()
    return [g["entity_id"] for g in all_groups() if code in g.get("countries", [])]
