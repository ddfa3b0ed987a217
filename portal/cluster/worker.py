"""``coi worker`` on PostgreSQL: tag claimed batches always, run the scheduler while leading.

Every worker tags (claims batches, :mod:`portal.cluster.claims`); the one that holds the
advisory lock (:mod:`portal.cluster.leader`) also runs the scheduler. Start as many as you like.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from portal.cluster.claims import process_claimed, worker_name
from portal.cluster.leader import AdvisoryLeaderLock, lead_while_alive
from portal.config import Settings
from portal.db import make_engine, make_session_factory

log = logging.getLogger(__name__)

IDLE_SECONDS = 5.0


def tag_loop(settings: Settings, stop: threading.Event, *, idle: float = IDLE_SECONDS) -> None:
    """Claim and tag batches until ``stop``; wait ``idle`` seconds whenever nothing is left."""
    engine = make_engine(settings.db_url)
    factory = make_session_factory(engine)
    name = worker_name()
    try:
        while not stop.is_set():
            try:
                done = process_claimed(
                    factory, model=settings.spacy_model, worker=name, batch_size=32, limit=256
                )
            except Exception:
                log.exception("tagging a claimed batch failed; its claims expire and are taken again")
                done = 0
            if done:
                log.info("tagged %d documents", done)
            else:
                stop.wait(idle)
    finally:
        engine.dispose()


def run_worker(settings: Settings, stop: threading.Event, *, retry: float = 15.0) -> None:
    """Tag in a thread, and lead the scheduler whenever this worker holds the lock."""
    from portal.jobs import build_scheduler

    tagger = threading.Thread(target=tag_loop, args=(settings, stop), name="coi-tagger", daemon=True)
    tagger.start()

    def start() -> Callable[[], None]:
        scheduler = build_scheduler(settings, blocking=False)
        scheduler.start()

        def halt() -> None:
            scheduler.shutdown(wait=False)

        return halt

    try:
        lead_while_alive(AdvisoryLeaderLock(settings.db_url), start, stop, retry=retry)
    finally:
        stop.set()
        tagger.join(timeout=60)
