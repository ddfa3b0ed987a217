"""The word lists of the rule families, read once from ``nlp/data/rule_words.json``.

Each rule family takes its lists from here at import; the words themselves live in the data file,
with a line on what each list is for. This module does not interpret the words.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from nlp.gazetteer import DATA_DIR

WORDS_FILE = DATA_DIR / "rule_words.json"


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(WORDS_FILE.read_text(encoding="utf-8"))
    return data


def word_tuple(name: str) -> tuple[str, ...]:
    """The list ``name`` in the order the file gives it; KeyError for a list the file lacks."""
    return tuple(str(w) for w in _data()["lists"][name]["words"])


def word_set(name: str) -> frozenset[str]:
    """The list ``name`` as a set."""
    return frozenset(word_tuple(name))


def word_map(name: str) -> dict[str, str]:
    """The mapping ``name`` (one word to another)."""
    return {str(k): str(v) for k, v in _data()["maps"][name]["words"].items()}
