"""Rendering a document's text with its entity mentions and annotations marked, and its citation."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Protocol

from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from portal.models import Document, Mention, Snapshot

KIND_LABELS = {
    "country": _l("Country"),
    "region": _l("Region"),
    "city": _l("City"),
    "location": _l("Place"),
    "nationality": _l("Nationality"),
    "armed_group": _l("Armed group"),
    "state_force": _l("State force"),
    "person": _l("Person"),
    "organisation": _l("Organisation"),
}


class Span(Protocol):
    start: int
    end: int


@dataclass(frozen=True)
class Paragraph:
    start: int  # offset of the paragraph in the document text (used to anchor selections)
    html: Markup


def _open_mention(m: Mention) -> str:
    label = KIND_LABELS.get(m.kind, m.kind)
    title = f"{label}: {m.entity.canonical_name}"
    return f'<mark class="ent ent-{escape(m.kind)}" title="{escape(title)}">'


def render_paragraphs(text: str, mentions: Sequence[Mention], notes: Sequence[Span] = ()) -> list[Paragraph]:
    """Escaped paragraphs with marks: one entity mark and any number of annotation marks per segment.

    Each paragraph keeps its offset in the text, so that a selection in the page maps back to
    character offsets in the stored text.
    """
    paragraphs: list[Paragraph] = []
    offset = 0
    for line in text.split("\n"):
        start, end = offset, offset + len(line)
        offset = end + 1
        if not line.strip():
            continue
        ments = sorted(
            (m for m in mentions if start <= m.start < m.end <= end), key=lambda m: (m.start, -m.end)
        )
        chosen: list[Mention] = []
        for m in ments:  # overlapping mentions: the first (longest at a place) wins
            if not chosen or m.start >= chosen[-1].end:
                chosen.append(m)
        spans = [n for n in notes if n.start < end and n.end > start]
        cuts = {start, end}
        for m in chosen:
            cuts.update((m.start, m.end))
        for n in spans:
            cuts.update((max(n.start, start), min(n.end, end)))
        points = sorted(cuts)
        pieces: list[str] = []
        for a, b in pairwise(points):
            if a >= b:
                continue
            piece = str(escape(text[a:b]))
            mention = next((m for m in chosen if m.start <= a and b <= m.end), None)
            if mention is not None:
                piece = f"{_open_mention(mention)}{piece}</mark>"
            ids = [str(getattr(n, "id", "")) for n in spans if n.start <= a and b <= n.end]
            if ids:
                piece = f'<mark class="anno" data-annotation="{" ".join(ids)}">{piece}</mark>'
            pieces.append(piece)
        paragraphs.append(Paragraph(start, Markup("".join(pieces))))  # noqa: S704  (escaped parts)
    return paragraphs


def citation(doc: Document, snapshot: Snapshot | None) -> str:
    """A COI-style reference: publisher, title, date, URL, access date, stored-copy hash."""
    from flask_babel import gettext

    from portal.templating import fmt_date

    publisher = doc.source.publisher or doc.source.name
    published = fmt_date(doc.published_at) if doc.published_at else gettext("undated")
    parts = [
        gettext(
            "%(publisher)s, “%(title)s”, %(published)s, %(url)s, accessed on %(accessed)s",
            publisher=publisher,
            title=doc.title,
            published=published,
            url=doc.url,
            accessed=fmt_date(doc.retrieved_at),
        )
    ]
    if snapshot is not None:
        parts.append(gettext("stored copy SHA-256 %(sha)s", sha=snapshot.sha256))
    return "; ".join(parts) + "."
