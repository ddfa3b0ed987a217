"""The API reference page: Swagger UI from the installed package, no outside address."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask.testing import FlaskClient


def test_reference_page_serves_swagger_ui_locally(logged_in: Callable[[str], FlaskClient]) -> None:
    client = logged_in("officer")
    page = client.get("/api/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'data-spec="/api/v1/openapi.json"' in html
    assert not re.search(r'(src|href)="https?://', html)  # no CDN
    assert "script-src 'self';" in page.headers["Content-Security-Policy"]
    for src in re.findall(r'<script src="([^"]+)"', html):
        with client.get(src) as asset:
            assert asset.status_code == 200 and len(asset.data) > 100
    with client.get("/api/docs/assets/swagger-ui-bundle.js") as bundle:
        assert b"SwaggerUIBundle" in bundle.data
    assert client.get("/api/docs/assets/index.html").status_code == 404
    assert client.get("/api/v1/openapi.json").json["openapi"].startswith("3.")


def test_help_page_and_footer_link_the_reference(logged_in: Callable[[str], FlaskClient]) -> None:
    client = logged_in("researcher")
    assert 'href="/api/docs"' in client.get("/help").get_data(as_text=True)
    assert client.get("/").get_data(as_text=True).count('href="/api/docs"') >= 1


def test_reference_needs_a_log_in(client: FlaskClient) -> None:
    assert client.get("/api/docs").status_code == 302
