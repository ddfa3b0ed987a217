"""Run a parser under a time limit that really stops it: in a child process that is killed.

trafilatura and pypdf are pure Python working on hostile input; a pathological page or PDF can keep
them busy for minutes, and a thread cannot be stopped. :func:`run_limited` sends the call to a
long-lived child process (started with ``spawn``, so it inherits no locks or threads of the caller),
waits at most ``timeout`` seconds for the answer, and otherwise kills the child, which is started
anew on the next call. Each calling thread has its own child.

What it does not do: limit memory, or run anything but importable module-level functions with
picklable arguments.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, TypeVar

from collectors.errors import ParseError

__all__ = ["DEFAULT_TIMEOUT", "ParseTimeoutError", "run_limited"]

T = TypeVar("T")
#: seconds one page extraction or one PDF may take
DEFAULT_TIMEOUT = 30.0
_CONTEXT = multiprocessing.get_context("spawn")


class ParseTimeoutError(ParseError):
    """The parser did not finish within its time limit and was stopped."""


def _serve(conn: Connection) -> None:
    while True:
        try:
            fn, args, kwargs = conn.recv()
        except (EOFError, OSError):
            return
        try:
            conn.send((True, fn(*args, **kwargs)))
        except BaseException as exc:  # the caller decides; the child stays alive
            conn.send((False, f"{type(exc).__name__}: {exc}"))


class _Child:
    def __init__(self) -> None:
        self.process: BaseProcess | None = None
        self.conn: Connection | None = None

    def start(self) -> Connection:
        if self.process is None or not self.process.is_alive() or self.conn is None:
            ours, theirs = _CONTEXT.Pipe()
            process = _CONTEXT.Process(target=_serve, args=(theirs,), name="coi-parser", daemon=True)
            process.start()
            theirs.close()
            self.process, self.conn = process, ours
        return self.conn

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.join(5)
        if self.conn is not None:
            self.conn.close()
        self.process, self.conn = None, None


_local = threading.local()


def run_limited(fn: Callable[..., T], *args: Any, timeout: float = DEFAULT_TIMEOUT, **kwargs: Any) -> T:
    """``fn(*args, **kwargs)`` in this thread's child process; :class:`ParseTimeoutError` when it takes
    longer than ``timeout`` seconds (the child is killed), :class:`ParseError` when it raises."""
    child: _Child | None = getattr(_local, "child", None)
    if child is None:
        child = _local.child = _Child()
    conn = child.start()
    try:
        conn.send((fn, args, kwargs))
        ready = conn.poll(timeout)
    except (OSError, EOFError) as exc:
        child.kill()
        raise ParseError(f"parser process failed: {exc}") from exc
    if not ready:
        child.kill()
        raise ParseTimeoutError(f"stopped after {timeout:g} s")
    try:
        ok, value = conn.recv()
    except (OSError, EOFError) as exc:
        child.kill()
        raise ParseError(f"parser process died: {exc}") from exc
    if not ok:
        raise ParseError(f"parser failed: {value}")
    result: T = value
    return result
