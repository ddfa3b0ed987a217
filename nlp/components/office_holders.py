"""Office holders: a town opening an office's name ("X Mayor"), and places inside an office's title."""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from nlp.components.common import OFFICE_WORDS, _capitalised, _name_like, _sentence_initial, _text
from nlp.components.labels import (
    MISREAD_LABELS,
    PLACE_KINDS,
    TITLE_DOMAIN_KINDS,
)
from nlp.components.words import word_set
from nlp.gazetteer import Ambiguity, Gazetteer, get_gazetteer
from nlp.normalise import name_key, slug
from nlp.records import Mention

SEAT_OFFICE_WORDS = word_set("seat_office_words")


def _split_office_seats(spans: list[Span], titles: frozenset[str]) -> list[Span]:
    """A name the NER read as one person opening with the seat of a local office.

    "Fernhill Mayor Ruth Abbot" is the town and the mayor: the capitalised
    words before the office word become a place, the name after it a person.
    """
    out: list[Span] = []
    for ent in spans:
        office = next((t.i for t in ent[1:] if t.text in SEAT_OFFICE_WORDS), None)
        seat = ent.doc[ent.start : office] if office is not None else None
        if (
            ent.label_ not in MISREAD_LABELS
            or seat is None
            or len(seat) > 3
            or not all(_name_like(t) and t.lower_ not in titles for t in seat)
        ):
            out.append(ent)
            continue
        out.append(Span(ent.doc, seat.start, seat.end, label="GPE"))
        holder = _trailing_name(ent, OFFICE_WORDS)
        if holder is not None:
            out.append(holder)
    return out


def _trailing_name(span: Span, office: frozenset[str]) -> Span | None:
    """The personal name closing a title run: "John Manchester" in "Brookvale Mayor Ann Tolliver"."""
    start = span.end
    while (
        start > span.start
        and span.end - start < 3
        and _name_like(span.doc[start - 1])
        and span.doc[start - 1].text not in office
    ):
        start -= 1
    if span.end - start < 2:
        return None
    return Span(span.doc, start, span.end, label="PERSON")


def _known_place(span: Span, gaz: Gazetteer, amb: Ambiguity) -> bool:
    key = name_key(span.text)
    if key in amb.given_names or key in amb.surnames or key in amb.common_words:
        return False
    return any(c.kind in ("city", "region", "country") for c in gaz.lookup(span.text))


def _personal(span: Span, amb: Ambiguity) -> bool:
    """A name opening with a given name, or holding a title or an office word."""
    words = {tok.lower_.rstrip(".") for tok in span}
    if words & amb.titles or any(tok.text in OFFICE_WORDS or tok.text in amb.title_heads for tok in span):
        return True
    return len(span) > 1 and name_key(span[0].text) in amb.personal_names


def _office_holders(
    doc: Doc, mentions: list[Mention], heads: frozenset[str], capitals: list[Token]
) -> list[Mention]:
    """Persons named by their office: "Foreign Secretary Boris Johnson", "the Minister for the Middle East".

    A capitalised office word (``title_heads``) with the capitalised words
    before it ("Iraqi Foreign Minister") and an "of"/"for" complement after
    it ("Secretary of State") is a title. A person mention right after the
    title is extended over it (the id and canonical name stay the person's);
    a title with no name after it is itself a person mention.
    """
    text = _text(doc)
    if not any(head in text for head in heads):
        return mentions
    by_start = {m.start: i for i, m in enumerate(mentions)}
    covered = [(m.start, m.end, m.kind) for m in mentions]
    out = list(mentions)
    used: set[int] = set()
    for tok in capitals:
        if tok.text not in heads or tok.i in used:
            continue
        if any(s <= tok.idx < e and k not in PLACE_KINDS for s, e, k in covered):
            continue  # inside an organisation or a person already
        start = tok.i
        while start > 0 and tok.i - start < 4:
            prev = doc[start - 1]
            if not prev.text[:1].isupper() or prev.is_punct or prev.text in heads:
                break
            start -= 1
            if _sentence_initial(doc, start):
                break
        end = tok.i + 1
        if end + 1 < len(doc) and doc[end].lower_ in ("of", "for"):
            j = end + 1
            if j < len(doc) and doc[j].lower_ == "the":
                j += 1
            k = j
            while k < len(doc) and k - j < 4 and doc[k].text[:1].isupper() and doc[k].is_alpha:
                k += 1
            if k > j:
                end = k
        used.update(range(start, end))
        if doc[start].lower_ == "the":
            start += 1
        if start >= end:
            continue
        start_char, end_char = doc[start].idx, doc[end - 1].idx + len(doc[end - 1])
        if end > tok.i + 1:
            # The office's domain is part of the title, not a place of the text:
            # "the Minister for the Middle East".
            complement = (tok.idx + len(tok), end_char)
            out = [
                m
                for m in out
                if not (m.kind in TITLE_DOMAIN_KINDS and complement[0] <= m.start < complement[1])
            ]
            by_start = {m.start: i for i, m in enumerate(out)}
        # A name after a comma is an apposition ("the Minister, Tobias Ellwood"): two mentions.
        index = by_start.get(doc[end].idx) if end < len(doc) else None
        if index is not None and out[index].kind == "person":
            person = out[index]
            out[index] = Mention(
                start_char,
                person.end,
                text[start_char : person.end],
                "person",
                person.entity_id,
                person.canonical,
                person.country,
                person.ucdp,
            )
            continue
        if index is not None or (end - start == 1 and doc[start].i == tok.i and tok.i == 0):
            continue
        if any(s < end_char and start_char < e for s, e, k in covered if k == "person"):
            continue
        phrase = text[start_char:end_char]
        out.append(
            Mention(start_char, end_char, phrase, "person", f"person:{slug(phrase)}", phrase, None, None)
        )
    out.sort(key=lambda m: (m.start, m.end))
    return out


@Language.factory("coi_office_holders", default_config={"enabled": True})
def make_office_holders(nlp: Language, name: str, enabled: bool) -> OfficeHolders:
    return OfficeHolders(enabled=enabled)


class OfficeHolders:
    """After the linker: places inside an office's title are no place mentions of the text."""

    def __init__(self, *, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, doc: Doc) -> Doc:
        amb = get_gazetteer().ambiguity
        mentions: list[Mention] | None = doc._.coi_mentions
        if self.enabled and mentions is not None and amb is not None and amb.title_heads:
            doc._.coi_mentions = _office_holders(doc, mentions, amb.title_heads, _capitalised(doc))
        return doc
