from __future__ import annotations

import pytest

from nlp.language import detect_language


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("The ministry shut the border post after days of bitter clashes in the north.", "en"),
        ("De regering sloot de grensovergang na zware gevechten in het noorden.", "nl"),
        ("Le gouvernement a fermé le poste frontière après de violents combats dans le nord.", "fr"),
        ("Die Regierung schloss den Grenzübergang nach schweren Kämpfen im Norden.", "de"),
    ],
)
def test_detect_language(text: str, code: str) -> None:
    assert detect_language(text) == code


def test_no_letters_is_undetermined() -> None:
    assert detect_language("") == "und"
    assert detect_language("2024-01-01 12:00") == "und"
