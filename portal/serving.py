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
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gunicorn.app.base import BaseApplication

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
            "worker_class": "gthread",
            "timeout": o.timeout,
            "graceful_timeout": o.graceful_timeout,
            "keepalive": o.keepalive,
            "preload_app": False,
            "accesslog": None,
            "proc_name": "coi-portal",
            # gunicorn's control socket sits at one path per user (~/.gunicorn/gunicorn.ctl): two
            # instances on one machine would take it from each other, and nothing here uses it
            "control_socket_disable": True,
            # each worker listens on the port itself and the kernel spreads new connections among
            # them: on one shared socket, whichever worker is idle at the moment takes every
            # connection that arrives, and a kept-alive connection stays with its worker (50
            # clients at once were split 37 / 13, and the 37 waited three times as long)
            "reuse_port": True,
        }.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        app = self._factory()
        prepare(app)
        tune_garbage_collection()
        return app


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
    """Refuse an address another server listens on. Workers that share their port
    (``reuse_port``) would otherwise start beside an old instance of the same user and split the
    traffic with it; a plain socket still fails to bind while anything listens there."""
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
