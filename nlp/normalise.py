"""String normalisation shared by the gazetteers, the lookups and the tagger.

Pure functions on strings; no spaCy, no data files.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "ʻ": "'", "ʼ": "'", "ʿ": "'", "ʾ": "'", "´": "'"})
_DASHES = str.maketrans({"‐": "-", "‑": "-", "–": "-", "—": "-"})
_SPACE_HYPHEN = re.compile(r"\s*-\s*")
_SPACES = re.compile(r"\s+")
_SPECIAL = str.maketrans(
    {"ı": "i", "ø": "o", "Ø": "O", "ß": "ss", "æ": "ae", "Æ": "AE", "đ": "d", "Đ": "D", "ł": "l", "Ł": "L"}
)


def ascii_fold(text: str) -> str:
    """Strip diacritics: "Ḩimş" -> "Hims", "Türkiye" -> "Turkiye"."""
    text = text.translate(_APOSTROPHES).translate(_DASHES).translate(_SPECIAL)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=200_000)
def name_key(text: str) -> str:
    """Lookup key of a name: folded, lower case, single spaces, tight hyphens.

    "Deir Ez - Zor" and "deir ez-zor" share the key "deir ez-zor". A leading
    "the " is dropped.
    """
    key = ascii_fold(text).lower().strip()
    key = _SPACE_HYPHEN.sub("-", key)
    key = _SPACES.sub(" ", key)
    key = key.replace("'", "").strip(' .,;:"')
    if key.startswith("the "):
        key = key[4:]
    return key


# Bidirectional marks, zero-width spaces and the byte-order mark: invisible in a page, but
# they glue themselves to words ("Mosul\u200e,"). Joiners stay: they belong inside words.
# No-break, thin and other typographic spaces separate words like a plain space.
_INVISIBLE = re.compile("[\u00a0\u2000-\u200b\u200e\u200f\u202a-\u202f\u205f\u2060\u2066-\u2069\u3000\ufeff]")


def blank_invisible(text: str) -> str:
    """``text`` with invisible marks and typographic spaces made plain spaces, offsets unchanged."""
    return _INVISIBLE.sub(" ", text) if _INVISIBLE.search(text) else text


def slug(text: str) -> str:
    """Lower-case ASCII slug for entity ids of people and organisations."""
    key = re.sub(r"[^a-z0-9]+", "-", ascii_fold(text).lower())
    return key.strip("-")
