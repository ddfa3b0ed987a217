"""Saved searches on a province, evaluated by the digest on the documents of its window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from portal.db import transaction
from portal.digests.compose import Corpus, match_saved, parse_saved_search
from portal.models import Document, Entity, Mention, SavedSearch, Source

TAGGED = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)


def _fill(factory: sessionmaker[Session]) -> dict[str, int]:
    """Three tagged documents: one with a town in Homs, one in Homs and Hama, one with no place."""
    ids: dict[str, int] = {}
    with transaction(factory) as session:
        source = Source(
            name="Desk", kind="rss", url="https://example.org/d", countries=[], themes=[], options={}
        )
        town = Entity(
            key="city:800001", kind="city", canonical_name="Talbiseh", country_codes=["SY"], aliases=[]
        )
        session.add_all([source, town])
        session.flush()
        for n, (name, provinces) in enumerate(
            [("homs", [("SY-HI", "Homs")]), ("both", [("SY-HI", "Homs"), ("SY-HM", "Hama")]), ("none", [])]
        ):
            doc = Document(
                source_id=source.id,
                url=f"https://example.org/d/{name}",
                title=f"Bread prices rise ({name})",
                text="Bread prices rose again this week.",
                content_sha256=f"{n}" * 64,
                processed_at=TAGGED,
            )
            session.add(doc)
            session.flush()
            for code, province in provinces:
                session.add(
                    Mention(
                        document_id=doc.id,
                        entity_id=town.id,
                        start=0,
                        end=5,
                        text="Talbiseh",
                        kind="city",
                        province_code=code,
                        province_name=province,
                    )
                )
            ids[name] = doc.id
    return ids


def test_a_saved_search_on_a_province_keeps_only_documents_placed_there(
    factory: sessionmaker[Session],
) -> None:
    ids = _fill(factory)
    corpus = Corpus(factory, TAGGED - timedelta(days=1), TAGGED + timedelta(days=1))
    every = sorted(ids.values())

    def matched(query: str, filters: dict[str, list[str]] | None = None) -> set[int]:
        saved = SavedSearch(name="s", query=query, filters=filters or {})
        return set(match_saved(corpus, parse_saved_search(saved, corpus.resolvers(), TAGGED), every))

    assert matched("", {"province": ["SY-HI"]}) == {ids["homs"], ids["both"]}
    assert matched("", {"province": ["SY-HM"]}) == {ids["both"]}
    assert matched("bread province:hama") == {ids["both"]}  # by name, as the search reads it
    assert matched('province:"sy-hi"') == {ids["homs"], ids["both"]}
    assert matched("", {"province": ["SY-DR"]}) == set()
