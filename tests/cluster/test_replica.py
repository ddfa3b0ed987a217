"""Reads that may lag go to ``COI_DATABASE_REPLICA_URL``; writes and reads after a write to the primary."""

from __future__ import annotations

import time
from pathlib import Path

from flask import session as flask_session
from sqlalchemy import func, select

from portal.app import create_app
from portal.config import Settings
from portal.db import make_engine, make_session_factory, transaction
from portal.extensions import db
from portal.migrate import upgrade
from portal.models import Source


def test_reads_that_may_lag_use_the_replica_until_the_browser_writes(tmp_path: Path) -> None:
    primary_url = f"sqlite:///{tmp_path / 'primary.sqlite3'}"
    replica_url = f"sqlite:///{tmp_path / 'replica.sqlite3'}"
    for url in (primary_url, replica_url):
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
    engine = make_engine(primary_url)
    with transaction(make_session_factory(engine)) as session:  # a row the replica has not received yet
        session.add(
            Source(
                name="Sample", kind="rss", url="https://example.org/f", countries=[], themes=[], options={}
            )
        )
    engine.dispose()
    settings = Settings(
        instance_path=tmp_path,
        database_url=primary_url,
        database_replica_url=replica_url,
        spacy_model=None,
        secret_key="sample-secret",
        bookkeeping_batch_ms=0,
    )
    app = create_app({"TESTING": True}, settings=settings)
    count = select(func.count()).select_from(Source)
    try:
        with app.test_request_context("/search"):
            assert db.read_session.scalar(count) == 0  # the lagging replica
            assert db.session.scalar(count) == 1  # the primary
        with app.test_request_context("/search"):
            flask_session["_coi_wrote_at"] = time.time()  # this browser has just written
            assert db.read_session.scalar(count) == 1
        with app.test_request_context("/search"):
            flask_session["_coi_wrote_at"] = time.time() - 3600
            assert db.read_session.scalar(count) == 0
    finally:
        app.extensions["coi_engine"].dispose()
        app.extensions["coi_replica_engine"].dispose()


def test_without_a_replica_reads_use_the_primary(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'only.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    app = create_app(
        {"TESTING": True},
        settings=Settings(
            instance_path=tmp_path,
            database_url=url,
            spacy_model=None,
            secret_key="sample-secret",
            bookkeeping_batch_ms=0,
        ),
    )
    try:
        with app.test_request_context("/"):
            assert db.read_session is db.session
    finally:
        app.extensions["coi_engine"].dispose()
