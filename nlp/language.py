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


#: fewer letters than this and the detection is not trusted over what the source declares
MIN_LETTERS = 60
#: normalised probability below which the detection is "unsure"
MIN_CONFIDENCE = 0.9
#: the resolved language reads more of the text than the tagger's quick guess: quotations in another
#: language near the start of an article must not decide it
_RESOLVE_SAMPLE = 20000
_normalised: LanguageIdentifier | None = None


def identify(text: str) -> tuple[str, float]:
    """ISO 639-1 code of ``text`` with its probability (0-1); ("und", 0.0) without letters."""
    global _normalised
    sample = text[:_RESOLVE_SAMPLE]
    if not any(ch.isalpha() for ch in sample):
        return "und", 0.0
    if _normalised is None:
        _normalised = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    code, probability = _normalised.classify(sample)
    return str(code), float(probability)


def resolve_language(text: str, declared: str | None) -> str | None:
    """The language a document is treated as: detected from ``text``, unless the text is too
    short (under :data:`MIN_LETTERS` letters) or the detection unsure (probability under
    :data:`MIN_CONFIDENCE`) and the source declared one; then the declared language."""
    declared = (declared or "").strip().lower() or None
    letters = sum(1 for ch in text[:_SAMPLE] if ch.isalpha())
    code, probability = identify(text)
    if code == "und":
        return declared
    if letters < MIN_LETTERS or probability < MIN_CONFIDENCE:
        return declared or code
    return code
