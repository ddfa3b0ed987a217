"""Serving the portal: gunicorn in production, Werkzeug only for ``--debug``.

gunicorn (threaded workers, ``gthread``) rather than waitress: it runs several worker processes, so
a slow request or a crashed worker does not stop the others and both cores are used; it reloads
gracefully on ``SIGHUP`` (new workers start, old ones finish their requests); and its ``Server``
header carries no version. Every worker builds its own app (no preloading), so no database
connection crosses a fork.

Never starts a scheduler: ``coi run`` starts ``coi worker`` beside the server, and the scheduler's
lock file keeps it to one per instance however many web workers run.
"""

from __future__ import annotations

import errno
import gc
import logging
import multiprocessing
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gunicorn.app.base import BaseApplication
from gunicorn.workers.gthread import ThreadWorker

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ServerOptions:
    host: str
    port: int
    workers: int
    threads: int
    timeout: int = 60
    graceful_timeout: int = 30
    # seconds an idle kept-alive connection stays open; behind a load balancer, longer than the
    # balancer's own idle timeout, or it reuses a connection the server is closing
    keepalive: int = 75


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    def __init__(self, factory: Callable[[], Any], options: ServerOptions) -> None:
        self._factory = factory
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        o = self._options
        for key, value in {
            "bind": f"{o.host}:{o.port}",
            "workers": o.workers,
            "threads": o.threads,
            "timeout": o.timeout,
            "graceful_timeout": o.graceful_timeout,
            "keepalive": o.keepalive,
            "preload_app": False,
            "accesslog": None,
            "proc_name": "coi-portal",
            # gunicorn's control socket sits at one path per user (~/.gunicorn/gunicorn.ctl): two
            # instances on one machine would take it from each other, and nothing here uses it
            "control_socket_disable": True,
            # the workers take turns at one listening socket (see BalancedThreadWorker)
            "worker_class": f"{__name__}.BalancedThreadWorker",
            "reuse_port": False,
        }.items():
            self.cfg.set(key, value)
        global SHARES
        SHARES = ConnectionShares(max(8, 4 * o.workers))  # made before the workers fork

    def load(self) -> Any:
        app = self._factory()
        prepare(app)
        tune_garbage_collection()
        return app


class ConnectionShares:
    """How many connections each web worker of one server holds, in memory they all share.

    Made by the server's master process before it starts the workers, which inherit it. A worker
    takes a slot when it starts and gives it back when it stops; a slot whose worker died
    without giving it back is taken again.
    """

    def __init__(self, slots: int) -> None:
        self._lock = multiprocessing.Lock()
        self._pids = multiprocessing.RawArray("i", slots)
        self._conns = multiprocessing.RawArray("i", slots)

    def take(self, pid: int) -> int:
        """A slot for worker `pid`; -1 when every slot belongs to a live worker."""
        with self._lock:
            for slot, owner in enumerate(self._pids):
                if owner == 0 or not _alive(owner):
                    self._pids[slot], self._conns[slot] = pid, 0
                    return slot
        return -1

    def give_back(self, slot: int, pid: int) -> None:
        with self._lock:
            if self._pids[slot] == pid:
                self._pids[slot], self._conns[slot] = 0, 0

    def hold(self, slot: int, connections: int) -> None:
        self._conns[slot] = connections

    def fewest_elsewhere(self, slot: int) -> int | None:
        """The fewest connections a live worker other than `slot` holds; None if there is none."""
        fewest = None
        for other, owner in enumerate(self._pids):
            if other != slot and owner and _alive(owner):
                held = self._conns[other]
                fewest = held if fewest is None else min(fewest, held)
        return fewest


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, someone else's
        return True
    return True


#: the shares of the server this process belongs to (None outside a gunicorn server)
SHARES: ConnectionShares | None = None


class BalancedThreadWorker(ThreadWorker):  # type: ignore[misc]
    """gunicorn's threaded worker that takes a new connection only while it holds no more than
    the worker that holds the fewest, so that the workers stay within one of each other.

    The workers wait on one listening socket; a kept-alive connection stays with the worker that
    took it. Left alone, whichever worker is idle when clients arrive takes nearly all of them
    (50 clients were split 37 / 13, and the 37 waited three times as long); one socket per worker
    (``SO_REUSEPORT``) spreads them by a hash of the client's address, at random (28 / 22 is
    common; 15 / 8 / 7 among three). Here a worker above its share stops listening until
    another has taken the next connection.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._slot = -1
        self._held = 0
        self._limit = 0
        super().__init__(*args, **kwargs)

    # gunicorn's loop reads both on every turn: listen while nr_conns < worker_connections
    @property  # type: ignore[override]
    def nr_conns(self) -> int:
        return self._held

    @nr_conns.setter
    def nr_conns(self, value: int) -> None:
        self._held = value
        if SHARES is not None and self._slot >= 0:
            SHARES.hold(self._slot, value)

    @property  # type: ignore[override]
    def worker_connections(self) -> int:
        if SHARES is None or self._slot < 0:
            return self._limit
        fewest = SHARES.fewest_elsewhere(self._slot)
        return self._limit if fewest is None else min(self._limit, fewest + 1)

    @worker_connections.setter
    def worker_connections(self, value: int) -> None:
        self._limit = value

    def init_process(self) -> None:
        if SHARES is not None:
            self._slot = SHARES.take(os.getpid())
        super().init_process()

    def run(self) -> None:
        try:
            super().run()
        finally:
            if SHARES is not None and self._slot >= 0:
                SHARES.give_back(self._slot, os.getpid())


#: allocations between two collections of the youngest generation, and how many of those make a
#: collection of the next; Python's defaults (700, 10, 10) spent about 0.65 ms of each page's
#: 7-9 ms in the collector, with these about 0.1 ms (bench: /documents and / in process)
GC_THRESHOLDS = (20_000, 20, 20)


def prepare(app: Any) -> None:
    """What a worker's first requests would otherwise load while someone waits: the gazetteer
    tables of country and province names, and the search index (whose caches then fill on a thread
    of their own)."""
    from nlp.lookup import load as load_lookups
    from portal.search.service import get_index

    load_lookups()
    with app.app_context():
        try:
            get_index()
        except Exception:  # no index yet: searches say so, the worker serves the rest
            log.warning("the search index could not be opened", exc_info=True)


def tune_garbage_collection() -> None:
    """For a web worker whose app is built: what exists now lives as long as the process (the app,
    its templates, the index's caches), so the collector stops walking it (``gc.freeze``), and a
    page's short-lived objects are collected in fewer, larger sweeps."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


class PortInUseError(RuntimeError):
    """Another server already listens on the address."""


def check_port_free(host: str, port: int) -> None:
    """Refuse an address another server listens on, with a message that says so (gunicorn
    itself retries binding for a while, then stops with a general error)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn: TIME_WAIT is no obstacle
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise PortInUseError(f"another server already listens on {host}:{port}") from None
            raise


def serve_production(factory: Callable[[], Any], options: ServerOptions) -> None:
    """Run gunicorn in the foreground until it is stopped (SIGTERM/SIGINT); SIGHUP reloads."""
    check_port_free(options.host, options.port)
    _Gunicorn(factory, options).run()


def serve_debug(app: Any, host: str, port: int) -> None:
    """Werkzeug's development server with its debugger: for a developer's own machine only."""
    from werkzeug.serving import run_simple

    run_simple(host, port, app, use_reloader=False, use_debugger=True, threaded=True)
