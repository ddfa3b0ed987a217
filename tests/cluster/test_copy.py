"""``coi db copy-to``: an SQLite instance moved to PostgreSQL keeps its stored copies and annotations."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from portal.annotations.models import Annotation
from portal.config import Settings
from portal.db import make_engine, make_session_factory, transaction
from portal.models import Document, Role, Snapshot, User

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.postgres
def test_copy_to_postgresql_keeps_stored_copies_and_annotations(
    settings: Settings, factory: sessionmaker[Session], populated: dict[str, object]
) -> None:
    if not settings.db_url.startswith("sqlite"):
        pytest.skip("copies an SQLite instance")
    if not os.environ.get("COI_TEST_DATABASE_URL"):
        pytest.skip("COI_TEST_DATABASE_URL is not set: PostgreSQL tests need a server")
    with transaction(factory) as session:
        doc = session.scalars(select(Document).order_by(Document.id)).first()
        assert doc is not None
        user = session.scalars(select(User).order_by(User.id)).first()
        if user is None:
            user = User(username="sample-analyst", role=Role.researcher, password_hash="x")
            session.add(user)
            session.flush()
        session.add(
            Annotation(
                document_id=doc.id,
                user_id=user.id,
                version=doc.version,
                start=0,
                end=4,
                exact=doc.text[:4],
                comment="Sample note on the opening words.",
            )
        )
    with transaction(factory) as session:
        snapshots = {s.id: (s.sha256, s.content) for s in session.scalars(select(Snapshot))}
        notes = {a.id: (a.document_id, a.exact, a.comment) for a in session.scalars(select(Annotation))}
    assert snapshots

    import psycopg

    admin = make_url(os.environ["COI_TEST_DATABASE_URL"]).set(drivername="postgresql")
    admin_info = admin.render_as_string(hide_password=False)
    name = f"coi_copy_{secrets.token_hex(6)}"
    with psycopg.connect(admin_info, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    target_url = admin.set(database=name).render_as_string(hide_password=False)
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("COI_")}
        env.update(
            COI_DATABASE_URL=settings.db_url,
            COI_INSTANCE_PATH=str(settings.instance_path),
            COI_SECRET_KEY="sample-secret",
            PYTHONPATH=str(ROOT),
        )
        coi = str(Path(sys.executable).parent / "coi")
        done = subprocess.run(
            [coi, "db", "copy-to", target_url],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert "snapshots:" in done.stdout
        engine = make_engine(target_url)
        try:
            copied = make_session_factory(engine)
            with transaction(copied) as session:
                assert {s.id: (s.sha256, s.content) for s in session.scalars(select(Snapshot))} == snapshots
                assert {
                    a.id: (a.document_id, a.exact, a.comment) for a in session.scalars(select(Annotation))
                } == notes
                # new rows get fresh ids after the copied ones
                first = session.scalars(select(Annotation)).first()
                assert first is not None
                extra = Annotation(
                    document_id=first.document_id,
                    user_id=first.user_id,
                    version=1,
                    start=0,
                    end=1,
                    exact="x",
                    comment="Sample second note.",
                )
                session.add(extra)
                session.flush()
                assert extra.id > max(notes)
                assert session.scalar(select(func.count()).select_from(Annotation)) == len(notes) + 1
        finally:
            engine.dispose()
        again = subprocess.run(
            [coi, "db", "copy-to", target_url],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert again.returncode == 1
        assert "already has rows" in again.stderr
    finally:
        with psycopg.connect(admin_info, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
