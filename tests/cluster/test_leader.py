"""Scheduler leadership on PostgreSQL: one leader at a time, a waiting worker takes over."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from portal.cluster.leader import AdvisoryLeaderLock, LeaderLockedError
from portal.config import Settings
from portal.jobs import SchedulerLock, lock_for

ROOT = Path(__file__).resolve().parents[2]


def test_sqlite_keeps_the_lock_file(tmp_path: Path) -> None:
    settings = Settings(instance_path=tmp_path, database_url=f"sqlite:///{tmp_path / 'x.sqlite3'}")
    assert isinstance(lock_for(settings), SchedulerLock)


@pytest.mark.postgres
def test_advisory_lock_is_exclusive_across_connections(settings: Settings, engine: object) -> None:
    if not settings.db_url.startswith("postgresql"):
        pytest.skip("advisory locks are PostgreSQL's")
    first, second = lock_for(settings), lock_for(settings)
    assert isinstance(first, AdvisoryLeaderLock)
    first.acquire()
    try:
        assert first.alive()
        assert second.held_elsewhere()
        with pytest.raises(LeaderLockedError):
            second.acquire()
    finally:
        first.release()
    assert not second.held_elsewhere()
    second.acquire()
    assert second.held
    second.release()


def _worker(settings: Settings, log: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COI_")}
    env.update(
        COI_DATABASE_URL=settings.db_url,
        COI_INSTANCE_PATH=str(settings.instance_path),
        COI_SECRET_KEY="sample-secret",
        COI_SPACY_MODEL="none",
        COI_LEADER_RETRY_SECONDS="1",
        PYTHONPATH=str(ROOT),
    )
    with log.open("wb") as out:
        return subprocess.Popen(
            [str(Path(sys.executable).parent / "coi"), "worker"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def _wait_for(path: Path, text: str, timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if text in path.read_text(errors="replace"):
            return True
        time.sleep(0.2)
    return False


@pytest.mark.postgres
def test_a_waiting_worker_takes_over_when_the_leader_is_killed(
    settings: Settings, engine: object, tmp_path: Path
) -> None:
    if not settings.db_url.startswith("postgresql"):
        pytest.skip("several workers share one PostgreSQL database")
    first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
    first = _worker(settings, first_log)
    second: subprocess.Popen[bytes] | None = None
    try:
        assert _wait_for(first_log, "now leads the scheduler", 60), first_log.read_text()
        second = _worker(settings, second_log)
        assert _wait_for(second_log, "worker started", 60), second_log.read_text()
        time.sleep(3)
        assert "now leads the scheduler" not in second_log.read_text()  # one leader at a time
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
        assert _wait_for(second_log, "now leads the scheduler", 60), second_log.read_text()
        assert lock_for(settings).held_elsewhere()
    finally:
        for proc in (first, second):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
