"""Fixtures shared by every test: settings in a temporary instance folder, databases, the app."""

from __future__ import annotations

import os
import re
import secrets
import smtplib
import threading
from collections.abc import Callable, Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from portal import pipeline
from portal.auth.passwords import hash_password
from portal.config import Settings
from portal.db import make_engine, make_session_factory, transaction
from portal.demo import feed_url, make_server, site_data
from portal.models import Role, Source, User

PG_URL = os.environ.get("COI_TEST_DATABASE_URL")

pytest_plugins: list[str] = []


class _MailForbidden:
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise AssertionError("this test sent mail without asking for the mailbox fixture")


@pytest.fixture(autouse=True)
def _no_unexpected_mail(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any test that opens an SMTP connection without the ``mailbox`` fixture."""
    if "mailbox" in request.fixturenames:
        return
    monkeypatch.setattr(smtplib, "SMTP", _MailForbidden)
    monkeypatch.setattr(smtplib, "SMTP_SSL", _MailForbidden)


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never read the developer's own settings."""
    for key in list(os.environ):
        if key.startswith("COI_") and key != "COI_TEST_DATABASE_URL":
            monkeypatch.delenv(key)


def _pg_database() -> Iterator[str]:
    """A fresh, empty PostgreSQL database, dropped afterwards."""
    import psycopg

    assert PG_URL is not None
    admin = make_url(PG_URL).set(drivername="postgresql")
    name = f"coi_test_{secrets.token_hex(6)}"
    conninfo = admin.render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _pg_database_or_skip() -> Iterator[str]:
    if not PG_URL:
        pytest.skip("COI_TEST_DATABASE_URL is not set: PostgreSQL tests need a server")
    yield from _pg_database()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The test runs once on SQLite and once on PostgreSQL (when COI_TEST_DATABASE_URL is set)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.sqlite3'}"
        return
    yield from _pg_database_or_skip()


@pytest.fixture
def pg_database_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for a test of PostgreSQL alone; skipped without a server."""
    yield from _pg_database_or_skip()


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    instance = tmp_path / "instance"
    instance.mkdir()
    return Settings(
        instance_path=instance,
        database_url=database_url,
        spacy_model=None,
        # page views' audit events written before the page is sent, so a test can read them at
        # once (tests/portal/test_bookkeeping_batch.py covers the batched writes)
        bookkeeping_batch_ms=0,
        secret_key="test-secret-" + re.sub(r"\W", "", str(tmp_path))[-20:],
    )


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    from portal.migrate import upgrade

    eng = make_engine(settings.db_url)
    upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def factory(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


@pytest.fixture
def app(settings: Settings, engine: Engine) -> Iterator[Flask]:
    from portal.app import create_app

    application = create_app({"TESTING": True}, settings=settings)
    yield application
    index = application.extensions.get("coi_index")
    if index is not None:
        index.close()
    application.extensions["coi_engine"].dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


# ---------------------------------------------------------------- users, log-in, a populated portal

PASSWORD = "correct horse battery"


def make_user(factory: sessionmaker[Session], name: str, role: Role) -> None:
    with transaction(factory) as session:
        session.add(User(username=name, role=role, password_hash=hash_password(PASSWORD)))


def csrf_token(client: FlaskClient, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def login(client: FlaskClient, name: str, password: str = PASSWORD, next_url: str | None = None) -> Any:
    token = csrf_token(client, "/login")
    path = "/login" + (f"?next={next_url}" if next_url else "")
    return client.post(path, data={"username": name, "password": password, "csrf_token": token})


@pytest.fixture
def users(factory: sessionmaker[Session]) -> dict[str, Role]:
    """One user per role, named after it."""
    made = {"admin": Role.admin, "researcher": Role.researcher, "officer": Role.officer}
    for name, role in made.items():
        make_user(factory, name, role)
    return made


@pytest.fixture
def logged_in(client: FlaskClient, users: dict[str, Role]) -> Callable[[str], FlaskClient]:
    def as_user(name: str) -> FlaskClient:
        response = login(client, name)
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return as_user


@pytest.fixture
def login_as(client: FlaskClient) -> Callable[..., Any]:
    def do(name: str, password: str = PASSWORD, next_url: str | None = None) -> Any:
        return login(client, name, password, next_url)

    return do


@pytest.fixture
def sample_site() -> Iterator[str]:
    server: ThreadingHTTPServer = make_server(port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def add_sources(factory: sessionmaker[Session], base: str) -> list[int]:
    ids = []
    with transaction(factory) as session:
        for feed in site_data()["feeds"]:
            source = Source(
                name=feed["name"],
                kind=feed["format"],
                url=feed_url(base, feed),
                allow_private=True,
                publisher=feed["publisher"],
                publisher_type=feed["publisher_type"],
                countries=[],
                themes=[],
                options={},
            )
            session.add(source)
            session.flush()
            ids.append(source.id)
    return ids


@pytest.fixture
def populated(factory: sessionmaker[Session], settings: Settings, sample_site: str) -> dict[str, object]:
    client = pipeline.default_client("tests", min_delay=0.0)
    summaries = [pipeline.collect_source(factory, sid, client) for sid in add_sources(factory, sample_site)]
    tagged = pipeline.process_pending(factory, model=None)
    index = settings.search_index()
    try:
        indexed = pipeline.update_index(factory, index)
    finally:
        index.close()
    return {"summaries": summaries, "tagged": tagged, "indexed": indexed}
