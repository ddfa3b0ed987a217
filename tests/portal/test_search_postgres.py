"""The portal searching with COI_SEARCH_BACKEND=postgres: page, API, facets, related documents.

The sample sources are collected into PostgreSQL, indexed into the PostgreSQL search tables
through the change log, and every answer is compared with a Whoosh index built from the same
database.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker

from portal import pipeline
from portal.config import Settings
from portal.db import transaction
from portal.models import IndexChange
from search_index import SearchIndex

# the root conftest's database fixture, on PostgreSQL only
pytestmark = [pytest.mark.postgres, pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)]

QUERIES = ["conscription", "country:Sudan", 'group:"RSF"', "smugglers OR smuggling", '"armed forces"']


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    instance = tmp_path / "instance"
    instance.mkdir()
    return Settings(
        instance_path=instance,
        database_url=database_url,
        spacy_model=None,
        secret_key="test-secret-postgres-search",
        search_backend="postgres",
        bookkeeping_batch_ms=0,  # as the root settings: audit events written at once
    )


@pytest.fixture
def whoosh(populated: dict[str, object], factory: sessionmaker[Session], tmp_path: Path) -> SearchIndex:
    """A Whoosh index of the same documents, for comparison."""
    from portal.search.service import build_resolvers

    index = SearchIndex(tmp_path / "whoosh", build_resolvers())
    pipeline.rebuild_index(factory, index)
    return index


def test_change_log_search_page_api_and_facets_on_postgres(
    populated: dict[str, object],
    settings: Settings,
    factory: sessionmaker[Session],
    whoosh: SearchIndex,
    logged_in: Callable[[str], FlaskClient],
) -> None:
    # the change log filled the PostgreSQL tables, and nothing went to a Whoosh folder
    assert not settings.index_path.exists()
    index = settings.search_index()
    try:
        assert index.doc_count() == populated["indexed"] == whoosh.doc_count() > 5
    finally:
        index.close()
    with transaction(factory) as session:
        pending = session.query(IndexChange).filter(IndexChange.processed_at.is_(None)).count()
    assert pending == 0

    # the search page shows Whoosh's hits
    client = logged_in("researcher")
    for query in QUERIES:
        page = client.get("/", query_string={"q": query, "sort": "newest"}).get_data(as_text=True)
        shown = [int(i) for i in re.findall(r'<h2><a href="/documents/(\d+)">', page)]
        expected = whoosh.search(query, sort="newest", pagelen=20)
        assert expected.total > 0, query
        assert set(shown) == {h.id for h in expected.hits}, query
    page = client.get("/", query_string={"q": "country:Sudan"}).get_data(as_text=True)
    assert 'data-facet="topic"' in page

    # the API gives Whoosh's totals, hits and facet counts
    from portal.api.tokens import create_token
    from portal.models import User

    with transaction(factory) as session:
        user = session.query(User).filter(User.username == "officer").one()
        token = create_token(session, user, "tests")
    auth = {"Authorization": f"Bearer {token}"}
    for query in QUERIES:
        got = client.get("/api/v1/search", query_string={"q": query, "per_page": 100}, headers=auth).json
        assert got is not None
        expected = whoosh.search(query, pagelen=100)
        assert got["total"] == expected.total, query
        assert {h["id"] for h in got["hits"]} == {h.id for h in expected.hits}, query
        facets = {k: {v["value"]: v["count"] for v in vals} for k, vals in got["facets"].items()}
        assert facets and facets == {k: dict(v) for k, v in expected.facets.items()}, query
    got = client.get("/api/v1/search", query_string={"q": "conscription"}, headers=auth).json
    assert got is not None and all("<mark>" in h["highlight"] for h in got["hits"])
    filtered = client.get(
        "/api/v1/search", query_string={"q": "", "country": "SD", "per_page": 100}, headers=auth
    ).json
    assert filtered is not None
    assert filtered["total"] == whoosh.search("", filters={"country": ["SD"]}).total > 0

    # a document page lists related documents from the PostgreSQL index
    first = whoosh.search("country:Sudan", sort="newest").hits[0]
    response = client.get(f"/documents/{first.id}")
    assert response.status_code == 200
    like = [h.id for h in whoosh.more_like_this(first.id, n=6)]
    assert like, "the sample documents have related documents"
    page = response.get_data(as_text=True)
    assert any(f'href="/documents/{i}"' in page for i in like)


def test_counts_from_a_sample_are_shown_as_estimates(
    populated: dict[str, object],
    settings: Settings,
    logged_in: Callable[[str], FlaskClient],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from search_index import pg

    client = logged_in("researcher")
    exact = re.search(
        r'<p class="count">(.*?)</p>', client.get("/?q=country:Sudan").get_data(as_text=True), re.S
    )
    assert exact is not None and "about" not in exact.group(1)
    monkeypatch.setattr(pg, "ESTIMATE_FROM", 1)  # every sample that finds a hit is scaled up
    counted = 0
    for query in ("country:Sudan", "conscription", "smuggling", "lang:en"):
        page = client.get("/", query_string={"q": query}).get_data(as_text=True)
        count = re.search(r'<p class="count">(.*?)</p>', page, re.S)
        assert count is not None
        if "about" in count.group(1):
            counted += 1
            assert "counted on a sample" in count.group(1) and "(≈" in page
    assert counted, "at least one search found a document of the sample"
