"""The JSON API: tokens, roles, and conformance to its own OpenAPI document (schemathesis)."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from portal.api.tokens import create_token
from portal.db import transaction
from portal.models import AuditEvent, Role, User


def token_for(factory: sessionmaker[Session], name: str) -> str:
    with transaction(factory) as session:
        user = session.scalar(select(User).where(User.username == name))
        assert user is not None
        return create_token(session, user, "tests")


def test_requests_without_a_valid_token_get_401(client: FlaskClient, users: dict[str, Role]) -> None:
    for path in [
        "/api/v1/documents",
        "/api/v1/sources",
        "/api/v1/entities",
        "/api/v1/search?q=x",
        "/api/v1/saved-searches",
        "/api/v1/documents/1",
    ]:
        assert client.get(path).status_code == 401, path
        response = client.get(path, headers={"Authorization": "Bearer coi_not-a-real-token"})
        assert response.status_code == 401
        assert response.json == {"error": "the token is not valid"}
        assert "Bearer" in response.headers["WWW-Authenticate"]


def test_a_tokens_last_use_is_kept_to_the_minute(
    client: FlaskClient, users: dict[str, Role], factory: sessionmaker[Session]
) -> None:
    from datetime import timedelta

    from sqlalchemy import update

    from portal.models import ApiToken

    token = token_for(factory, "officer")
    headers = {"Authorization": f"Bearer {token}"}

    def last_use() -> Any:
        with transaction(factory) as session:
            return session.scalar(select(ApiToken.last_used_at))

    assert last_use() is None
    assert client.get("/api/v1/sources", headers=headers).status_code == 200
    first = last_use()
    assert first is not None
    assert client.get("/api/v1/sources", headers=headers).status_code == 200
    assert last_use() == first  # within the minute: no write
    with transaction(factory) as session:
        session.execute(update(ApiToken).values(last_used_at=first - timedelta(minutes=5)))
    assert client.get("/api/v1/sources", headers=headers).status_code == 200
    assert last_use() >= first


def test_reads_for_every_role_writes_for_admin(
    client: FlaskClient, users: dict[str, Role], factory: sessionmaker[Session]
) -> None:
    from portal.models import Source

    with transaction(factory) as session:
        session.add(
            Source(
                name="A source",
                kind="rss",
                url="https://example.org/feed",
                countries=[],
                themes=[],
                options={},
            )
        )
    officer = {"Authorization": f"Bearer {token_for(factory, 'officer')}"}
    admin = {"Authorization": f"Bearer {token_for(factory, 'admin')}"}
    listing = client.get("/api/v1/sources", headers=officer)
    assert listing.status_code == 200
    source_id = listing.json["items"][0]["id"]
    body = {"assessment": {"reliability_note": "Checked against field reports."}}
    assert client.patch(f"/api/v1/sources/{source_id}", json=body, headers=officer).status_code == 403
    changed = client.patch(f"/api/v1/sources/{source_id}", json=body, headers=admin)
    assert changed.status_code == 200
    assert changed.json["assessment"]["reliability_note"] == "Checked against field reports."
    with transaction(factory) as session:
        actions = [e.action for e in session.scalars(select(AuditEvent))]
    assert "edit_source" in actions


def test_saved_search_round_trip(
    client: FlaskClient, users: dict[str, Role], factory: sessionmaker[Session]
) -> None:
    auth = {"Authorization": f"Bearer {token_for(factory, 'researcher')}"}
    made = client.post(
        "/api/v1/saved-searches",
        json={"name": "Eritrea service", "query": "military service", "filters": {"country": ["ER"]}},
        headers=auth,
    )
    assert made.status_code == 201
    listed = client.get("/api/v1/saved-searches", headers=auth).json["items"]
    assert [s["name"] for s in listed] == ["Eritrea service"]
    bad = client.post("/api/v1/saved-searches", json={"name": "", "filters": {"nope": ["x"]}}, headers=auth)
    assert bad.status_code == 400


@pytest.fixture
def api_token(users: dict[str, Role], factory: sessionmaker[Session]) -> str:
    return token_for(factory, "admin")


# Schema-valid bodies can still be refused for reasons a schema cannot say (an annotation whose end
# comes before its start): the checks are those of the contract, not "every valid body is accepted".
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
    schemathesis.checks.response_headers_conformance,
    schemathesis.checks.ignored_auth,
]


def test_api_conforms_to_its_openapi_document(
    app: Flask, api_token: str, populated: dict[str, object]
) -> None:
    """No server error; every status, content type and body matches the document."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 9
    for operation in operations:

        @hsettings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        @given(case=operation.as_strategy())
        def check(case: Any) -> None:
            case.call_and_validate(headers={"Authorization": f"Bearer {api_token}"}, checks=CHECKS)

        try:
            check()
        except Exception as exc:  # gather every operation's failure, then fail once
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}")
    assert not failures, "\n\n".join(failures)
