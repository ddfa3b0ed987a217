"""Fixtures shared by every test: settings in a temporary instance folder, databases, the app."""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from portal.config import Settings
from portal.db import make_engine, make_session_factory

PG_URL = os.environ.get("COI_TEST_DATABASE_URL")

pytest_plugins: list[str] = []


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


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The test runs once on SQLite and once on PostgreSQL (when COI_TEST_DATABASE_URL is set)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.sqlite3'}"
        return
    if not PG_URL:
        pytest.skip("COI_TEST_DATABASE_URL is not set: PostgreSQL tests need a server")
    yield from _pg_database()


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    instance = tmp_path / "instance"
    instance.mkdir()
    return Settings(
        instance_path=instance,
        database_url=database_url,
        spacy_model=None,
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
    application.extensions["coi_engine"].dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()
