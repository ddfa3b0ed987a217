"""Several machines' worth of processes on one PostgreSQL, all on this one.

A primary and a streaming hot standby (``pg_basebackup``) on ports of their own, two web nodes
(``coi serve``) with separate instance folders that read lagging pages from the standby, and two
``coi worker`` processes. The leading worker is killed while it collects; the other takes over.
Checked: every document is stored once, every digest is sent once, both web nodes answer a search
with the same hits, and the standby serves reads.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import requests
from aiosmtpd.controller import Controller
from sqlalchemy import func, select, text

from portal.api.tokens import create_token
from portal.auth.passwords import hash_password
from portal.db import make_engine, make_session_factory, transaction
from portal.digests.models import DigestDelivery, DigestSubscription
from portal.models import Document, Role, Source, User
from tests.conftest import add_sources

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

ROOT = Path(__file__).resolve().parents[2]
COI = str(Path(sys.executable).parent / "coi")


def _pg_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    return found[-1].parent if found else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _as_postgres(cmd: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run its tools as the postgres user then."""
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


def _run(cmd: list[str], **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=120, **kw)  # type: ignore[call-overload]


@pytest.fixture
def pg_pair() -> Iterator[tuple[str, str]]:
    """(primary URL, standby URL) of a fresh primary and its streaming hot standby."""
    if not os.environ.get("COI_TEST_DATABASE_URL"):
        pytest.skip("COI_TEST_DATABASE_URL is not set: PostgreSQL tests need a server")
    bin_dir = _pg_bin()
    assert bin_dir is not None, "PostgreSQL's server binaries are not installed"
    base = Path(tempfile.mkdtemp(prefix="coi-pg-"))
    base.chmod(0o777)
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
    primary, standby = base / "primary", base / "standby"
    p_port, s_port = _free_port(), _free_port()
    settings = (
        "listen_addresses = '127.0.0.1'\n"
        f"unix_socket_directories = '{base}'\n"
        "wal_level = replica\nmax_wal_senders = 4\nhot_standby = on\nfsync = off\n"
        "max_connections = 200\n"
    )
    started: list[Path] = []
    try:
        _run(_as_postgres([str(bin_dir / "initdb"), "-D", str(primary), "-U", "postgres", "--auth=trust"]))
        with (primary / "postgresql.conf").open("a") as conf:
            conf.write(settings + f"port = {p_port}\n")
        _run(
            _as_postgres(
                [str(bin_dir / "pg_ctl"), "-D", str(primary), "-l", str(base / "primary.log"), "-w", "start"]
            )
        )
        started.append(primary)
        _run(
            _as_postgres(
                [str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(p_port), "-U", "postgres", "coi"]
            )
        )
        _run(
            _as_postgres(
                [
                    *(str(bin_dir / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(p_port), "-U", "postgres"),
                    *("-D", str(standby), "-R", "-X", "stream"),
                ]
            )
        )
        with (standby / "postgresql.conf").open("a") as conf:
            conf.write(f"port = {s_port}\n")
        _run(
            _as_postgres(
                [str(bin_dir / "pg_ctl"), "-D", str(standby), "-l", str(base / "standby.log"), "-w", "start"]
            )
        )
        started.append(standby)
        yield (
            f"postgresql://postgres@127.0.0.1:{p_port}/coi",
            f"postgresql://postgres@127.0.0.1:{s_port}/coi",
        )
    finally:
        for folder in reversed(started):
            subprocess.run(
                _as_postgres([str(bin_dir / "pg_ctl"), "-D", str(folder), "-m", "immediate", "stop"]),
                capture_output=True,
                timeout=60,
            )
        shutil.rmtree(base, ignore_errors=True)


class _Inbox:
    def __init__(self) -> None:
        self.recipients: list[str] = []

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        self.recipients.extend(getattr(envelope, "rcpt_tos", []))
        return "250 OK"


def _wait(what: str, check: Callable[[], bool], timeout: float) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if check():
            return
        time.sleep(1)
    raise AssertionError(f"waited {timeout:.0f} s for {what}")


def test_two_web_nodes_two_workers_primary_and_standby(
    pg_pair: tuple[str, str], sample_site: str, tmp_path: Path
) -> None:
    primary, standby = pg_pair
    inbox = _Inbox()
    smtp_port = _free_port()
    smtp = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    env = {k: v for k, v in os.environ.items() if not k.startswith("COI_")}
    env.update(
        COI_DATABASE_URL=primary,
        COI_SECRET_KEY="shared-secret-of-the-nodes",
        COI_SPACY_MODEL="none",
        COI_SEARCH_BACKEND="postgres",
        COI_LEADER_RETRY_SECONDS="1",
        COI_SMTP_HOST="127.0.0.1",
        COI_SMTP_PORT=str(smtp_port),
        COI_SMTP_SECURITY="none",
        COI_DIGEST_SEND_EMPTY="1",
        COI_BASE_URL="http://127.0.0.1",
        COI_WEB_WORKERS="1",
        COI_WEB_THREADS="4",
        PYTHONPATH=str(ROOT),
    )
    processes: list[subprocess.Popen[bytes]] = []

    def start(name: str, *args: str, **extra: str) -> tuple[subprocess.Popen[bytes], Path]:
        folder = tmp_path / name
        folder.mkdir()
        log = tmp_path / f"{name}.log"
        with log.open("wb") as out:
            proc = subprocess.Popen(
                [COI, *args],
                env={**env, "COI_INSTANCE_PATH": str(folder), **extra},
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        processes.append(proc)
        return proc, log

    engine = make_engine(primary)
    factory = make_session_factory(engine)
    try:
        _run([COI, "db", "upgrade"], env={**env, "COI_INSTANCE_PATH": str(tmp_path / "setup")})
        add_sources(factory, sample_site)
        with transaction(factory) as session:
            reader = User(
                username="reader",
                role=Role.researcher,
                email="reader@example.org",
                password_hash=hash_password("a long pass phrase for tests"),
            )
            session.add(reader)
            session.flush()
            reader_id = reader.id
            token = create_token(session, reader, "nodes")

        ports = [_free_port(), _free_port()]
        for n, port in enumerate(ports, start=1):
            start(f"web{n}", "serve", "--port", str(port), COI_DATABASE_REPLICA_URL=standby)
        workers = [start(f"worker{n}", "worker") for n in (1, 2)]

        def leader() -> int | None:
            for n, (_, log) in enumerate(workers):
                if "now leads the scheduler" in log.read_text(errors="replace"):
                    return n
            return None

        _wait("a leading worker", lambda: leader() is not None, 90)
        first = leader()
        assert first is not None

        def documents() -> int:
            with factory() as session:
                return int(session.scalar(select(func.count(Document.id))) or 0)

        _wait("the first documents", lambda: documents() > 0, 150)
        workers[first][0].send_signal(signal.SIGKILL)  # while it is collecting
        workers[first][0].wait(timeout=30)
        other = workers[1 - first][1]
        _wait("the other worker to lead", lambda: "now leads the scheduler" in other.read_text(), 90)

        # whatever the killed leader left undone is collected now; nothing is stored twice
        _run([COI, "collect"], env={**env, "COI_INSTANCE_PATH": str(tmp_path / "setup")})
        with factory() as session:
            urls = session.scalars(select(Document.url)).all()
            assert urls and len(urls) == len(set(urls))
            sources = session.scalars(select(Source)).all()
            assert all(s.last_success_at is not None for s in sources), [s.name for s in sources]

        # the digest falls due after the kill: a leader killed while sending would hold it for the lease
        now = datetime.now(UTC)
        # a zone where it is around noon now, so no day ends between the send time and the send
        hours = 12 - now.hour
        zone = f"Etc/GMT{-hours:+d}"  # POSIX sign: Etc/GMT-2 is two hours ahead of UTC
        local = now.astimezone(ZoneInfo(zone))
        with transaction(factory) as session:
            session.add(
                DigestSubscription(
                    user_id=reader_id,
                    frequency="daily",
                    send_at=(local - timedelta(minutes=2)).strftime("%H:%M"),
                    timezone=zone,
                    created_at=now - timedelta(days=1),  # subscribed before today's send time
                )
            )

        def sent() -> bool:
            with factory() as session:
                return bool(
                    session.scalars(select(DigestDelivery).where(DigestDelivery.status == "sent")).all()
                )

        _wait("the digest", sent, 150)
        time.sleep(65)  # the surviving leader's next digest round finds it sent
        assert inbox.recipients.count("reader@example.org") == 1
        with factory() as session:
            assert session.scalar(select(func.count(DigestDelivery.id))) == 1

        # both web nodes answer from the one shared index
        def hits(port: int) -> tuple[int, list[int]]:
            answer = requests.get(
                f"http://127.0.0.1:{port}/api/v1/search",
                params={"q": "", "sort": "newest", "per_page": 100},
                headers={"Authorization": f"Bearer {token}"},
                timeout=30,
            )
            assert answer.status_code == 200, answer.text[:300]
            body = answer.json()
            return int(body["total"]), [int(h["id"]) for h in body["hits"]]

        def indexed() -> bool:
            with factory() as session:
                total = session.scalar(
                    select(func.count(Document.id)).where(Document.processed_at.is_not(None))
                )
            return bool(total) and hits(ports[0])[0] == total

        _wait("the index to hold the tagged documents", indexed, 180)
        assert hits(ports[0]) == hits(ports[1])

        # the standby has replayed the primary's documents and serves reads
        standby_engine = make_engine(standby)
        try:
            with standby_engine.connect() as conn:
                assert conn.scalar(text("SELECT pg_is_in_recovery()")) is True

                def replayed() -> bool:
                    with standby_engine.connect() as c:
                        return c.scalar(text("SELECT count(*) FROM documents")) == len(urls)

                _wait("the standby to replay", replayed, 60)
        finally:
            standby_engine.dispose()
    finally:
        for proc in processes:
            if proc.poll() is None:
                proc.terminate()
        for proc in processes:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        smtp.stop()
        engine.dispose()
