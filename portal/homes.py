"""A source's home country: the country a town name that several countries share is read in.

Declared by the one country of the source's catalogue entry, else read from the focus of its
latest tagged documents (:func:`nlp.scoring.home_country`). The tagger uses it
(:attr:`nlp.records.TagInput.home_country`); the source's admin page shows it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Document, DocumentCountry, Source

#: A source's home country is read from the focus of this many of its latest tagged documents.
HOME_SAMPLE = 200


def declared_home(covered: Sequence[str] | None) -> str | None:
    """The one country a source covers by its catalogue entry; None for several or worldwide."""
    only = covered[0] if covered and len(covered) == 1 else ""
    return only.upper() if len(only) == 2 else None  # not "*"


def read_home(session: Session, source_id: int) -> str | None:
    """The best focus country of most of a source's latest tagged documents
    (:func:`nlp.scoring.home_country`), or None."""
    from nlp.scoring import home_country  # no spaCy

    latest = (
        select(Document.id)
        .where(Document.source_id == source_id, Document.processed_at.is_not(None))
        .order_by(Document.id.desc())
        .limit(HOME_SAMPLE)
        .subquery()
    )
    rows = session.execute(
        select(latest.c.id, DocumentCountry.country_code)
        .outerjoin(
            DocumentCountry,
            (DocumentCountry.document_id == latest.c.id) & (DocumentCountry.role == "focus"),
        )
        .order_by(latest.c.id, DocumentCountry.score.desc())
    )
    best: dict[int, str | None] = {}
    for doc_id, code in rows:
        best.setdefault(doc_id, code)  # each document's best focus comes first; None without one
    return home_country(best.values())


def source_homes(session: Session, source_ids: Iterable[int]) -> dict[int, str]:
    """The country each source writes about: the one country it covers by its catalogue entry,
    else the one most of its latest tagged documents are about; sources without one are left out.
    """
    homes = {}
    covered = session.execute(select(Source.id, Source.countries).where(Source.id.in_(set(source_ids))))
    for source_id, countries in sorted(covered.tuples().all()):
        home = declared_home(countries) or read_home(session, source_id)
        if home:
            homes[source_id] = home
    return homes
