"""Sessions end on the server's word (log-out, password change, deactivation, idle, age) and log-in
throttling slows down the one trying, not the user."""

from __future__ import annotations

import time
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from portal.auth.sessions import change_password
from portal.auth.throttle import FREE_FAILURES, pair_delay
from portal.db import transaction
from portal.models import AuditEvent, LoginAttempt, Role, User
from tests.conftest import csrf_token, login


def _copy_session(app: Flask, client: FlaskClient) -> FlaskClient:
    cookie = client.get_cookie("session")
    assert cookie is not None
    other = app.test_client()
    other.set_cookie("session", cookie.value)
    return other


def test_a_copied_session_cookie_is_refused_after_log_out(
    app: Flask, logged_in: Callable[[str], FlaskClient]
) -> None:
    client = logged_in("researcher")
    copy = _copy_session(app, client)
    assert copy.get("/").status_code == 200  # the copy works while the session lives
    assert client.post("/logout", data={"csrf_token": csrf_token(client, "/")}).status_code == 302
    assert copy.get("/").status_code == 302
    assert copy.get("/").headers["Location"].startswith("/login")
    # logging in again opens a new session; the old copy stays dead
    assert login(client, "researcher").status_code == 302
    assert copy.get("/").status_code == 302
    assert client.get("/").status_code == 200


def test_password_change_and_deactivation_end_every_session(
    app: Flask,
    users: dict[str, Role],
    factory: sessionmaker[Session],
) -> None:
    first, second = app.test_client(), app.test_client()
    assert login(first, "officer").status_code == 302
    assert login(second, "officer").status_code == 302
    with transaction(factory) as session:
        user = session.scalar(select(User).where(User.username == "officer"))
        assert user is not None
        change_password(user, "a new and long passphrase")
    assert first.get("/").status_code == 302
    assert second.get("/").status_code == 302

    admin = app.test_client()
    assert login(admin, "admin").status_code == 302
    assert login(first, "researcher").status_code == 302
    with transaction(factory) as session:
        researcher_id = session.scalar(select(User.id).where(User.username == "researcher"))
    token = csrf_token(admin, "/admin/users")
    answer = admin.post(
        f"/admin/users/{researcher_id}", data={"role": "researcher", "csrf_token": token}
    )  # "active" left unticked
    assert answer.status_code == 302
    assert first.get("/").status_code == 302


def test_idle_and_old_sessions_are_refused(app: Flask, logged_in: Callable[[str], FlaskClient]) -> None:
    client = logged_in("researcher")
    assert client.get("/").status_code == 200
    with client.session_transaction() as session:
        session["seen_at"] = int(time.time()) - 121 * 60  # the default idle limit is 120 minutes
    assert client.get("/").status_code == 302

    client = logged_in("researcher")
    with client.session_transaction() as session:
        session["login_at"] = int(time.time()) - 11 * 3600  # the default lifetime is 10 hours
    assert client.get("/").status_code == 302


def test_a_strangers_wrong_passwords_do_not_lock_the_user_out(
    app: Flask, users: dict[str, Role], factory: sessionmaker[Session]
) -> None:
    stranger = app.test_client()
    stranger.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    statuses = [login(stranger, "officer", password=f"guess number {i}").status_code for i in range(12)]
    assert statuses[:FREE_FAILURES] == [401] * FREE_FAILURES
    assert 429 in statuses  # the stranger is slowed down
    answer = login(stranger, "officer")  # even the right password waits out the delay
    assert answer.status_code == 429
    assert int(answer.headers["Retry-After"]) > 0

    user = app.test_client()
    user.environ_base["REMOTE_ADDR"] = "203.0.113.20"
    assert login(user, "officer").status_code == 302
    assert user.get("/").status_code == 200
    with transaction(factory) as session:
        actions = [e.action for e in session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
        attempts = session.scalars(select(LoginAttempt)).all()
    assert actions.count("login_failed") + actions.count("login_throttled") == 13
    assert actions[-1] == "login"
    assert len(attempts) == statuses.count(401) + 1


def test_spraying_from_one_address_spares_those_who_logged_in_from_it(
    app: Flask, users: dict[str, Role], factory: sessionmaker[Session]
) -> None:
    from portal.auth import throttle

    office = "192.0.2.44"
    colleague = app.test_client()
    colleague.environ_base["REMOTE_ADDR"] = office
    assert login(colleague, "researcher").status_code == 302  # a known address for this account
    sprayer = app.test_client()
    sprayer.environ_base["REMOTE_ADDR"] = office
    for i in range(throttle.MAX_ACCOUNTS_PER_IP):
        assert login(sprayer, f"someone{i}", password="a common password").status_code == 401
    assert login(sprayer, "admin", password="a common password").status_code == 429
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = office
    assert login(other, "researcher").status_code == 302


def test_the_delay_grows_with_each_failure() -> None:
    delays = [pair_delay(n) for n in range(FREE_FAILURES + 5)]
    assert delays[:FREE_FAILURES] == [0.0] * FREE_FAILURES
    assert all(b > a for a, b in zip(delays[FREE_FAILURES:], delays[FREE_FAILURES + 1 :], strict=False))
    assert pair_delay(100) <= 15 * 60


def test_the_cli_password_change_ends_sessions(
    app: Flask, logged_in: Callable[[str], FlaskClient], settings: object
) -> None:
    from click.testing import CliRunner

    from portal.cli import main

    client = logged_in("officer")
    assert client.get("/").status_code == 200
    env = {
        "COI_INSTANCE_PATH": str(settings.instance_path),  # type: ignore[attr-defined]
        "COI_DATABASE_URL": settings.db_url,  # type: ignore[attr-defined]
    }
    result = CliRunner().invoke(main, ["users", "password", "officer"], env=env)
    assert result.exit_code == 0, result.output
    assert "sessions have ended" in result.output
    assert client.get("/").status_code == 302
