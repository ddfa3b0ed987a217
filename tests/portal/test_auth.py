"""Log-in, roles, CSRF and redirects."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from portal.models import Role


def test_stranger_sees_only_the_login_page(client: FlaskClient) -> None:
    for path in ["/", "/documents/1", "/admin/sources", "/admin/users"]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith("/login")
    assert client.get("/login").status_code == 200


def test_wrong_password_is_refused(
    client: FlaskClient, users: dict[str, Role], login_as: Callable[..., object]
) -> None:
    response = login_as("admin", password="not the password")
    assert response.status_code == 401  # type: ignore[attr-defined]
    assert "wrong password" in response.get_data(as_text=True)  # type: ignore[attr-defined]
    assert client.get("/").status_code == 302


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"]
)
def test_no_open_redirect_after_login(
    client: FlaskClient, users: dict[str, Role], target: str, login_as: Callable[..., object]
) -> None:
    response = login_as("researcher", next_url=target)
    assert response.status_code == 302  # type: ignore[attr-defined]
    assert response.headers["Location"] == "/"  # type: ignore[attr-defined]


def test_local_next_is_followed(
    client: FlaskClient, users: dict[str, Role], login_as: Callable[..., object]
) -> None:
    response = login_as("researcher", next_url="/documents/3")
    assert response.headers["Location"] == "/documents/3"  # type: ignore[attr-defined]


def test_officer_cannot_reach_admin(logged_in: Callable[[str], FlaskClient]) -> None:
    client = logged_in("officer")
    assert client.get("/admin/sources").status_code == 403
    assert client.get("/").status_code == 200


def test_admin_reaches_admin(logged_in: Callable[[str], FlaskClient]) -> None:
    client = logged_in("admin")
    assert client.get("/admin/sources").status_code == 200
    assert client.get("/admin/users").status_code == 200


def test_login_without_csrf_token_is_refused(client: FlaskClient, users: dict[str, Role]) -> None:
    response = client.post("/login", data={"username": "admin", "password": "correct horse battery"})
    assert response.status_code == 400


def test_logout_needs_post(logged_in: Callable[[str], FlaskClient]) -> None:
    client = logged_in("researcher")
    assert client.get("/logout").status_code == 405
