"""Person names within one text: a name given in full, then by one of its parts or another name.

News and reports name a person in full once ("Rebel commander Anas Khudair") and by one part of
the name after that ("Khudair said", "Anas and his men"). The NER reads many of those short forms
as an organisation (a lone Arabic name often) or as a person of its own, or misses them; this
family reads them as the person named in full, under that person's entity. A part that two
persons of the text share names neither; a part that is a common word ("Will", "Rose") or that the
gazetteers know as a place, an armed group or a state force is left as it is. A part the NER read
as a place the gazetteers do not know ("Marta was treated in hospital") is the person.

Another name given right after a person's ("Yusuf Haddad, known as Abu Layla", "alias Layla") is
that person too, whatever the NER read it as, unless the gazetteers know it as a group, a country,
a region or a city of a million: it becomes one of the names the person is stored and screened
under.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Token

from nlp.components.common import _big_city, _sentence_initial, _text
from nlp.components.words import word_set, word_tuple
from nlp.gazetteer import Ambiguity, get_gazetteer
from nlp.normalise import slug
from nlp.records import Mention

# a part shorter than this (initials, "Al") is no name on its own
_MIN_PART = 3
# the words that introduce another name of a person, longest first; what may stand before them and
# around the name; the words of a name that need not be capitalised, and the longest name read
_ALIAS_MARKERS = sorted((tuple(m.split()) for m in word_tuple("alias_markers")), key=len, reverse=True)
_BEFORE_ALIAS = frozenset({",", "(", "-", "–", "—"})
_QUOTES = frozenset({'"', "'", "“", "”", "‘", "’"})
_NAME_PARTICLES = frozenset({"al", "el", "bin", "ibn", "bint", "abu", "abd", "ould", "-"})
_MAX_ALIAS = 5
# plural nouns for people that a model may read as a person's name ("Returnees described...")
_GROUP_NOUNS = word_set("group_nouns")


def _name_parts(mention: Mention) -> tuple[str, ...]:
    """The given name and the family name of a person mention of two words or more."""
    words = [w for w in mention.canonical.split() if w.isalpha() and w[0].isupper()]
    if len(words) < 2:
        return ()
    return tuple(dict.fromkeys(w for w in (words[0], words[-1]) if len(w) >= _MIN_PART))


def _short_forms(mentions: list[Mention], amb: Ambiguity) -> dict[str, Mention]:
    """Each part of the persons named in full, to the one person it names."""
    owners: dict[str, set[str]] = {}
    full: dict[str, Mention] = {}
    for m in mentions:
        if m.kind != "person":
            continue
        for part in _name_parts(m):
            if part.lower() in amb.common_words:
                continue
            owners.setdefault(part, set()).add(m.entity_id)
            full.setdefault(part, m)
    return {part: full[part] for part, ids in owners.items() if len(ids) == 1}


def _unlinked(m: Mention) -> bool:
    """A mention the NER made and the linker found no entity for: ``org:`` or ``person:`` of its text."""
    return m.entity_id in (f"org:{slug(m.text)}", f"person:{slug(m.text)}")


def _unplaced(m: Mention) -> bool:
    """A place the NER made and no gazetteer knows: ``location:`` of its text, in no country."""
    return m.kind == "location" and m.country is None and m.entity_id == f"location:{slug(m.text)}"


def _as(start: int, end: int, text: str, person: Mention) -> Mention:
    """A mention of ``person`` at these characters."""
    return Mention(start, end, text, "person", person.entity_id, person.canonical, None, None)


def _name_word(token: Token | None) -> bool:
    """A capitalised word that may be part of a name: not one capitalised only as a sentence's
    first word ("Later", "Officials"), unless the tagger reads it as a proper noun."""
    if token is None or not token.is_alpha or not token.text[0].isupper():
        return False
    return token.pos_ == "PROPN" or not _sentence_initial(token.doc, token.i)


def _alone(token: Token) -> bool:
    """A word with no part of a name beside it: no part of a longer name ("Haddad Street")."""
    doc = token.doc
    before = doc[token.i - 1] if token.i > 0 else None
    after = doc[token.i + 1] if token.i + 1 < len(doc) else None
    return not (_name_word(before) or _name_word(after))


def person_short_forms(doc: Doc, mentions: list[Mention], amb: Ambiguity) -> list[Mention]:
    """``mentions`` with the short forms of the persons named in full read as those persons."""
    forms = _short_forms(mentions, amb)
    if not forms:
        return mentions
    out: list[Mention] = []
    for m in mentions:
        person = forms.get(m.text)
        if person is not None and ((m.kind in ("person", "organisation") and _unlinked(m)) or _unplaced(m)):
            out.append(_as(m.start, m.end, m.text, person))
        else:
            out.append(m)
    taken = [(m.start, m.end) for m in out]
    text = _text(doc)
    for token in doc:
        person = forms.get(token.text)
        if person is None or not _alone(token):
            continue
        start, end = token.idx, token.idx + len(token.text)
        if any(s < end and start < e for s, e in taken):
            continue
        out.append(_as(start, end, text[start:end], person))
    out.sort(key=lambda m: (m.start, m.end))
    return out


def _an_alias(m: Mention) -> bool:
    """A mention that may be another name of a person: one no gazetteer knows, or a town of fewer
    than :data:`BIG_CITY` people (Rani, a town of India, is also a name)."""
    if _unlinked(m) or m.entity_id.startswith("location:"):
        return True
    return m.kind == "city" and not _big_city(m)


def _capitalised_word(word: Token) -> bool:
    return word.text[:1].isupper() and (word.is_alpha or "-" in word.text or "." in word.text)


def _alias_end(doc: Doc, i: int) -> int:
    """Where the name that starts at token ``i`` ends: capitalised words, with the particles of
    names between them ("Abu Mohammad al-Julani")."""
    j = i
    while j < len(doc) and j - i < _MAX_ALIAS and _capitalised_word(doc[j]):
        j += 1
        particles = j
        while particles < len(doc) and particles - j < 2 and doc[particles].lower_ in _NAME_PARTICLES:
            particles += 1
        if particles > j and particles < len(doc) and _capitalised_word(doc[particles]):
            j = particles
    return j


def person_aliases(doc: Doc, mentions: list[Mention]) -> list[Mention]:
    """``mentions`` with another name given right after a person's read as that person, there and
    wherever the text uses it again."""
    out = list(mentions)
    given: dict[str, Mention] = {}
    for person in mentions:
        span = doc.char_span(person.start, person.end, alignment_mode="expand")
        if person.kind != "person" or span is None:
            continue
        i = span.end + (span.end < len(doc) and doc[span.end].text in _BEFORE_ALIAS)
        words = [t.lower_ for t in doc[i : i + 4]]
        # "a.k.a." is read as "a.k.a" and a full stop
        written = next((m for m in _ALIAS_MARKERS if "".join(words).startswith("".join(m))), None)
        if written is None:
            continue
        length, size = 0, len("".join(written))
        while length < len(words) and len("".join(words[: length + 1])) <= size:
            length += 1
        if "".join(words[:length]) != "".join(written):
            continue  # "known asprin"
        i += length
        while i < len(doc) and doc[i].text in _QUOTES:
            i += 1
        j = _alias_end(doc, i)
        if j == i:
            continue
        start, end = doc[i].idx, doc[j - 1].idx + len(doc[j - 1].text)
        inside = [m for m in out if m.start < end and start < m.end]
        if not all(_an_alias(m) for m in inside):
            continue  # a name the gazetteers know: a group, a country, a city
        out = [m for m in out if m not in inside]
        alias = _as(start, end, _text(doc)[start:end], person)
        out.append(alias)
        given[alias.text] = person
    # the other name used again later in the text ("Hemedti said") names the same person
    out = [
        _as(m.start, m.end, m.text, given[m.text])
        if m.text in given and m.entity_id != given[m.text].entity_id and _an_alias(m)
        else m
        for m in out
    ]
    out.sort(key=lambda m: (m.start, m.end))
    return out


@Language.factory("coi_person_names", default_config={"enabled": True})
def make_person_names(nlp: Language, name: str, enabled: bool) -> PersonNames:
    return PersonNames(enabled=enabled)


def without_group_nouns(mentions: list[Mention]) -> list[Mention]:
    """``mentions`` without the persons that are one plural noun for people (``group_nouns``):
    "Returnees described the camp" names no one."""
    return [m for m in mentions if not (m.kind == "person" and m.text.strip().lower() in _GROUP_NOUNS)]


class PersonNames:
    """After the linker: a person's name given in full, then by one of its parts, is one person;
    a plural noun for people read as a person's name is none."""

    def __init__(self, *, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, doc: Doc) -> Doc:
        amb = get_gazetteer().ambiguity
        mentions: list[Mention] | None = doc._.coi_mentions
        if self.enabled and mentions is not None and amb is not None:
            mentions = without_group_nouns(mentions)
            doc._.coi_mentions = person_short_forms(doc, person_aliases(doc, mentions), amb)
        return doc
