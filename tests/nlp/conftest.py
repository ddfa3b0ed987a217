from __future__ import annotations

import pytest
from spacy.language import Language

from nlp.pipeline import get_pipeline


@pytest.fixture(scope="session")
def blank_pipeline() -> Language:
    """spacy.blank("en") with the tagger's own components and the real gazetteers."""
    return get_pipeline("none")
