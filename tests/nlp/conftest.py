from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from spacy.language import Language

from nlp.pipeline import get_pipeline


@pytest.fixture(scope="session")
def blank_pipeline() -> Language:
    """spacy.blank("en") with the tagger's own components and the real gazetteers."""
    return get_pipeline("none")


@pytest.fixture
def home_towns_on(blank_pipeline: Language) -> Iterator[Language]:
    """The blank pipeline with the home-town family switched on (it is off by default)."""
    pipe: Any = blank_pipeline.get_pipe("coi_home_towns")
    pipe.enabled = True
    try:
        yield blank_pipeline
    finally:
        pipe.enabled = False
