"""Writes a request makes about itself (audit events, log-in attempts, a token's last use).

Inside a request they are queued, never added to the request's session, so that no later read can
autoflush them and hold SQLite's write lock while the request goes on reading. The queue is written
at one fixed point, the request's commit point (:meth:`portal.extensions.Database._commit`):

- if the request itself wrote (it flushed, or has pending changes), the queued writes join its
  transaction and are committed with it;
- otherwise the request's read transaction is ended first and the queue is written in one short
  transaction of its own;
- if the request failed (status 400 or more) its changes are rolled back, but the queue is still
  written: a refused log-in is recorded.

Outside a request (the CLI, the worker) the writes go straight into the caller's session.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import g, has_request_context
from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

Write = Callable[[Session], object]


def defer(session: Session, write: Write) -> None:
    """Queue ``write`` to the request's commit point, or run it now outside a request."""
    if has_request_context():
        g.setdefault("coi_bookkeeping", []).append(write)
    else:
        write(session)


def add(session: Session, row: Any) -> None:
    """Queue a new row (see :func:`defer`)."""
    defer(session, lambda s: s.add(row))


def pending() -> list[Write]:
    queue: list[Write] = g.pop("coi_bookkeeping", [])
    return queue


def track_writes(factory: sessionmaker[Session]) -> None:
    """Mark a session that has flushed a change, so that the commit point knows it holds a write."""

    @event.listens_for(factory, "after_flush")
    def _wrote(session: Session, _context: Any) -> None:
        session.info["wrote"] = True

    @event.listens_for(factory, "after_commit")
    def _clean(session: Session) -> None:
        session.info.pop("wrote", None)

    @event.listens_for(factory, "after_rollback")
    def _clean_rollback(session: Session) -> None:
        session.info.pop("wrote", None)


def wrote(session: Session) -> bool:
    return bool(session.info.get("wrote") or session.new or session.dirty or session.deleted)
