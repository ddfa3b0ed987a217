"""Admin pages: source assessment, users, the audit log and its immutability."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from portal.db import transaction
from portal.models import AuditEvent, Source, User


def form_token(page: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert match
    return match.group(1)


def test_admin_edits_a_source_assessment(
    logged_in: Callable[[str], FlaskClient], factory: sessionmaker[Session]
) -> None:
    with transaction(factory) as session:
        source = Source(
            name="A source", kind="rss", url="https://example.org/feed", countries=[], themes=[], options={}
        )
        session.add(source)
        session.flush()
        source_id = source.id
    client = logged_in("admin")
    page = client.get(f"/admin/sources/{source_id}").get_data(as_text=True)
    response = client.post(
        f"/admin/sources/{source_id}",
        data={
            "csrf_token": form_token(page),
            "publisher": "Example",
            "publisher_type": "ngo",
            "update_minutes": "120",
            "enabled": "y",
            "mandate": "Monitors detention.",
            "methodology": "Interviews.",
            "reliability": "4",
            "reliability_note": "Consistent with UN reporting.",
            "assessment_notes": "",
            "last_reviewed": "2026-11-01",
        },
    )
    assert response.status_code == 302
    with transaction(factory) as session:
        source = session.get(Source, source_id)
        assert source is not None and source.reliability == 4 and source.publisher_type == "ngo"
        assert source.reliability_note == "Consistent with UN reporting."
        events = session.scalars(select(AuditEvent).where(AuditEvent.action == "edit_source")).all()
        assert events and events[0].username == "admin" and events[0].details["reliability"] == 4
    audit = client.get("/admin/audit?action=edit_source").get_data(as_text=True)
    assert f"source:{source_id}" in audit


def test_admin_creates_a_user_with_a_generated_password(
    logged_in: Callable[[str], FlaskClient], factory: sessionmaker[Session]
) -> None:
    client = logged_in("admin")
    page = client.get("/admin/users").get_data(as_text=True)
    response = client.post(
        "/admin/users",
        data={"csrf_token": form_token(page), "username": "newofficer", "email": "", "role": "officer"},
        follow_redirects=True,
    )
    assert "shown once" in response.get_data(as_text=True)
    with transaction(factory) as session:
        user = session.scalar(select(User).where(User.username == "newofficer"))
        assert user is not None and user.role.value == "officer"


def test_login_is_rate_limited(client: FlaskClient, users: dict[str, object]) -> None:
    page = client.get("/login").get_data(as_text=True)
    token = form_token(page)
    codes = [
        client.post(
            "/login", data={"username": "admin", "password": "wrong guess here", "csrf_token": token}
        ).status_code
        for _ in range(6)
    ]
    assert codes[:3] == [401] * 3 and codes[3:] == [429] * 3  # a growing delay after three failures
    right = client.post(
        "/login", data={"username": "admin", "password": "correct horse battery", "csrf_token": token}
    )
    assert right.status_code == 429  # even the right password waits out the delay


def test_audit_log_cannot_be_edited(
    logged_in: Callable[[str], FlaskClient], factory: sessionmaker[Session]
) -> None:
    logged_in("researcher")  # a log-in is an audit event
    with pytest.raises(DBAPIError), transaction(factory) as session:
        session.execute(update(AuditEvent).values(username="someone else"))
    with pytest.raises(DBAPIError), transaction(factory) as session:
        session.execute(text("DELETE FROM audit_events"))
    with transaction(factory) as session:
        assert [e.username for e in session.scalars(select(AuditEvent))] == ["researcher"]
