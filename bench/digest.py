"""Compose and deliver the e-mail digests of 1,000 subscribers over 20,000 documents.

Builds a temporary SQLite database with the Alembic revisions, fills it with invented sources,
tagged documents (spread over two weeks), users and varied subscriptions (countries, topics,
saved searches, daily and weekly, several time zones), then runs one digest cycle at a moment
when every subscription is due, delivering to a local aiosmtpd server on 127.0.0.1. The goal:
the whole cycle (claim, compose, render, send, record) in under 60 s. No network is used.

Run: ``python bench/digest.py [--users N] [--documents N] [--seed N]``.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import socket
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from sqlalchemy import insert, select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from portal.auth.passwords import hash_password  # noqa: E402
from portal.config import Settings  # noqa: E402
from portal.db import make_engine, make_session_factory, transaction  # noqa: E402
from portal.digests.models import DigestDelivery, DigestSubscription, subscription_saved_searches  # noqa: E402
from portal.digests.send import DigestConfig, DigestSender  # noqa: E402
from portal.migrate import upgrade  # noqa: E402
from portal.models import (  # noqa: E402
    Document,
    DocumentCountry,
    DocumentTopic,
    Role,
    SavedSearch,
    Source,
    Topic,
    User,
)

COUNTRIES = [
    "AF",
    "SY",
    "IQ",
    "ER",
    "ET",
    "SO",
    "SD",
    "SS",
    "YE",
    "LY",
    "ML",
    "NE",
    "NG",
    "CD",
    "CF",
    "TR",
    "IR",
    "PK",
    "BD",
    "MM",
    "UA",
    "RU",
    "BY",
    "GE",
    "AM",
    "VE",
    "CO",
    "HT",
    "CU",
    "NI",
]
WORDS = [
    "shelling",
    "displacement",
    "checkpoint",
    "detention",
    "conscription",
    "militia",
    "border",
    "crossing",
    "returnees",
    "camp",
    "court",
    "sentence",
    "arrest",
    "protest",
    "journalist",
    "minority",
    "church",
    "mosque",
    "village",
    "province",
    "capital",
    "harvest",
    "drought",
    "flood",
    "clinic",
    "school",
    "ceasefire",
    "negotiations",
    "convoy",
    "smuggling",
    "trafficking",
    "route",
    "passport",
    "registration",
    "identity",
    "document",
    "army",
    "deserter",
    "recruitment",
    "children",
    "women",
    "violence",
    "election",
    "opposition",
    "party",
    "prison",
    "torture",
    "release",
    "amnesty",
    "refugee",
    "asylum",
    "deportation",
]
ZONES = ("Europe/Amsterdam", "Europe/Brussels", "UTC", "Africa/Nairobi", "Asia/Kabul")


class Counter:
    def __init__(self) -> None:
        self.count = 0
        self.bytes = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        with self.lock:
            self.count += 1
            self.bytes += len(envelope.content or b"")
        return "250 OK"


def serve_smtp(port: int, conn: Connection) -> None:
    """The SMTP server, in its own process as a real one would be; reports its counts when told to stop."""
    counter = Counter()
    controller = Controller(counter, hostname="127.0.0.1", port=port)
    controller.start()
    conn.send("ready")
    conn.recv()
    controller.stop()
    conn.send((counter.count, counter.bytes))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def build(settings: Settings, users: int, documents: int, now: datetime, rng: random.Random) -> None:
    from nlp.topics import TOPICS

    engine = make_engine(settings.db_url)
    upgrade(engine)
    factory = make_session_factory(engine)
    topic_ids = sorted(TOPICS)
    with transaction(factory) as session:
        session.add_all(Topic(id=t, label_en=TOPICS[t].get("en", t)) for t in topic_ids)
        session.add_all(
            Source(
                name=f"Source {i}", kind="rss", url=f"https://source{i}.example/feed", countries=[], themes=[]
            )
            for i in range(1, 21)
        )
    docs: list[dict[str, Any]] = []
    countries: list[dict[str, Any]] = []
    topics: list[dict[str, Any]] = []
    for i in range(1, documents + 1):
        processed = now - timedelta(seconds=rng.uniform(0, 14 * 86400))
        words = rng.choices(WORDS, k=80)
        docs.append(
            {
                "id": i,
                "source_id": rng.randint(1, 20),
                "url": f"https://source.example/items/{i}",
                "link": "",
                "title": " ".join(words[:7]).capitalize(),
                "summary": "",
                "text": " ".join(words),
                "published_at": processed - timedelta(hours=2),
                "retrieved_at": processed - timedelta(minutes=20),
                "processed_at": processed,
                "created_at": processed,
                "language": "en",
                "document_type": "report" if i % 5 == 0 else "news",
                "content_sha256": f"{i:064x}",
                "simhash": 0,
                "version": 1,
                "source_tags": [],
                "source_countries": [],
            }
        )
        for n, code in enumerate(rng.sample(COUNTRIES, rng.randint(1, 3))):
            countries.append(
                {
                    "document_id": i,
                    "country_code": code,
                    "role": "focus" if n == 0 else "mentioned",
                    "score": 1.0,
                }
            )
        for tid in rng.sample(topic_ids, rng.randint(0, 2)):
            topics.append({"document_id": i, "topic_id": tid, "score": 1.0, "evidence": []})
    with transaction(factory) as session:
        session.execute(insert(Document), docs)
        session.execute(insert(DocumentCountry), countries)
        session.execute(insert(DocumentTopic), topics)
    password = hash_password("benchmark password")
    with transaction(factory) as session:
        session.execute(
            insert(User),
            [
                {
                    "id": u,
                    "username": f"reader{u}",
                    "email": f"reader{u}@example.org",
                    "password_hash": password,
                    "role": Role.officer,
                    "active": True,
                    "locale": "en",
                    "created_at": now - timedelta(days=60),
                }
                for u in range(1, users + 1)
            ],
        )
        saved_rows = []
        for u in range(1, users + 1):
            if u % 3 == 0:
                saved_rows.append(
                    {
                        "user_id": u,
                        "name": f"search {u}",
                        "query": " ".join(rng.sample(WORDS, rng.randint(1, 2))),
                        "filters": {"country": rng.sample(COUNTRIES, 2)} if u % 2 else {},
                        "created_at": now - timedelta(days=30),
                    }
                )
        session.execute(insert(SavedSearch), saved_rows)
        saved_ids = {
            user_id: sid for sid, user_id in session.execute(select(SavedSearch.id, SavedSearch.user_id))
        }
        subs = []
        for u in range(1, users + 1):
            zone = rng.choice(ZONES)
            weekly = u % 5 == 0
            local = now.astimezone(ZoneInfo(zone))
            at = (local - timedelta(minutes=rng.randint(1, 300))).strftime("%H:%M")
            if (local - timedelta(minutes=300)).date() != local.date():
                at = "00:00"
            subs.append(
                {
                    "id": u,
                    "user_id": u,
                    "active": True,
                    "countries": rng.sample(COUNTRIES, rng.randint(0, 4)),
                    "topics": rng.sample(topic_ids, rng.randint(0, 3)),
                    "briefings": u % 4 == 0,
                    "frequency": "weekly" if weekly else "daily",
                    "weekday": local.weekday(),
                    "send_at": at,
                    "timezone": zone,
                    "created_at": now - timedelta(days=30),
                    "updated_at": now - timedelta(days=30),
                }
            )
        session.execute(insert(DigestSubscription), subs)
        session.execute(
            insert(subscription_saved_searches),
            [{"subscription_id": u, "saved_search_id": sid} for u, sid in saved_ids.items()],
        )
    engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--documents", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    now = datetime(2026, 3, 4, 11, 0, tzinfo=UTC)
    with tempfile.TemporaryDirectory(prefix="coi-digest-bench-") as tmp:
        port = free_port()
        settings = Settings(
            instance_path=Path(tmp),
            database_url=f"sqlite:///{tmp}/bench.sqlite3",
            spacy_model=None,
            secret_key="benchmark secret",
            smtp_host="127.0.0.1",
            smtp_port=port,
            base_url="https://coi.example.org",
        )
        t0 = time.perf_counter()
        build(settings, args.users, args.documents, now, rng)
        print(
            f"data: {args.documents} documents, {args.users} subscribers in {time.perf_counter() - t0:.1f} s"
        )
        parent, child = multiprocessing.get_context("fork").Pipe()
        server = multiprocessing.get_context("fork").Process(
            target=serve_smtp, args=(port, child), daemon=True
        )
        server.start()
        assert parent.recv() == "ready"
        try:
            engine = make_engine(settings.db_url)
            factory = make_session_factory(engine)
            sender = DigestSender(
                factory,
                settings,
                config=DigestConfig(send_empty=False, sender="digests@coi.example.org"),
                clock=lambda: now,
            )
            t1 = time.perf_counter()
            report = sender.run()
            elapsed = time.perf_counter() - t1
        finally:
            parent.send("stop")
            count, size = parent.recv()
            server.join(10)
        with transaction(factory) as session:
            rows = session.scalars(select(DigestDelivery)).all()
            statuses: dict[str, int] = {}
            for r in rows:
                statuses[r.status] = statuses.get(r.status, 0) + 1
            items = [r.item_count for r in rows if r.status == "sent"]
        engine.dispose()
    print(f"run: {report.summary()}")
    print(f"deliveries by status: {statuses}")
    if items:
        median = sorted(items)[len(items) // 2]
        print(f"matching documents per digest: min {min(items)}, median {median}, max {max(items)}")
    print(f"received by the SMTP server: {count} messages, {size / 1e6:.1f} MB")
    verdict = "OK" if elapsed < 60 and count == report.sent else "TOO SLOW or LOST"
    print(f"digest cycle: {elapsed:.1f} s for {args.users} subscribers (goal < 60 s): {verdict}")
    return 0 if verdict == "OK" else 1


if __name__ == "__main__":
    sys.exit(main())
