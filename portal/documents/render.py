"""Rendering a document's text with its entity mentions marked, and its citation."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

from portal.models import Document, Mention, Snapshot

KIND_LABELS = {
    "country": "Country",
    "region": "Region",
    "city": "City",
    "location": "Place",
    "nationality": "Nationality",
    "armed_group": "Armed group",
    "state_force": "State force",
    "person": "Person",
    "organisation": "Organisation",
}


def marked_text(text: str, mentions: Sequence[Mention]) -> list[Markup]:
    """Paragraphs of escaped text with <mark> around each mention (overlaps: the first wins)."""
    valid = (m for m in mentions if 0 <= m.start < m.end <= len(text))
    spans = sorted(valid, key=lambda m: (m.start, -m.end))
    pieces: list[str] = []
    pos = 0
    for m in spans:
        if m.start < pos:
            continue
        pieces.append(str(escape(text[pos : m.start])))
        label = KIND_LABELS.get(m.kind, m.kind)
        title = f"{label}: {m.entity.canonical_name}"
        words = escape(text[m.start : m.end])
        pieces.append(f'<mark class="ent ent-{escape(m.kind)}" title="{escape(title)}">{words}</mark>')
        pos = m.end
    pieces.append(str(escape(text[pos:])))
    joined = "".join(pieces)
    return [Markup(p) for p in joined.split("\n") if p.strip()]  # noqa: S704  (built from escaped parts)


def citation(doc: Document, snapshot: Snapshot | None) -> str:
    """A COI-style reference: publisher, title, date, URL, access date, stored-copy hash."""
    publisher = doc.source.publisher or doc.source.name
    published = doc.published_at.strftime("%d %B %Y") if doc.published_at else "undated"
    accessed = doc.retrieved_at.strftime("%d %B %Y")
    parts = [f"{publisher}, “{doc.title}”, {published}, {doc.url}, accessed on {accessed}"]
    if snapshot is not None:
        parts.append(f"stored copy SHA-256 {snapshot.sha256}")
    return "; ".join(parts) + "."
