"""Snippets: which words are marked, whatever the number of searched stems."""

from __future__ import annotations

import re

import pytest

from search_index.analysis import stem
from search_index.highlight import FEW_PREFIXES, highlight

TEXT = (
    "Returnees were detained at the crossing; a detainee's family said the detention lasted "
    "weeks. Predetention hearings and undetained people were not counted."
)


def marked(snippet: str) -> list[str]:
    return re.findall(r"<mark>(.*?)</mark>", snippet)


def test_only_whole_words_with_a_searched_stem_are_marked() -> None:
    snippet = highlight(TEXT, {stem("detained")}, width=400)
    # "detain" marks both inflections, not the words that merely hold it ("undetained")
    assert marked(snippet) == ["detained"]
    snippet = highlight(TEXT, {stem("detention")}, width=400)
    assert marked(snippet) == ["detention"]  # not "Predetention"


@pytest.mark.parametrize("extra", [0, FEW_PREFIXES + 3])
def test_many_stems_mark_the_same_words_as_few(extra: int) -> None:
    """Up to a few stems are looked for one at a time, more with one pattern: same marks."""
    stems = {stem("detained"), stem("crossing"), stem("returnees")}
    stems |= {f"zzunused{i}" for i in range(extra)}
    snippet = highlight(TEXT, stems, width=400)
    assert marked(snippet) == ["Returnees", "detained", "crossing"]


def test_a_word_at_the_very_start_and_end_is_marked() -> None:
    assert marked(highlight("crossing closed at the crossing", {stem("crossing")})) == [
        "crossing",
        "crossing",
    ]
