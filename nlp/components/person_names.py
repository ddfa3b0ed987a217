"""Person names within one text: a name given in full, then by one of its parts.

News and reports name a person in full once ("Rebel commander Anas Khudair") and by one part of
the name after that ("Khudair said", "Anas and his men"). The NER reads many of those short forms
as an organisation (a lone Arabic name often) or as a person of its own, or misses them; this
family reads them as the person named in full, under that person's entity. A part that two
persons of the text share names neither; a part that is a common word ("Will", "Rose") or that the
gazetteers know as a place, an armed group or a state force is left as it is. A part the NER read
as a place the gazetteers do not know ("Marta was treated in hospital") is the person.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Token

from nlp.components.common import _sentence_initial, _text
from nlp.gazetteer import Ambiguity, get_gazetteer
from nlp.normalise import slug
from nlp.records import Mention

# a part shorter than this (initials, "Al") is no name on its own
_MIN_PART = 3


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


@Language.factory("coi_person_names", default_config={"enabled": True})
def make_person_names(nlp: Language, name: str, enabled: bool) -> PersonNames:
    return PersonNames(enabled=enabled)


class PersonNames:
    """After the linker: a person's name given in full, then by one of its parts, is one person."""

    def __init__(self, *, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, doc: Doc) -> Doc:
        amb = get_gazetteer().ambiguity
        mentions: list[Mention] | None = doc._.coi_mentions
        if self.enabled and mentions is not None and amb is not None:
            doc._.coi_mentions = person_short_forms(doc, mentions, amb)
        return doc
