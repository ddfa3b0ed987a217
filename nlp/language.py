"""Language identification of a document (py3langid), as ISO 639-1 codes.

Works on the first 2,000 characters only. Returns "und" for text with
no letters. Does not translate and does not split mixed-language documents.
"""

from __future__ import annotations

from py3langid.langid import MODEL_FILE, LanguageIdentifier  # type: ignore[import-untyped,unused-ignore]

_SAMPLE = 2000
_identifier: LanguageIdentifier | None = None


def _get_identifier() -> LanguageIdentifier:
    global _identifier
    if _identifier is None:
        _identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=False)
    return _identifier


def detect_language(text: str) -> str:
    """ISO 639-1 code of the main language of ``text``; "und" when undecidable."""
    sample = text[:_SAMPLE]
    if not any(ch.isalpha() for ch in sample):
        return "und"
    code, _score = _get_identifier().classify(sample)
    return str(code)
