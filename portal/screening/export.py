"""A screening list with its decisions as CSV (one line per candidate) or as a Word document.

The Word document cites every document it names the way briefings do
(:meth:`portal.briefings.citations.Citation.text`, with the stored copy's address). No Flask: the
caller passes the labels in the interface language and the stored copies' addresses.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping
from typing import Any

from portal.briefings.citations import Wording
from portal.screening.lists import CandidateView
from portal.screening.models import ScreeningList

CSV_HEADER = [
    "name",
    "aliases",
    "birth_year",
    "nationality",
    "unit",
    "candidate",
    "entity_id",
    "score",
    "match",
    "reasons",
    "documents",
    "decision",
    "decided_by",
    "decided_at",
    "comment",
]


def _safe(cell: str) -> str:
    """A cell a spreadsheet will not run as a formula."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


def to_csv(row: ScreeningList) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for entry in row.entries:
        given = [
            entry.name,
            "; ".join(entry.aliases or []),
            str(entry.birth_year or ""),
            entry.nationality or "",
            entry.unit or "",
        ]
        if not entry.candidates:
            writer.writerow([_safe(c) for c in given] + [""] * (len(CSV_HEADER) - len(given)))
        for c in entry.candidates:
            decision = c.decision
            writer.writerow(
                [
                    _safe(cell)
                    for cell in [
                        *given,
                        c.name,
                        str(c.entity_id or ""),
                        f"{c.score:.4f}",
                        "yes" if c.match else "no",
                        " | ".join(c.reasons or []),
                        " ".join(str(d) for d in c.documents or []),
                        decision.decision if decision else "",
                        decision.username if decision else "",
                        decision.decided_at.isoformat(timespec="seconds") if decision else "",
                        decision.comment if decision else "",
                    ]
                ]
            )
    return out.getvalue()


def to_docx(
    row: ScreeningList,
    views: Mapping[int, CandidateView],
    copy_urls: Mapping[int, str],
    label: Callable[[str], str],
    author: str,
    wording: Wording | None = None,
    reason: Callable[[str], str] = str,
) -> bytes:
    """The list as a Word document: per name its candidates, decisions and cited sources.

    ``label`` translates the few fixed words (decisions, headings); ``copy_urls`` maps a document id
    to the address of its stored copy; ``wording`` gives the citations' language (English without);
    ``reason`` gives a matcher's reason in the reader's language (as stored without).
    """
    from docx import Document as WordDocument

    word: Any = WordDocument()
    word.core_properties.title = row.title
    word.add_heading(row.title, level=0)
    word.add_paragraph(
        f"{label('Screened by')} {author} · {row.created_at:%d %B %Y %H:%M} UTC · "
        f"{len(row.entries)} {label('name(s)')}"
    )
    numbers: dict[int, int] = {}
    for entry in row.entries:
        word.add_heading(entry.name, level=1)
        facts = [
            f"{label('Aliases')}: {'; '.join(entry.aliases)}" if entry.aliases else "",
            f"{label('Birth year')}: {entry.birth_year}" if entry.birth_year else "",
            f"{label('Nationality')}: {entry.nationality}" if entry.nationality else "",
            f"{label('Unit')}: {entry.unit}" if entry.unit else "",
        ]
        if any(facts):
            word.add_paragraph(" · ".join(f for f in facts if f))
        if not entry.candidates:
            word.add_paragraph(label("No candidate found."))
        for c in entry.candidates:
            match = label("match") if c.match else label("below the threshold")
            word.add_heading(f"{c.name} — {c.score:.2f} ({match})", level=2)
            decision = c.decision
            if decision is not None:
                text = (
                    f"{label('Decision')}: {label(decision.decision)} "
                    f"({decision.username}, {decision.decided_at:%d %B %Y %H:%M} UTC)"
                )
                word.add_paragraph(text + (f": {decision.comment}" if decision.comment else ""))
            else:
                word.add_paragraph(f"{label('Decision')}: {label('none yet')}")
            if c.reasons:
                word.add_paragraph(f"{label('Reasons')}: " + "; ".join(map(reason, c.reasons)))
            view = views.get(c.id)
            if view is None:
                continue
            for source in view.sources:
                number = numbers.setdefault(source.document.id, len(numbers) + 1)
                word.add_paragraph(f"{source.document.title} [{number}]", style="List Bullet")
                for quote in source.passages:
                    word.add_paragraph(f"“{quote.text.strip()}” [{number}]", style="Intense Quote")
            if view.more:
                word.add_paragraph(f"{label('More documents')}: {view.more}")
    if numbers:
        word.add_heading(label("Sources"), level=1)
        cited = {s.document.id: s.citation for view in views.values() for s in view.sources}
        for doc_id, number in numbers.items():
            word.add_paragraph(f"[{number}] {cited[doc_id].text(copy_urls.get(doc_id), wording)}")
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()
