"""Portal test fixtures: users, logging in through the real form, a portal populated from the sample site."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from http.server import ThreadingHTTPServer
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker

from portal import pipeline
from portal.auth.passwords import hash_password
from portal.config import Settings
from portal.db import transaction
from portal.demo import feed_url, make_server, site_data
from portal.models import Role, Source, User
from search_index import SearchIndex

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
    indexed = pipeline.update_index(factory, SearchIndex(settings.index_path))
    return {"summaries": summaries, "tagged": tagged, "indexed": indexed}
