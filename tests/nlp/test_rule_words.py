"""The rule families' word lists: one data file, every list described, each read as the code needs it."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

import nlp.components
from nlp.components import common, datelines, place_lists
from nlp.components.words import WORDS_FILE, word_map, word_set, word_tuple

COMPONENTS = Path(nlp.components.__file__).parent


def _names_used_in_code() -> set[str]:
    used: set[str] = set()
    for path in COMPONENTS.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in {"word_set", "word_tuple", "word_map"}
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                used.add(str(node.args[0].value))
    return used


def test_every_list_is_described_clean_and_used() -> None:
    data = json.loads(WORDS_FILE.read_text(encoding="utf-8"))
    entries = {**data["lists"], **data["maps"]}
    for name, entry in entries.items():
        assert entry["about"].strip(), name
        words = entry["words"]
        assert words, name
        items = list(words) + (list(words.values()) if isinstance(words, dict) else [])
        assert all(isinstance(w, str) and w == w.strip() and w for w in items), name
        if isinstance(words, list):
            assert len(set(words)) == len(words), f"{name} lists a word twice"
    assert _names_used_in_code() == set(entries)


def test_lists_read_as_the_rules_use_them() -> None:
    assert "in" in common.PLACE_PREPOSITIONS and "from" not in common.PLACE_PREPOSITIONS
    assert {"from", "of"} <= common.PREPOSITIONS
    assert common.OPENING_PREPOSITIONS < common.PREPOSITIONS
    assert "Mayor" in common.OFFICE_WORDS and "mayor" not in common.OFFICE_WORDS  # capitalised lists
    assert datelines._WIRE_TAG.match(" (Reuters)") and not datelines._WIRE_TAG.match(" (Cheese)")
    assert place_lists._PLURAL_PLACE_RE.search("the governorates of") is not None
    assert place_lists._COUNTY_NOUNS["parishes"] == "Parish"
    assert word_tuple("transliterated_countries")[0] == "SY"  # the file's order is kept
    assert isinstance(word_set("kin_nouns"), frozenset)
    assert word_map("county_nouns") == {"counties": "County", "parishes": "Parish"}
    with pytest.raises(KeyError):
        word_set("no-such-list")
