"""The search page and saved searches through the Flask test client."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, select
from sqlalchemy.orm import Session, sessionmaker

from portal.db import transaction
from portal.models import AuditEvent, SavedSearch, User


def test_malformed_queries_get_a_message_not_an_error(
    populated: dict[str, object], logged_in: Callable[[str], FlaskClient]
) -> None:
    client = logged_in("officer")
    for query in ['"unbalanced quote', "(Idlib OR", "AND", "published:2026-13-45..x", "country:", "NOT"]:
        response = client.get("/", query_string={"q": query})
        assert response.status_code == 200, query
        assert "flash-error" not in response.get_data(as_text=True), query


def test_fields_facets_and_sorting(
    populated: dict[str, object], logged_in: Callable[[str], FlaskClient]
) -> None:
    client = logged_in("researcher")
    page = client.get("/", query_string={"q": "country:Sudan", "sort": "newest"}).get_data(as_text=True)
    titles = re.findall(r'<h2><a href="/documents/\d+">([^<]+)</a></h2>', page)
    assert titles and all(
        "Khartoum" in t or "El Fasher" in t or "Eritreans" in t or "Migrants" in t for t in titles
    )
    assert 'data-facet="topic"' in page
    page = client.get("/", query_string={"q": 'group:"RSF"'}).get_data(as_text=True)
    assert "Rapid Support Forces" in page
    # result lines tag the groups and forces named, and no place or person
    group_tags = set(re.findall(r'<a class="tag group" href="/entities/\d+">([^<]+)</a>', page))
    assert "Rapid Support Forces" in group_tags
    assert not group_tags & {"Khartoum", "El Fasher", "Darfur", "Sudan"}
    # each result line: its countries highest score first, each group once, its topics by name
    for hit in re.findall(r'<li class="hit".*?</li>', page, flags=re.S):
        groups = re.findall(r'<a class="tag group" href="/entities/(\d+)">', hit)
        assert len(groups) == len(set(groups))
        roles = re.findall(r'<span class="tag country (\w+)">', hit)
        assert roles and roles == sorted(roles, key=lambda r: r != "focus")
    assert re.search(r'<span class="tag topic">[A-Z][a-z]', page)
    help_page = client.get("/help").get_data(as_text=True)
    assert "since:7d" in help_page and "group:" in help_page


def test_searches_are_audited(
    populated: dict[str, object], logged_in: Callable[[str], FlaskClient], factory: sessionmaker[Session]
) -> None:
    logged_in("officer").get("/", query_string={"q": "conscription"})
    with transaction(factory) as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.action == "search")).all()
        assert [(e.username, e.target) for e in events] == [("officer", "conscription")]


def test_saved_search_and_its_atom_feed(
    populated: dict[str, object],
    logged_in: Callable[[str], FlaskClient],
    factory: sessionmaker[Session],
    client: FlaskClient,
) -> None:
    client = logged_in("researcher")
    page = client.get("/", query_string={"q": "smugglers OR smuggling"}).get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert token
    response = client.post(
        "/saved",
        data={
            "csrf_token": token.group(1),
            "name": "Smuggling routes",
            "q": "smugglers OR smuggling",
            "filters": "{}",
        },
    )
    assert response.status_code == 302
    listing = client.get("/saved").get_data(as_text=True)
    feed_url = re.search(r'href="http://localhost(/feeds/saved/\d+\.atom\?token=[^"]+)"', listing)
    assert feed_url, listing
    feed = client.get(feed_url.group(1).replace("&amp;", "&"))
    assert feed.status_code == 200 and feed.mimetype == "application/atom+xml"
    body = feed.get_data(as_text=True)
    assert "<entry>" in body and "Eritreans" in body
    # without the token, or with another one, the feed does not exist
    bare = feed_url.group(1).split("?")[0]
    assert client.get(bare).status_code == 404
    assert client.get(bare + "?token=wrong").status_code == 404
    with transaction(factory) as session:
        saved = session.scalar(select(SavedSearch))
        owner = session.scalar(select(User).where(User.username == "researcher"))
        assert saved is not None and owner is not None and saved.user_id == owner.id


def test_filter_choices_see_a_new_source_and_country_within_seconds(
    app: Flask, factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import UTC, datetime

    from portal.models import Document, DocumentCountry, Source
    from portal.search import labels
    from portal.search.labels import filter_choices

    def picked() -> tuple[set[str], set[str]]:
        with app.test_request_context("/"), factory() as session:
            choices = filter_choices(session)
            return {c.value for c in choices.sources}, {c.value for c in choices.countries}

    assert picked() == (set(), set())
    with transaction(factory) as session:
        source = Source(
            name="Harbour Watch",
            kind="rss",
            url="https://example.org/harbour",
            countries=[],
            themes=[],
            options={},
        )
        session.add(source)
        session.flush()
        now = datetime.now(UTC)
        doc = Document(
            source_id=source.id,
            url="https://example.org/harbour/1",
            title="Port closures",
            text="The port closed for a week.",
            published_at=now,
            retrieved_at=now,
            content_sha256="0" * 64,
        )
        session.add(doc)
        session.flush()
        session.add(DocumentCountry(document_id=doc.id, country_code="ER", role="focus", score=0.9))
    statements: list[str] = []
    engine = factory.kw["bind"]
    event.listen(engine, "before_cursor_execute", lambda _c, _k, sql, *_a: statements.append(sql))
    assert picked() == (set(), set())  # asked again only a few seconds after the last time
    assert statements == []
    monkeypatch.setattr(labels, "_CHOICES_RECHECK", 0.0)  # as when those seconds have passed
    assert picked() == ({"Harbour Watch"}, {"ER"})
