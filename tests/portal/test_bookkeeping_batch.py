"""Page views' audit events written in batches from one thread of the web process."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import cast

import pytest
from flask import Flask
from sqlalchemy import Table, event, func, insert, select, text
from sqlalchemy.orm import Session, sessionmaker

from portal import bookkeeping
from portal.config import Settings
from portal.db import transaction
from portal.models import AuditEvent, Document, LoginAttempt, Role, utcnow
from tests.conftest import PASSWORD, csrf_token


def _count(factory: sessionmaker[Session], action: str) -> int:
    with transaction(factory) as session:
        return (
            session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action))
            or 0
        )


@pytest.fixture
def batched(settings: Settings, engine: object) -> Iterator[Flask]:
    from portal.app import create_app

    app = create_app({"TESTING": True}, settings=settings.with_overrides(bookkeeping_batch_ms=20))
    yield app
    app.extensions["coi_bookkeeping"].close()
    app.extensions["coi_engine"].dispose()


def test_every_page_view_of_many_threads_reaches_the_audit_log(
    batched: Flask, factory: sessionmaker[Session], users: dict[str, Role], populated: dict[str, object]
) -> None:
    with transaction(factory) as session:
        doc_ids = list(session.scalars(select(Document.id)))
    assert doc_ids
    client = batched.test_client()
    client.post(
        "/login",
        data={"username": "officer", "password": PASSWORD, "csrf_token": csrf_token(client, "/login")},
    )
    cookie = client.get_cookie("session")
    assert cookie is not None

    def view(i: int) -> int:
        own = batched.test_client()
        own.set_cookie("session", cookie.value)
        return own.get(f"/documents/{doc_ids[i % len(doc_ids)]}").status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(view, range(40)))
    assert statuses == [200] * 40
    batched.extensions["coi_bookkeeping"].flush()
    assert _count(factory, "view_document") == 40


def test_a_log_in_attempt_is_written_before_the_answer(
    batched: Flask, factory: sessionmaker[Session], users: dict[str, Role]
) -> None:
    client = batched.test_client()
    answer = client.post(
        "/login",
        data={"username": "officer", "password": "wrong", "csrf_token": csrf_token(client, "/login")},
    )
    assert answer.status_code == 401
    # not left to the batch: the throttle counts it at the next attempt
    with transaction(factory) as session:
        assert session.scalar(select(func.count()).select_from(LoginAttempt)) == 1


def test_one_bad_write_in_a_batch_loses_none_of_the_others(
    batched: Flask, factory: sessionmaker[Session], users: dict[str, Role]
) -> None:
    writer: bookkeeping.BatchWriter = batched.extensions["coi_bookkeeping"]

    def event(action: str) -> bookkeeping.Write:
        return lambda s: s.add(
            AuditEvent(action=action, username="x", target="", details={}, ip="", user_agent="")
        )

    def broken(s: Session) -> None:
        s.execute(text("INSERT INTO no_such_table VALUES (1)"))

    writer.submit([event("first"), broken, event("second")])
    writer.flush()
    assert (_count(factory, "first"), _count(factory, "second")) == (1, 1)


def test_the_new_rows_of_a_batch_go_to_the_database_in_one_execution(
    batched: Flask, factory: sessionmaker[Session], users: dict[str, Role]
) -> None:
    writer: bookkeeping.BatchWriter = batched.extensions["coi_bookkeeping"]
    statement = insert(cast(Table, AuditEvent.__table__))
    row = {"username": "x", "target": "", "details": {}, "ip": "", "user_agent": "", "at": utcnow()}
    inserts: list[str] = []

    def seen(_conn: object, _cursor: object, sql: str, *_args: object) -> None:
        if sql.startswith("INSERT INTO audit_events"):
            inserts.append(sql)

    engine = batched.extensions["coi_engine"]
    event.listen(engine, "before_cursor_execute", seen)
    try:
        writer.submit([bookkeeping.NewRow(statement, {**row, "action": f"view {i}"}) for i in range(12)])
        writer.flush()
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert len(inserts) == 1
    with transaction(factory) as session:
        actions = session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("view %")))
        assert sorted(actions) == sorted(f"view {i}" for i in range(12))


def test_what_is_queued_is_written_when_the_process_ends(
    settings: Settings, engine: object, tmp_path: Path
) -> None:
    # a process of its own, which views pages and ends at once, as a gunicorn worker does on SIGTERM
    script = textwrap.dedent(
        """
        import sys
        from portal.app import create_app
        from portal.audit import record
        from portal.config import Settings
        from portal.extensions import db

        settings = Settings(instance_path=__import__("pathlib").Path(sys.argv[1]), database_url=sys.argv[2],
                            spacy_model=None, secret_key="k", bookkeeping_batch_ms=60_000)
        app = create_app({"TESTING": True}, settings=settings)

        @app.get("/seen")
        def seen():
            record(db.session, "seen_before_exit")
            return "ok"

        client = app.test_client()
        assert [client.get("/seen").status_code for _ in range(5)] == [200] * 5
        """
    )
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    subprocess.run(
        [sys.executable, "-c", script, str(settings.instance_path), settings.db_url],
        check=True,
        env=env,
        timeout=120,
    )
    from portal.db import make_engine, make_session_factory

    other = make_engine(settings.db_url)
    try:
        assert _count(make_session_factory(other), "seen_before_exit") == 5
    finally:
        other.dispose()
