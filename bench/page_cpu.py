"""What one page costs the web process: CPU and SQL statements per request kind, in process.

Builds (or reuses) an instance with the documents of ``bench/load.py`` (same sample data, same
user and token), then asks the app itself through Flask's test client, one request at a time, for
the kinds of the load bench that only read: web search, document page, stored copy, API search.
Each kind is asked ``--rounds`` times after a warm-up; it prints the process CPU per request and
the statements sent per request (``BEGIN``/``COMMIT`` are not statements here). With
``--profile KIND`` it prints where that kind's CPU goes instead (cProfile on the process's CPU
clock, by own time or with ``--sort cumtime`` by time with callees; waiting for the database is
not counted).

Under load these costs are what bounds the requests a second on two cores; this measures them
without the noise of concurrent clients, so that a change can be compared with the one before
it (run each from its own checkout, alternately, a few rounds each).

    .venv/bin/python bench/page_cpu.py sqlite /tmp/page-cpu-sqlite
    .venv/bin/python bench/page_cpu.py postgresql://postgres@127.0.0.1:5432/page_cpu /tmp/page-cpu-pg
    .venv/bin/python bench/page_cpu.py sqlite /tmp/page-cpu-sqlite --profile document

The instance folder keeps what was built (``meta.json``): a second run reuses it. Nothing here is
used by the package.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import load  # noqa: E402  (after the checkout is first on the path)

KINDS = tuple(k for k in load.KINDS if k != "annotation")  # what only reads
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def instance(db: str, folder: Path, docs: int) -> tuple[dict[str, str], dict[str, Any]]:
    """The settings of the instance in `folder`, built with `docs` documents unless it is there."""
    db_url, env = load.instance_settings(db, folder)
    meta = folder / "meta.json"
    if not meta.exists():
        folder.mkdir(parents=True, exist_ok=True)
        data = load.populate(db_url, folder, docs, {**os.environ, **env})
        meta.write_text(json.dumps({**data, "db_url": db_url}, default=str))
    data = json.loads(meta.read_text())
    if data.get("db_url") != db_url:
        raise SystemExit(f"{folder} was built for {data.get('db_url')}, not {db_url}")
    return env, data


def requester(env: dict[str, str], data: dict[str, Any], seed: int) -> Callable[[str], int]:
    """A signed-in test client's request of one kind, as the load bench asks it; returns its status."""
    os.environ.update(env)
    from portal.app import create_app

    client = create_app().test_client()
    token = _CSRF.search(client.get("/login").get_data(as_text=True))
    if token is None:
        raise SystemExit("the log-in page shows no form")
    answer = client.post(
        "/login", data={"username": "loadtest", "password": load.PASSWORD, "csrf_token": token.group(1)}
    )
    if answer.status_code != 302:
        raise SystemExit(f"log-in answered {answer.status_code}")
    with client.session_transaction() as cookie:  # signed in a while ago: nothing to read back
        cookie.pop("_coi_wrote_at", None)
    rng = random.Random(seed)
    sample = load.Sample.of(data)

    def ask(kind: str) -> int:
        method, path, headers, _body = sample.request(kind, rng)  # the kinds here only read
        return client.open(path, method=method, headers=headers).status_code

    return ask


def count_statements() -> Callable[[], int]:
    """A counter of the statements every engine of this process sends from now on."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    sent = [0]

    @event.listens_for(Engine, "before_cursor_execute")
    def _count(*_args: Any) -> None:
        sent[0] += 1

    return lambda: sent[0]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("db", help="sqlite or a postgresql:// URL (its tables are replaced)")
    parser.add_argument("folder", type=Path, help="instance folder (built once, then reused)")
    parser.add_argument("--docs", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--profile", choices=KINDS, default=None)
    parser.add_argument("--sort", choices=("tottime", "cumtime"), default="tottime", help="--profile by")
    parser.add_argument("--lines", type=int, default=40, help="functions --profile prints")
    args = parser.parse_args()
    env, data = instance(args.db, args.folder, args.docs)
    ask = requester(env, data, seed=3)
    for kind in KINDS:  # warm: templates compiled, statements cached, index searchers open
        for _ in range(50):
            status = ask(kind)
            if status != 200:
                raise SystemExit(f"{kind} answered {status}")
    if args.profile:
        profile = cProfile.Profile(time.process_time)  # CPU, not time waiting for the database
        profile.enable()
        for _ in range(args.rounds):
            ask(args.profile)
        profile.disable()
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats(args.sort).print_stats(args.lines)
        print(out.getvalue())
        return 0
    sent = count_statements()
    print(f"{'kind':<12} {'CPU ms':>8} {'statements':>11}")
    for kind in KINDS:
        before, cpu = sent(), time.process_time()
        for _ in range(args.rounds):
            ask(kind)
        cpu = (time.process_time() - cpu) / args.rounds
        print(f"{kind:<12} {cpu * 1000:>8.2f} {(sent() - before) / args.rounds:>11.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
