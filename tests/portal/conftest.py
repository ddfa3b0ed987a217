"""Portal test fixtures: users, and logging in through the real form with its CSRF token."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker

from portal.auth.passwords import hash_password
from portal.db import transaction
from portal.models import Role, User

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
