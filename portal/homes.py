"""A source's home country: the country a town name that several countries share is read in;
and its home province: the province a town name that several provinces of one country share is
read in.

The home country is declared by the one country of the source's catalogue entry, else read from
the focus of its latest tagged documents (:func:`nlp.scoring.home_country`); the home province is
read from the provinces their places lie in (:func:`nlp.scoring.home_province`). The tagger uses
both (:class:`nlp.records.TagInput`); the source's admin page shows them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import Subquery, select
from sqlalchemy.orm import Session

from portal.models import Document, DocumentCountry, Mention, Source

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

    latest = _latest(source_id)
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


def _latest(source_id: int) -> Subquery:
    """The ids of a source's latest :data:`HOME_SAMPLE` tagged documents."""
    return (
        select(Document.id)
        .where(Document.source_id == source_id, Document.processed_at.is_not(None))
        .order_by(Document.id.desc())
        .limit(HOME_SAMPLE)
        .subquery()
    )


def read_home_province(session: Session, source_id: int) -> str | None:
    """The province most of a source's latest tagged documents are mainly about: for each, the
    province most of its places lie in (:func:`nlp.scoring.home_province`); None when none has
    most of them, or the source is too new."""
    from nlp.scoring import home_province, main_province  # no spaCy

    latest = _latest(source_id)
    rows = session.execute(
        select(latest.c.id, Mention.province_code)
        .outerjoin(Mention, (Mention.document_id == latest.c.id) & Mention.province_code.is_not(None))
        .order_by(latest.c.id, Mention.start)
    )
    found: dict[int, list[str]] = {}
    for doc_id, code in rows:
        found.setdefault(doc_id, [])
        if code:
            found[doc_id].append(code)
    return home_province(main_province(codes) for codes in found.values())


def source_home_provinces(session: Session, source_ids: Iterable[int]) -> dict[int, str]:
    """The province each source mostly writes about (:func:`read_home_province`); sources without
    one are left out."""
    homes = {}
    for source_id in sorted(set(source_ids)):
        home = read_home_province(session, source_id)
        if home:
            homes[source_id] = home
    return homes


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
