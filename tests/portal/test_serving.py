"""`coi serve` and `coi run` as a user starts them: gunicorn, several workers, one scheduler."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from portal.config import Settings
from portal.jobs import start_embedded

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _wait_for(url: str, deadline: float = 120.0) -> tuple[int, dict[str, str]]:
    end = time.monotonic() + deadline
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.status, dict(response.headers)
        except OSError:
            if time.monotonic() > end:
                raise
            time.sleep(0.3)


@contextmanager
def _coi(command: str, settings: Settings, port: int, **extra: str) -> Iterator[subprocess.Popen[bytes]]:
    env = {
        **os.environ,
        **extra,
        "COI_INSTANCE_PATH": str(settings.instance_path),
        "COI_DATABASE_URL": settings.db_url,
        "COI_SPACY_MODEL": "none",
        "COI_SECRET_KEY": "serving-test-key",
        "COI_WEB_WORKERS": "3",
        "COI_WEB_THREADS": "4",
    }
    process = subprocess.Popen(
        [sys.executable, "-c", "from portal.cli import main; main()", command, "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_serve_runs_gunicorn_with_workers_and_reloads_on_hup(
    settings: Settings, engine: object, tmp_path: Path
) -> None:
    port = _free_port()
    home = tmp_path / "home"
    home.mkdir()
    with _coi("serve", settings, port, HOME=str(home)) as process:
        status, headers = _wait_for(f"http://127.0.0.1:{port}/login")
        assert status == 200
        assert headers["Server"] == "gunicorn"  # no version
        assert not (home / ".gunicorn").exists()  # no control socket shared by every instance
        workers = _children(process.pid)
        assert len(workers) == 3
        process.send_signal(signal.SIGHUP)  # graceful reload: new workers replace the old
        end = time.monotonic() + 90
        while set(_children(process.pid)) & set(workers) and time.monotonic() < end:
            time.sleep(0.3)
        assert not set(_children(process.pid)) & set(workers)
        assert _wait_for(f"http://127.0.0.1:{port}/login")[0] == 200
        assert process.poll() is None


def test_run_starts_one_scheduler_beside_several_web_workers(settings: Settings, engine: object) -> None:
    port = _free_port()
    with _coi("run", settings, port) as process:
        assert _wait_for(f"http://127.0.0.1:{port}/login")[0] == 200
        # the web answers before its scheduler has started: probe the lock only once the
        # scheduler has published its jobs, or the probe itself may hold the lock at that moment
        end = time.monotonic() + 60
        while time.monotonic() < end and not _published_jobs(engine):
            time.sleep(0.3)
        assert _published_jobs(engine), "the scheduler of `coi run` did not start"
        # the scheduler's process gives way to the web workers (COI_WORKER_NICE, 10 by default)
        own = os.getpriority(os.PRIO_PROCESS, process.pid)
        niceness = sorted(os.getpriority(os.PRIO_PROCESS, child) for child in _children(process.pid))
        assert niceness == [own, own, own, min(own + 10, 19)], niceness
        end = time.monotonic() + 30
        refused = False
        while time.monotonic() < end:
            embedded = start_embedded(settings)
            if embedded is None:  # the instance's scheduler lock is held: it runs elsewhere
                refused = True
                break
            embedded.stop()
            time.sleep(0.5)
        assert refused


def _published_jobs(engine: Any) -> int:
    from sqlalchemy import func, select

    from portal.digests.models import ScheduledJob

    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(ScheduledJob)) or 0)


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def _connections_by_process(pids: list[int], port: int) -> dict[int, int]:
    """Established connections to `port` each process holds (its socket descriptors matched
    against /proc/net/tcp, where state 01 is ESTABLISHED)."""
    established = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table, encoding="ascii") as lines:
            next(lines)
            for line in lines:
                fields = line.split()
                if fields[3] == "01" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                    established.add(fields[9])  # the socket's inode
    held = {}
    for pid in pids:
        links = []
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                links.append(os.readlink(fd))
            except OSError:
                continue
        held[pid] = sum(link.startswith("socket:[") and link[8:-1] in established for link in links)
    return held


def test_workers_share_kept_alive_connections_evenly_and_a_taken_port_is_refused(
    settings: Settings, engine: object, tmp_path: Path
) -> None:
    port = _free_port()
    with _coi("serve", settings, port, HOME=str(tmp_path)) as process:
        assert _wait_for(f"http://127.0.0.1:{port}/login")[0] == 200
        end = time.monotonic() + 60
        while len(_children(process.pid)) < 3 and time.monotonic() < end:
            time.sleep(0.3)
        time.sleep(1.0)  # every worker listening
        clients = []
        try:
            for _ in range(30):  # one after the other, as browsers arriving
                client = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                client.request("GET", "/login")
                response = client.getresponse()
                response.read()
                assert response.status == 200 and not response.will_close
                clients.append(client)
            held = _connections_by_process(_children(process.pid), port)
        finally:
            for client in clients:
                client.close()
        # each worker keeps the connections it took: within one of each other, 10 each
        assert sum(held.values()) == 30 and len(held) == 3
        assert max(held.values()) - min(held.values()) <= 1, held
        assert process.poll() is None
        # a second instance on the same port does not start beside the first
        second = subprocess.run(
            [sys.executable, "-c", "from portal.cli import main; main()", "serve", "--port", str(port)],
            env={**os.environ, "COI_INSTANCE_PATH": str(tmp_path / "other"), "COI_SPACY_MODEL": "none"},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert second.returncode == 1
        assert f"another server already listens on 127.0.0.1:{port}" in second.stderr


def test_a_web_worker_reads_its_tables_and_freezes_them_before_it_serves(
    settings: Settings, engine: object
) -> None:
    # in a process of its own, as a gunicorn worker builds its app
    script = textwrap.dedent(
        """
        import sys
        from pathlib import Path
        from portal.app import create_app
        from portal.config import Settings
        from portal.serving import ServerOptions, _Gunicorn
        from nlp import lookup

        settings = Settings(instance_path=Path(sys.argv[1]), database_url=sys.argv[2], spacy_model=None, secret_key="k")
        assert lookup._province_names.cache_info().currsize == 0
        app = _Gunicorn(lambda: create_app(settings=settings), ServerOptions("127.0.0.1", 0, 1, 1)).load()
        assert lookup._province_names.cache_info().currsize == 1
        assert lookup._codes.cache_info().currsize == 1
        assert "coi_index" in app.extensions
        # what exists now lives as long as the worker: frozen, and young garbage swept less often
        import gc
        from portal.serving import GC_THRESHOLDS
        assert gc.get_threshold() == GC_THRESHOLDS, gc.get_threshold()
        assert gc.get_freeze_count() > 100_000, gc.get_freeze_count()
        """
    )
    subprocess.run(
        [sys.executable, "-c", script, str(settings.instance_path), settings.db_url],
        check=True,
        timeout=120,
        cwd=Path(__file__).parents[2],
    )


def test_connection_shares_count_live_workers_only_and_reuse_a_dead_workers_slot() -> None:
    from portal.serving import ConnectionShares

    shares = ConnectionShares(2)
    me = shares.take(os.getpid())
    assert shares.fewest_elsewhere(me) is None  # alone: no one to yield to
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    other = shares.take(gone.pid)
    shares.hold(other, 3)
    shares.hold(me, 5)
    assert other != me and shares.fewest_elsewhere(me) is None  # its worker is dead
    # every slot taken, one by a dead worker: a new worker takes that one
    assert shares.take(os.getppid()) == other
    shares.hold(other, 2)
    assert shares.fewest_elsewhere(me) == 2 and shares.fewest_elsewhere(other) == 5
    shares.give_back(other, os.getppid())
    assert shares.fewest_elsewhere(me) is None
    assert shares.take(os.getppid()) == other and shares.take(12345678) == -1
