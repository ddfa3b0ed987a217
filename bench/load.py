"""Load test: the portal as a user starts it (`coi serve`, gunicorn) on a populated instance.

Builds an instance with N generated documents (sample data written straight into the tables,
then `coi index --rebuild`), starts `coi serve` and, beside it, `coi worker` as `coi run` does,
with every source due each minute (it collects the offline sample site, tags and indexes on its
own schedule), then drives a mix from
C concurrent clients for D seconds each: web searches with facets, document pages, stored copies,
API searches with `source:`/`country:`/`topic:` filters, annotation saves. Reports errors by
status, p50/p95/p99 per kind, requests per second and the CPU the clients themselves took (they
run on the server's cores: each keeps one plain `http.client` connection per web node, which
costs a few hundredths of a core where `requests` cost about a fifth).

    .venv/bin/python bench/load.py --db sqlite --docs 20000 --clients 1,10,50 --duration 60
    .venv/bin/python bench/load.py --db postgresql://postgres@127.0.0.1:5432/load_17
    COI_SEARCH_BACKEND=postgres .venv/bin/python bench/load.py --db postgresql://... --nodes 2

With ``--nodes K`` the clients spread their requests at random over K ``coi serve`` processes,
each with its own instance folder and the same database, as behind a load balancer.

Numbers are wall-clock on whatever else the machine runs. Nothing here is used by the package.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from hashlib import sha256
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, insert, select, text, update

from portal.api.tokens import create_token
from portal.auth.passwords import hash_password
from portal.db import make_engine, make_session_factory, refresh_statistics, transaction
from portal.demo import SAMPLE_HOST
from portal.migrate import upgrade
from portal.models import (
    CollectionRun,
    Document,
    DocumentCountry,
    DocumentTopic,
    DocumentVersion,
    Role,
    Snapshot,
    Source,
    Topic,
    User,
)

# the checkout this file belongs to: the processes the bench starts (`python -c`, which puts its
# working directory first on sys.path) run that checkout's code, wherever the bench is started
ROOT = Path(__file__).resolve().parent.parent

PASSWORD = "load test passphrase"
COUNTRIES = ["SY", "AF", "SO", "SD", "CD", "IQ", "ER", "ET", "YE", "NG"]
WORDS = [
    "security",
    "situation",
    "detention",
    "arrest",
    "protest",
    "militia",
    "displacement",
    "returnees",
    "checkpoint",
    "journalists",
    "women",
    "children",
    "minorities",
    "court",
    "trial",
    "torture",
    "shelling",
    "airstrike",
    "humanitarian",
    "access",
    "border",
    "crossing",
    "recruitment",
    "conscription",
    "election",
    "opposition",
    "police",
    "army",
    "ceasefire",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _coi(env: dict[str, str], *args: str, **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from portal.cli import main; main()", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        **kw,  # type: ignore[arg-type]
    )


def populate(db_url: str, instance: Path, docs: int, env: dict[str, str]) -> dict[str, object]:
    """Sample data (invented, marked as sample) written straight into the tables, then indexed."""
    engine = make_engine(db_url)
    if db_url.startswith("postgresql"):
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    upgrade(engine)
    factory = make_session_factory(engine)
    rng = random.Random(17)
    from portal.pipeline import _ensure_topics

    with transaction(factory) as session:
        _ensure_topics(session)
        topics = list(session.scalars(select(Topic.id)))
        session.add(User(username="loadtest", role=Role.researcher, password_hash=hash_password(PASSWORD)))
        for i in range(8):
            session.add(
                Source(
                    name=f"Sample Monitor {i} (sample data)",
                    kind="rss",
                    url=f"https://sample-{i}.invalid/feed",
                    is_sample=True,
                    countries=[],
                    themes=[],
                    options={},
                )
            )
    with transaction(factory) as session:
        source_ids = list(session.scalars(select(Source.id)))
        user = session.scalar(select(User).where(User.username == "loadtest"))
        assert user is not None
        token = create_token(session, user, "load test")
    start = time.monotonic()
    now = datetime.now(UTC)
    batch = 2000
    for base in range(0, docs, batch):
        rows, versions, countries, doc_topics = [], [], [], []
        for n in range(base, min(base + batch, docs)):
            doc_id = n + 1
            country = COUNTRIES[n % len(COUNTRIES)]
            body = " ".join(rng.choice(WORDS) for _ in range(rng.randint(120, 400)))
            title = f"Sample report {doc_id}: {rng.choice(WORDS)} and {rng.choice(WORDS)} in {country}"
            digest = sha256(body.encode()).hexdigest()
            when = now - timedelta(hours=n)
            rows.append(
                {
                    "id": doc_id,
                    "source_id": source_ids[n % len(source_ids)],
                    "url": f"https://sample.invalid/report/{doc_id}",
                    "title": title,
                    "text": body,
                    "published_at": when,
                    "retrieved_at": when,
                    "language": "en",
                    "content_sha256": digest,
                    "processed_at": when,
                    "source_tags": [],
                    "source_countries": [],
                }
            )
            versions.append(
                {
                    "id": doc_id,
                    "document_id": doc_id,
                    "version": 1,
                    "title": title,
                    "text": body,
                    "content_sha256": digest,
                    "retrieved_at": when,
                }
            )
            countries.append({"document_id": doc_id, "country_code": country, "role": "focus", "score": 0.9})
            doc_topics.append(
                {"document_id": doc_id, "topic_id": topics[n % len(topics)], "score": 0.8, "evidence": []}
            )
        with transaction(factory) as session:
            session.execute(insert(Document), rows)
            session.execute(insert(DocumentVersion), versions)
            session.execute(
                insert(Snapshot),
                [
                    {
                        "version_id": v["id"],
                        "role": "page",
                        "url": f"https://sample.invalid/report/{v['id']}",
                        "content_z": zlib.compress(f"<p>{v['text']}</p>".encode(), 1),
                        "size": len(v["text"]) + 7,
                        "sha256": v["content_sha256"],
                        "content_type": "text/html",
                        "fetched_at": v["retrieved_at"],
                    }
                    for v in versions
                ],
            )
            session.execute(insert(DocumentCountry), countries)
            session.execute(insert(DocumentTopic), doc_topics)
    if db_url.startswith("postgresql"):
        with engine.begin() as conn:
            for table in ("documents", "document_versions", "snapshots"):
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
                )
        # a bulk load, as `coi db copy-to` makes one, gathers the planner's statistics at once
        refresh_statistics(engine, always=True)
    written = time.monotonic() - start
    with transaction(factory) as session:
        snaps = dict(session.execute(select(DocumentVersion.document_id, Snapshot.id).join(Snapshot)).all())
        sources = list(session.scalars(select(Source.name)))
    engine.dispose()
    start = time.monotonic()
    _coi(env, "index", "--rebuild")
    return {
        "token": token,
        "snapshots": snaps,
        "sources": sources,
        "topics": topics,
        "write_s": round(written, 1),
        "index_s": round(time.monotonic() - start, 1),
    }


def start_worker(env: dict[str, str], db_url: str) -> tuple[subprocess.Popen[bytes], Path]:
    """`coi worker`, as `coi run` starts it beside the web server, with every source due each minute.

    It collects the sources (the offline sample site on 127.0.0.1), tags what is new and updates
    the index on its own schedule (the index every 30 s) while the clients run.
    """
    engine = make_engine(db_url)
    with engine.begin() as conn:
        sample_site = Source.url.contains(SAMPLE_HOST)  # the others only own the generated documents
        conn.execute(update(Source).where(~sample_site).values(enabled=False))
        conn.execute(update(Source).where(sample_site).values(update_minutes=1, enabled=True))
    engine.dispose()
    log_path = Path(tempfile.gettempdir()) / f"{Path(env['COI_INSTANCE_PATH']).name}-worker.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-c", "from portal.cli import main; main()", "worker"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
    return process, log_path


def worker_work(db_url: str, since: datetime) -> dict[str, int]:
    """Collection runs and index batches the worker finished since `since`."""
    engine = make_engine(db_url)
    with engine.connect() as conn:
        runs = conn.execute(
            select(func.count()).select_from(CollectionRun).where(CollectionRun.started_at >= since)
        ).scalar_one()
        new = conn.execute(
            select(func.coalesce(func.sum(CollectionRun.new), 0)).where(CollectionRun.started_at >= since)
        ).scalar_one()
    engine.dispose()
    return {"collection_runs": int(runs), "new_documents": int(new)}


def _login(base: str) -> requests.Session:
    s = requests.Session()
    page = s.get(base + "/login", timeout=30).text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert token
    answer = s.post(
        base + "/login",
        data={"username": "loadtest", "password": PASSWORD, "csrf_token": token.group(1)},
        allow_redirects=False,
        timeout=30,
    )
    assert answer.status_code == 302, answer.status_code
    return s


class _Connection:
    """One client's kept-alive connection to one web node (plain http.client: the clients share
    the server's two cores, so they should cost it as little CPU as they can)."""

    def __init__(self, base: str, session_cookie: str) -> None:
        parts = urlsplit(base)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.cookie = session_cookie
        self.conn: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, headers: dict[str, str], body: object) -> int:
        if self.conn is None:
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        sent = {**headers, "Cookie": f"session={self.cookie}"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        try:
            self.conn.request(method, path, body=data, headers=sent)
            answer = self.conn.getresponse()
            answer.read()
        except BaseException:
            self.close()
            raise
        for header in answer.headers.get_all("Set-Cookie") or ():
            if header.startswith("session="):  # the session's last-seen time moved on
                self.cookie = header.split(";", 1)[0].removeprefix("session=")
        if answer.will_close:
            self.close()
        return answer.status

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


#: the kinds of request a client makes, and how often (3 searches : 3 documents : 1 copy ...)
KINDS = ("web_search", "document", "stored_copy", "api_search", "annotation")
MIX = (3, 3, 1, 3, 1)


@dataclass(frozen=True)
class Sample:
    """What the clients' requests refer to in a populated instance (see :func:`populate`)."""

    token: str
    snapshots: dict[int, int]  # document id: its page copy's snapshot id
    doc_ids: list[int]
    sources: list[str]
    topics: list[str]

    @classmethod
    def of(cls, data: dict[str, Any]) -> Sample:
        # (snapshot keys are text in what was saved as JSON)
        snaps = {int(k): int(v) for k, v in data["snapshots"].items()}
        return cls(str(data["token"]), snaps, list(snaps), list(data["sources"]), list(data["topics"]))

    def request(self, kind: str, rng: random.Random) -> tuple[str, str, dict[str, str], object]:
        """One request of `kind`, as a client makes it: method, path, headers, JSON body."""
        api = {"Authorization": f"Bearer {self.token}"}
        doc = rng.choice(self.doc_ids)
        if kind == "web_search":
            return ("GET", f"/?q={rng.choice(WORDS)}&country={rng.choice(COUNTRIES)}", {}, None)
        if kind == "document":
            return ("GET", f"/documents/{doc}", {}, None)
        if kind == "stored_copy":
            return ("GET", f"/documents/{doc}/copies/{self.snapshots[doc]}", {}, None)
        if kind == "api_search":
            field = rng.choice(
                [
                    f'source:"{rng.choice(self.sources)}"',
                    f"country:{rng.choice(COUNTRIES)}",
                    f"topic:{rng.choice(self.topics)}",
                ]
            )
            query = urlencode({"q": f"{rng.choice(WORDS)} {field}"})
            return ("GET", f"/api/v1/search?{query}", api, None)
        body = {"document_id": doc, "start": 0, "end": 20, "comment": "load test note (sample)"}
        return ("POST", "/api/v1/annotations", api, body)


def drive(bases: list[str], data: dict[str, object], clients: int, duration: float) -> dict[str, object]:
    """Each request goes to one of `bases` at random, as behind a load balancer without affinity."""
    session_cookie = _login(bases[0]).cookies["session"]
    sample = Sample.of(data)
    latencies: dict[str, list[float]] = defaultdict(list)
    statuses: Counter[tuple[str, int]] = Counter()
    failures: Counter[str] = Counter()
    lock = threading.Lock()
    end = time.monotonic() + duration

    def one_client(seed: int) -> None:
        rng = random.Random(seed)
        conns = {base: _Connection(base, session_cookie) for base in bases}
        while time.monotonic() < end:
            kind = rng.choices(KINDS, MIX)[0]
            req = sample.request(kind, rng)
            t0 = time.monotonic()
            failure = ""
            try:
                status = conns[rng.choice(bases)].request(*req)
            except (OSError, http.client.HTTPException) as exc:
                status = 599  # no answer
                failure = type(exc).__name__
            took = time.monotonic() - t0
            with lock:
                latencies[kind].append(took)
                statuses[(kind, status)] += 1
                if failure:
                    failures[f"{kind}: {failure}"] += 1
        for conn in conns.values():
            conn.close()

    start, cpu = time.monotonic(), time.process_time()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(one_client, range(clients)))
    elapsed = time.monotonic() - start
    client_cpu = time.process_time() - cpu
    total = sum(statuses.values())
    ok = {200, 201}
    return {
        "clients": clients,
        "requests": total,
        "rps": round(total / elapsed, 1),
        # the clients' own CPU, taken from the cores the server runs on (a share of one core)
        "client_cpu": round(client_cpu / elapsed, 2),
        "errors": {f"{k}:{st}": n for (k, st), n in sorted(statuses.items()) if st not in ok},
        "no_answer": dict(sorted(failures.items())),
        "kinds": {
            kind: {
                "n": len(v),
                "p50": round(1000 * statistics.quantiles(v, n=100)[49]) if len(v) > 1 else None,
                "p95": round(1000 * statistics.quantiles(v, n=100)[94]) if len(v) > 1 else None,
                "p99": round(1000 * statistics.quantiles(v, n=100)[98]) if len(v) > 1 else None,
            }
            for kind, v in sorted(latencies.items())
        },
    }


def _wait(url: str, deadline: float = 120) -> None:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        try:
            requests.get(url, timeout=5)
            return
        except requests.RequestException:
            time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer")


def instance_settings(db: str, instance: Path) -> tuple[str, dict[str, str]]:
    """The database URL (`db`: "sqlite" for a file in `instance`, or a URL) and the settings of a
    bench instance: no spaCy model (the sample documents are tagged already), a fixed secret."""
    db_url = f"sqlite:///{instance / 'coi.sqlite3'}" if db == "sqlite" else db
    return db_url, {
        "COI_INSTANCE_PATH": str(instance),
        "COI_DATABASE_URL": db_url,
        "COI_SPACY_MODEL": "none",
        "COI_SECRET_KEY": "load-test-key",
    }


def run(
    db: str, docs: int, clients: list[int], duration: float, workers: int, threads: int, nodes: int = 1
) -> dict[str, object]:
    instance = Path(tempfile.mkdtemp(prefix="coi-load-"))
    db_url, settings = instance_settings(db, instance)
    env = {
        **os.environ,
        **settings,
        "COI_WEB_WORKERS": str(workers),
        "COI_WEB_THREADS": str(threads),
    }
    data = populate(db_url, instance, docs, env)
    print(f"populated {docs} documents: rows {data['write_s']} s, index {data['index_s']} s", file=sys.stderr)
    _coi(env, "demo", "load")
    # every further web node has an instance folder of its own, as on another machine; with the
    # Whoosh backend it starts from a copy of the first node's index (the worker updates only that)
    instances = [instance]
    for k in range(1, nodes):
        other = Path(tempfile.mkdtemp(prefix=f"coi-load-node{k + 1}-"))
        if (instance / "index").exists():
            shutil.copytree(instance / "index", other / "index", symlinks=True)
        instances.append(other)
    servers: list[subprocess.Popen[bytes]] = []
    logs = []
    bases = []
    for folder in instances:
        port = _free_port()
        log_path = Path(tempfile.gettempdir()) / f"{folder.name}-serve.log"
        log = log_path.open("w")
        logs.append((log, log_path))
        servers.append(
            subprocess.Popen(
                [sys.executable, "-c", "from portal.cli import main; main()", "serve", "--port", str(port)],
                cwd=ROOT,
                env={**env, "COI_INSTANCE_PATH": str(folder)},
                stdout=subprocess.DEVNULL,
                stderr=log,
            )
        )
        bases.append(f"http://127.0.0.1:{port}")
    results = []
    began = datetime.now(UTC)
    worker, worker_log = start_worker(env, db_url)
    try:
        for base in bases:
            _wait(base + "/login")
        for n in clients:
            drive(bases, data, n, 3)  # warm up
            result = drive(bases, data, n, duration)
            print(json.dumps(result), file=sys.stderr)
            results.append(result)
    finally:
        for process in (*servers, worker):
            process.send_signal(signal.SIGTERM)
        for process in (*servers, worker):
            process.wait(timeout=120)
        work = worker_work(db_url, began)
        print(f"worker log: {worker_log}", file=sys.stderr)
        for log, log_path in logs:
            log.close()
            print(f"server log: {log_path}", file=sys.stderr)
        for folder in instances:
            shutil.rmtree(folder, ignore_errors=True)
    return {
        "db": "sqlite" if db == "sqlite" else "postgresql",
        "docs": docs,
        "nodes": nodes,
        "results": results,
        "worker": work,
        "worker_exit": worker.returncode,
    }


def table(report: dict[str, object]) -> str:
    lines = [
        f"### {report['db']}, {report['docs']} documents, {report['nodes']} web node(s) "
        f"(the worker meanwhile: {report['worker']})",
        "",
        "| N | req/s | errors | web search p50/p95/p99 | document p50/p95/p99 | stored copy p50/p95/p99 "
        "| API search p50/p95/p99 | annotation p50/p95/p99 | clients' CPU |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in report["results"]:  # type: ignore[attr-defined]
        k = r["kinds"]

        def cell(name: str, k: dict[str, dict[str, int | None]] = k) -> str:
            v = k.get(name)
            return f"{v['p50']}/{v['p95']}/{v['p99']} ms" if v and v["p50"] is not None else "–"

        errors = ", ".join(f"{key} ×{n}" for key, n in r["errors"].items()) or "0"
        lines.append(
            f"| {r['clients']} | {r['rps']} | {errors} | {cell('web_search')} | {cell('document')} | "
            f"{cell('stored_copy')} | {cell('api_search')} | {cell('annotation')} | "
            f"{r.get('client_cpu', '–')} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", action="append", help="sqlite or a postgresql:// URL (repeatable)")
    parser.add_argument("--docs", type=int, default=20_000)
    parser.add_argument("--clients", default="1,10,50")
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)  # the portal's default (COI_WEB_THREADS)
    parser.add_argument("--nodes", type=int, default=1, help="web nodes (coi serve), each its own instance")
    args = parser.parse_args()
    clients = [int(c) for c in args.clients.split(",")]
    for db in args.db or ["sqlite"]:
        report = run(db, args.docs, clients, args.duration, args.workers, args.threads, args.nodes)
        print(table(report))
        print()


if __name__ == "__main__":
    main()
