"""Error pages: styled, translated, with navigation; JSON under /api/; the favicon."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient


def _switch_to_dutch(client: FlaskClient) -> None:
    page = client.get("/").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert token
    client.post("/language", data={"locale": "nl", "next": "/", "csrf_token": token.group(1)})


def test_not_found_and_forbidden_pages_have_navigation_and_dutch(
    logged_in: Callable[[str], FlaskClient],
) -> None:
    client = logged_in("officer")
    missing = client.get("/no/such/page")
    html = missing.get_data(as_text=True)
    assert missing.status_code == 404 and "Page not found" in html and 'id="main-menu"' in html
    assert "style.css" in html
    forbidden = client.get("/admin/users")
    assert forbidden.status_code == 403 and "Your role does not give access" in forbidden.get_data(
        as_text=True
    )
    _switch_to_dutch(client)
    html = client.get("/no/such/page").get_data(as_text=True)
    assert "Pagina niet gevonden" in html and "Page not found" not in html
    assert "Geen toegang" in client.get("/admin/users").get_data(as_text=True)


def test_api_errors_stay_json(client: FlaskClient) -> None:
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404 and response.is_json


def test_server_error_page(app: Flask) -> None:
    app.config.update(TESTING=False, PROPAGATE_EXCEPTIONS=False)

    @app.get("/boom-for-test")
    def boom() -> str:
        raise RuntimeError("sample failure")

    response = app.test_client().get("/boom-for-test")
    assert response.status_code == 500
    assert "Something went wrong" in response.get_data(as_text=True)


def test_favicon(client: FlaskClient) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response.headers["Location"].endswith("/static/favicon.svg")
    with client.get("/static/favicon.svg") as svg:
        assert svg.status_code == 200 and b"<svg" in svg.data
