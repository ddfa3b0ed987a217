"""Provinces from the tagger to the pages: stored on mentions, searched, counted, shown, tagged again.

The portal is filled through the real pipeline (sample site, gazetteer tagger), so the provinces are
the ones the tagger gives for the sample texts.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from flask.testing import FlaskClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from portal import pipeline
from portal.api.tokens import create_token
from portal.db import transaction
from portal.models import Document, IndexChange, Mention, User, utcnow


def _document_placed_in(factory: sessionmaker[Session], code: str) -> tuple[int, str]:
    with transaction(factory) as session:
        row = session.execute(
            select(Document.id, Document.title)
            .join(Mention, Mention.document_id == Document.id)
            .where(Mention.province_code == code)
        ).first()
    assert row is not None, f"the sample corpus has no place in {code}"
    return int(row[0]), str(row[1])


def _titles(page: str) -> list[str]:
    return [html.unescape(t) for t in re.findall(r'<h2><a href="/documents/\d+">([^<]+)</a></h2>', page)]


def test_search_by_province_code_name_and_filter_with_a_labelled_facet(
    populated: dict[str, object], logged_in: Callable[[str], FlaskClient], factory: sessionmaker[Session]
) -> None:
    _, title = _document_placed_in(factory, "SD-DN")
    client = logged_in("researcher")
    for args in ({"q": "province:SD-DN"}, {"q": 'province:"north darfur"'}, {"province": "SD-DN"}):
        page = client.get("/", query_string=args).get_data(as_text=True)
        assert _titles(page) == [title], args
        facet = page[page.index('data-facet="province"') :]
        facet = facet[: facet.index("</section>")]
        assert "North Darfur (Sudan)" in facet, args
    page = client.get("/", query_string={"q": "province:SO-SH OR province:SD-DN"}).get_data(as_text=True)
    assert len(_titles(page)) == 2
    assert re.search(r'href="/\?[^"]*province=SO-SH[^"]*">Lower Shabelle \(Somalia\)</a> \(1\)', page)
    help_page = client.get("/help").get_data(as_text=True)
    assert "province:SY-ID" in help_page
    # in Dutch: the facet's heading, and the country of the province
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', help_page)
    assert token
    client.post("/language", data={"locale": "nl", "next": "/", "csrf_token": token.group(1)})
    page = client.get("/", query_string={"province": "SD-DN"}).get_data(as_text=True)
    assert "<h2>Provincie</h2>" in page
    assert "North Darfur (Soedan)" in page


def test_a_division_without_an_iso_code_is_named_and_searched_by_its_geonames_code(
    populated: dict[str, object], logged_in: Callable[[str], FlaskClient], factory: sessionmaker[Session]
) -> None:
    _, title = _document_placed_in(factory, "BD.84")  # Bangladesh's Chittagong division (Cox's Bazar)
    client = logged_in("researcher")
    for args in ({"province": "BD.84"}, {"q": "province:Chittagong"}):
        page = client.get("/", query_string=args).get_data(as_text=True)
        assert title in _titles(page), args
        facet = page[page.index('data-facet="province"') :]
        facet = facet[: facet.index("</section>")]
        assert "Chittagong (Bangladesh)" in facet and ">BD.84<" not in facet, args


def test_document_page_lists_each_place_with_its_province(
    populated: dict[str, object], logged_in: Callable[[str], FlaskClient], factory: sessionmaker[Session]
) -> None:
    doc_id, _ = _document_placed_in(factory, "SD-DN")
    page = logged_in("officer").get(f"/documents/{doc_id}").get_data(as_text=True)
    places = page[page.index('id="places-h"') :]
    places = places[: places.index("</section>")]
    assert "El Fasher" in places
    assert 'href="/?province=SD-DN&amp;sort=newest">North Darfur (Sudan)</a>' in places
    # a town the gazetteer cannot place in a province shows its country instead
    assert re.search(r"El Fasher</span> – (Sudan|province)", places)


def test_country_page_counts_documents_per_province_with_links_to_the_search(
    populated: dict[str, object], logged_in: Callable[[str], FlaskClient], factory: sessionmaker[Session]
) -> None:
    client = logged_in("officer")
    page = client.get("/countries/SD").get_data(as_text=True)
    section = page[page.index('id="provinces-h"') :]
    section = section[: section.index("</section>")]
    row = re.search(r'<tr id="province-SD-DN">(.*?)</tr>', section, re.DOTALL)
    assert row is not None
    assert "North Darfur" in row.group(1)
    link = re.search(r'<a href="([^"]+)">(\d+)</a>', row.group(1))
    assert link is not None and link.group(2) == "1"
    assert "province=SD-DN" in link.group(1)
    # the number is what the search behind the link finds
    found = client.get(html.unescape(link.group(1))).get_data(as_text=True)
    assert len(_titles(found)) == int(link.group(2))
    # provinces of other countries stay on their own pages
    assert "SO-SH" not in section and "Lower Shabelle" not in section
    empty = client.get("/countries/NO").get_data(as_text=True)
    assert "No document names a place in a province of Norway yet." in empty


def test_api_document_carries_the_province_of_each_place(
    populated: dict[str, object], client: FlaskClient, factory: sessionmaker[Session], users: object
) -> None:
    doc_id, _ = _document_placed_in(factory, "SO-SH")
    with transaction(factory) as session:
        user = session.scalar(select(User).where(User.username == "officer"))
        assert user is not None
        token = create_token(session, user, "tests")
    data = client.get(f"/api/v1/documents/{doc_id}", headers={"Authorization": f"Bearer {token}"}).json
    assert data is not None
    provinces = {m["text"]: m["province"] for m in data["mentions"]}
    assert provinces["Lower Shabelle"] == {"code": "SO-SH", "name": "Lower Shabelle"}
    assert any(p is None for p in provinces.values())


def test_tagged_places_carry_provinces_and_tagging_again_fills_in_old_mentions(
    populated: dict[str, object], factory: sessionmaker[Session]
) -> None:
    with transaction(factory) as session:
        placed = {
            (m.text, m.province_code, m.province_name)
            for m in session.scalars(select(Mention).where(Mention.province_code.is_not(None)))
        }
        other_kinds = session.scalars(
            select(Mention.kind).where(
                Mention.province_code.is_not(None), Mention.kind.not_in(("city", "region"))
            )
        ).all()
    assert ("North Darfur", "SD-DN", "North Darfur") in placed
    assert ("Lower Shabelle", "SO-SH", "Lower Shabelle") in placed
    assert other_kinds == []  # groups, persons and countries carry no province
    doc_id, _ = _document_placed_in(factory, "SD-DN")
    with transaction(factory) as session:
        # as mentions stored before provinces were kept
        session.execute(update(Mention).values(province_code=None, province_name=None))
        session.execute(update(IndexChange).values(processed_at=utcnow()))
        tagged_at = session.scalar(select(Document.processed_at).where(Document.id == doc_id))
        total = session.query(Document).filter(Document.processed_at.is_not(None)).count()
    assert pipeline.retag_documents(factory, model=None, batch_size=4) == total
    with transaction(factory) as session:
        codes = set(session.scalars(select(Mention.province_code).where(Mention.document_id == doc_id)))
        assert "SD-DN" in codes
        assert session.scalar(select(Document.processed_at).where(Document.id == doc_id)) == tagged_at
        queued = session.scalars(select(IndexChange.document_id).where(IndexChange.processed_at.is_(None)))
        assert doc_id in set(queued)
