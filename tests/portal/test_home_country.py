"""A source's home country: a town name that several countries have is read in the country the
source writes about, declared in its catalogue entry or learned from its documents' focus."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from flask.testing import FlaskClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from portal.db import transaction
from portal.homes import source_homes
from portal.models import Document, DocumentCountry, Source, utcnow
from portal.pipeline import process_pending
from tests.seed import add_document

FIRE = "A fire destroyed a warehouse in Tripoli overnight, the fire brigade said."


def _tagged_earlier(session: Session, source: str, focus: list[str | None]) -> None:
    """Documents of `source` tagged before, each with its focus country (or none)."""
    for n, code in enumerate(focus):
        doc = add_document(session, f"Earlier report {n} of {source}.", source=source, processed_at=utcnow())
        if code:
            session.add(DocumentCountry(document_id=doc.id, country_code=code, role="focus", score=0.9))
            session.add(DocumentCountry(document_id=doc.id, country_code="CA", role="mentioned", score=0.2))


def _focus_of_fire(factory: sessionmaker[Session], source: str) -> list[str]:
    with transaction(factory) as session:
        doc = add_document(session, FIRE, source=source, title=f"Fire ({source})")
        doc_id = doc.id
    process_pending(factory, model="none")
    with transaction(factory) as session:
        return list(
            session.scalars(
                select(DocumentCountry.country_code).where(
                    DocumentCountry.document_id == doc_id, DocumentCountry.role == "focus"
                )
            )
        )


def test_a_source_that_mostly_writes_about_one_country_reads_its_towns_there(
    factory: sessionmaker[Session],
) -> None:
    with transaction(factory) as session:
        _tagged_earlier(session, "Local paper", ["LB"] * 5 + ["SY", None])
        _tagged_earlier(session, "World desk", ["LB", "SY", "FR", "LY", "IQ", "TR"])
    with transaction(factory) as session:
        ids = dict(session.execute(select(Source.name, Source.id)).tuples().all())
        assert source_homes(session, ids.values()) == {ids["Local paper"]: "LB"}
    assert _focus_of_fire(factory, "Local paper") == ["LB"]
    assert _focus_of_fire(factory, "World desk") == ["LY"]  # the better-known town
    assert _focus_of_fire(factory, "New source") == ["LY"]  # nothing tagged yet


def test_a_source_that_covers_one_country_by_its_catalogue_entry_reads_its_towns_there(
    factory: sessionmaker[Session],
) -> None:
    with transaction(factory) as session:
        add_document(session, "Placeholder of one.", source="Declared", processed_at=utcnow())
        add_document(session, "Placeholder of all.", source="Worldwide", processed_at=utcnow())
        session.execute(update(Source).where(Source.name == "Declared").values(countries=["LB"]))
        session.execute(update(Source).where(Source.name == "Worldwide").values(countries=["*"]))
    assert _focus_of_fire(factory, "Declared") == ["LB"]
    assert _focus_of_fire(factory, "Worldwide") == ["LY"]
    with transaction(factory) as session:
        assert session.scalar(select(Document.processed_at).where(Document.title == "Fire (Declared)"))


def test_the_admin_page_of_a_source_says_where_its_shared_town_names_are_read(
    factory: sessionmaker[Session], logged_in: Callable[[str], FlaskClient]
) -> None:
    with transaction(factory) as session:
        _tagged_earlier(session, "Local paper", ["LB"] * 6)
        _tagged_earlier(session, "World desk", ["LB", "SY", "FR", "LY", "IQ", "TR"])
        add_document(session, "Placeholder of one.", source="Declared")
        session.execute(update(Source).where(Source.name == "Declared").values(countries=["SY"]))
        ids = dict(session.execute(select(Source.name, Source.id)).tuples().all())
    client = logged_in("admin")

    def said(name: str) -> str:
        page = html.unescape(client.get(f"/admin/sources/{ids[name]}").get_data(as_text=True))
        found = re.search(r"<p>([^<]*town name[^<]*|[^<]*plaatsnaam[^<]*)</p>", page)
        assert found, page
        return found.group(1)

    assert "read in Lebanon, the country most of this source's latest tagged documents" in said("Local paper")
    assert "read in Syria, the country of this source's catalogue entry" in said("Declared")
    assert said("World desk").startswith("This source has no home country")
    page = client.get("/admin/sources").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert token
    client.post("/language", data={"locale": "nl", "next": "/", "csrf_token": token.group(1)})
    assert "als een plaats in Libanon, het land waarover de meeste" in said("Local paper")
    assert said("World desk").startswith("Deze bron heeft geen thuisland")


COUNTY = "Deputies from Henry County arrested two men after a chase on Tuesday."


def _province_of_county(factory: sessionmaker[Session], source: str) -> str | None:
    from portal.models import Mention

    with transaction(factory) as session:
        doc_id = add_document(session, COUNTY, source=source, title=f"Arrests ({source})").id
    process_pending(factory, model="none")
    with transaction(factory) as session:
        return session.scalar(
            select(Mention.province_code).where(Mention.document_id == doc_id, Mention.text == "Henry County")
        )


def test_a_source_that_mostly_writes_about_one_province_reads_its_county_names_there(
    factory: sessionmaker[Session], logged_in: Callable[[str], FlaskClient]
) -> None:
    from portal.homes import source_home_provinces

    with transaction(factory) as session:
        for n in range(6):
            add_document(
                session, f"Flooding closed {n + 2} roads in Nashville, Tennessee.", source="County paper"
            )
            add_document(session, f"Flooding closed {n + 2} roads in Des Moines.", source="Two states")
            add_document(session, f"Flooding closed {n + 2} roads in Memphis.", source="Two states")
    process_pending(factory, model="none")
    with transaction(factory) as session:
        ids = dict(session.execute(select(Source.name, Source.id)).tuples().all())
        assert source_home_provinces(session, ids.values()) == {ids["County paper"]: "US-TN"}
    assert _province_of_county(factory, "County paper") == "US-TN"
    # half of its documents in Iowa and half in Tennessee: no home province, the first namesake
    assert _province_of_county(factory, "Two states") == _province_of_county(factory, "New source")
    page = logged_in("admin").get(f"/admin/sources/{ids['County paper']}").get_data(as_text=True)
    assert "read in Tennessee (United States), the province most of" in html.unescape(page)
