"""Person-name matching for screening: a queried name against stored names, across spellings.

How a name is compared:

1. **Parts.** The name is transliterated to Latin (``anyascii``: Cyrillic, Greek and other scripts),
   lower-cased and split into parts. Arabic script (Arabic, Persian, Urdu, Pashto) is read by
   :func:`arabic_script_part` instead, and Hebrew script by :func:`hebrew_script_part`: they write
   the consonants and the long vowels and leave the short vowels out, so such a part is written in
   capitals, as the letters stand, and compared with others by its consonants and long vowels
   (:func:`consonantal_similarity`; a Hebrew letter said two ways is read both ways). Particles that
   spellings add or drop are handled: the article (``al-``, ``el-``; ``ad-``, ``ash-``... before
   the letter they are said as: Ed Miliband keeps his Ed) and ``bin``/``ben``/``ibn``/``bint`` are
   dropped; ``abd`` in any spelling (``abdel``, ``abdul``,
   ``abdur``...) and ``abu``/``abou`` are joined to the part that follows, so "Abd al-Rahman",
   "Abdel Rahman" and "Abdurrahman" give the same part (and عبد الرحمن, as Arabic script writes it).
   Ethiopian and Eritrean names shortened with a slash are written in full (G/Meskel: Gebremeskel).
   Titles written before the name ("Dr.", "Gen.", "Lt. Col.") and generational suffixes ("Jr.",
   "III") are left out. Hangul and Chinese
   characters give a part for each syllable, as these scripts write names without spaces (김정은:
   kim, jeong, eun; 习近平: xi, jin, ping), and two such parts match one written as one
   (Jinping); Hangul is read as the Revised Romanization writes it, with the family name first in
   the spelling Koreans use (Kim, Lee, Park: :func:`hangul_syllables`). Japanese kana are read as
   Hepburn writes them (:func:`kana_word`), and the scripts of South Asia (Devanagari, Bengali,
   Gurmukhi, Tamil...) with the vowel a that their consonants carry unwritten (:func:`indic_word`);
   Burmese gives a part for each syllable, as its names are spelled in Latin letters
   (:func:`burmese_syllables`: Min Aung Hlaing); Ethiopic (Tigrinya, Amharic) is read with the
   vowel that its sixth forms leave unwritten where names are said with it (:func:`ethiopic_word`:
   ብርሃነ, Berhane); Thai syllable by syllable as the Royal Thai General System writes it, with the
   vowels written before their consonant read after it and the vowels it does not write
   (:func:`thai_word`: สมชาย, somchai); Khmer with the vowels of its consonants' two series
   (:func:`khmer_word`: ជា, chea).
2. **Similarity per part**, from what the romanisation systems for Arabic and Cyrillic do (BGN/PCGN,
   ISO 9 and scholarly systems, English, French, German and Polish transcriptions):

   * the *spelling* writes one sound one way (``kh``/``h``, ``zh``/``j``/``dj``; the hushing sounds
     ш and ч, ``sh``/``sch``/``sz``/``shch``/``ch``/``tsch``/``cz``, as one letter apart from ``s``;
     ``ts``/``tz``/``z``, ``q``/``k``, ``w``/``v``, ``x``/``ks``, ``ou``/``oo`` to ``u`` and French
     ``ou`` before a vowel to ``w``; the diphthong ``ai``/``ay``/``ei``/``ey`` before a consonant
     as ``ai``; ``-off`` to ``-ov``, a final ``-ah`` or unsaid ``-e`` dropped,
     ``j`` for ``й`` read as ``i``, doubled letters once) and keeps the vowels by class (a; e, i, y;
     o, u);
   * the *skeleton* keeps the spelling's consonants by class (b p; f v w; d t; g j k q; s z c and
     the hushing sounds; h dropped) and only whether the part starts with a vowel.

   The similarity is the weighted mean (:data:`WEIGHTS`) of the Jaro-Winkler similarity of the parts
   as written, the Levenshtein similarity of their spellings and the Jaro-Winkler similarity of their
   skeletons, so that Zabrodetskiy / Zabrodetsky / Sabrodezki agree, and Djalloudi / Jalludi. A
   part with the article joined (``alqudsani``, ``elamin``) is also compared without it; letters that
   transcriptions read differently are also read the other way (``ch`` as ``kh`` as in German and
   Polish, ``j`` before a vowel as ``y`` as in German and Slavic ones, ``dh`` as ``z`` as in Persian
   and Turkish, ``kh`` as ``k`` as in Turkish and Indonesian, Korean ``eo`` and ``eu`` as ``o`` and
   ``u`` as McCune-Reischauer writes them, a final ``-ic`` as the ``-ić`` of South Slavic names,
   ``-ich``; Somali and Turkish spellings read as such:
   :func:`forms`); and two neighbouring
   parts with one part written as one, the article between them or not (:func:`joined`: Nur al-Din
   and Nuruddin).
3. **Alignment regardless of order**: query and candidate parts are paired greedily by similarity
   (each part used once); the score is the sum of the paired similarities over the mean number of
   parts, so a swapped given and family name still matches and a missing part costs; little when
   it is a middle part (a father's name, a patronymic) that the longer name has between its first
   and last parts and every part of the shorter one is found (:data:`LEFT_OUT_WEIGHT`). In an index,
   each part weighs by its rarity among the stored names (:func:`weighted_score`), so a shared rare
   family name ranks a candidate above a shared given name that thousands have. Parts from
   :data:`PAIR_MIN` alike count in full; parts only faintly alike (from :data:`FAINT_MIN`) count
   for :data:`FAINT_CREDIT` of their similarity, which ranks a candidate above those with nothing
   for that part but makes no match. An initial ("M.") and a part it can stand for count for
   :data:`INITIAL_CREDIT`: more than a part missing, less than a part found. Two names of one part
   each that are not the same score :data:`ONE_PART_SHARE` of it: one part alike is a lead, never a
   match.
4. **Facts**: a birth year, nationality or unit given with the query raise the score when the
   candidate agrees and lower it when it disagrees; they never remove a candidate.

:class:`NameIndex` keeps the distinct stored parts and, for each, the names that have it. A query's
parts are compared with all distinct parts at once (rapidfuzz ``cdist`` on the parts, spellings and
skeletons), so a variant is found whatever its key; the names with a part alike in full are the
candidates (a part alike to very many names is not used to find candidates when the query has a
rarer one), and those with a part faintly alike when fewer are found. Only the pairs that can reach
:data:`FAINT_MIN` are scored by :func:`part_similarity`, and the reasons are written for the
candidates returned only. The scores are exactly those :func:`compare` gives. Nothing here touches
a database or Flask.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
import json
import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache, partial
from pathlib import Path

import numpy as np
from anyascii import anyascii
from numpy.typing import NDArray
from rapidfuzz.distance import JaroWinkler, Levenshtein
from rapidfuzz.process import cdist

__all__ = [
    "DEFAULT_THRESHOLD",
    "Candidate",
    "NameIndex",
    "NameQuery",
    "compare",
    "name_parts",
    "read_cell",
    "skeleton",
]

#: score at or above which a candidate is reported as a match
DEFAULT_THRESHOLD = 0.92
#: the words a reason uses for how two parts were found alike, joined by ", " in a reason such as
#: "hasan ~ hassan (sounds alike, 0.98)"; a new way gets its words here (the portal translates them)
HOW_LABELS = (
    "same",
    "sounds alike",
    "same consonants",
    "same consonants and long vowels",
    "close spelling",
    "written as one",
    "faintly alike",
    "without the article",
    "read another way",
    "as said in Persian",
    "as Somali spelling writes it",
    "as Turkish spelling writes it",
    "another form of the name",
    "as Russian romanises it",
    "as Kurdish writes it",
    "as Persian romanises it",
    "without Abd",
    "without Ben or Bin",
    "an initial",
)
#: how a reason names the parts of the longer of two names left out between its first and last
#: parts (:data:`LEFT_OUT_WEIGHT`): "only in one name, between its first and last parts: nur"
LEFT_OUT = "only in one name, between its first and last parts:"
#: part similarity from which two parts are paired in full
PAIR_MIN = 0.84
#: part similarity from which two parts are paired for a share (:data:`FAINT_CREDIT`) of it: it
#: ranks a candidate above those with nothing for that part (and finds candidates only when too few
#: are alike in full)
FAINT_MIN = 0.65
FAINT_CREDIT = 0.25
#: two names of one part each that are alike but not the same score this share of the parts'
#: similarity, below :data:`DEFAULT_THRESHOLD`: a single part (a family name, a given name) is too
#: little to tell one person from another, and spellings of different single names often sound
#: alike, so they are candidates to look at, never a match
ONE_PART_SHARE = 0.9
#: a query part alike to more names than this is not used to look up candidates (when avoidable)
COMMON_POSTING = 2000
FACT_WEIGHT = 0.05
#: above this many candidates, only names sharing two parts with the query are scored
MAX_CANDIDATES = 3000
#: how much more a rare part weighs in a name's score than a common one (:func:`part_weight`):
#: a family name few stored names share tells more than a given name thousands share
RARITY = 0.25

# (ud, ur, us... as Urdu, Pashto and Persian names write the article: Zia ur Rahman, Ghiyas ud Din)
_ARTICLES = frozenset(
    {"al", "el", "ul", "il", "ad", "ed", "ud", "ar", "er", "ur", "as", "es", "us", "ash", "ush"}
    | {"at", "ut", "az", "uz", "an", "un"}
)
# the article said as the first letter of the word after it (ad-Din, ar-Rahman, an-Nur) is written
# as a word of its own only before that letter: Ad, Ed, An and Il are also names (Ad Melkert, Ed
# Miliband, An Sook, Kim Il-sung)
_ARTICLES_ALONE = frozenset({"al", "el", "ul"})
_ASSIMILATED_ARTICLES = _ARTICLES - _ARTICLES_ALONE - {"il"}
# b is bin cut short (Muhammad b. Ali), but the initial B opening a name ("B. Haddad")
_DROPPED = frozenset({"bin", "ben", "ibn", "bint", "binti", "bte", "b", "ould", "wuld"})
# titles of address, rank and degree written before a name ("Dr.", "Gen.", "Lt. Col."): not a part of
# it, and a list gives them or not; religious titles (sheikh, mullah, haji) stay, being borne as names
_TITLES = frozenset(
    {"dr", "prof", "mr", "mrs", "ms", "mme", "mlle", "sir", "gen", "col", "maj", "capt", "cpt", "lt"}
    | {"sgt", "brig", "adm", "cdr", "eng", "engr", "rev", "hon"}
)
# titles that are also names (Hon and Eng are Chinese and Khmer family names, Gen a Japanese and Maj
# a Scandinavian given name): a title only when written with its full stop ("Hon.", "Maj. Gen.")
_TITLES_ALSO_NAMES = frozenset({"hon", "eng", "gen", "maj"})
_ABBREVIATED = re.compile(r"([A-Za-z]+)\.")
# generational suffixes ("Jr.", "Sr.", "III"), written after a given name or at the end: not parts
_GENERATIONS = frozenset({"jr", "sr", "ii", "iii", "iv"})
_ABU = frozenset({"abu", "abou", "abo", "abi"})
# abi and abo are also given names (Abi Morgan): the particle only after the name's first word
# (Ali ibn Abi Talib)
_ABU_AFTER_FIRST = frozenset({"abo", "abi"})
# abd with the article in the spellings of Arabic, French, Turkish and Albanian (abdil, abdyl) use
_ABD = re.compile(r"^a?bd(?:ul|el|al|ol|il|yl|ur|ir|ar|er|us|an|ud|u|e|a|o)?$")
_ABD_JOINED = re.compile(r"^abd(?:ul|el|al|ol|il|yl|ur|ir|ar|er|us|as|an|ud|u|e|a|o)?(?=[a-z]{3,})")
# the article said as the first letter of the word after it, written once (Abdurahman, Abdirashid:
# Abd ar-Rahman, Abd ar-Rashid) or twice (Abdurrahman)
_ASSIMILATED = re.compile(r"[aeiouy]([^aeioulwy])$")
_SPLIT = re.compile(r"[^a-zA-Z0-9]+")
# the same particles written in Arabic script (:func:`arabic_script_part`): bin, ibn, bint dropped;
# abd, abu and abi joined to the word that follows; abd with the article joined to it (عبدالله)
_ARABIC_DROPPED = frozenset({"BN", "ABN", "BNT"})
_ARABIC_PREFIXES = frozenset({"ABD", "ABW", "ABY"})
_ARABIC_ABD_JOINED = re.compile(r"^ABDAL(?=[A-Z]{2,})")
_ARABIC_ALLAH = "LH"  # الله without its article: joined to the word before it


_ARABIC_ARTICLE = re.compile(r"(?<![\u0600-\u06ff])\u0627\u0644(?=[\u0600-\u06ff]{2,})")


# letters whose Latin reading anyascii gives otherwise than the romanisations of names do: the
# Azerbaijani schwa is written a in English and in the Cyrillic alphabet (Әлијев, Aliyev), where
# anyascii reads the Latin letter as e; Serbian's џ is the dž of its Latin alphabet, which names
# write dz without the mark (Караџић, Karadžić, Karadzic), where anyascii writes dzh. A zero-width
# space parts words as a space does.
_LATIN_READINGS = str.maketrans(
    {"ə": "a", "Ə": "A", "џ": "dž", "Џ": "Dž", **dict.fromkeys("\u200b\u2060\ufeff", " ")}
)
# pictographs and other symbols, which anyascii would write as their names (😀: grinning): not
# letters of a name
_SYMBOLS = re.compile("[\u2190-\u2bff\U0001f000-\U0001faff]")
# Ethiopian and Eritrean names shorten their most common first elements to a letter and a slash:
# G/Meskel is Gebremeskel, W/Mariam Woldemariam, H/Selassie Haileselassie, T/Haimanot
# Teklehaimanot, K/Mariam Kidanemariam; W/ro and W/t are the titles Mrs and Miss, dropped
_SLASHED_TITLE = re.compile(r"(?<![A-Za-z])W/(?:ro|rt|t|o)\b\.?")
_SLASHED = re.compile(r"(?<![A-Za-z])([GWHTK])/\s?(?=[A-Za-z]{2})")
_SLASHED_WORDS = {"G": "Gebre", "W": "Wolde", "H": "Haile", "T": "Tekle", "K": "Kidane"}


# Arabic script: the letters of the Arabic, Persian, Urdu, Pashto and Kurdish alphabets (with their
# presentation forms), and the zero-width non-joiner that Persian writes inside words
_ARABIC_RUN = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff\u200c]+")
# the Latin letters of the consonants; و and ي (and their Persian, Urdu and Pashto forms) are w
# and y, read as consonants or as the long vowels u and i (:func:`consonantal_similarity`); ا, آ and
# ى are the long vowel a; hamza and ع have no letter of their own in most romanisations of names.
# Kurdish (Sorani) writes all its vowels: ۆ is o and ێ is e (w and y here); its ە, the vowel that
# Latin spellings write e or a (Ehmed, Ahmad), is left unwritten, as a short vowel is
_ARABIC_LETTERS = {
    **dict.fromkeys("اآٱى", "a"),
    **dict.fromkeys("وۆۇۈۉۊۋۏ", "w"),
    **dict.fromkeys("يیېۍےۓێ", "y"),
    "ب": "b", "پ": "p", "ت": "t", "ټ": "t", "ٹ": "t", "ث": "th", "ج": "j", "چ": "ch", "ح": "h",
    "خ": "kh", "ځ": "dz", "څ": "ts", "د": "d", "ډ": "d", "ڈ": "d", "ذ": "dh", "ر": "r", "ړ": "r",
    "ڑ": "r", "ڕ": "r", "ز": "z", "ژ": "zh", "ږ": "zh", "س": "s", "ش": "sh", "ښ": "sh", "ص": "s",
    "ض": "dh", "ط": "t", "ظ": "dh", "غ": "gh", "ف": "f", "ڤ": "v", "ق": "q", "ك": "k", "ک": "k",
    "گ": "g", "ګ": "g", "ل": "l", "ڵ": "l", "م": "m", "ن": "n", "ڼ": "n", "ں": "n", "ه": "h", "ھ": "h",
    "ۀ": "h", "ہ": "h",
}  # fmt: skip
# a word that opens with a vowel: alif (with or without hamza) or ع, which Latin spellings write
# as the vowel that follows it (Ali, Omar, Issa), or ئ, which opens every such word in Kurdish
_ARABIC_ONSETS = frozenset("اأإآٱعئ")


# Uyghur (and Kazakh in Arabic script) write every vowel: letters Arabic does not have, and ى
# inside a word, show a name is written so
_UYGHUR_LETTERS = re.compile("[ۇۆۈېۋ]|ى(?=[\u0620-\u064a\u066e-\u06d3])")
_UYGHUR_VOWELS = frozenset("اەىۇۆۈېو")
# an h after z or k would make zh or kh of them, other letters; an h the spelling leaves out anyway
_H_LETTERS = frozenset("هھۀہה")
_BEFORE_H = frozenset({"z", "k"})


def arabic_script_part(word: str, uyghur: bool = False) -> str:
    """The Latin letters of one word in Arabic script, in capitals: its consonants and long
    vowels (w and y either), as written; short vowels, hamza and ع inside the word are not written.

    With ``uyghur``, the word is Uyghur (:data:`_UYGHUR_LETTERS`), and a final ى is the vowel i.

    >>> arabic_script_part("حسين"), arabic_script_part("عمر")
    ('HSYN', 'AMR')
    """
    letters = [c for c in unicodedata.normalize("NFKC", word) if c.isalpha()]
    out = ["a"] if letters and letters[0] in _ARABIC_ONSETS else []
    if out and letters[0] == "ئ" and letters[1:2] and letters[1] in _UYGHUR_VOWELS:
        letters = letters[1:]  # ئ carries the vowel that opens the word: the vowel is the onset
    for at, c in enumerate(letters[len(out) :], start=len(out)):
        # ى is a final a in Arabic, and the vowel i in Uyghur, which writes it anywhere
        if (c == "ى" and not uyghur and at == len(letters) - 1) or c == "ة":
            # a final ى is a, or the final i that Egyptian and Sudanese writing puts so; ة is a
            # final a, or e as Levantine, Turkish and Persian say it (Usama, Hamza, Hamze)
            out.append("AX")
        elif c in _H_LETTERS and out and out[-1] in _BEFORE_H:
            continue  # not read as one letter with the one before (ز ه, Zahra: not zh)
        else:
            out.append("y" if c == "ى" else _ARABIC_LETTERS.get(c, ""))
    return "".join(out).upper()


# Hebrew script, read as Arabic script is (:func:`consonantal_similarity`): it writes the consonants
# and, as vowel letters, ו (w, or the vowel o or u), י (y, or i or e) and, in names from other
# languages, א; a part read from it is written in capitals. ב, כ and פ are said b, k and p at the
# start of a word and mostly v, kh and f after a vowel, but names from other languages keep b, k
# and p anywhere and write f with פ at the start too, and no spelling without vowel points tells
# which: פ, and ב and כ after the first letter, are written as both readings (:data:`_TWO_READINGS`),
# and so is ח, kh, which spellings write h or ch. k is written q, which no h after it makes kh
# (כהן, Cohen), and צ tz, which is s (ts, tz or z). A geresh (׳, or an apostrophe) after ג, ז, צ or
# ת writes the sounds of other languages (ג׳ורג׳, George).
_HEBREW_RUN = re.compile("[\u0590-\u05ff\ufb1d-\ufb4f]+")
_HEBREW_LETTERS = {
    "א": "a", "ב": "BV", "ג": "g", "ד": "d", "ה": "h", "ו": "w", "ז": "z", "ח": "HX", "ט": "t",
    "י": "y", "כ": "KX", "ך": "KX", "ל": "l", "מ": "m", "ם": "m", "נ": "n", "ן": "n", "ס": "s",
    "ע": "", "פ": "PF", "ף": "f", "צ": "tz", "ץ": "tz", "ק": "q", "ר": "r", "ש": "sh", "ת": "t",
    "װ": "w", "ױ": "wy", "ײ": "y",
}  # fmt: skip
_HEBREW_OPENING = {"ב": "b", "כ": "q", "א": "a", "ע": "a"}
_HEBREW_GERESH = {"ג": "j", "ז": "zh", "צ": "ch", "ת": "th"}
_HEBREW_APOSTROPHE = re.compile("(?<=[\u05d0-\u05ea])['\u2019`\u05f3]")
# vowel points and cantillation marks (which most writing leaves out) and the hyphen maqaf
_HEBREW_MARKS = re.compile("[\u0591-\u05bd\u05bf-\u05c7]")
_HEBREW_NON_LETTERS = re.compile("[^\u05d0-\u05f3]+")


def hebrew_script_part(word: str) -> str:
    """The Latin letters of one word in Hebrew script, in capitals, as :func:`arabic_script_part`
    writes Arabic script: its consonants and vowel letters; ``BV``, ``KX`` and ``PF`` for a ב, כ or
    פ that may be read either way.

    >>> hebrew_script_part("משה"), hebrew_script_part("אברהם"), hebrew_script_part("ג׳ורג׳")
    ('MSHH', 'ABVRHM', 'JWRJ')
    """
    letters = unicodedata.normalize("NFD", word)
    out: list[str] = []
    doubled = {"ו": "װ", "י": "ײ"}  # וו is the consonant v, יי the glide y
    at = 0
    while at < len(letters):
        c = letters[at]
        nxt = letters[at + 1] if at + 1 < len(letters) else ""
        if nxt == "\u05f3" and c in _HEBREW_GERESH:
            out.append(_HEBREW_GERESH[c])
            at += 2
            continue
        if c in doubled and nxt == c and at > 0:
            c, at = doubled[c], at + 1
        if not out and c in _HEBREW_OPENING:
            out.append(_HEBREW_OPENING[c])
        elif c in _H_LETTERS and out and out[-1] in _BEFORE_H:
            pass  # as in Arabic script
        else:
            out.append(_HEBREW_LETTERS.get(c, ""))
        at += 1
    return "".join(out).upper()


# Hangul, read as the Revised Romanization of Korean writes it, syllable by syllable: the initial
# consonants, the vowels and the final consonants of a syllable block (U+AC00 + 588 x initial + 28 x
# vowel + final)
_HANGUL_RUN = re.compile("[\uac00-\ud7a3]+")
_HANGUL_INITIALS = (
    "g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "", "j", "jj", "ch", "k", "t", "p", "h",
)  # fmt: skip
_HANGUL_VOWELS = (
    "a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo", "we", "wi",
    "yu", "eu", "ui", "i",
)  # fmt: skip
_HANGUL_FINALS = (
    "", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "p", "t", "t", "p", "l", "m", "p", "p", "t", "t",
    "ng", "t", "t", "k", "t", "p", "t",
)  # fmt: skip
# the family names most Koreans bear, as they write them in Latin letters rather than as the
# romanisation does (Kim, not Gim; Lee, not I; Park, not Bak): the first syllable of a name
_KOREAN_FAMILY_NAMES = {
    "김": "kim", "이": "lee", "박": "park", "최": "choi", "정": "jung", "강": "kang", "조": "cho",
    "윤": "yoon", "장": "jang", "임": "lim", "한": "han", "오": "oh", "서": "seo", "신": "shin",
    "권": "kwon", "황": "hwang", "안": "ahn", "송": "song", "류": "ryu", "전": "jeon", "홍": "hong",
    "고": "ko", "문": "moon", "양": "yang", "손": "son", "배": "bae", "백": "baek", "허": "heo",
    "유": "yoo", "남": "nam", "노": "noh", "하": "ha", "곽": "kwak", "리": "ri",
}  # fmt: skip
# Chinese characters (and the kanji and hanja written with them): one syllable each
_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def hangul_syllables(word: str, family_name: bool = False) -> list[str]:
    """The syllables of a word in Hangul in Latin letters; with ``family_name``, the first in the
    spelling Koreans give their family names.

    >>> hangul_syllables("김정은", family_name=True)
    ['kim', 'jeong', 'eun']
    """
    out = []
    for c in word:
        initial, rest = divmod(ord(c) - 0xAC00, 588)
        vowel, final = divmod(rest, 28)
        out.append(_HANGUL_INITIALS[initial] + _HANGUL_VOWELS[vowel] + _HANGUL_FINALS[final])
    if family_name and word[0] in _KOREAN_FAMILY_NAMES:
        out[0] = _KOREAN_FAMILY_NAMES[word[0]]
    return out


def _east_asian(name: str) -> str:
    """``name`` with Hangul and Chinese characters written in Latin letters, a part for each
    syllable, as names in these scripts are written without spaces (김정은, Kim Jong Un; 习近平,
    Xi Jinping); the first word in Hangul is read as opening with the family name."""
    first = _HANGUL_RUN.search(name)

    def hangul(match: re.Match[str]) -> str:
        opening = first is not None and match.start() == first.start()
        return " " + " ".join(hangul_syllables(match.group(), family_name=opening)) + " "

    name = _HANGUL_RUN.sub(hangul, name)
    return _HAN.sub(lambda match: " " + anyascii(match.group()) + " ", name)


# the scripts of South Asia (Devanagari, Bengali, Gurmukhi, Gujarati, Oriya, Tamil, Telugu, Kannada,
# Malayalam, Sinhala) write a consonant with the vowel a unless a vowel sign or the virama follows
# it (न र े: Narendra, not nremdr as letter by letter); the languages of the north do not say that
# a at the end of a word after one consonant (राम, Ram) nor after one consonant between a vowel and
# one consonant with a vowel of its own (रहमान, Rahman), and Latin spellings write their names so
_INDIC_RUN = re.compile("[\u0900-\u0dff][\u0900-\u0dff\u200c\u200d]*")
_INDIC_NORTH = re.compile("[\u0900-\u0b7f]")  # Devanagari to Oriya
# letters anyascii writes without the mark that tells them apart, as names are spelled: ś and ṣ are
# sh, c is ch; Tamil's c is the s of Selvan
_INDIC_LETTERS = {"SHA": "sh", "SSA": "sh", "CA": "ch", "CHA": "chh"}
_TAMIL_CA = "\u0b9a"


def _indic_unit(c: str) -> tuple[str, str]:
    """The kind of one character of a South Asian script (``c`` consonant, ``v`` vowel, ``s`` vowel
    sign, ``x`` virama, ``n`` nasal or other mark, ``"" `` none) and its Latin letters."""
    latin = anyascii(c).lower().replace("'", "")
    name = unicodedata.name(c, "")
    if unicodedata.category(c) == "Lo":
        if latin[-1:] in ("a", "e", "i", "o", "u", ""):
            return "v", latin
        if c == _TAMIL_CA:
            return "c", "s"
        return "c", _INDIC_LETTERS.get(name.rsplit("LETTER ", 1)[-1], latin)
    if unicodedata.category(c) in ("Mn", "Mc"):
        if "VIRAMA" in name or "SIGN AL-LAKUNA" in name:
            return "x", ""
        if "NUKTA" in name:
            return "", ""
        if latin[:1] in ("a", "e", "i", "o", "u", "r", "l") and "SIGN" in name and "ANUSVARA" not in name:
            return "s", latin
        return "n", "h" if "VISARGA" in name else "n"
    return "", ""


def indic_word(word: str) -> str:
    """A word in a script of South Asia in Latin letters, with the vowels it does not write.

    >>> indic_word("नरेंद्र"), indic_word("रहमान"), indic_word("தமிழ்செல்வன்")
    ('narendra', 'rahman', 'tamilselvan')
    """
    units = [unit for unit in map(_indic_unit, word) if unit[0]]
    # syllables: the consonants (their letters and how many), the vowel and whether it is the a
    # that no sign writes
    syllables: list[_Syllable] = []
    cluster, consonants = "", 0
    for at, (kind, latin) in enumerate(units):
        nxt = units[at + 1] if at + 1 < len(units) else ("", "")
        if kind == "c":
            cluster, consonants = cluster + latin, consonants + 1
            if nxt[0] == "x":
                continue
            if nxt[0] != "s":
                syllables.append(_Syllable(cluster, consonants, "a", inherent=True))
                cluster, consonants = "", 0
        elif kind in ("s", "v"):
            syllables.append(_Syllable(cluster, consonants, latin))
            cluster, consonants = "", 0
        elif kind == "n" and syllables:
            # a nasal sign is m before p, b and m, ng before h (सिंह, Singh), else n
            following = nxt[1][:1]
            nasal = {"p": "m", "b": "m", "m": "m", "h": "ng"}.get(following, "n")
            syllables[-1].vowel += nasal if latin == "n" else latin
    if _INDIC_NORTH.search(word) and len(syllables) > 1:
        last = syllables[-1]
        if last.inherent and last.consonants == 1:
            last.vowel = ""
        for before, here, after in zip(syllables, syllables[1:], syllables[2:], strict=False):
            single = here.consonants == after.consonants == 1
            if single and here.inherent and before.vowel and after.vowel:
                here.vowel, here.inherent = "", False
    return "".join(syllable.consonant + syllable.vowel for syllable in syllables) + cluster


@dataclass
class _Syllable:
    consonant: str
    consonants: int
    vowel: str
    inherent: bool = False


# Japanese kana, read as the Hepburn romanisation writes them: a small ya, yu or yo after a kana
# of the i row makes one syllable with it (ジョ, jo; キャ, kya), a small vowel after another kana
# takes the place of its vowel, as names from other languages write sounds Japanese lacks (ファ,
# fa; ティ, ti; ウィ, wi), a small tsu doubles the consonant after it and the long-vowel mark is
# not written (ジョージ, joji)
_KANA_RUN = re.compile("[\u3041-\u309f\u30a0-\u30ff\u31f0-\u31ff\uff66-\uff9f]+")
_SMALL_Y = frozenset("ャュョゃゅょ")
_SMALL_VOWELS = frozenset("ァィゥェォぁぃぅぇぉ")
_SMALL_TSU = frozenset("ッっ")
_KANA_BREAKS = frozenset("・＝゠")


def kana_word(word: str) -> str:
    """A word in Japanese kana in Latin letters (see above).

    >>> kana_word("ジョージ"), kana_word("ファティマ"), kana_word("キッチン")
    ('joji', 'fatima', 'kitchin')
    """
    out: list[str] = []
    double = False
    for c in unicodedata.normalize("NFKC", word):
        latin = anyascii(c).lower()
        if c in _KANA_BREAKS:
            out.append(" ")
            continue
        if c in _SMALL_TSU:
            double = True
            continue
        if c in _SMALL_Y and out and out[-1].endswith("i") and len(out[-1]) > 1:
            head = out[-1][:-1]
            out[-1] = head + (latin[1:] if head.endswith(("sh", "ch", "j")) else latin)
            continue
        if c in _SMALL_VOWELS and out and out[-1][-1:] in ("u", "i", "o", "e") and out[-1] != " ":
            head = out[-1][:-1] or "w"  # ウィ: wi
            out[-1] = head + latin
            continue
        if double and latin[:1] not in ("a", "e", "i", "o", "u", ""):
            latin = ("t" if latin.startswith("ch") else latin[0]) + latin
        double = False
        out.append(latin)
    return "".join(out)


# Burmese, read syllable by syllable as Latin spellings of Burmese names write them (Min Aung
# Hlaing, Kyaw Zaw, Thein Htun): a part for each syllable, as Burmese writes names without spaces. A
# syllable is an initial consonant (or a vowel letter), the signs of its medial consonants (ျ and ြ
# y, ွ w, ှ an h before it), its vowel signs and a final consonant marked by the asat (်) or
# stacked by the virama (္); the vowel of the Latin spelling comes from the vowel signs and the
# final together (ော with င် is aung, ို with င် aing, ိ with န် ein); tones are not written, but a
# nasal final with the creaky tone (့) is written with a t
_BURMESE_RUN = re.compile("[\u1000-\u109f]+")
_BURMESE_INITIALS = {
    "က": "k", "ခ": "kh", "ဂ": "g", "ဃ": "g", "င": "ng", "စ": "s", "ဆ": "s", "ဇ": "z",
    "ဈ": "z", "ည": "ny", "ဋ": "t", "ဌ": "ht", "ဍ": "d", "ဎ": "d", "ဏ": "n", "တ": "t",
    "ထ": "ht", "ဒ": "d", "ဓ": "d", "န": "n", "ပ": "p", "ဖ": "ph", "ဗ": "b", "ဘ": "b",
    "မ": "m", "ယ": "y", "ရ": "y", "လ": "l", "ဝ": "w", "သ": "th", "ဟ": "h", "ဠ": "l",
    "အ": "-", "ဣ": "i", "ဤ": "i", "ဥ": "u", "ဦ": "u", "ဧ": "e", "ဩ": "aw", "ဪ": "aw",
}  # fmt: skip
_BURMESE_FINALS = {
    "က": "k", "ဂ": "k", "င": "ng", "စ": "c", "ဇ": "c", "တ": "t", "ဒ": "t", "ပ": "t", "ဗ": "t",
    "ည": "ny", "ဉ": "ny", "န": "n", "မ": "n", "ဏ": "n", "ယ": "y", "လ": "n",
}  # fmt: skip
_BURMESE_VOWELS = {"ါ": "a", "ာ": "a", "ိ": "i", "ီ": "i", "ု": "u", "ူ": "u", "ေ": "e", "ဲ": "e"}
# the Latin vowel of a syllable by its vowel (as :data:`_BURMESE_VOWELS` and ော aw, ို o) and final
_BURMESE_RIMES = {
    ("", ""): "a", ("a", ""): "a", ("i", ""): "i", ("u", ""): "u", ("e", ""): "e", ("aw", ""): "aw",
    ("o", ""): "o", ("", "k"): "et", ("o", "k"): "aik", ("aw", "k"): "auk", ("i", "k"): "eik",
    ("u", "k"): "ok", ("", "ng"): "in", ("o", "ng"): "aing", ("aw", "ng"): "aung", ("i", "ng"): "ein",
    ("u", "ng"): "ong", ("", "t"): "at", ("i", "t"): "eik", ("u", "t"): "ok", ("", "n"): "an",
    ("i", "n"): "ein", ("u", "n"): "on", ("", "ny"): "i", ("", "y"): "e", ("", "c"): "it",
}  # fmt: skip
_BURMESE_H = {"ရ": "sh", "ယ": "sh", "လ": "hl", "မ": "hm", "န": "hn", "ည": "hny", "ဝ": "hw", "င": "hng"}
_ASAT, _VIRAMA, _CREAKY = "\u103a", "\u1039", "\u1037"


def burmese_syllables(word: str) -> list[str]:
    """The syllables of a word in Burmese script in Latin letters (see above).

    >>> burmese_syllables("မင်းအောင်လှိုင်")
    ['min', 'aung', 'hlaing']
    """
    syllables: list[list[str]] = []  # each: initial, medials, vowel signs, final
    for at, c in enumerate(word):
        # the dot below (the creaky tone) may stand before the asat
        nxt = next((d for d in word[at + 1 :] if d != _CREAKY), "")
        if c in _BURMESE_INITIALS and nxt not in (_ASAT, _VIRAMA):
            syllables.append([c, "", "", ""])
        elif not syllables:
            continue
        elif c in _BURMESE_FINALS and nxt in (_ASAT, _VIRAMA):
            syllables[-1][3] = _BURMESE_FINALS[c]
        elif c in "\u103b\u103c\u103d\u103e":
            syllables[-1][1] += c
        elif c in _BURMESE_VOWELS:
            syllables[-1][2] += _BURMESE_VOWELS[c]
        elif c == "\u1036":  # the anusvara: a final n
            syllables[-1][3] = "n"
        elif c == _CREAKY:
            syllables[-1][1] += c
    return [_burmese_syllable(*syllable) for syllable in syllables]


def _burmese_syllable(initial: str, medials: str, signs: str, final: str) -> str:
    onset = _BURMESE_INITIALS[initial].strip("-")
    if "\u103e" in medials:  # ှ
        onset = _BURMESE_H.get(initial, "h" + onset)
    if "\u103b" in medials or "\u103c" in medials:  # ျ, ြ
        onset = "ch" if initial == "ခ" else onset + "y"
    vowel = {"ea": "aw", "iu": "o", "aa": "a", "ii": "i", "uu": "u"}.get(signs, signs[:2])
    if "\u103d" in medials:  # ွ: w, and with a final the u of Htun
        if final in ("n", "t"):
            creaky = "t" if _CREAKY in medials and final == "n" else ""
            return onset + ("un" if final == "n" else "ut") + creaky
        onset += "w"
    if initial in "ဣဤဥဦဧဩဪ":
        return onset + {"n": "n", "t": "t", "ng": "n", "k": "k"}.get(final, "")
    rime = _BURMESE_RIMES.get((vowel, final), (vowel or "a") + final)
    # a nasal final said with the creaky tone is written with a t (Myint, Thant, Nyunt)
    return onset + rime + ("t" if _CREAKY in medials and final in ("n", "ng") else "")


# Ethiopic (Tigrinya, Amharic): each letter is a consonant with a vowel, and the sixth form of a
# consonant has the vowel ə or none, which anyascii leaves out (ብርሃነ: brhane). Names are said, and
# written in Latin letters, with the vowel where a consonant opens the word before another (Berhane,
# Kibrom, Mihretab) and between two consonants that end it (Yohannes); elsewhere the letters say it
_ETHIOPIC_RUN = re.compile("[\u1200-\u137f]+")
_ETHIOPIC_MARKS = re.compile("['`]")


def _ethiopic_sixth(c: str) -> bool:
    """Whether ``c`` is the sixth form of an Ethiopic consonant (እ and ዕ, of the rows of vowels, are
    vowels)."""
    code = ord(c)
    return 0x1200 <= code <= 0x135A and (code - 0x1200) % 8 == 5 and c not in "እዕ"


def ethiopic_word(word: str) -> str:
    """A word in Ethiopic script in Latin letters, with the vowel ə where names are said with it.

    >>> ethiopic_word("ብርሃነ"), ethiopic_word("ዮሃንስ"), ethiopic_word("ገብረመስቀል")
    ('berhane', 'yohanes', 'gebremeskel')
    """
    letters = list(word)
    # the ejectives' apostrophe left out (ቀ, k'e); እ and ዕ, the vowel ə alone, written e
    out = [_ETHIOPIC_MARKS.sub("", anyascii(c).lower()) or ("e" if c in "እዕ" else "") for c in letters]
    sixth = [_ethiopic_sixth(c) for c in letters]
    if len(letters) > 1 and sixth[0] and out[1][:1] not in ("a", "e", "i", "o", "u", ""):
        out[0] += "e"
    if len(letters) > 2 and sixth[-1] and sixth[-2] and out[-2] not in ("y", "w") and out[-3][-1:] in "aeiou":
        out[-2] += "e"
    return "".join(out)


# Thai, read as the Royal Thai General System writes it, syllable by syllable: vowels written
# before their consonant (เ, แ, โ, ใ, ไ) read after it, and around it with the signs after (เ-ีย
# ia, เ-ือ uea, เ-า ao); a letter under ์ unsaid, with the ท, ต, ด or ธ before a silenced ร
# (จันทร์, chan); ห before a sonorant, and อ before ย, only marking tone; a letter with no vowel
# of its own closing the syllable before it, as one of k, t, p, n, ng, m, i or o (but l and r as
# written, as the spellings of names keep them: ศิลปอาชา, Silpa-archa, not sinlapa); where no
# vowel is written, o before a letter closing the syllable (สมชาย, somchai), a before another that
# opens one (ทวี, thawi), a then o in a word of three letters (ถนน, thanon); ว between two letters
# ua (ชวน, chuan), รร a or an (บรรหาร, banhan); a word's last letter after the one closing as
# written (ชินวัตร, chinwatr, as Shinawatra spells it). Tone marks are not written.
_THAI_RUN = re.compile("[\u0e01-\u0e4e]+")
_THAI_CONSONANTS = {
    "ก": "k", "ข": "kh", "ฃ": "kh", "ค": "kh", "ฅ": "kh", "ฆ": "kh", "ง": "ng", "จ": "ch", "ฉ": "ch",
    "ช": "ch", "ซ": "s", "ฌ": "ch", "ญ": "y", "ฎ": "d", "ฏ": "t", "ฐ": "th", "ฑ": "th", "ฒ": "th",
    "ณ": "n", "ด": "d", "ต": "t", "ถ": "th", "ท": "th", "ธ": "th", "น": "n", "บ": "b", "ป": "p",
    "ผ": "ph", "ฝ": "f", "พ": "ph", "ฟ": "f", "ภ": "ph", "ม": "m", "ย": "y", "ร": "r", "ล": "l",
    "ว": "w", "ศ": "s", "ษ": "s", "ส": "s", "ห": "h", "ฬ": "l", "อ": "", "ฮ": "h",
}  # fmt: skip
_THAI_FINALS = {
    **dict.fromkeys("กขฃคฅฆ", "k"), **dict.fromkeys("จฉชซฌฎฏฐฑฒดตถทธศษส", "t"),
    **dict.fromkeys("บปผฝพฟภ", "p"), **dict.fromkeys("ญณน", "n"), **dict.fromkeys("ลฬ", "l"),
    "ร": "r", "ง": "ng", "ม": "m", "ย": "i", "ว": "o", "อ": "",
}  # fmt: skip
_THAI_LEADING = {"เ": "e", "แ": "ae", "โ": "o", "ใ": "ai", "ไ": "ai"}
_THAI_SIGNS = {"ั": "a", "ิ": "i", "ี": "i", "ึ": "ue", "ื": "ue", "ุ": "u", "ู": "u", "ะ": "a", "า": "a", "ำ": "am"}
_THAI_VOWEL_LETTERS = {"ฤ": "rue", "ฦ": "lue"}
# the letters that open a syllable with ร, ล or ว after them (pr, khl, kw)
_THAI_CLUSTERS = {"ร": frozenset("กขคปพต"), "ล": frozenset("กขคปผพ"), "ว": frozenset("กขค")}
_THAI_SONORANTS = frozenset("งญนมยรลว")
# tone marks, the shortening sign, nikhahit and lakkhangyao: not read
_THAI_UNREAD = re.compile("[\u0e45\u0e47-\u0e4b\u0e4d]")
_THAI_SILENT = re.compile("(?:[ทตดธ](?=ร))?[\u0e01-\u0e2e][\u0e34\u0e38]?\u0e4c")


@dataclass
class _ThaiLetter:
    lead: str  # a vowel written before it
    letter: str
    signs: str  # the vowel signs written above, below or after it


def _thai_letters(word: str) -> list[_ThaiLetter]:
    text = _THAI_SILENT.sub("", _THAI_UNREAD.sub("", unicodedata.normalize("NFC", word)))
    letters: list[_ThaiLetter] = []
    lead = ""
    for c in text:
        if c in _THAI_LEADING:
            lead = c
        elif c in _THAI_CONSONANTS or c in _THAI_VOWEL_LETTERS:
            letters.append(_ThaiLetter(lead, c, ""))
            lead = ""
        elif letters and c in _THAI_SIGNS:
            letters[-1].signs += c
    return letters


def thai_word(word: str) -> str:
    """A word in Thai script in Latin letters, as the Royal Thai General System writes it.

    >>> thai_word("สมชาย"), thai_word("ประยุทธ์"), thai_word("วงษ์สุวรรณ"), thai_word("เขียว")
    ('somchai', 'prayut', 'wongsuwan', 'khiao')
    """
    units = _thai_letters(word)

    def letter(at: int) -> str:
        return units[at].letter if at < len(units) else ""

    def bare(at: int) -> bool:  # a letter with no vowel written with it
        return at < len(units) and not units[at].lead and not units[at].signs

    out: list[str] = []
    i = 0
    while i < len(units):
        unit = units[i]
        if unit.letter in _THAI_VOWEL_LETTERS:
            out.append(_THAI_VOWEL_LETTERS[unit.letter])
            i += 1
            continue
        lead, signs, onset = unit.lead, unit.signs, _THAI_CONSONANTS[unit.letter]
        i += 1
        nxt = letter(i)
        if (lead or bare(i - 1)) and not signs and i < len(units) and not units[i].lead:
            # a cluster (pr, khl, khw): the vowel written with its second letter, or none written
            # when one letter more ends the word (กลม, klom)
            ends = bare(i) and i + 2 == len(units) and bare(i + 1) and letter(i + 1) not in "รอว"
            if unit.letter in _THAI_CLUSTERS.get(nxt, ()) and (lead or units[i].signs or ends):
                onset, signs, i = onset + _THAI_CONSONANTS[nxt], units[i].signs, i + 1
            elif (unit.letter == "ห" and nxt in _THAI_SONORANTS) or (unit.letter == "อ" and nxt == "ย"):
                # ห or อ marking the tone of the letter after it (หญิง, ying; อยู่, yu)
                onset, signs, i = _THAI_CONSONANTS[nxt], units[i].signs, i + 1
        vowel, short, takes_next = _thai_vowel(lead, signs, units, i)
        three = False
        if vowel is not None:
            i += takes_next
        elif nxt == "อ" and bare(i) and i + 1 < len(units):
            vowel, short, i = "o", False, i + 1
        elif nxt == "ว" and bare(i) and bare(i + 1):
            vowel, short, i = "ua", True, i + 1
        elif nxt == "ร" and bare(i) and letter(i + 1) == "ร" and bare(i + 1):
            i += 2
            vowel, short = ("a", True) if bare(i) else ("an", False)
        else:
            # a word of three letters and no vowel is said a, then o: กมล kamon, ถนน thanon
            three = not out and len(units) == 3 and i == 1 and bare(1) and bare(2)
            vowel = "o" if (bare(i) and not three) or (i >= len(units) and out) else "a"
            short = vowel == "o"
        out.append(onset + vowel)
        if not bare(i) or letter(i) in _THAI_VOWEL_LETTERS or (vowel == "a" and three):
            continue
        # the letter after a vowel closes its syllable unless it opens one of its own: before อ
        # read as a vowel (ทอง), before รร or ว read as ua, or as the first of the two letters
        # that end the word (จุลานนท์, chulanon); after a vowel written short (ั) it always closes
        opens = letter(i + 1) == "อ" and bare(i + 1) and i + 2 < len(units)
        opens = opens or (letter(i + 1) == "ร" and letter(i + 2) == "ร")
        opens = opens or (letter(i + 1) == "ว" and bare(i + 1) and bare(i + 2))  # ว as ua (อำนวย)
        opens = opens or (i + 2 == len(units) and bare(i + 1) and letter(i + 1) != "ร")
        if opens and not short:
            continue
        out.append(_THAI_FINALS.get(letter(i), _THAI_CONSONANTS[letter(i)]))  # ห, ฮ: as written
        i += 1
        if i + 1 == len(units) and bare(i) and letter(i) in _THAI_CONSONANTS:
            out.append(_THAI_CONSONANTS[letter(i)])  # the word's last letter after the one closing (ตร)
            i += 1
    return "".join(out)


def _thai_vowel(lead: str, signs: str, units: list[_ThaiLetter], at: int) -> tuple[str | None, bool, bool]:
    """The vowel written by ``lead`` and ``signs`` (None when none is), whether it is short a (ั),
    and whether the letter at ``at`` is part of it (เ-ีย, เ-ือ, เ-อ, -ัว, -ือ)."""
    if not lead and not signs:
        return None, False, False
    following = units[at].letter if at < len(units) and not units[at].lead and not units[at].signs else ""
    if lead == "เ":
        if signs.startswith("ี") and following == "ย":
            return "ia", False, True
        if signs.startswith("ื") and following == "อ":
            return "uea", False, True
        if not signs and following == "อ":
            return "oe", False, True
        if signs == "ิ":
            return "oe", False, False
        if signs.startswith("า"):
            return "ao", False, False
    if lead:
        return _THAI_LEADING[lead], False, False
    if signs.startswith("ั") and following == "ว":
        return "ua", False, True
    if signs == "ื" and following == "อ":
        return "ue", False, True
    return "".join(_THAI_SIGNS[c] for c in signs), signs.startswith("ั"), False


# Khmer, syllable by syllable: each consonant is of the first series, whose vowels are said as
# written, or the second (:data:`_KHMER_SECOND`), which says them otherwise (ា a or ea: ជា Chea; ុ o
# or u), as the marks ៉ and ៊ may change (ប៉ is p: ប៉ុល, Pol; ហ៊ុន, Hun); a subscript consonant
# joins the one above it, and only one that is not a sonorant brings its series; a consonant with
# no vowel after a vowel closes the syllable, and otherwise has the series' own vowel, a or o (សម,
# Sam; ពត, Pot); ់ shortens a vowel anyascii would write out (ចាន់, Chan).
_KHMER_RUN = re.compile("[\u1780-\u17ff]+")
_KHMER_SECOND = frozenset("គឃងជឈញឌឍទធនពភមយរលវ")
_KHMER_SONORANTS = frozenset("ងញនមយរលវ")
_KHMER_VOWELS = {
    "ា": ("a", "ea"), "ិ": ("e", "i"), "ី": ("ei", "i"), "ឹ": ("oe", "ue"), "ឺ": ("oe", "ue"),
    "ុ": ("o", "u"), "ូ": ("o", "u"), "ួ": ("uo", "uo"), "ើ": ("aeu", "eu"), "ឿ": ("oea", "oea"),
    "ៀ": ("ie", "ie"), "េ": ("e", "e"), "ែ": ("e", "e"), "ៃ": ("ai", "ey"), "ោ": ("ao", "ou"),
    "ៅ": ("au", "ov"),
}  # fmt: skip


@dataclass
class _KhmerSyllable:
    onset: str
    second: bool  # of the second series
    vowel: str | None
    closed: bool = False  # by a final nasal sign (ំ)


def _khmer_syllables(word: str) -> list[_KhmerSyllable]:
    chars = [c for c in unicodedata.normalize("NFC", word) if c != "\u17cb"]
    found: list[_KhmerSyllable] = []
    at = 0
    while at < len(chars):
        c = chars[at]
        if not "\u1780" <= c <= "\u17a2":
            if found and c == "\u17c6":  # ំ: a final m
                last = found[-1]
                last.vowel, last.closed = (last.vowel or ("o" if last.second else "a")) + "m", True
            at += 1
            continue
        second, onset = c in _KHMER_SECOND, anyascii(c).lower()
        if c == "ប" and chars[at + 1 : at + 2] == ["\u17c9"]:
            onset = "p"
        at += 1
        while at + 1 < len(chars) and chars[at] == "\u17d2" and "\u1780" <= chars[at + 1] <= "\u17a2":
            below = chars[at + 1]
            onset += anyascii(below).lower()
            second = second or (below in _KHMER_SECOND and below not in _KHMER_SONORANTS)
            at += 2
        if at < len(chars) and chars[at] in "\u17c9\u17ca":
            second, at = chars[at] == "\u17ca", at + 1
        vowel = None
        if at < len(chars) and "\u17b6" <= chars[at] <= "\u17c5":
            pair = _KHMER_VOWELS.get(chars[at])
            vowel = pair[second] if pair else anyascii(chars[at]).lower()
            at += 1
        found.append(_KhmerSyllable(onset, second, vowel))
    return found


def khmer_word(word: str) -> str:
    """A word in Khmer script in Latin letters, with the vowels of its consonants' series.

    >>> khmer_word("ហ៊ុន"), khmer_word("ជា"), khmer_word("ប៉ុល"), khmer_word("ពត"), khmer_word("សំផន")
    ('hun', 'chea', 'pol', 'pot', 'samphan')
    """
    letters = _khmer_syllables(word)
    out: list[str] = []
    open_before = False  # the syllable before has its vowel and no final consonant yet
    for at, letter in enumerate(letters):
        vowel = letter.vowel
        if vowel is None:
            after = letters[at + 1] if at + 1 < len(letters) else None
            if open_before and (after is None or after.vowel is not None or at + 2 >= len(letters)):
                out.append(letter.onset)  # closes the syllable before
                open_before = False
                continue
            vowel = "o" if letter.second else "a"
        out.append(letter.onset + vowel)
        open_before = not letter.closed
    return "".join(out)


def _latin(segment: str, uyghur: bool = False) -> str:
    """A segment of a name in Latin letters: Arabic and Hebrew script word by word (Arabic script as
    Uyghur writes it with ``uyghur``), the rest by anyascii."""
    if _ARABIC_RUN.fullmatch(segment):
        words = _ARABIC_NON_LETTERS.split(segment.replace("\u200c", ""))
        return " " + " ".join(arabic_script_part(w, uyghur) for w in words if w) + " "
    if _HEBREW_RUN.fullmatch(segment):
        words = _HEBREW_NON_LETTERS.split(_HEBREW_MARKS.sub("", unicodedata.normalize("NFD", segment)))
        return " " + " ".join(hebrew_script_part(w) for w in words if w) + " "
    return anyascii(segment).lower().replace("'", "").replace("`", "")


# the scripts read word by word into Latin letters before the rest of the name (a word of them gives
# parts of its own)
_SCRIPT_READERS: tuple[tuple[re.Pattern[str], Callable[[str], str]], ...] = (
    (_INDIC_RUN, indic_word),
    (_BURMESE_RUN, lambda word: " ".join(burmese_syllables(word))),
    (_ETHIOPIC_RUN, ethiopic_word),
    (_KANA_RUN, kana_word),
    (_THAI_RUN, thai_word),
    (_KHMER_RUN, khmer_word),
)


def _read_run(read: Callable[[str], str], match: re.Match[str]) -> str:
    return f" {read(match.group())} "


_WRITTEN_SEGMENTS = re.compile(f"({_ARABIC_RUN.pattern}|{_HEBREW_RUN.pattern})")
_ARABIC_NON_LETTERS = re.compile(r"[^\w]+|[\d_]+")


def _tokens(name: str) -> list[str]:
    if "/" in name:
        name = _SLASHED.sub(lambda m: _SLASHED_WORDS[m.group(1)], _SLASHED_TITLE.sub(" ", name))
    name = _ARABIC_ARTICLE.sub("", name)  # the article joined to an Arabic-script word
    name = _SYMBOLS.sub(" ", name.translate(_LATIN_READINGS))
    if _HANGUL_RUN.search(name) or _HAN.search(name):
        name = _east_asian(name)
    for run, read in _SCRIPT_READERS:
        if run.search(name):
            name = run.sub(partial(_read_run, read), name)
    if _HEBREW_RUN.search(name):
        name = _HEBREW_APOSTROPHE.sub("\u05f3", name)
    uyghur = _UYGHUR_LETTERS.search(name) is not None
    latin = "".join(_latin(segment, uyghur) for segment in _WRITTEN_SEGMENTS.split(name) if segment)
    return [t for t in _SPLIT.split(latin) if t]


def name_parts(name: str) -> tuple[str, ...]:
    """The comparable parts of ``name`` (see the module docstring); a number (an age, a year
    written beside the name) is none."""
    tokens = [t for t in _tokens(name) if not t.isdigit()]
    abbreviated = {word.lower() for word in _ABBREVIATED.findall(name)}
    while len(tokens) > 1 and tokens[0] in _TITLES:  # Latin parts are lower-cased; Arabic script is not
        if tokens[0] in _TITLES_ALSO_NAMES and tokens[0] not in abbreviated:
            break
        tokens = tokens[1:]
    if len(tokens) > 2 and not _GENERATIONS.isdisjoint(tokens[1:]):
        tokens = [tokens[0], *(t for t in tokens[1:] if t not in _GENERATIONS)]
    parts: list[str] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        nxt = tokens[index + 1] if index + 1 < len(tokens) else None
        if token.isupper():  # a word in Arabic script: its particles are written one way
            if token in _ARABIC_DROPPED:
                index += 1
            elif token in _ARABIC_PREFIXES and nxt is not None and nxt.isupper():
                parts.append(token + nxt)
                index += 2
            elif token == _ARABIC_ALLAH and parts and parts[-1].isupper():
                parts[-1] += token  # نصر الله, Nasrallah; عبد الله, Abdullah
                index += 1
            else:
                parts.append(_ARABIC_ABD_JOINED.sub("ABD", token))
                index += 1
            continue
        if _dropped(token, index == 0) or (nxt is not None and _an_article(token, nxt)):
            index += 1
            continue
        abu = token in _ABU and (index > 0 or token not in _ABU_AFTER_FIRST)
        if (abu or _ABD.match(token)) and nxt is not None:
            rest = tokens[index + 2] if nxt in _ARTICLES and index + 2 < len(tokens) else nxt
            step = 3 if rest is not nxt else 2
            prefix = "abu" if token in _ABU else "abd"
            parts.append(prefix + _strip_article(rest))
            index += step
            continue
        joined = _ABD_JOINED.match(token)
        if joined and len(token) > 5:
            parts.append("abd" + _after_abd(token, joined))
        else:
            parts.append(_strip_article(token))
        index += 1
    return tuple(p for p in parts if p)


def _dropped(word: str, first: bool) -> bool:
    """Whether ``word`` is a particle left out of the parts: bin, ibn, ould...; b only after the
    first part, as bin cut short (Muhammad b. Ali), not the initial B opening a name."""
    return word in _DROPPED and not (first and word == "b")


def _an_article(word: str, nxt: str) -> bool:
    """Whether ``word``, a word of its own before ``nxt``, is the Arabic article: al, el or ul, or
    the article said as the first letter of ``nxt`` (ad Din, ash Shami)."""
    if word in _ARTICLES_ALONE:
        return True
    return word in _ASSIMILATED_ARTICLES and nxt.startswith(word[1:]) and len(nxt) > len(word)


def _after_abd(part: str, joined: re.Match[str]) -> str:
    """What follows the Abd (and the article) that open ``part``, as :data:`_ABD_JOINED` found them:
    an article said as the next word's first letter and written once gives the letter back."""
    rest = part[joined.end() :]
    assimilated = _ASSIMILATED.search(joined.group())
    if assimilated and not rest.startswith(assimilated.group(1)):
        rest = assimilated.group(1) + rest
    return _strip_article(rest)


def _strip_article(part: str) -> str:
    # a doubled consonant left by an assimilated article: (ar)rahman, (as)salam
    if len(part) > 4 and part[0] == part[1] and part[0] not in "aeiou":
        return part[1:]
    return part


# Spelling rules, applied in order, from the romanisation systems in use for Arabic and Cyrillic
# names (BGN/PCGN, ISO 9 and scholarly systems, English, French and German transcriptions): one
# sound written several ways is written one way.
_RULES: tuple[tuple[str, str], ...] = (
    ("tzh", "tsh"),  # ts and h (Yitzhak), not t and zh
    ("shch", "sh"),  # щ: shch, sch, sh, szcz
    ("szcz", "sh"),
    ("cz", "ch"),  # ч in Polish transcriptions (ц in old Hungarian ones: s all the same below)
    ("sz", "sh"),  # ш in Polish transcriptions (s in Hungarian ones)
    ("x", "ks"),  # кс: x, ks (before the hushing sound is written x)
    ("tsch", "ch"),  # ч in German transcriptions
    ("sch", "sh"),  # ш in German transcriptions
    ("tch", "ch"),  # ч in French transcriptions
    ("dzh", "j"),  # дж
    ("dsch", "j"),
    ("dj", "j"),  # ج in French transcriptions
    ("zh", "j"),  # ж
    ("kh", "h"),  # х, خ
    ("ph", "f"),
    ("th", "t"),  # ث, and t written th
    ("dh", "d"),  # ذ, ض
    ("gh", "g"),  # غ
    ("ck", "k"),
    ("q", "k"),  # ق: q, k, g
    ("chr", "kr"),
    ("ch", "x"),  # ч (English ch), ш (French ch): one hushing sound, apart from s
    ("sh", "x"),
    ("tz", "s"),  # ц: ts, tz, c, z
    ("ts", "s"),
    ("ce", "se"),
    ("ci", "si"),
    ("cy", "sy"),
    ("c", "k"),
    ("oua", "wa"),  # French ou before a vowel: w (Ouardane: Wardane)
    ("oue", "we"),
    ("w", "v"),  # -ov, -ow; v, w
    ("z", "s"),
    ("ou", "u"),  # French and English u
    ("oo", "u"),
    ("ee", "i"),
)
_VOWELS_Y = re.compile(r"[aeiouy]")
# qu before a vowel is k in Romance spellings (Enrique); before a consonant it is q and u, as in
# Arabic names (Yaqub, Qutb)
_QU_BEFORE_VOWEL = re.compile(r"qu(?=[aeiouy])")
_DOUBLES = re.compile(r"(.)\1+")
# j for й (German and scholarly transcriptions of Cyrillic): after a consonant, before one, or
# at the end after e, i, o or y (-ej, -ij, -oj; not -aj, an Arabic ending)
_J_GLIDE = re.compile(r"(?<=[a-z])j(?=[^aeiou])|(?<=[eioy])j$|(?<=[^aeiou])j")
_FINAL_H = re.compile(r"(?<=[aeiouy])h$")  # -ah, -eh: a, e
_FINAL_E = re.compile(r"(?<=[^aeiou])e$")  # a final e that is not said
# the diphthong ai (Arabic ay) written ai, ay, ei or ey inside a part, before a consonant
_DIPHTHONG = re.compile(r"(?<=[a-z])[ae][iy](?=[^aeiouy])")
_FINAL_FF = re.compile(r"(?<=[aeiou])ff$")  # -off, -eff: -ov, -ev
_H_AFTER_CONSONANT = re.compile(r"(?<=[^aiu])h")
_VOWEL_CLASSES = str.maketrans({"o": "u", "e": "i", "y": "i"})
_CONSONANT_CLASSES = str.maketrans(
    {"p": "b", "v": "f", "d": "t", "g": "k", "j": "k", "c": "s", "x": "s", "h": None}
)
_CLASS_VOWELS = re.compile(r"[aiu]")


@lru_cache(maxsize=200_000)
def spelling(part: str) -> str:
    """``part`` with the spelling rules applied and its vowels kept by class (a; e, i, y; o, u)."""
    part = part.lower()  # a part read from Arabic script is written in capitals
    # a final -ah or -eh first, before kh is written h (a final kh stays); then qu before a vowel
    text = _QU_BEFORE_VOWEL.sub("k", _FINAL_H.sub("", part))
    for old, new in _RULES:
        text = text.replace(old, new)
    text = _FINAL_E.sub("", _DIPHTHONG.sub("ai", text))
    text = _FINAL_FF.sub("v", text)
    text = _J_GLIDE.sub("i", text.replace("jj", "j"))
    text = _H_AFTER_CONSONANT.sub("", text.translate(_VOWEL_CLASSES))
    return _DOUBLES.sub(r"\1", text)


@lru_cache(maxsize=200_000)
def skeleton(part: str) -> str:
    """A spelling-insensitive key of one name part: the consonants of its :func:`spelling` by
    class (b p; f v w; d t; g j k q; s z c), h dropped, and ``a`` for a vowel at the start."""
    text = spelling(part)
    if not text:
        return ""
    head = "a" if text[0] in "aiu" else text[0]
    text = (head + _CLASS_VOWELS.sub("", text[1:])).translate(_CONSONANT_CLASSES)
    return _DOUBLES.sub(r"\1", text) or head


#: weights of the similarities of two parts as written (Jaro-Winkler), of their spellings
#: (Levenshtein: a letter apart costs the same wherever it is) and of their skeletons (Jaro-Winkler)
#: in :func:`part_similarity`
WEIGHTS = (0.2, 0.5, 0.3)


#: the share of their similarity a pair of parts scores when compared without an article joined to
#: one of them
JOINED_ARTICLE = 0.95
# ben, bin or ibn joined to the family name they open (Benali, Binladen: Ben Ali, bin Laden), as
# Maghrebi family names write it, with four letters left (not Benson, Bineta's short ones)
_JOINED_BEN = re.compile(r"^(?:ben|bin|ibn)(?=[a-z]{4,}$)")
# before a vowel only al and el, and with four letters left (Alomari, Elamin; not Alina, Elias)
_JOINED_ARTICLE = re.compile(r"^(?:(?:al|el|ul)(?=[^aeiou][a-z]{3,}$)|(?:al|el)(?=[aeiou][a-z]{3,}$))")


#: the share of their similarity a pair of parts scores when compared with a letter read the other
#: way
OTHER_READING = 0.95
# letters that one transcription writes for one sound and another for another: ch is х in German,
# Polish and Czech transcriptions (Bochanow: Bokhanov) but ч or ш in English and French ones; j
# before a vowel is й (y) in German and Slavic ones (Jarevko: Yarevko) but ج (dj) in English
# ones; dh is ذ, ض or ظ, said z in Persian, Turkish and Urdu and in much of spoken Arabic
# (Nadhuran: Nazuran)
_CH_AS_KH = re.compile(r"(?<![st])ch")
_J_AS_Y = re.compile(r"(?:^|(?<=[aeiou]))j(?=[aeiou])")
_DH_AS_Z = re.compile(r"dh")
# kh is х or خ, which Turkish, Indonesian and some Slavic spellings write k (Mikhail: Mikail)
_KH_AS_K = re.compile(r"kh")
_SLAVIC_IC = re.compile(r"(?<=[a-z]{3})ic$")
# Somali's own Latin spelling writes ح (the h of Hasan) as x and ع as c, and long vowels doubled:
# Xasan is Hasan, Cumar is Umar (doubled vowels are already one in spellings). Its alphabet has no
# p, v or z and no ch, so a part with them is not read so.
_SOMALI_X = re.compile(r"x(?=[aeiou])|(?<=[aeiou])x")
_SOMALI_C = re.compile(r"c(?!k)")
_NOT_SOMALI = re.compile(r"[pvz]|ch")
_DOUBLED_VOWEL = re.compile(r"aa|ee|ii|oo|uu")


# a part that can be read as Korean syllables in Latin letters: an initial consonant, a glide, a
# vowel and a final consonant of those Korean has (Jeong, Myeongsu; not Mateus or Teodor)
_KOREAN_SYLLABLES = re.compile(
    r"(?:(?:kk|tt|pp|ss|jj|ch|[gndrmbsjktphl])?[yw]?(?:ae|eo|eu|oe|ui|a|e|i|o|u)(?:ng|[ktnlmp])?){1,3}"
)


_WADE_GILES_HS = re.compile(r"hs[a-z]{1,4}")  # a syllable of six letters at most
_PINYIN_C = re.compile(r"c[aeiou][a-z]{0,2}")  # a syllable of four letters at most, not ch
_OU_BEFORE_VOWEL = re.compile(r"(?<=[^aeiou])ou(?=[aei])")
_AW_DIPHTHONG = re.compile(r"[ao]w(?=[^aeiouyw])")
_OU_DIPHTHONG = re.compile(r"(?<![aeiou])ou(?=[^aeiouyw]|$)")


def _readings(part: str) -> tuple[str, ...]:
    """``part`` with ch read as kh and j before a vowel as y; with dh read as z; with kh read
    as k; with gh read as q; with aw or ou before a consonant read as au, ou before a vowel as u; a
    syllable that opens with hs with x, one that opens with c with ts, one that opens with ch with
    j instead; Korean eo and eu as o and u; a final ic as ich; and Albanian xh as j, when these
    change it."""
    found = [
        _J_AS_Y.sub("y", _CH_AS_KH.sub("kh", part)),
        _DH_AS_Z.sub("z", part),
        _KH_AS_K.sub("k", part),
    ]
    if "gh" in part:
        # Persian says ق as غ, and its romanisation writes both gh (Dehghan, Haghighi: Dehqan, Haqiqi)
        found.append(part.replace("gh", "q"))
    if _AW_DIPHTHONG.search(part):
        # the Arabic diphthong aw written aw, au or, in Persian romanisation, ow before a consonant
        # (Shawqi, Shauqi; Mawlawi, Maulawi, Mowlavi), where Polish and German spellings read aw
        # and ow as av and ov (Jarosławski, Romanowski)
        found.append(_AW_DIPHTHONG.sub("au", part))
    if _OU_BEFORE_VOWEL.search(part):
        # French ou before a vowel after a consonant: the u of a hiatus, where Arabic has a glottal
        # stop or ع between (Fouad, Fuad; Souad, Suad), as well as the w it is at a word's start
        found.append(_OU_BEFORE_VOWEL.sub("u", part))
    if _OU_DIPHTHONG.search(part):
        # and written ou, as French spellings write it and as Egyptian and Levantine Arabic say it
        # (Noufal, Nawfal; Chouki, Shawqi), where ou is otherwise a u (Mourad, Murad)
        found.append(_OU_DIPHTHONG.sub("au", part))
    if "xh" in part:
        # the Albanian xh, the j of other spellings (Xhafer: Jafer, Djafer)
        found.append(part.replace("xh", "j"))
    if _SLAVIC_IC.search(part):
        # the ć of South Slavic names written without its mark (Petrovic: Petrović, Petrovich)
        found.append(part + "h")
    if _WADE_GILES_HS.fullmatch(part):
        # Wade-Giles writes hs where Pinyin writes x (Hsu, Xu; Hsieh, Xie)
        found.append("x" + part[2:])
    if _PINYIN_C.fullmatch(part):
        # a syllable of Pinyin: its c is the ts of Wade-Giles and of English spellings (Cai, Tsai)
        found.append("ts" + part[1:])
    if part.startswith("ch") and len(part) <= 5:
        # one syllable of Korean or Chinese: the older romanisations write ch where the newer
        # write j (McCune-Reischauer Chung, Revised Jung; Wade-Giles Chou, Pinyin Zhou)
        found.append("j" + part[2:])
    if ("eo" in part or "eu" in part) and _KOREAN_SYLLABLES.fullmatch(part):
        # Korean: the Revised Romanization's eo and eu are the ŏ and ŭ of McCune-Reischauer, which
        # names write without the breve (Jeong, Jong; Eun, Un)
        found.append(part.replace("eo", "o").replace("eu", "u"))
    if part.isupper():  # read from Arabic script: ذ, ض and ظ said z, and ث said s (Persian, Urdu)
        found = [part.replace("DH", "Z"), part.replace("TH", "S")]
    return tuple(form for form in dict.fromkeys(found) if form != part)


def _somali_reading(part: str) -> str | None:
    """``part`` read as Somali spelling writes it (x as h, c as ع), or None when that changes
    nothing or the part cannot be Somali; an opening abd, so uncovered, is joined as elsewhere."""
    if part.isupper() or _NOT_SOMALI.search(part) or not ("x" in part or "c" in part):
        return None
    text = _SOMALI_X.sub("h", part)
    if text[0] == "c" or text != part or _DOUBLED_VOWEL.search(part):
        # c is also k or s where French, Spanish and Italian spellings write it (Hocine, Marco):
        # it is read as ع only at the start of a part or beside Somali's own x or doubled vowels
        text = _SOMALI_C.sub("", text)
    joined = _ABD_JOINED.match(text)
    if joined and len(text) > 5:
        text = "abd" + _after_abd(text, joined)
    return text if text != part and len(text) > 1 else None


# Turkish spelling (and the Latin spellings of Kurdish and Azerbaijani that follow it) writes the
# j of Jamal as c (Cemal, Cafer, Recep) and, by vowel harmony, the a of many names of Arabic origin
# as e (Kemal, Selim, Necmettin), and a final b or d as p or t. Its alphabet has no q, w or x; its
# c is never ch or ck.
#: the share of their similarity a pair of parts scores when one is read as Turkish spelling
#: writes it: its e read as a also gives false friends (Andre: Andra)
TURKISH_READING = 0.9
_TURKISH_C = re.compile(r"c(?![hk])")
_NOT_TURKISH = re.compile(r"[qwx]|c[hk]")


def _turkish_reading(part: str) -> str | None:
    """``part`` read as Turkish spelling writes it (c as j, e as a, a final p or t as b or d), or
    None when it has no Turkish c or cannot be Turkish; not for parts of under five letters, where
    the readings are too often another short name (Nic: Nij, as Naji)."""
    if len(part) < 5 or part.isupper() or _NOT_TURKISH.search(part) or not _TURKISH_C.search(part):
        return None
    text = _TURKISH_C.sub("j", part).replace("e", "a")
    # a final b or d is written p or t (Recep: Rajab, Cevdet: Jawdat)
    return text[:-1] + {"p": "b", "t": "d"}.get(text[-1], text[-1])


# Names across the former Soviet Union. Ukrainian and Belarusian give many given names forms of
# their own (Volodymyr, Uladzimir: Vladimir; Mykola, Mikalai: Nikolay), and romanise their letter г
# as h where Russian's г is g (Hrytsenko: Gritsenko). Belarusian also writes a where Russian writes
# an unstressed o, and ends family names in -au and -ka where Russian writes -ov and -ko
# (Lukashenka: Lukashenko). Russian writes the h of names of Arabic origin as g too, and the
# Russian forms are those of the passports and records of the North Caucasus and Central Asia
# (Magomed, Gasan, Gadzhi: Muhammad, Hasan, Hajji; Gasanov: Hasanov). West Africa gives names of
# Arabic origin forms of its own (Mamadou, Ousmane, Sekou: Muhammad, Uthman, Shaykh), and Muhammad
# is abbreviated Md. in Bangladesh and Mohd in Malaysia and Pakistan. Kurdish, in its Latin
# alphabet, writes the a of names of Arabic origin as e and kh as x (Mihemed, Hesen, Xelîl: Muhammad,
# Hasan, Khalil), and Abd as Ebd or Evd (Ebdulrehman, Evdila). Persian says the d of Arabic's ض
# as z and its q as gh, and romanises it so (Reza, Morteza, Ghasem: Rida, Murtada, Qasim). One
# person is written all these ways: in the sources of one country, and in the documents of a
# person born in another.
#: the share of their similarity a pair of parts scores when one is a given name compared in
#: another form of the name (:data:`_GIVEN_NAME_FORMS`: an East Slavic or a West African form): a
#: form of the same name, not a spelling of the same word (a Russian, Kurdish or Persian form of a
#: name of Arabic origin is such a spelling: it scores :data:`OTHER_READING` of it, as the other
#: readings do)
NAME_FORM = 0.9
_GIVEN_NAME_FORMS = Path(__file__).resolve().parent / "data" / "given_name_forms.json"
# the endings of East Slavic family names and patronymics (also those Russian gives names of other
# origins: Guseynov), from five letters: only these parts have their h read as g
_SLAVIC_ENDING = re.compile(
    r"(?:enk[oa]|[aoe]u|[oe]v(?:n?a)?|[iy]vna|[iy]ch|uk|ets|sk(?:[iy]|yi|iy|ii|a|aya))$"
)
_SLAVIC_H = re.compile(r"(?<![cszktgpd])h")
_SLAVIC_FINAL_I = re.compile(r"(?:iy|ii|ij|yi|yj)$")


def _name_form_key(part: str) -> str:
    """``part`` with the romanisations of й written alike (Serhiy, Serhii, Serhij)."""
    return _SLAVIC_FINAL_I.sub("iy", part.replace("j", "y"))


# the reasons the table's forms are found with (:data:`HOW_LABELS`)
_ANOTHER_FORM = "another form of the name"
_AS_RUSSIAN = "as Russian romanises it"
_AS_KURDISH = "as Kurdish writes it"
_AS_PERSIAN = "as Persian romanises it"
#: the sections of the table (:data:`_GIVEN_NAME_FORMS`) and what a form found there is
_NAME_FORM_SECTIONS = {
    "east_slavic": _ANOTHER_FORM,
    "arabic_in_russian": _AS_RUSSIAN,
    "arabic_regional": _ANOTHER_FORM,
    "kurdish": _AS_KURDISH,
    "persian": _AS_PERSIAN,
    "korean_family_names": _ANOTHER_FORM,
}
#: the ways of writing a name (not other forms of it): they score :data:`OTHER_READING` of the
#: similarity, and their forms are not read another way again (a form is written as the table has it)
_WRITTEN_WAYS = (_AS_RUSSIAN, _AS_KURDISH, _AS_PERSIAN)
# Kurdish writes the Abd that opens a name Ebd or Evd, and the article after it as the vowel
# before the second word (Ebdulrehman, Ebdurrehman, Evdirehman: Abd al-Rahman); Evd only before
# -il, -ul, -i or -u, so that Russian Evdokimov stays itself
_KURDISH_ABD = re.compile(r"^(?:ebd(?:ul|il|el|ur|ir|i|u|e)?|evd(?:il|ul|i|u))(?=[a-z]{3,})")


@dataclass(frozen=True)
class _NameForm:
    spellings: tuple[str, ...]  # the form, in its usual spellings
    how: str
    section: str


@lru_cache(maxsize=1)
def _given_name_forms() -> dict[str, _NameForm]:
    """Given names (by :func:`_name_form_key`) with the form they are also compared in."""
    data = json.loads(_GIVEN_NAME_FORMS.read_text(encoding="utf-8"))
    found: dict[str, _NameForm] = {}
    for section, how in _NAME_FORM_SECTIONS.items():
        for group in data[section]["groups"]:
            # names as :func:`name_parts` gives them (abdulhamid as abdhamid, abdullah as abdlah)
            form = _NameForm(tuple(_as_part(name) for name in group[0].split("/")), how, section)
            for other in group[1:]:
                found[_name_form_key(_as_part(other))] = form
    return found


def _as_part(name: str) -> str:
    """A one-word name of the table as :func:`name_parts` gives it."""
    parts = name_parts(name)
    return parts[0] if len(parts) == 1 else name


# a patronymic: the father's given name and an ending (Ukrainian -ovych, -ivna; Belarusian -avich,
# -auna; Russian -ovich, -evich, -ovna, -evna)
_PATRONYMIC = re.compile(r"^(?P<father>[a-z]{3,}?)(?P<end>[oae]v[iy]ch|[iy]?[oae]v(?:n|u)?a|ivna|auna)$")


def _patronymic_form(part: str) -> str | None:
    """A Ukrainian or Belarusian patronymic in its Russian form (mykolaiovych: nikolayevich), or
    None: the father's name must be in the table's East Slavic part, as written, without its last
    letter or with an ending (mykolai- for mykola, pavl- for pavlo, hryhor- for hryhoriy)."""
    match = _PATRONYMIC.match(part)
    if match is None:
        return None
    father, end = match["father"], match["end"]
    forms = _given_name_forms()
    for name in (father, father[:-1], father + "o", father + "a", father + "i", father + "iy"):
        found = forms.get(_name_form_key(name))
        if found is not None and found.section == "east_slavic":
            russian = found.spellings[0]
            soft = russian[-1] in "iy"
            female = end.endswith("a")
            return russian + ("e" if soft else "o") + ("vna" if female else "vich")
    return None


def _name_forms(part: str) -> list[tuple[str, str]]:
    """``part`` in another form of the name, when it is a given name of the table (volodymyr:
    vladimir, magomed: muhammad, mamadou: muhammad, hesen: hasan, in each of the form's usual
    spellings) or a patronymic of one; a name opened by Abd as Kurdish writes it (ebdulrehman:
    abdrahman); else a family name read as Russian romanises it (h as g; Belarusian -au as -ov,
    -enka as -enko); each with what was done."""
    if part.isupper():
        return []
    given = _given_name_forms().get(_name_form_key(part))
    if given is not None:
        if part in given.spellings:
            return []
        return [(spelling, given.how) for spelling in given.spellings]
    father = _patronymic_form(part)
    if father is not None:
        return [(father, _ANOTHER_FORM)]
    kurdish = _KURDISH_ABD.match(part)
    if kurdish is not None:
        rest = _after_abd(part, kurdish)
        second = _given_name_forms().get(_name_form_key(rest))
        rests = second.spellings if second is not None and second.how == _AS_KURDISH else (rest,)
        return [("abd" + name, _AS_KURDISH) for name in rests]
    if len(part) < 5 or not _SLAVIC_ENDING.search(part):
        return []
    text = _SLAVIC_H.sub("g", part)
    if text.endswith(("au", "ou")):
        text = text[:-2] + "ov"
    elif text.endswith("enka"):
        text = text[:-1] + "o"
    return [(text, _AS_RUSSIAN)] if text != part else []


#: the share of their similarity a pair of parts scores when one of them is compared without the
#: Abd that opens it: a name of the form Abd al-Qadir ("servant of the Almighty") is often said and
#: written by its second word alone (Qadir or Kader, Aziz, Rahman), and a standalone Abdo or Abdu
#: is read as joined to the part after it
WITHOUT_ABD = 0.9
# what follows Abd must be a name of its own: at least four letters (three in Arabic script, which
# leaves out short vowels), which leaves out the Allah of Abdullah
_ABD_REST = {False: 4, True: 3}


def _without_abd(part: str) -> str | None:
    """What follows the Abd that opens ``part`` (abdkader: kader), or None."""
    prefix = "ABD" if part.isupper() else "abd"
    if part.startswith(prefix) and len(part) - 3 >= _ABD_REST[part.isupper()]:
        return part[3:]
    return None


@lru_cache(maxsize=200_000)
def labelled_forms(part: str) -> tuple[tuple[str, str], ...]:
    """The forms of ``part`` (see :func:`forms`), each with what was done to it ("" for none)."""
    found = [(part, "")]
    bare = _JOINED_ARTICLE.sub("", part)
    if bare != part:
        found.append((_strip_article(bare), "without the article"))
    unjoined = _JOINED_BEN.sub("", part)
    if unjoined != part:
        found.append((unjoined, "without Ben or Bin"))
    somali = _somali_reading(part)
    if somali is not None:
        found.append((somali, "as Somali spelling writes it"))
    turkish = _turkish_reading(part)
    if turkish is not None:
        found.append((turkish, "as Turkish spelling writes it"))
    found.extend(_name_forms(part))
    for form, how in list(found):
        short = _without_abd(form)
        if short is not None:
            found.append((short, ", ".join(filter(None, (how, "without Abd")))))
    for form, how in list(found):
        if "Turkish" in how or _ANOTHER_FORM in how or any(way in how for way in _WRITTEN_WAYS):
            continue  # a Turkish j is the j of Jamal, never y; a form of a name is written as such
        for reading in _readings(form):
            # Arabic script's ذ, ض, ظ said z and ث said s: Persian, Urdu and Pashto say them so
            way = "as said in Persian" if part.isupper() else "read another way"
            found.append((reading, ", ".join(filter(None, (how, way)))))
    first: dict[str, str] = {}
    for form, how in found:
        first.setdefault(form, how)
    return tuple(first.items())


def forms(part: str) -> tuple[str, ...]:
    """``part``; ``part`` without the article when one is joined to it (alqudsani: qudsani);
    ``part`` read as Somali spelling writes it (xasan: hasan, :func:`_somali_reading`) and as
    Turkish spelling writes it (cemal: jamal, :func:`_turkish_reading`); ``part`` in another form
    of the name or as Russian romanises it (mykola: nikolay, magomed: muhammad, hrytsenko:
    gritsenko, :func:`_name_forms`); these without the Abd that opens them (abdkader: kader,
    :func:`_without_abd`); and all but the Turkish and Russian ones with the letters that
    transcriptions read differently read the other way (ch as kh, j before a vowel as y, dh as z:
    :func:`_readings`)."""
    return tuple(form for form, _ in labelled_forms(part))


@lru_cache(maxsize=500_000)
def part_similarity(a: str, b: str) -> tuple[float, str]:
    """Similarity of two parts (0-1) and how it was found.

    The weighted mean (:data:`WEIGHTS`) of the similarities of the parts, of their spellings and
    of their skeletons; the parts are also compared without an article joined to
    either (:func:`forms`), for :data:`JOINED_ARTICLE` of their similarity then, and with letters
    read the other way, for :data:`OTHER_READING` of it, and without an opening Abd, for
    :data:`WITHOUT_ABD` of it, and in another form of the name, for :data:`NAME_FORM` of it
    (:func:`_name_forms`). :func:`pairable` must find every
    pair this scores at or above :data:`PAIR_MIN`: a new way of finding two parts alike goes in both.
    """
    best, how = _form_similarity(a, b)
    for x, x_how in labelled_forms(a):
        for y, y_how in labelled_forms(b):
            if (x, y) != (a, b):
                score, why = _form_similarity(x, y)
                if "article" in x_how or "article" in y_how or "Ben or Bin" in x_how or "Ben or Bin" in y_how:
                    score *= JOINED_ARTICLE
                if "Abd" in x_how or "Abd" in y_how:
                    score *= WITHOUT_ABD
                if "another way" in x_how or "another way" in y_how:
                    score *= OTHER_READING
                elif ("Somali" in x_how and "c" in a) or ("Somali" in y_how and "c" in b):
                    # a c read as ع: other spellings read it k or s (x read as h costs nothing)
                    score *= OTHER_READING
                elif "Turkish" in x_how or "Turkish" in y_how:
                    score *= TURKISH_READING
                if _ANOTHER_FORM in x_how or _ANOTHER_FORM in y_how:
                    score *= NAME_FORM
                elif any(way in x_how or way in y_how for way in _WRITTEN_WAYS):
                    score *= OTHER_READING
                if score > best:
                    done = ", ".join(dict.fromkeys(h for h in (*x_how.split(", "), *y_how.split(", ")) if h))
                    best, how = score, f"{why}, {done}"
    return best, how


#: the similarity of an initial (a part of one letter: "M." for Mohammed) and a part it can stand
#: for: below :data:`PAIR_MIN`, as so many names open with that letter; such a pair adds
#: :data:`INITIAL_CREDIT` to the score, which ranks the name above those where the part is missing
#: or the initial stands for another, but makes no match unless the name has many more parts. Only
#: initials that no other part pairs with are so paired, and only in names of two parts or more
INITIAL = 0.8
INITIAL_CREDIT = 0.5


def initials(part: str) -> frozenset[str]:
    """The letters that can stand for ``part`` as its initial: its first letter, any vowel for a
    part read from Arabic script that opens with one (alif or ع)."""
    if not part.isupper():
        return frozenset(part[:1])
    firsts = {reading[:1] for reading, _ in _written_readings(part)}
    return frozenset("aeiou" if "a" in firsts else firsts)


def _form_similarity(a: str, b: str) -> tuple[float, str]:
    if a == b:
        return 1.0, "same"
    if a.isupper() != b.isupper():  # one part read from Arabic script
        found = consonantal_similarity(*((a, b) if a.isupper() else (b, a)))
        if found is not None:
            return found
    return _general_similarity(a.lower(), b.lower())


#: a part that begins another counts as that part cut short (0.85) when it keeps at least this
#: share of its letters: Bardaw and Bardawil, not Bar and Bardawilani
PREFIX_SHARE = 0.5


def _general_similarity(a: str, b: str) -> tuple[float, str]:
    if a == b:
        return 1.0, "same"
    sa, sb = spelling(a), spelling(b)
    ka, kb = skeleton(a), skeleton(b)
    raw, spelled, keyed = WEIGHTS
    as_written = JaroWinkler.normalized_similarity(a, b)
    as_said = Levenshtein.normalized_similarity(sa, sb)
    score = raw * as_written + spelled * as_said + keyed * JaroWinkler.normalized_similarity(ka, kb)
    if sa == sb:
        how = "sounds alike"
    elif ka == kb:
        how = "same consonants"
        if min(len(a), len(b)) > 2 and (_without_vowels(a) or _without_vowels(b)):
            # written without vowels (Arabic or Hebrew script transliterated): consonants decide
            score = max(score, 0.9)
    else:
        how = "close spelling"
    short, long = sorted((a, b), key=len)
    if len(short) > 2 and long.startswith(short) and len(short) >= PREFIX_SHARE * len(long):
        score = max(score, 0.85)  # a part cut short (a field's length, an abbreviation)
    return score, how


#: the similarity of a part read from Arabic script (:func:`arabic_script_part`) and a part with
#: the same consonants, each long vowel it writes found where the other part has a vowel: up to
#: :data:`VOWELS_WRITTEN_SHARE` more by the share of the other's vowels it writes (names from other
#: languages are written with all their vowels, Arabic ones without the short ones), less up to
#: :data:`SPELLING_SHARE` by how unlike they are written (:func:`_general_similarity`)
CONSONANTS_AND_VOWELS = 0.935
#: the same, with a long vowel the other part does not have there (محمود, Mahmoud, and Mohammed)
CONSONANTS_ONLY = 0.865
VOWELS_WRITTEN_SHARE = 0.03
SPELLING_SHARE = 0.02
_MAX_W_READINGS = 4


def consonantal_similarity(written: str, other: str) -> tuple[float, str] | None:
    """A part read from Arabic script against a Latin one when their consonants agree (about
    :data:`CONSONANTS_AND_VOWELS` when each long vowel it writes stands where the other has a
    vowel, about :data:`CONSONANTS_ONLY` otherwise); None when they do not.

    Each w may be the consonant or the long vowel u (و), y is the long vowel i or the glide,
    which the spelling reads as one; the short vowels the script leaves out may be anything, but a
    vowel the other part opens with must be written (alif or ع) unless the word opens with h.
    """
    their_spelling = _plain_spelling(other)
    theirs, their_vowels = consonant_slots(their_spelling)
    their_h = their_spelling.startswith("h")
    best: tuple[float, str] | None = None
    for reading, spelled in _written_readings(written):
        consonants, vowels = consonant_slots(spelled)
        if consonants != theirs:
            continue
        if reading[0] == "a":  # alif or ع: whatever vowel the other opens with
            opening = bool(their_vowels[0]) and not their_h
            found = [opening, *(bool(v & w) for v, w in zip(vowels[1:], their_vowels[1:], strict=True))]
        else:  # an opening h (ح, ه, خ) is written in both or in neither
            found = [bool(v & w) for v, w in zip(vowels, their_vowels, strict=True)]
            opens_h = spelled.startswith("h")
            opening = opens_h == their_h and (not vowels[0] or found[0])
            opening = opening and (not their_vowels[0] or found[0] or opens_h)
        agree = opening and all(f or not v for f, v in zip(found[1:], vowels[1:], strict=True))
        theirs_written = [f for f, w in zip(found, their_vowels, strict=True) if w]
        share = sum(theirs_written) / len(theirs_written) if theirs_written else 1.0
        base = CONSONANTS_AND_VOWELS if agree else CONSONANTS_ONLY
        score = base + VOWELS_WRITTEN_SHARE * share
        if best is None or score > best[0]:
            best = score, "same consonants and long vowels" if agree else "same consonants"
    if best is None:
        return None
    alike = _general_similarity(_first_reading(written), other.lower())[0]
    return best[0] - SPELLING_SHARE * (1 - alike), best[1]


@lru_cache(maxsize=200_000)
def _written_readings(written: str) -> tuple[tuple[str, str], ...]:
    """Each reading of a part read from Arabic or Hebrew script (:func:`_letter_readings`, تش as
    ch), spelled."""
    readings = _letter_readings(written.lower().replace("tsh", "ch"))
    return tuple((reading, _plain_spelling(reading)) for reading in readings)


# the letters written as two readings: of Hebrew script (:func:`hebrew_script_part`), ב, כ, פ and ח;
# of Arabic script, a final ى (:func:`arabic_script_part`)
_TWO_READINGS = {
    "bv": ("b", "v"),
    "kx": ("q", "kh", "ch"),
    "pf": ("p", "f"),
    "hx": ("h", "ch"),
    "ax": ("a", "y"),
}
_MAX_READINGS = 32


def _shown(part: str) -> str:
    """``part`` as a reason shows it: a part read from Arabic or Hebrew script with each letter
    read two ways (:data:`_TWO_READINGS`) written as its first reading (HMZAX: HMZA)."""
    return _first_reading(part).upper() if part.isupper() else part


def _first_reading(written: str) -> str:
    """``written`` in lower case with each letter of :data:`_TWO_READINGS` read its first way."""
    text = written.lower()
    for pair, choices in _TWO_READINGS.items():
        text = text.replace(pair, choices[0])
    return text


def _letter_readings(part: str) -> list[str]:
    """``part`` with each w after the first letter read as the consonant or as the vowel u (at most
    :data:`_MAX_W_READINGS` of them), and each letter of :data:`_TWO_READINGS` read each way, while
    there are at most :data:`_MAX_READINGS` readings."""
    readings = [part[:2] if part[:2] in _TWO_READINGS else part[:1]]
    read = 0
    at = len(readings[0])
    if readings[0] in _TWO_READINGS:
        readings = list(_TWO_READINGS[readings[0]])
    while at < len(part):
        letter, pair = part[at], part[at : at + 2]
        if pair in _TWO_READINGS:
            choices: tuple[str, ...] = _TWO_READINGS[pair]
            at += 2
        else:
            choices = ("w", "u") if letter == "w" and read < _MAX_W_READINGS else (letter,)
            read += letter == "w"
            at += 1
        if len(readings) * len(choices) > _MAX_READINGS:
            choices = choices[:1]
        readings = [r + choice for r in readings for choice in choices]
    return readings


@lru_cache(maxsize=200_000)
def _plain_spelling(part: str) -> str:
    """``part`` with the spelling rules for its consonants and the vowel classes only: every h and
    every final vowel kept (in a word written without its short vowels an h after a consonant is a
    letter of its own, mhmd; a final e is the long vowel ي, Fode)."""
    text = part.lower()
    for old, new in _RULES:
        text = text.replace(old, new)
    return text.translate(_VOWEL_CLASSES)


@lru_cache(maxsize=200_000)
def consonant_slots(spelled: str) -> tuple[str, tuple[frozenset[str], ...]]:
    """The consonants of a spelled part by class (as :func:`skeleton`, doubled letters once, h left
    out) and the vowels before the first of them, between each two and after the last."""
    consonants: list[str] = []
    vowels: list[set[str]] = [set()]
    after_h = False
    for letter in spelled:
        if letter in "aiu":
            vowels[-1].add(letter)
            continue
        kind = letter.translate(_CONSONANT_CLASSES)
        if not kind:  # h: left out, but the letters on either side are not one doubled letter
            after_h = True
            continue
        if consonants and consonants[-1] == kind and not vowels[-1] and not after_h:
            continue
        consonants.append(kind)
        vowels.append(set())
        after_h = False
    return "".join(consonants), tuple(frozenset(v) for v in vowels)


def consonant_keys(part: str) -> tuple[str, ...]:
    """The consonants :func:`consonantal_similarity` compares: of each reading of a part read from
    Arabic script, or of a Latin part."""
    if part.isupper():
        return tuple(dict.fromkeys(consonant_slots(spelled)[0] for _, spelled in _written_readings(part)))
    return (consonant_slots(_plain_spelling(part))[0],)


def _without_vowels(part: str) -> bool:
    """Whether ``part`` looks written without its vowels: three consonants or more and no vowel
    (nor y) after the first letter (brdwl, smr; not ekk or uzzy, which are written in full)."""
    return not _VOWELS_Y.search(part[1:]) and len(_VOWELS_Y.sub("", part)) >= 3


# what a list writes in one name's cell besides the name: other names after a semicolon or a word
# that introduces them, or in brackets; notes in brackets (a year, lower-case words)
_CELL_ALIASES = re.compile(r"\s*;\s*|\s+(?:a\.?k\.?a\.?|aka|alias|also known as|known as)\s+", re.IGNORECASE)
_BRACKETED = re.compile(r"[(\[]([^()\[\]]*)[)\]]")
_CELL_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")


def read_cell(cell: str) -> tuple[str, tuple[str, ...], int | None]:
    """What a list's cell for one name holds: the name, the other names written with it (after a
    semicolon, a.k.a., aka or alias, or in brackets) and a year written in brackets with it.

    A bracket with a digit in it, or in lower case, is a note, not a name.

    >>> read_cell("Yusuf HADDAD a.k.a. Abu Layla (born 1979)")
    ('Yusuf HADDAD', ('Abu Layla',), 1979)
    >>> read_cell("Haddad, Yusuf (Abu Layla); Y. Haddad")
    ('Haddad, Yusuf', ('Y. Haddad', 'Abu Layla'), None)
    """
    year: int | None = None
    inside: list[str] = []

    def bracket(found: re.Match[str]) -> str:
        nonlocal year
        text = found.group(1).strip()
        written = _CELL_YEAR.search(text)
        if written is not None and year is None:
            year = int(written.group(1))
        if any(c.isalpha() for c in text) and not any(c.isdigit() for c in text) and not text.islower():
            inside.append(text)
        return " "

    pieces = [p.strip(" ,") for p in _CELL_ALIASES.split(_BRACKETED.sub(bracket, cell))]
    pieces = [p for p in pieces if p]
    if not pieces:
        return cell.strip(), (), year
    return pieces[0], tuple(dict.fromkeys([*pieces[1:], *inside])), year


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


Pair = tuple[float, tuple[int, ...], tuple[int, ...]]


def _arabic_script(parts: Sequence[str]) -> bool:
    """Whether any of ``parts`` was read from Arabic script (:func:`arabic_script_part` writes them
    in capitals)."""
    return any(part.isupper() for part in parts)


def _without_connective(part: str, at: int) -> tuple[str, ...]:
    """``part``, and ``part`` without the article that joins two words written as one, found about
    ``at`` letters in: al, el, ul, or a vowel and the first letter of the second word doubled
    (Sayfaldin, Nuruddin, Jamaleddine: Sayf al-Din, Nur al-Din, Jamal al-Din)."""
    found = [part]
    for p in range(max(2, at - 1), min(at + 2, len(part) - 4)):
        article = part[p + 1] == "l" or (part[p + 1] == part[p + 2] and part[p + 1] not in "aeiou")
        if part[p] in "aeiu" and article:
            found.append(part[:p] + part[p + 2 :])
    return tuple(found)


def joined(query_parts: Sequence[str], parts: Sequence[str]) -> list[Pair]:
    """Two or three neighbouring parts on one side alike in full to one part on the other written as
    one ("Bar Dawil" and "Bardawil", "Nur Tawfan" and "Nurtawfan"): (similarity, the query parts,
    the parts). Only parts that begin alike (their skeletons) and are about as long are compared."""
    found: list[Pair] = []
    # a part read from Arabic script is written without its short vowels: shorter
    written = _arabic_script(query_parts) or _arabic_script(parts)
    for one, two, flip in ((query_parts, parts, False), (parts, query_parts, True)):
        for k in range(len(one) - 1):
            first, second = one[k], one[k + 1]
            length = len(first) + len(second)
            for m, other in enumerate(two):
                if len(other) < 5 or (abs(len(other) - length) > 3 and not written):
                    continue
                if skeleton(other)[:1] != skeleton(first)[:1]:  # first letters of one class (q, gh, k)
                    continue
                written_as_one = _without_connective(other, len(first))
                similarity = max(part_similarity(first + second, form)[0] for form in written_as_one)
                if similarity >= PAIR_MIN:
                    pair = ((k, k + 1), (m,))
                    found.append((similarity, *(pair[::-1] if flip else pair)))
        # three, as Persian compound family names are written apart or as one (Shir Amin Bordbar)
        for k in range(len(one) - 2):
            three = one[k] + one[k + 1] + one[k + 2]
            for m, other in enumerate(two):
                if abs(len(other) - len(three)) > 3 or skeleton(other)[:1] != skeleton(three)[:1]:
                    continue
                similarity = part_similarity(three, other)[0]
                if similarity >= PAIR_MIN:
                    triple = ((k, k + 1, k + 2), (m,))
                    found.append((similarity, *(triple[::-1] if flip else triple)))
    return found


def _align(pairs: list[Pair]) -> list[Pair]:
    """The greedy alignment: the pairs taken, best first, each part in one pair."""
    pairs.sort(reverse=True)
    used_q: set[int] = set()
    used_c: set[int] = set()
    taken: list[Pair] = []
    for pair in pairs:
        _, qs, cs = pair
        if used_q.intersection(qs) or used_c.intersection(cs):
            continue
        used_q.update(qs)
        used_c.update(cs)
        taken.append(pair)
    return taken


def compare(
    query_parts: Sequence[str], parts: Sequence[str], weights: Sequence[float] | None = None
) -> tuple[float, list[str]]:
    """Score two part lists (0-1) with the reasons: which parts were paired, and how. ``weights``,
    the query parts' (see :func:`weighted_score`), are those :class:`NameIndex` gives; without them
    every part weighs the same."""
    if not query_parts or not parts:
        return 0.0, []
    pairs: list[Pair] = joined(query_parts, parts)
    for i, a in enumerate(query_parts):
        for j, b in enumerate(parts):
            similarity = part_similarity(a, b)[0]
            if similarity >= FAINT_MIN:
                pairs.append((similarity, (i,), (j,)))
    taken = _align(pairs)
    taken += _initial_pairs(taken, query_parts, parts)
    used_q: set[int] = set()
    reasons: list[str] = []
    for similarity, qs, cs in taken:
        used_q.update(qs)
        a, b = " ".join(query_parts[i] for i in qs), " ".join(parts[j] for j in cs)
        if _an_initial(similarity, a, b):
            how = "an initial"
        else:
            how = part_similarity(a.replace(" ", ""), b.replace(" ", ""))[1]
        if len(qs) + len(cs) > 2:
            how = f"written as one, {how}"
        if similarity < PAIR_MIN and how != "an initial":
            how = f"faintly alike, {how}"
        reasons.append(f"{_shown(a)} ~ {_shown(b)} ({how}, {similarity:.2f})")
    score = weighted_score(taken, weights or [1.0] * len(query_parts), query_parts, parts)
    query_left, stored_left = _left_out_between(taken, len(query_parts), len(parts))
    missing = [query_parts[i] for i in range(len(query_parts)) if i not in used_q and i not in query_left]
    if missing:
        reasons.append("not found: " + ", ".join(map(_shown, missing)))
    if query_left or stored_left:
        left = [_shown(query_parts[i]) for i in query_left] + [_shown(parts[j]) for j in stored_left]
        reasons.append(f"{LEFT_OUT} {', '.join(left)}")
    if _one_part_each(query_parts, parts) and taken:
        reasons.append("one part each, not the same: no more than a lead")
    return score, reasons


def part_weight(alike: int, names: int) -> float:
    """The weight of a part that ``alike`` of ``names`` stored names have (a part alike to none
    weighs as one that one name has): 1 plus :data:`RARITY` times its inverse document frequency."""
    return 1.0 + RARITY * math.log((names + 1) / (max(alike, 1) + 1))


def weighted_score(
    taken: Sequence[Pair], query_weights: Sequence[float], query_parts: Sequence[str], parts: Sequence[str]
) -> float:
    """A name's score from its paired parts, the query's parts weighed by their rarity
    (:func:`part_weight`): the pairs' credit (:func:`credit`), each pair weighed by its query parts'
    weight on both sides, over the weight of all parts; for two names of one part each, not the
    same, :data:`ONE_PART_SHARE` of it. A stored part left unpaired weighs as the query's parts do
    on average: a stored name is not less likely to be the person for having rare parts the query
    lacks. With every weight 1, this is the credit over the mean number of parts."""
    mean = sum(query_weights) / len(query_weights)
    stored = [mean] * len(parts)
    total = 0.0
    for similarity, qs, cs in taken:
        side = sum(query_weights[i] for i in qs)
        for j in cs:
            stored[j] = side / len(qs)
        initial = _an_initial(similarity, query_parts[qs[0]], parts[cs[0]])
        total += (INITIAL_CREDIT if initial else credit(similarity)) * (side + side / len(qs) * len(cs))
    query_left, stored_left = _left_out_between(taken, len(query_parts), len(parts))
    left = sum(query_weights[i] for i in query_left) + sum(stored[j] for j in stored_left)
    score = total / (sum(query_weights) + sum(stored) - (1 - LEFT_OUT_WEIGHT) * left)
    return ONE_PART_SHARE * score if _one_part_each(query_parts, parts) else score


#: the share of its weight a part weighs in :func:`weighted_score` when it is left out between the
#: first and the last part of the name it is in, and every part of the other, shorter name is found
#: in full: that is the same name with a middle name, a father's name or a patronymic left out
#: (Tawfan Bardawil: Tawfan Nur Bardawil), as lists and reports often write it
LEFT_OUT_WEIGHT = 0.1


def _left_out_between(taken: Sequence[Pair], query_count: int, count: int) -> tuple[list[int], list[int]]:
    """The parts of the longer name (the query's, then the stored one's) left unpaired between its
    first and last part, both paired, when every part of the shorter name, of two or more parts, is
    paired in full; nothing otherwise."""
    if query_count == count or min(query_count, count) < 2:
        return [], []
    query_paired = {i for similarity, qs, _ in taken if similarity >= PAIR_MIN for i in qs}
    paired = {j for similarity, _, cs in taken if similarity >= PAIR_MIN for j in cs}
    short, long_paired, long_count = (
        (query_paired, paired, count) if query_count < count else (paired, query_paired, query_count)
    )
    if len(short) < min(query_count, count) or not {0, long_count - 1} <= long_paired:
        return [], []
    left = [k for k in range(long_count) if k not in long_paired]
    return ([], left) if query_count < count else (left, [])


def _one_part_each(query_parts: Sequence[str], parts: Sequence[str]) -> bool:
    return len(query_parts) == 1 and len(parts) == 1 and query_parts[0] != parts[0]


def _an_initial(similarity: float, a: str, b: str) -> bool:
    """Whether two paired parts are an initial and a part it can stand for (:func:`_initial_pairs`)."""
    return similarity == INITIAL and (len(a) == 1) != (len(b) == 1)


def _initial_pairs(taken: Sequence[Pair], query_parts: Sequence[str], parts: Sequence[str]) -> list[Pair]:
    """Initials left unpaired on either side, each with a part left unpaired on the other that it can
    stand for (:data:`INITIAL`), in names of two parts or more: an initial alone is no name."""
    if len(query_parts) < 2 or len(parts) < 2:
        return []
    used_q = {i for _, qs, _ in taken for i in qs}
    used_c = {j for _, _, cs in taken for j in cs}
    found: list[Pair] = []
    for i, a in enumerate(query_parts):
        for j, b in enumerate(parts):
            if i in used_q or j in used_c or (len(a) == 1) == (len(b) == 1):
                continue
            letter, other = (a, b) if len(a) == 1 else (b, a)
            if letter.isalpha() and letter.lower() in initials(other):
                found.append((INITIAL, (i,), (j,)))
                used_q.add(i)
                used_c.add(j)
    return found


def credit(similarity: float) -> float:
    """What a pair of parts of this similarity adds to a name's score."""
    if similarity >= PAIR_MIN:
        return similarity
    return FAINT_CREDIT * similarity if similarity >= FAINT_MIN else 0.0


def pairable(query_parts: Sequence[str], choices: Sequence[str]) -> list[list[int]]:
    """For each query part, the indexes of the ``choices`` that :func:`part_similarity` may score at
    or above :data:`PAIR_MIN` (a superset: the caller scores them)."""
    vocabulary = _Vocabulary()
    places: list[list[int]] = []
    for index, choice in enumerate(choices):
        number = vocabulary.add(choice)
        if number == len(places):
            places.append([])
        places[number].append(index)
    return [
        sorted(index for number in numbers for index in places[number])
        for numbers in vocabulary.pairable(query_parts)[0]
    ]


class _Vocabulary:
    """Distinct parts with the spellings and skeletons of their :func:`forms`, to find the parts
    alike to a query's.

    Form similarities are computed for all forms at once (rapidfuzz ``cdist``, the weighted mean of
    :func:`part_similarity`); forms with the same skeleton, and those that start with a query form
    or it with them, are added to those that reach :data:`PAIR_MIN`.
    """

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.number: dict[str, int] = {}
        self._forms: list[str] = []
        self._owner: list[int] = []  # per form: the number of its part
        self._by_form: dict[str, list[int]] = defaultdict(list)
        self._spellings: list[str] = []
        self._skeletons: list[str] = []
        self._by_skeleton: dict[str, list[int]] = defaultdict(list)
        # by their consonants (:func:`consonant_keys`): parts read from Arabic script, and Latin
        # parts (forms up to ``_consonants_upto``, keyed when a query in Arabic script first asks)
        self._by_written_consonants: dict[str, list[int]] = defaultdict(list)
        self._by_consonants: dict[str, list[int]] = defaultdict(list)
        self._consonants_upto = 0
        self._sorted: list[tuple[str, int]] | None = None

    def __len__(self) -> int:
        return len(self.parts)

    def add(self, part: str) -> int:
        """The number of ``part``, added if new (a part given twice keeps its first number)."""
        known = self.number.get(part)
        if known is not None:
            return known
        number = len(self.parts)
        self.number[part] = number
        self.parts.append(part)
        for form in forms(part):
            self._forms.append(form)
            self._owner.append(number)
            self._by_form[form].append(number)
            self._spellings.append(spelling(form))
            self._skeletons.append(skeleton(form))
            self._by_skeleton[skeleton(form)].append(number)
            if form.isupper():
                for key in consonant_keys(form):
                    self._by_written_consonants[key].append(number)
        self._sorted = None
        return number

    def _starting_with(self, prefix: str) -> list[int]:
        if self._sorted is None:
            self._sorted = sorted(zip(self._forms, self._owner, strict=True))
        found: list[int] = []
        at = bisect.bisect_left(self._sorted, (prefix, -1))
        while at < len(self._sorted) and self._sorted[at][0].startswith(prefix):
            found.append(self._sorted[at][1])
            at += 1
        return found

    def pairable(self, query_parts: Sequence[str]) -> tuple[list[list[int]], list[set[int]]]:
        """For each query part, the numbers of the parts :func:`part_similarity` may score at or
        above :data:`PAIR_MIN` with it, and those it may score at or above :data:`FAINT_MIN`."""
        if not query_parts or not self.parts:
            return [[] for _ in query_parts], [set() for _ in query_parts]
        queries = [(row, form) for row, part in enumerate(query_parts) for form in forms(part)]
        texts = [form for _, form in queries]
        raw, spelled, keyed = WEIGHTS
        scores = raw * self._cdist(texts, self._forms)
        scores += spelled * cdist(
            [spelling(a) for a in texts],
            self._spellings,
            scorer=Levenshtein.normalized_similarity,
            dtype=np.float64,
        )
        scores += keyed * self._cdist([skeleton(a) for a in texts], self._skeletons)
        owner = np.asarray(self._owner)
        close = scores >= PAIR_MIN - 1e-9
        faint = scores >= FAINT_MIN - 1e-9
        found: list[set[int]] = [set() for _ in query_parts]
        faintly: list[set[int]] = [set() for _ in query_parts]
        for line, (row, form) in enumerate(queries):
            numbers = found[row]
            numbers.update(owner[np.flatnonzero(close[line])].tolist())
            faintly[row].update(owner[np.flatnonzero(faint[line])].tolist())
            numbers.update(self._by_skeleton.get(skeleton(form), ()))
            # a part read from Arabic script and a Latin one: their consonants (in either direction)
            by_key = self._latin_consonants() if form.isupper() else self._by_written_consonants
            for key in consonant_keys(form) if by_key else ():
                numbers.update(by_key.get(key, ()))
            if len(form) > 2:
                numbers.update(self._starting_with(form))
                for end in range(3, len(form)):
                    numbers.update(self._by_form.get(form[:end], ()))
        for row, numbers in enumerate(found):
            faintly[row].update(numbers)
        return [sorted(numbers) for numbers in found], faintly

    def _latin_consonants(self) -> dict[str, list[int]]:
        """The Latin parts by their consonants, keyed up to the last part added."""
        for at in range(self._consonants_upto, len(self._forms)):
            form = self._forms[at]
            if not form.isupper():
                self._by_consonants[consonant_keys(form)[0]].append(self._owner[at])
        self._consonants_upto = len(self._forms)
        return self._by_consonants

    @staticmethod
    def _cdist(queries: Sequence[str], choices: Sequence[str]) -> NDArray[np.float64]:
        return cdist(queries, choices, scorer=JaroWinkler.normalized_similarity, dtype=np.float64)


class NameIndex:
    """Stored names, looked up by the parts alike to the query's."""

    def __init__(self, names: Iterable[StoredName] = (), *, reuse: NameIndex | None = None) -> None:
        """Index ``names``; the parts of any name already in ``reuse`` are taken from there."""
        self._names: list[StoredName] = []
        self._parts: list[tuple[str, ...]] = []
        self._vocabulary = _Vocabulary()
        self._postings: list[list[int]] = []  # per part number: the positions of the names with it
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
        for part in dict.fromkeys(parts):
            number = self._vocabulary.add(part)
            if number == len(self._postings):
                self._postings.append([])
            self._postings[number].append(position)

    def _paired(self, parts: Sequence[str]) -> tuple[dict[str, list[tuple[float, int]]], list[set[int]]]:
        """The stored parts paired with the query's in full: part, then (similarity, query part
        index); and for each query part, the numbers of the parts it may be faintly paired with."""
        paired: dict[str, list[tuple[float, int]]] = defaultdict(list)
        strong, faint = self._vocabulary.pairable(parts)
        for i, numbers in enumerate(strong):
            for number in numbers:
                choice = self._vocabulary.parts[number]
                similarity = part_similarity(parts[i], choice)[0]
                if similarity >= PAIR_MIN:
                    paired[choice].append((similarity, i))
        return paired, faint

    def _alike(self, parts: Sequence[str], paired: dict[str, list[tuple[float, int]]]) -> list[set[int]]:
        """For each query part, the positions of the names with a part alike to it in full."""
        per_part: list[set[int]] = [set() for _ in parts]
        for choice, pairs in paired.items():
            posting = self._postings[self._vocabulary.number[choice]]
            for _, i in pairs:
                per_part[i].update(posting)
        return per_part

    def _written_as_one(self, parts: Sequence[str]) -> set[int]:
        """The positions of the names that write two of their parts as one query part ("Mirhejazi"
        against "Mir Hejazi": names with both parts) or one part as two neighbouring query parts
        ("Mir Hejazi" against "Mirhejazi"), spelled as stored. :func:`joined` scores them; the
        lookup by similar parts does not find them, as neither half is alike to the whole."""
        by_form = self._vocabulary._by_form
        postings = self._postings
        found: set[int] = set()
        for part in parts:
            for cut in range(3, len(part) - 2):
                left, right = by_form.get(part[:cut]), by_form.get(part[cut:])
                if left and right:
                    both = {p for n in left for p in postings[n]}.intersection(
                        p for n in right for p in postings[n]
                    )
                    if len(both) <= MAX_CANDIDATES:
                        found |= both
        for first, second in itertools.pairwise(parts):
            for number in by_form.get(first + second, ()):
                found.update(postings[number])
        return found

    def _candidates(self, parts: Sequence[str], per_part: list[set[int]]) -> set[int]:
        hits: dict[int, int] = defaultdict(int)
        for number, positions in enumerate(sorted(per_part, key=len)):
            if number > 0 and len(positions) > COMMON_POSTING and hits:
                continue
            for position in positions:
                hits[position] += 1
        if len(hits) > MAX_CANDIDATES and len(parts) > 1:
            # too many names share one part: keep those that share two
            shared = {position for position, count in hits.items() if count > 1}
            if shared:
                return shared
        return set(hits)

    def weigh(self, query_parts: Sequence[str]) -> list[float]:
        """The weights :meth:`search` gives a query's parts, for :func:`compare`: each by the number
        of stored names with a part alike to it in full."""
        return self._weigh(query_parts, self._alike(query_parts, self._paired(query_parts)[0]))

    def _weigh(self, parts: Sequence[str], per_part: list[set[int]]) -> list[float]:
        # a part read from Arabic script is paired by its consonants, with many names that are not
        # it: how many it pairs with says little of how rare it is, so such a query weighs evenly
        if _arabic_script(parts):
            return [1.0] * len(parts)
        # an initial says the least: it weighs as a part every name has
        return [
            1.0 if len(part) == 1 else part_weight(len(alike), len(self._names))
            for part, alike in zip(parts, per_part, strict=True)
        ]

    def _scores(
        self,
        parts: Sequence[str],
        paired: dict[str, list[tuple[float, int]]],
        faint: list[set[int]],
        positions: Iterable[int],
        query_weights: Sequence[float],
    ) -> dict[int, float]:
        """:func:`compare`'s score of ``parts`` with each stored name at ``positions``."""
        scores: dict[int, float] = {}
        number = self._vocabulary.number
        for position in positions:
            stored = self._parts[position]
            if not parts or not stored:
                scores[position] = 0.0
                continue
            pairs: list[Pair] = [(s, (i,), (j,)) for j, p in enumerate(stored) for s, i in paired.get(p, ())]
            for j, p in enumerate(stored):
                strong = {i for _, i in paired.get(p, ())}
                for i, numbers in enumerate(faint):
                    if i not in strong and number[p] in numbers:
                        similarity = part_similarity(parts[i], p)[0]
                        if FAINT_MIN <= similarity < PAIR_MIN:
                            pairs.append((similarity, (i,), (j,)))
            if len(parts) + len(stored) > 2:
                pairs += joined(parts, stored)
            taken = _align(pairs) if len(pairs) > 1 else pairs  # as compare() does
            taken += _initial_pairs(taken, parts, stored)
            scores[position] = weighted_score(taken, query_weights, parts, stored)
        return scores

    def search(self, query: NameQuery, *, limit: int = 5) -> list[Candidate]:
        """The best ``limit`` stored names for ``query`` (its name and aliases), best first."""
        variants = (query.name, *query.aliases)
        variant_parts = [name_parts(variant) for variant in variants]
        best: dict[int, tuple[float, int]] = {}  # position: score and the variant that gave it
        variant_weights: list[list[float]] = []
        for number, parts in enumerate(variant_parts):
            paired, faint = self._paired(parts)
            per_part = self._alike(parts, paired)
            query_weights = self._weigh(parts, per_part)
            variant_weights.append(query_weights)
            candidates = self._candidates(parts, per_part) | self._written_as_one(parts)
            if len(candidates) < limit:
                # too few names alike: those faintly alike are candidates too
                faintly = {p for numbers in faint for number in numbers for p in self._postings[number]}
                if len(faintly) <= MAX_CANDIDATES:
                    candidates |= faintly
            scored = self._scores(parts, paired, faint, candidates, query_weights)
            for position, score in scored.items():
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
            raw, reasons = compare(variant_parts[number], self._parts[position], variant_weights[number])
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
