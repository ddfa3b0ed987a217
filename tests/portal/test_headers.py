"""Response headers (caching, HSTS) and queries the parser refuses or cuts."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker

from portal.config import Settings
from tests.portal.test_api import token_for


def test_pages_behind_log_in_and_api_answers_are_not_stored(
    logged_in: Callable[[str], FlaskClient], factory: sessionmaker[Session]
) -> None:
    client = logged_in("officer")
    for path in ["/", "/help"]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "no-store", path
    token = token_for(factory, "officer")
    answer = client.get("/api/v1/sources", headers={"Authorization": f"Bearer {token}"})
    assert answer.headers["Cache-Control"] == "no-store"
    assert "Strict-Transport-Security" not in answer.headers  # the base URL is plain http


def test_hsts_when_the_base_url_is_https(settings: Settings, engine: object) -> None:
    from portal.app import create_app

    app = create_app({"TESTING": True}, settings=settings.with_overrides(base_url="https://coi.example.org"))
    response = app.test_client().get("/login")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    app.extensions["coi_engine"].dispose()


def test_deep_nesting_is_a_400_with_the_warning(
    app: Flask, logged_in: Callable[[str], FlaskClient], factory: sessionmaker[Session], populated: object
) -> None:
    client = logged_in("researcher")
    deep = "(" * 300 + "report" + ")" * 300
    token = token_for(factory, "researcher")
    answer = client.get(
        "/api/v1/search", query_string={"q": deep}, headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 400
    assert "levels deep" in answer.json["error"]
    page = client.get("/", query_string={"q": deep})
    assert page.status_code == 400
    assert "levels deep" in page.get_data(as_text=True)
    assert (
        client.get(
            "/api/v1/search", query_string={"q": "(report)"}, headers={"Authorization": f"Bearer {token}"}
        ).status_code
        == 200
    )


def test_the_cli_cuts_long_queries(settings: Settings, populated: object, tmp_path: Path) -> None:
    from portal.cli import main

    env = {
        "COI_INSTANCE_PATH": str(settings.instance_path),
        "COI_DATABASE_URL": settings.db_url,
        "COI_SPACY_MODEL": "none",
    }
    result = CliRunner().invoke(main, ["search", "report " * 20_000, "--json"], env=env)
    assert result.exit_code == 0, result.output
    assert "cut to its first 1000 characters" in result.output
