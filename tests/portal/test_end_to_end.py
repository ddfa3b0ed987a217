"""One real path through every layer: a served feed, the collector, storage, tagging, the index,
and the portal's search and document pages."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from portal import pipeline
from portal.db import transaction
from portal.demo import site_data
from portal.models import Document, DocumentVersion, Snapshot, Source


def test_collect_stores_documents_versions_and_copies(
    populated: dict[str, object], factory: sessionmaker[Session]
) -> None:
    summaries = populated["summaries"]
    assert [s.status for s in summaries] == ["ok", "ok", "ok"]  # type: ignore[attr-defined]
    expected = sum(len(f["items"]) for f in site_data()["feeds"])
    assert sum(s.new for s in summaries) == expected  # type: ignore[attr-defined]
    with transaction(factory) as session:
        assert session.scalar(select(func.count()).select_from(Document)) == expected
        doc = session.scalar(select(Document).where(Document.url.contains("khartoum-detention")))
        assert doc is not None
        assert "utm_" not in doc.url
        assert "Rapid Support Forces" in doc.text
        assert doc.retrieved_at is not None and doc.published_at is not None
        version = session.scalar(select(DocumentVersion).where(DocumentVersion.document_id == doc.id))
        assert version is not None and version.version == 1
        snap = session.scalar(select(Snapshot).where(Snapshot.version_id == version.id))
        assert snap is not None and snap.content.startswith(b"<!doctype html>")
        assert len(snap.sha256) == 64 and snap.content_type.startswith("text/html")
        # the wire story carried by two sample sources is one cluster of two documents
        idlib = session.scalars(select(Document).where(Document.title.contains("Idlib"))).all()
        assert len(idlib) == 2 and idlib[0].cluster_id == idlib[1].cluster_id
    assert populated["tagged"] == expected
    assert populated["indexed"] == expected


def test_second_run_adds_nothing(populated: dict[str, object], factory: sessionmaker[Session]) -> None:
    client = pipeline.default_client("tests", min_delay=0.0)
    with transaction(factory) as session:
        ids = list(session.scalars(select(Source.id)))
    again = [pipeline.collect_source(factory, sid, client) for sid in ids]
    assert sum(s.new + s.updated for s in again) == 0
    with transaction(factory) as session:
        assert session.scalar(select(func.count()).select_from(DocumentVersion)) == sum(
            len(f["items"]) for f in site_data()["feeds"]
        )


def test_search_facet_and_document_page(
    populated: dict[str, object], logged_in: Callable[[str], FlaskClient]
) -> None:
    client = logged_in("researcher")
    page = client.get("/?q=detainees").get_data(as_text=True)
    assert "Former detainees describe abuse in Khartoum" in page
    assert "<mark>" in page
    # the country facet lists Sudan and filtering by it keeps only Sudanese documents
    page = client.get("/?q=hospitals OR detainees OR shelling").get_data(as_text=True)
    assert 'data-facet="country"' in page
    filtered = client.get("/?q=hospitals OR detainees OR shelling&country=SD").get_data(as_text=True)
    assert "El Fasher" in filtered and "Idlib" not in filtered.split("Results")[-1]
    link = re.search(r'href="(/documents/\d+)">\[Sample\] Former detainees', page)
    assert link, page
    doc_page = client.get(link.group(1)).get_data(as_text=True)
    assert "Accessed on" in doc_page and "Sample: Horizon Monitor" in doc_page
    copy_link = re.search(r'href="(/documents/\d+/copies/\d+)"', doc_page)
    assert copy_link
    copy_page = client.get(copy_link.group(1))
    assert copy_page.status_code == 200
    assert "Rapid Support Forces" in copy_page.get_data(as_text=True)
    download = client.get(copy_link.group(1) + "/download")
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.data.startswith(b"<!doctype html>")


def test_search_requires_login(client: FlaskClient) -> None:
    response = client.get("/?q=detainees")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
