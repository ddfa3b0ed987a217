"""The settings page (every role, CSRF), the unsubscribe page and the admin jobs page."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from portal.db import transaction
from portal.digests.models import DigestSubscription, JobRun
from portal.digests.subscriptions import unsubscribe_token
from portal.models import AuditEvent, Role, utcnow

if TYPE_CHECKING:
    from conftest import People

PASSWORD = "correct horse battery"


def token_on(client: FlaskClient, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def log_in(client: FlaskClient, name: str) -> None:
    response = client.post(
        "/login", data={"username": name, "password": PASSWORD, "csrf_token": token_on(client, "/login")}
    )
    assert response.status_code == 302


def subscription(factory: sessionmaker[Session]) -> DigestSubscription | None:
    with transaction(factory) as session:
        from sqlalchemy.orm import selectinload

        return session.scalar(
            select(DigestSubscription).options(selectinload(DigestSubscription.saved_searches))
        )


@pytest.mark.parametrize("role", [Role.officer, Role.researcher, Role.admin])
def test_every_role_manages_its_digest(
    client: FlaskClient, factory: sessionmaker[Session], people: People, role: Role
) -> None:
    people.add("pat", "pat@example.org", role)
    saved = people.saved_search("pat", "Somalia returns", "returns", {"country": ["SO"]})
    log_in(client, "pat")
    page = client.get("/settings")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "pat@example.org" in html and "Somalia returns" in html and "human-trafficking" in html
    assert 'href="/settings"' in html  # the navigation links to it
    form = {
        "csrf_token": token_on(client, "/settings"),
        "active": "y",
        "countries": "sy, AF",
        "topics": ["human-trafficking", "children"],
        "saved_searches": [str(saved)],
        "briefings": "y",
        "frequency": "weekly",
        "weekday": "fri",
        "send_at": "06:45",
        "timezone": "Europe/Brussels",
    }
    response = client.post("/settings", data=form)
    assert response.status_code == 302
    sub = subscription(factory)
    assert sub is not None and sub.active
    assert sub.countries == ["AF", "SY"] and sub.topics == ["children", "human-trafficking"]
    assert [s.id for s in sub.saved_searches] == [saved]
    assert (sub.frequency, sub.weekday, sub.send_at, sub.timezone, sub.briefings) == (
        "weekly",
        4,
        "06:45",
        "Europe/Brussels",
        True,
    )
    with transaction(factory) as session:
        assert session.scalar(select(AuditEvent.action).where(AuditEvent.action == "digest_settings"))
    # the page shows the stored choices
    html = client.get("/settings").get_data(as_text=True)
    assert 'value="AF, SY"' in html


def test_settings_refuse_bad_input_and_missing_csrf(
    client: FlaskClient, factory: sessionmaker[Session], people: People
) -> None:
    people.add("quinn", "quinn@example.org")
    log_in(client, "quinn")
    base = {"active": "y", "frequency": "daily", "weekday": "mon", "send_at": "07:00", "timezone": "UTC"}
    assert client.post("/settings", data={**base, "countries": "SY"}).status_code in (200, 400)
    assert subscription(factory) is None  # no CSRF token: nothing stored
    bad = client.post(
        "/settings", data={**base, "countries": "XX", "csrf_token": token_on(client, "/settings")}
    )
    assert "not an ISO 3166 alpha-2 country code" in bad.get_data(as_text=True)
    late = client.post(
        "/settings", data={**base, "send_at": "25:00", "csrf_token": token_on(client, "/settings")}
    )
    assert "Use HH:MM" in late.get_data(as_text=True)
    assert subscription(factory) is None


def test_settings_need_a_log_in(client: FlaskClient) -> None:
    response = client.get("/settings")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_unsubscribe_page_confirms_and_rejects_forged_tokens(
    app: Flask, client: FlaskClient, factory: sessionmaker[Session], people: People
) -> None:
    uid = people.add("rae", "rae@example.org")
    people.subscribe("rae", utcnow(), countries=["SY"])
    token = unsubscribe_token(app.config["SECRET_KEY"], uid)
    page = client.get(f"/unsubscribe/{token}").get_data(as_text=True)
    assert "Stop the e-mail digest for rae?" in page
    assert f'action="/unsubscribe/{token}"' in page
    assert 'name="csrf_token"' not in page  # the token protects this form
    forged = unsubscribe_token("another secret", uid)
    assert client.post(f"/unsubscribe/{forged}").status_code == 404
    assert subscription(factory).active  # type: ignore[union-attr]
    assert client.post(f"/unsubscribe/{token}").status_code == 200
    assert not subscription(factory).active  # type: ignore[union-attr]
    assert "already off" in client.get(f"/unsubscribe/{token}").get_data(as_text=True)


def test_jobs_page_is_for_admins_and_shows_failures(
    client: FlaskClient, factory: sessionmaker[Session], people: People
) -> None:
    people.add("sam", "sam@example.org", Role.admin)
    people.add("tom", "tom@example.org", Role.researcher)
    with transaction(factory) as session:
        session.add(
            JobRun(
                job_id="index", started_at=utcnow(), finished_at=utcnow(), ok=False, error="LockError: busy"
            )
        )
        session.add(
            JobRun(job_id="digests", started_at=utcnow(), finished_at=utcnow(), ok=True, result="3 sent")
        )
    log_in(client, "tom")
    assert client.get("/admin/jobs").status_code == 403
    assert 'href="/admin/jobs"' not in client.get("/settings").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": token_on(client, "/settings")})
    log_in(client, "sam")
    html = client.get("/admin/jobs").get_data(as_text=True)
    assert 'href="/admin/jobs"' in html
    for job_id in ("digests", "index", "process", "sources"):
        assert f">{job_id}<" in html
    assert "failed: LockError: busy" in html and "ok: <small>3 sent</small>" in html
    assert "No scheduler is running" in html
