"""Deciding whether an item is new, changed or a near-duplicate: pure functions, no storage.

What it does: :func:`decide` says whether a collected item is ``new``, ``updated`` or
``unchanged`` from the hash of its normalised text and the latest stored version (the caller reads
that version from its database before calling, and writes after). :func:`simhash` gives a 64-bit
SimHash over three-word shingles, :func:`hamming` the distance between two of them, and
:func:`find_cluster` the story cluster a new text belongs to among candidate (cluster id, simhash)
pairs.

What it does not do: it opens no database and keeps no state; indexing simhashes for fast lookup
(e.g. by splitting them into bands) is left to the caller.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "HAMMING_THRESHOLD",
    "SHINGLE_SIZE",
    "Decision",
    "StoredVersion",
    "decide",
    "find_cluster",
    "hamming",
    "simhash",
]

#: Two texts whose 64-bit SimHashes differ in at most this many bits are treated as the same story.
#: Three bits is the figure Manku, Jain and Das Sarma (WWW 2007) found to separate near-duplicate
#: web pages from distinct ones at 64 bits; it catches re-publications with small edits (a changed
#: headline, an added byline or paragraph) and keeps distinct reports on the same event apart.
HAMMING_THRESHOLD = 3
SHINGLE_SIZE = 3
_BITS = 64
_MASK = (1 << _BITS) - 1
_WORD = re.compile(r"\w+", re.UNICODE)

Decision = Literal["new", "updated", "unchanged"]


@dataclass(frozen=True)
class StoredVersion:
    """The latest stored version of an item, as the caller's storage knows it."""

    content_sha256: str
    version: int


def decide(content_sha256: str, stored: StoredVersion | None) -> Decision:
    """``new`` when nothing is stored, ``unchanged`` when the hash matches, else ``updated``."""
    if stored is None:
        return "new"
    if stored.content_sha256 == content_sha256:
        return "unchanged"
    return "updated"


def _feature_hash(shingle: str) -> int:
    digest = hashlib.blake2b(shingle.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def simhash(text: str, shingle_size: int = SHINGLE_SIZE) -> int:
    """64-bit SimHash of ``text`` over word shingles (case-folded); 0 for a text without words."""
    words = _WORD.findall(text.casefold())
    if not words:
        return 0
    if len(words) < shingle_size:
        shingles = [" ".join(words)]
    else:
        shingles = [" ".join(words[i : i + shingle_size]) for i in range(len(words) - shingle_size + 1)]
    weights = [0] * _BITS
    for shingle in shingles:
        value = _feature_hash(shingle)
        for bit in range(_BITS):
            weights[bit] += 1 if value >> bit & 1 else -1
    result = 0
    for bit, weight in enumerate(weights):
        if weight > 0:
            result |= 1 << bit
    return result


def hamming(a: int, b: int) -> int:
    """Number of differing bits between two 64-bit hashes."""
    return ((a ^ b) & _MASK).bit_count()


def find_cluster(
    h: int, candidates: Iterable[tuple[int, int]], threshold: int = HAMMING_THRESHOLD
) -> int | None:
    """The cluster id of the closest candidate within ``threshold`` bits, else ``None``.

    ``candidates`` are ``(cluster_id, simhash)`` pairs. Ties go to the lowest cluster id, so the
    answer does not depend on the order of the candidates. A hash of 0 (no words) matches nothing.
    """
    if h == 0:
        return None
    best: tuple[int, int] | None = None
    for cluster_id, other in candidates:
        if other == 0:
            continue
        distance = hamming(h, other)
        if distance <= threshold and (best is None or (distance, cluster_id) < best):
            best = (distance, cluster_id)
    return None if best is None else best[1]
