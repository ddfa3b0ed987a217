"""Anchoring: quote, prefix/suffix disambiguation, position drift, orphans."""

from __future__ import annotations

import pytest

from portal.annotations.anchoring import make_anchor, resolve

TEXT = (
    "Residents said the checkpoint at the northern gate was closed on Monday. "
    "Traders said the checkpoint at the southern gate stayed open, but fees doubled. "
    "The checkpoint at the northern gate reopened on Thursday."
)


def span(text: str, needle: str, nth: int = 0) -> tuple[int, int]:
    pos = -1
    for _ in range(nth + 1):
        pos = text.index(needle, pos + 1)
    return pos, pos + len(needle)


def test_same_text_resolves_by_position() -> None:
    start, end = span(TEXT, "fees doubled")
    anchor = make_anchor(TEXT, start, end)
    found = resolve(TEXT, anchor)
    assert found is not None and (found.start, found.end, found.method) == (start, end, "position")


def test_empty_or_impossible_selection_is_refused() -> None:
    with pytest.raises(ValueError):
        make_anchor(TEXT, 5, 5)
    with pytest.raises(ValueError):
        make_anchor(TEXT, 10, len(TEXT) + 1)


def test_prefix_and_suffix_pick_the_right_occurrence_after_drift() -> None:
    # the second "checkpoint at the northern gate" is annotated
    start, end = span(TEXT, "checkpoint at the northern gate", nth=1)
    anchor = make_anchor(TEXT, start, end)
    new_text = "UPDATE: figures corrected. " + TEXT.replace("Residents said", "Several residents told us")
    found = resolve(new_text, anchor)
    assert found is not None and found.method == "quote"
    expected = span(new_text, "checkpoint at the northern gate", nth=1)
    assert (found.start, found.end) == expected
    assert new_text[found.end :].startswith(" reopened")


def test_position_drift_with_same_quote_elsewhere_is_not_fooled() -> None:
    start, end = span(TEXT, "checkpoint at the northern gate", nth=0)
    anchor = make_anchor(TEXT, start, end)
    # remove the first sentence: the only remaining occurrence has another context, still found
    new_text = TEXT[TEXT.index("Traders") :]
    found = resolve(new_text, anchor)
    assert found is not None
    assert new_text[found.start : found.end] == "checkpoint at the northern gate"


def test_small_edit_inside_the_quote_is_found_fuzzily() -> None:
    start, end = span(TEXT, "Traders said the checkpoint at the southern gate stayed open")
    anchor = make_anchor(TEXT, start, end)
    new_text = TEXT.replace("stayed open", "remained open")
    found = resolve(new_text, anchor)
    assert found is not None and found.method == "fuzzy"
    assert new_text[found.start : found.end].startswith("Traders said the checkpoint")


def test_removed_passage_is_orphaned() -> None:
    start, end = span(TEXT, "fees doubled")
    anchor = make_anchor(TEXT, start, end)
    new_text = TEXT.replace(", but fees doubled", "")
    assert resolve(new_text, anchor) is None
