"""Person-name matching for screening: a queried name against stored names, across spellings.

How a name is compared:

1. **Parts.** The name is transliterated to Latin (``anyascii``: Arabic, Cyrillic and other scripts),
   lower-cased and split into parts. Particles that spellings add or drop are handled: the article
   (``al-``, ``el-``, ``ad-``, ``ash-``...) and ``bin``/``ben``/``ibn``/``bint`` are dropped; ``abd``
   in any spelling (``abdel``, ``abdul``, ``abdur``...) and ``abu``/``abou`` are joined to the part
   that follows, so "Abd al-Rahman", "Abdel Rahman" and "Abdurrahman" give the same part.
2. **Similarity per part**: the best of the Jaro-Winkler similarity of the spellings and a
   *skeleton* comparison (consonants after a few spelling rules: ``ou``/``oo`` to ``u``, ``ph`` to
   ``f``, ``q``/``c`` to ``k``, doubled letters once, vowels dropped after the first letter), so that
   Mohammed / Muhammad / Mohamad agree.
3. **Alignment regardless of order**: query and candidate parts are paired greedily by similarity
   (each part used once); the score is the sum of the paired similarities over the mean number of
   parts, so a swapped given and family name still matches and a missing part costs.
4. **Facts**: a birth year, nationality or unit given with the query raise the score when the
   candidate agrees and lower it when it disagrees; they never remove a candidate.

:class:`NameIndex` finds candidates fast by the skeletons of their parts (a part shared by very many
names is not used to find candidates when the query has a rarer one). It scores them without
comparing every query part with every candidate part in Python: the Jaro-Winkler similarities of the
query's parts with the distinct parts of all its candidates are computed at once (rapidfuzz
``cdist``), and only the pairs that can reach :data:`PAIR_MIN` are scored by
:func:`part_similarity`; the reasons are written for the candidates returned only. The scores are
exactly those :func:`compare` gives. Nothing here touches a database or Flask.
"""

from __future__ import annotations

import heapq
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from anyascii import anyascii
from rapidfuzz.distance import JaroWinkler
from rapidfuzz.process import cdist

__all__ = [
    "DEFAULT_THRESHOLD",
    "Candidate",
    "NameIndex",
    "NameQuery",
    "compare",
    "name_parts",
    "skeleton",
]

#: score at or above which a candidate is reported as a match
DEFAULT_THRESHOLD = 0.92
#: part similarity below which two parts are not paired
PAIR_MIN = 0.8
#: a skeleton shared by more names than this is not used to look up candidates (when avoidable)
COMMON_POSTING = 2000
FACT_WEIGHT = 0.05
#: above this many candidates, only names sharing two parts with the query are scored
MAX_CANDIDATES = 3000

_ARTICLES = frozenset(
    {"al", "el", "ul", "il", "ad", "ed", "ud", "ar", "er", "as", "es", "ash", "at", "az", "an"}
)
_DROPPED = frozenset({"bin", "ben", "ibn", "bint", "binti", "bte", "b", "ould", "wuld"})
_ABU = frozenset({"abu", "abou", "abo", "abi"})
_ABD = re.compile(r"^a?bd(?:ul|el|al|ol|ur|ir|ar|er|us|an|ud|u|e|a|o)?$")
_ABD_JOINED = re.compile(r"^abd(?:ul|el|al|ol|ur|ir|ar|er|us|as|an|ud|u|e|a|o)?(?=[a-z]{3,})")
_SPLIT = re.compile(r"[^a-z0-9]+")


_ARABIC_ARTICLE = re.compile(r"(?<![\u0600-\u06ff])\u0627\u0644(?=[\u0600-\u06ff]{2,})")


def _tokens(name: str) -> list[str]:
    name = _ARABIC_ARTICLE.sub("", name)  # the article joined to an Arabic-script word
    latin = anyascii(name).lower().replace("'", "").replace("`", "")
    return [t for t in _SPLIT.split(latin) if t]


def name_parts(name: str) -> tuple[str, ...]:
    """The comparable parts of ``name`` (see the module docstring)."""
    tokens = _tokens(name)
    parts: list[str] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        nxt = tokens[index + 1] if index + 1 < len(tokens) else None
        if token in _DROPPED or (token in _ARTICLES and nxt is not None):
            index += 1
            continue
        if (token in _ABU or _ABD.match(token)) and nxt is not None:
            rest = tokens[index + 2] if nxt in _ARTICLES and index + 2 < len(tokens) else nxt
            step = 3 if rest is not nxt else 2
            prefix = "abu" if token in _ABU else "abd"
            parts.append(prefix + _strip_article(rest))
            index += step
            continue
        joined = _ABD_JOINED.match(token)
        if joined and len(token) > 5:
            parts.append("abd" + _strip_article(token[joined.end() :]))
        else:
            parts.append(_strip_article(token))
        index += 1
    return tuple(p for p in parts if p)


def _strip_article(part: str) -> str:
    # a doubled consonant left by an assimilated article: (ar)rahman, (as)salam
    if len(part) > 4 and part[0] == part[1] and part[0] not in "aeiou":
        return part[1:]
    return part


_RULES: tuple[tuple[str, str], ...] = (
    ("ph", "f"),
    ("ou", "u"),
    ("oo", "u"),
    ("ee", "i"),
    ("dh", "d"),
    ("th", "t"),
    ("kh", "h"),
    ("gh", "g"),
    ("sh", "s"),
    ("ch", "s"),
    ("zh", "j"),
    ("dj", "j"),
    ("ck", "k"),
    ("q", "k"),
    ("c", "k"),
    ("x", "ks"),
    ("w", "v"),
    ("y", "i"),
    ("z", "s"),
)
_VOWELS = re.compile(r"[aeiou]")
_DOUBLES = re.compile(r"(.)\1+")


@lru_cache(maxsize=200_000)
def skeleton(part: str) -> str:
    """A spelling-insensitive key of one name part."""
    text = part
    for old, new in _RULES:
        text = text.replace(old, new)
    text = _DOUBLES.sub(r"\1", text)
    if not text:
        return ""
    head, tail = text[0], _VOWELS.sub("", text[1:])
    return _DOUBLES.sub(r"\1", head + tail)


_VOWEL_CLASSES = str.maketrans({"o": "u", "e": "i", "y": "i"})


@lru_cache(maxsize=200_000)
def spelling(part: str) -> str:
    """``part`` with the spelling rules of :func:`skeleton` applied but its vowels kept, by class."""
    text = part
    for old, new in _RULES:
        text = text.replace(old, new)
    return _DOUBLES.sub(r"\1", text.translate(_VOWEL_CLASSES))


@lru_cache(maxsize=500_000)
def part_similarity(a: str, b: str) -> tuple[float, str]:
    """Similarity of two parts (0-1) and how it was found.

    :func:`pairable` must find every pair this scores at or above :data:`PAIR_MIN`: a new way of
    finding two parts alike goes in both.
    """
    if a == b:
        return 1.0, "same"
    sa, sb = spelling(a), spelling(b)
    if sa == sb:
        return 0.95, "sounds alike"
    unvowelled = not _VOWELS.search(a[1:]) or not _VOWELS.search(b[1:])
    if unvowelled and skeleton(a) == skeleton(b):
        # written without vowels (Arabic or Hebrew script transliterated): consonants decide
        return 0.9, "same consonants"
    score = max(JaroWinkler.normalized_similarity(a, b), JaroWinkler.normalized_similarity(sa, sb))
    if len(a) > 2 and len(b) > 2 and (a.startswith(b) or b.startswith(a)):
        score = max(score, 0.85)
    return score, "close spelling"


@dataclass(frozen=True)
class NameQuery:
    """A name to screen, with the optional facts that raise or lower a candidate's score."""

    name: str
    aliases: tuple[str, ...] = ()
    birth_year: int | None = None
    nationality: str | None = None
    unit: str | None = None


@dataclass(frozen=True)
class StoredName:
    key: str  # what the caller identifies the stored name by (an entity id...)
    name: str
    birth_year: int | None = None
    nationality: str | None = None
    units: tuple[str, ...] = ()


@dataclass(frozen=True)
class Candidate:
    key: str
    name: str
    score: float
    reasons: tuple[str, ...] = field(default_factory=tuple)


def compare(query_parts: Sequence[str], parts: Sequence[str]) -> tuple[float, list[str]]:
    """Score two part lists (0-1) with the reasons: which parts were paired, and how."""
    if not query_parts or not parts:
        return 0.0, []
    pairs: list[tuple[float, int, int, str]] = []
    for i, a in enumerate(query_parts):
        for j, b in enumerate(parts):
            similarity, how = part_similarity(a, b)
            if similarity >= PAIR_MIN:
                pairs.append((similarity, i, j, how))
    pairs.sort(reverse=True)
    used_q: set[int] = set()
    used_c: set[int] = set()
    total = 0.0
    reasons: list[str] = []
    for similarity, i, j, how in pairs:
        if i in used_q or j in used_c:
            continue
        used_q.add(i)
        used_c.add(j)
        total += similarity
        reasons.append(f"{query_parts[i]} ~ {parts[j]} ({how}, {similarity:.2f})")
    score = 2 * total / (len(query_parts) + len(parts))
    missing = [query_parts[i] for i in range(len(query_parts)) if i not in used_q]
    if missing:
        reasons.append("not found: " + ", ".join(missing))
    return score, reasons


def pairable(query_parts: Sequence[str], choices: Sequence[str]) -> list[list[int]]:
    """For each query part, the indexes of the ``choices`` that :func:`part_similarity` may score at
    or above :data:`PAIR_MIN` (a superset: the caller scores them).

    Those are the choices whose Jaro-Winkler similarity, of the parts or of their spellings, reaches
    :data:`PAIR_MIN` (computed for all choices at once), and those with the same skeleton or that
    start with the query part or it with them.
    """
    if not query_parts or not choices:
        return [[] for _ in query_parts]
    raw = cdist(query_parts, choices, scorer=JaroWinkler.normalized_similarity, dtype=np.float64)
    spelled = cdist(
        [spelling(a) for a in query_parts],
        [spelling(b) for b in choices],
        scorer=JaroWinkler.normalized_similarity,
        dtype=np.float64,
    )
    close = np.maximum(raw, spelled) >= PAIR_MIN
    by_skeleton: dict[str, list[int]] = defaultdict(list)
    for number, choice in enumerate(choices):
        by_skeleton[skeleton(choice)].append(number)
    found: list[list[int]] = []
    for row, part in enumerate(query_parts):
        numbers = set(np.flatnonzero(close[row]).tolist())
        numbers.update(by_skeleton.get(skeleton(part), ()))
        if len(part) > 2:
            numbers.update(
                n for n, b in enumerate(choices) if len(b) > 2 and (b.startswith(part) or part.startswith(b))
            )
        found.append(sorted(numbers))
    return found


class NameIndex:
    """Stored names, looked up by the skeletons of their parts."""

    def __init__(self, names: Iterable[StoredName] = (), *, reuse: NameIndex | None = None) -> None:
        """Index ``names``; the parts of any name already in ``reuse`` are taken from there."""
        self._names: list[StoredName] = []
        self._parts: list[tuple[str, ...]] = []
        self._postings: dict[str, list[int]] = defaultdict(list)
        self._known: dict[str, tuple[str, ...]] = {}
        previous = reuse._known if reuse is not None else {}
        for stored in names:
            self.add(stored, previous.get(stored.name))

    def __len__(self) -> int:
        return len(self._names)

    def add(self, stored: StoredName, parts: tuple[str, ...] | None = None) -> None:
        """Add a name; ``parts``, when given, must be its :func:`name_parts`."""
        if parts is None:
            parts = self._known.get(stored.name) or name_parts(stored.name)
        self._known[stored.name] = parts
        position = len(self._names)
        self._names.append(stored)
        self._parts.append(parts)
        for key in {skeleton(p) for p in parts}:
            if key:
                self._postings[key].append(position)

    def _candidates(self, parts: Sequence[str]) -> set[int]:
        keys = sorted(
            {skeleton(p) for p in parts if skeleton(p)}, key=lambda k: len(self._postings.get(k, ()))
        )
        hits: dict[int, int] = defaultdict(int)
        for number, key in enumerate(keys):
            posting = self._postings.get(key, [])
            if number > 0 and len(posting) > COMMON_POSTING and hits:
                continue
            for position in posting:
                hits[position] += 1
        if len(hits) > MAX_CANDIDATES and len(keys) > 1:
            # too many names share one part: keep those that share two
            shared = {position for position, count in hits.items() if count > 1}
            if shared:
                return shared
        return set(hits)

    def _scores(self, parts: Sequence[str], positions: Iterable[int]) -> dict[int, float]:
        """:func:`compare`'s score of ``parts`` with each stored name at ``positions``."""
        positions = list(positions)
        choices = list(dict.fromkeys(p for position in positions for p in self._parts[position]))
        paired: dict[str, list[tuple[float, int]]] = defaultdict(list)
        for i, numbers in enumerate(pairable(parts, choices)):
            for number in numbers:
                similarity = part_similarity(parts[i], choices[number])[0]
                if similarity >= PAIR_MIN:
                    paired[choices[number]].append((similarity, i))
        scores: dict[int, float] = {}
        for position in positions:
            stored = self._parts[position]
            if not parts or not stored:
                scores[position] = 0.0
                continue
            pairs = [(s, i, j) for j, p in enumerate(stored) for s, i in paired.get(p, ())]
            total = 0.0
            if len(pairs) == 1:
                total = pairs[0][0]
            elif pairs:
                # the greedy alignment of compare(), summed in the same order
                pairs.sort(reverse=True)
                used_q: set[int] = set()
                used_c: set[int] = set()
                for similarity, i, j in pairs:
                    if i in used_q or j in used_c:
                        continue
                    used_q.add(i)
                    used_c.add(j)
                    total += similarity
            scores[position] = 2 * total / (len(parts) + len(stored))
        return scores

    def search(self, query: NameQuery, *, limit: int = 5) -> list[Candidate]:
        """The best ``limit`` stored names for ``query`` (its name and aliases), best first."""
        variants = (query.name, *query.aliases)
        variant_parts = [name_parts(variant) for variant in variants]
        best: dict[int, tuple[float, int]] = {}  # position: score and the variant that gave it
        for number, parts in enumerate(variant_parts):
            for position, score in self._scores(parts, self._candidates(parts)).items():
                if position not in best or score > best[position][0]:
                    best[position] = (score, number)
        facts = bool(query.birth_year or query.nationality or query.unit)
        ranked: list[tuple[float, str, int, int]] = []
        for position, (score, number) in best.items():
            if facts:
                score = _facts(query, self._names[position], score)[0]
            ranked.append((round(score, 4), self._names[position].name, position, number))
        top = heapq.nsmallest(limit, ranked, key=lambda row: (-row[0], row[1]))
        found: list[Candidate] = []
        for score, name, position, number in top:
            stored = self._names[position]
            raw, reasons = compare(variant_parts[number], self._parts[position])
            label = [] if number == 0 else [f"as alias {variants[number]!r}"]
            notes = _facts(query, stored, raw)[1]
            found.append(Candidate(stored.key, name, score, tuple(label + reasons + notes)))
        return found


def _facts(query: NameQuery, stored: StoredName, score: float) -> tuple[float, list[str]]:
    notes: list[str] = []
    if query.birth_year and stored.birth_year:
        if abs(query.birth_year - stored.birth_year) <= 1:
            score += FACT_WEIGHT
            notes.append(f"birth year agrees ({stored.birth_year})")
        else:
            score -= 2 * FACT_WEIGHT
            notes.append(f"birth year differs ({stored.birth_year})")
    if query.nationality and stored.nationality:
        if query.nationality.strip().upper() == stored.nationality.strip().upper():
            score += FACT_WEIGHT
            notes.append("nationality agrees")
        else:
            score -= FACT_WEIGHT
            notes.append(f"nationality differs ({stored.nationality})")
    if query.unit and stored.units:
        wanted = _unit_parts(query.unit)
        if any(wanted & _unit_parts(unit) for unit in stored.units):
            score += FACT_WEIGHT
            notes.append("unit co-mentioned")
    return max(0.0, min(1.0, score)), notes


@lru_cache(maxsize=50_000)
def _unit_parts(unit: str) -> frozenset[str]:
    return frozenset(name_parts(unit))
