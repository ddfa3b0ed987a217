"""A published briefing as a Word document or a PDF, with its citations as a numbered source list.

Each item carries a reference number; the list of sources at the end cites the stored copy of
every item (see :mod:`portal.briefings.citations`). The PDF is WeasyPrint's rendering of the
print page; it never fetches anything (no network, no files).
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from portal.annotations.models import Annotation
from portal.briefings.citations import Citation, Wording
from portal.briefings.models import Briefing


@dataclass(frozen=True)
class ExportItem:
    number: int
    title: str
    summary: str
    quotes: tuple[str, ...]
    citation: Citation
    copy_url: str | None
    wording: Wording | None = None

    @property
    def reference(self) -> str:
        return self.citation.text(self.copy_url, self.wording)


def export_items(
    briefing: Briefing,
    citations: Mapping[int, Citation],
    annotations: Mapping[int, Annotation],
    copy_urls: Mapping[int, str],
    wording: Wording | None = None,
) -> list[ExportItem]:
    rows = []
    for number, item in enumerate(sorted(briefing.items, key=lambda i: i.position), start=1):
        quotes = tuple(annotations[a].exact for a in item.annotation_ids or () if a in annotations)
        rows.append(
            ExportItem(
                number=number,
                title=item.document.title,
                summary=item.summary,
                quotes=quotes,
                citation=citations[item.document_id],
                copy_url=copy_urls.get(item.document_id),
                wording=wording,
            )
        )
    return rows


def plain(markdown: str) -> str:
    """Markdown reduced to readable plain text for Word (emphasis marks and link targets dropped)."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", markdown)
    text = re.sub(r"(\*\*|__|\*|_|`)", "", text)
    return text.strip()


def to_docx(briefing: Briefing, items: Sequence[ExportItem]) -> bytes:
    from docx import Document as WordDocument

    word: Any = WordDocument()
    word.core_properties.title = briefing.title
    word.add_heading(briefing.title, level=0)
    from flask_babel import gettext

    from portal.templating import fmt_date

    published = fmt_date(briefing.published_at, True) if briefing.published_at else ""
    word.add_paragraph(
        f"{briefing.desk_name} · "
        + gettext("version %(version)s · published %(date)s", version=briefing.version, date=published)
    )
    for para in plain(briefing.summary).split("\n\n"):
        if para.strip():
            word.add_paragraph(para.strip())
    for item in items:
        word.add_heading(f"{item.number}. {item.title} [{item.number}]", level=2)
        for para in plain(item.summary).split("\n\n"):
            if para.strip():
                word.add_paragraph(para.strip())
        for quote in item.quotes:
            word.add_paragraph(f"“{quote}” [{item.number}]", style="Intense Quote")
    word.add_heading(gettext("Sources"), level=1)
    for item in items:
        word.add_paragraph(f"[{item.number}] {item.reference}")
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()


def _refuse(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    raise ValueError(f"the PDF export fetches nothing ({url[:80]})")


def to_pdf(html: str) -> bytes:
    from weasyprint import HTML

    pdf = HTML(string=html, url_fetcher=_refuse).write_pdf()
    assert isinstance(pdf, bytes)
    return pdf
