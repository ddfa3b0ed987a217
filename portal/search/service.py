"""Opening the search index for reading and resolving field values typed by users.

The web process only reads the index (Whoosh or PostgreSQL, ``COI_SEARCH_BACKEND``); the worker
is its single writer.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from flask import current_app
from sqlalchemy import func, select

from portal.config import Settings
from portal.db import in_ids
from portal.extensions import db
from portal.models import Document, Source
from search_index import Index
from search_index.records import Resolvers, SearchResults

log = logging.getLogger(__name__)


def _sources(value: str) -> list[str]:
    needle = value.strip().lower()
    rows = db.session.scalars(select(Source.name).where(func.lower(Source.name).contains(needle))).all()
    return list(rows)


_TEXTS = select(Document.id, Document.text).where(in_ids(Document.id))


def request_texts() -> Callable[[list[int]], dict[int, str]]:
    """The stored texts search highlights from, read on the request's own session and connection."""

    def load(ids: list[int]) -> dict[int, str]:
        if not ids:
            return {}
        rows = db.session.execute(_TEXTS, {"ids": ids}).all()
        return {int(i): str(t) for i, t in rows}

    return load


def build_resolvers() -> Resolvers:
    from nlp.lookup import resolve_country, resolve_group, resolve_province
    from nlp.topics import resolve_topic

    return Resolvers(
        country=resolve_country,
        group=resolve_group,
        topic=resolve_topic,
        source=_sources,
        province=resolve_province,
    )


def _warm(index: Index) -> None:
    try:
        index.warm()
    except Exception:  # an absent or outdated index: searches will say so
        log.info("search index not warmed", exc_info=True)


def search(query: str, **kwargs: Any) -> SearchResults:
    """Search the index of this process (see :func:`get_index`)."""
    return get_index().search(query, **kwargs)


def get_index() -> Index:
    index: Index | None = current_app.extensions.get("coi_index")
    if index is None:
        settings: Settings = current_app.extensions["coi_settings"]
        index = settings.search_index(build_resolvers(), reading=True)
        current_app.extensions["coi_index"] = index
        # load the index's caches in the background, so that the first search is not the slow one
        threading.Thread(target=_warm, args=(index,), name="index-warm", daemon=True).start()
    return index
