"""One saved search, one meaning: the portal's search, its Atom feed and the e-mail digest agree.

The saved search has a phrase, a field, a negation and a stored filter. On SQLite it runs with
the Whoosh index, on PostgreSQL with the PostgreSQL search backend; either way the digest's
matcher must pick exactly the documents the search and the feed list.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from portal import pipeline
from portal.config import Settings
from portal.db import transaction
from portal.digests.compose import Corpus as DigestCorpus
from portal.digests.compose import match_saved, parse_saved_search
from portal.digests.models import DigestDelivery
from portal.digests.send import DigestConfig, DigestSender
from portal.models import SavedSearch, User

if TYPE_CHECKING:
    from conftest import Clock, Corpus, Mailbox, People

MONDAY = datetime(2026, 3, 2, tzinfo=UTC)
QUERY = '"border crossing" country:ER -smugglers'
FILTERS = {"source": ["Conflict Monitor"]}


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    """The root settings, with the PostgreSQL search backend when the database is PostgreSQL."""
    instance = tmp_path / "instance"
    instance.mkdir()
    return Settings(
        instance_path=instance,
        database_url=database_url,
        spacy_model=None,
        secret_key="test-secret-saved-search-meaning",
        search_backend="postgres" if database_url.startswith("postgresql") else "whoosh",
        bookkeeping_batch_ms=0,  # as the root settings: audit events written at once
    )


def add_documents(corpus: Corpus, when: datetime) -> dict[str, int]:
    monitor = "Conflict Monitor"
    return {
        "match": corpus.add(
            "Border crossing at Omhajer shut",
            when,
            countries=("ER", "SD"),
            source=monitor,
            text="The border crossing at Omhajer was shut after a week of shelling.",
        ),
        "match_mentioned": corpus.add(
            "Traders wait",
            when + timedelta(minutes=5),
            countries=("SD", "ER"),
            source=monitor,
            text="Traders wait at the border crossing for the third day.",
        ),
        "apart": corpus.add(
            "Crossing points",
            when + timedelta(minutes=10),
            countries=("ER",),
            source=monitor,
            text="A crossing further north; the border itself is calm.",
        ),
        "other_country": corpus.add(
            "Border crossing on the coast",
            when + timedelta(minutes=15),
            countries=("DJ",),
            source=monitor,
            text="The border crossing near the coast reopened.",
        ),
        "negated": corpus.add(
            "Border crossing and smugglers",
            when + timedelta(minutes=20),
            countries=("ER",),
            source=monitor,
            text="Smugglers use the border crossing at night.",
        ),
        "other_source": corpus.add(
            "Border crossing queues",
            when + timedelta(minutes=25),
            countries=("ER",),
            text="Queues at the border crossing grew.",
        ),
    }


def test_search_feed_and_digest_find_the_same_documents(
    factory: sessionmaker[Session],
    settings: Settings,
    app: Flask,
    mailbox: Mailbox,
    clock: Clock,
    corpus: Corpus,
    people: People,
) -> None:
    settings = mailbox.configure(settings)
    people.add("noor", "noor@example.org")
    saved_id = people.saved_search("noor", "Crossings", QUERY, FILTERS)
    people.subscribe("noor", MONDAY - timedelta(days=10), saved_searches=["Crossings"], send_at="07:30")
    docs = add_documents(corpus, MONDAY - timedelta(hours=10))
    expected = {docs["match"], docs["match_mentioned"]}

    # the portal's search, on the configured backend
    index = settings.search_index()
    try:
        pipeline.rebuild_index(factory, index)
        found = index.search(QUERY, filters=FILTERS, pagelen=50)
    finally:
        index.close()
    assert {h.id for h in found.hits} == expected
    assert found.warnings == ()

    # the Atom feed of the saved search
    with transaction(factory) as session:
        user = session.scalar(select(User).where(User.username == "noor"))
        assert user is not None
        user.feed_token = "noor-feed-token-for-tests"
    feed = app.test_client().get(f"/feeds/saved/{saved_id}.atom?token=noor-feed-token-for-tests")
    assert feed.status_code == 200
    linked = {int(i) for i in re.findall(r"/documents/(\d+)", feed.get_data(as_text=True))}
    assert linked == expected

    # the digest's matcher, and the digest it sends
    window = DigestCorpus(
        factory, MONDAY - timedelta(days=1), MONDAY, stem_phrases=settings.search_backend == "postgres"
    )
    with transaction(factory) as session:
        saved = session.get(SavedSearch, saved_id)
        assert saved is not None
        query = parse_saved_search(saved, window.resolvers(), MONDAY)
    assert set(match_saved(window, query, window.window(window.start, window.end))) == expected
    clock.set(datetime(2026, 3, 2, 6, 30, tzinfo=UTC))
    config = DigestConfig(send_empty=False, sender="digests@coi.example.org")
    report = DigestSender(factory, settings, config=config, clock=clock).run()
    assert report.sent == 1
    with transaction(factory) as session:
        [row] = session.scalars(select(DigestDelivery)).all()
        assert set(row.document_ids) == expected
    text = mailbox.received[0].message.get_body(preferencelist=("plain",)).get_content()
    assert "Border crossing at Omhajer shut" in text and "Crossing points" not in text


def test_since_in_a_saved_search_counts_back_from_the_digest(
    factory: sessionmaker[Session], corpus: Corpus, people: People
) -> None:
    people.add("ida", None)
    saved_id = people.saved_search("ida", "Recent", "since:6h crossing", {})
    new = corpus.add("Crossing reopened", MONDAY - timedelta(hours=2), text="The crossing reopened.")
    corpus.add("Crossing closed", MONDAY - timedelta(hours=20), text="The crossing closed.")
    window = DigestCorpus(factory, MONDAY - timedelta(days=1), MONDAY)
    with transaction(factory) as session:
        saved = session.get(SavedSearch, saved_id)
        assert saved is not None
        query = parse_saved_search(saved, window.resolvers(), MONDAY)
    # published three hours before being processed (see the corpus fixture)
    assert match_saved(window, query, window.window(window.start, window.end)) == [new]


def test_a_saved_search_nested_too_deeply_matches_nothing(
    factory: sessionmaker[Session], corpus: Corpus, people: People
) -> None:
    people.add("eli", None)
    saved_id = people.saved_search("eli", "Deep", "(" * 100 + "crossing" + ")" * 100, {})
    corpus.add("Crossing reopened", MONDAY - timedelta(hours=2))
    window = DigestCorpus(factory, MONDAY - timedelta(days=1), MONDAY)
    with transaction(factory) as session:
        saved = session.get(SavedSearch, saved_id)
        assert saved is not None
        query = parse_saved_search(saved, window.resolvers(), MONDAY)
    assert match_saved(window, query, window.window(window.start, window.end)) == []
