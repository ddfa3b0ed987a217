"""Accounts: own password and e-mail, personal API tokens, admin e-mail and one-time reset links."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from portal.auth.account import _digest, make_reset, valid_reset
from portal.auth.models import PasswordReset
from portal.auth.passwords import check_password
from portal.db import transaction
from portal.models import ApiToken, Role, User, utcnow

NEW = "a much longer new secret"
PASSWORD = "correct horse battery"


def csrf_token(client: FlaskClient, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    match = re.search(r'name="[\w-]*csrf_token"[^>]*value="([^"]+)"', page)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def login(client: FlaskClient, name: str, password: str) -> int:
    data = {"username": name, "password": password, "csrf_token": csrf_token(client, "/login")}
    return client.post("/login", data=data).status_code


def _user(factory: sessionmaker[Session], name: str) -> User:
    with transaction(factory) as session:
        user = session.scalar(select(User).where(User.username == name))
        assert user is not None
        session.expunge(user)
        return user


def test_password_change_needs_the_current_password(
    logged_in: Callable[[str], FlaskClient], factory: sessionmaker[Session]
) -> None:
    client = logged_in("officer")
    token = csrf_token(client, "/settings/account")
    wrong = client.post(
        "/settings/account/password",
        data={"pw-csrf_token": token, "pw-current": "not my password", "pw-new": NEW, "pw-confirm": NEW},
    )
    assert wrong.status_code == 400 and "The current password is wrong." in wrong.get_data(as_text=True)
    assert check_password(_user(factory, "officer").password_hash, PASSWORD)
    right = client.post(
        "/settings/account/password",
        data={"pw-csrf_token": token, "pw-current": PASSWORD, "pw-new": NEW, "pw-confirm": NEW},
    )
    assert right.status_code == 302
    assert check_password(_user(factory, "officer").password_hash, NEW)


def test_email_change(logged_in: Callable[[str], FlaskClient], factory: sessionmaker[Session]) -> None:
    client = logged_in("researcher")
    token = csrf_token(client, "/settings/account")
    bad = client.post("/settings/account/email", data={"em-csrf_token": token, "em-email": "not an address"})
    assert bad.status_code == 400
    ok = client.post("/settings/account/email", data={"em-csrf_token": token, "em-email": "r@example.org"})
    assert ok.status_code == 302
    assert _user(factory, "researcher").email == "r@example.org"


def test_api_token_shown_once_listed_used_and_revoked(
    logged_in: Callable[[str], FlaskClient], factory: sessionmaker[Session]
) -> None:
    client = logged_in("officer")
    token = csrf_token(client, "/settings/account")
    page = client.post("/settings/account/tokens", data={"tk-csrf_token": token, "tk-name": "laptop script"})
    html = page.get_data(as_text=True)
    secret = re.search(r'id="new-token">(coi_[^<]+)<', html)
    assert secret, html
    listing = client.get("/settings/account").get_data(as_text=True)
    assert secret.group(1) not in listing  # shown once
    assert "laptop script" in listing and secret.group(1)[:10] in listing
    with transaction(factory) as session:
        row = session.scalar(select(ApiToken))
        assert row is not None and row.token_sha256 == _digest(secret.group(1))
        token_id = row.id
    api = client.application.test_client()
    assert (
        api.get("/api/v1/documents", headers={"Authorization": f"Bearer {secret.group(1)}"}).status_code
        == 200
    )
    revoke = client.post(f"/settings/account/tokens/{token_id}/revoke", data={"csrf_token": token})
    assert revoke.status_code == 302
    assert (
        api.get("/api/v1/documents", headers={"Authorization": f"Bearer {secret.group(1)}"}).status_code
        == 401
    )
    assert "laptop script" not in client.get("/settings/account").get_data(as_text=True)


def test_admin_sets_email_and_makes_a_one_time_reset_link(
    logged_in: Callable[[str], FlaskClient], factory: sessionmaker[Session]
) -> None:
    client = logged_in("admin")
    token = csrf_token(client, "/admin/users")
    officer = _user(factory, "officer")
    assert (
        client.post(
            f"/admin/users/{officer.id}/email", data={"csrf_token": token, "email": "o@example.org"}
        ).status_code
        == 302
    )
    assert _user(factory, "officer").email == "o@example.org"
    page = client.post(f"/admin/users/{officer.id}/reset", data={"csrf_token": token}).get_data(as_text=True)
    link = re.search(r'id="reset-link">http://[^/]+(/reset/[^<]+)<', page)
    assert link, page
    with transaction(factory) as session:
        stored = session.scalars(select(PasswordReset.token_sha256)).all()
    assert stored == [_digest(link.group(1).rsplit("/", 1)[1])]  # only the hash is kept
    other = client.application.test_client()
    form_token = csrf_token(other, link.group(1))
    done = other.post(link.group(1), data={"csrf_token": form_token, "new": NEW, "confirm": NEW})
    assert done.status_code == 302
    assert login(other, "officer", NEW) == 302
    assert other.get(link.group(1)).status_code == 404  # works once


def test_reset_links_expire_and_replace_each_other(
    factory: sessionmaker[Session], users: dict[str, Role]
) -> None:
    with transaction(factory) as session:
        user = session.scalar(select(User).where(User.username == "officer"))
        assert user is not None
        then = utcnow() - timedelta(hours=49)
        old = make_reset(session, user, "admin", now=then)
        first = make_reset(session, user, "admin")
        second = make_reset(session, user, "admin")
        session.flush()
        assert valid_reset(session, old) is None
        assert valid_reset(session, first) is None
        assert valid_reset(session, second) is not None
        assert valid_reset(session, "nonsense") is None
