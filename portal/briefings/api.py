"""Published briefings in the JSON API (/api/v1/briefings) and their part of the OpenAPI document.

Read-only: drafts are not served here, and nothing is written but the audit event of a read.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import g, jsonify, request
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from portal.annotations.models import Annotation
from portal.api import api_blueprint, openapi
from portal.api.args import int_arg as _int_arg
from portal.api.auth import token_required
from portal.api.errors import ApiError
from portal.api.openapi import COMMON, NULLABLE_DT, NULLABLE_STR, _error, _int_param, _listing, _ok, _ref
from portal.audit import record
from portal.briefings.models import Briefing, BriefingItem
from portal.briefings.queries import published, superseded_by
from portal.extensions import db

bp = api_blueprint("briefings_api", __name__)


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def briefing_summary(b: Briefing) -> dict[str, Any]:
    return {
        "id": b.id,
        "desk": b.desk_key,
        "desk_name": b.desk_name,
        "countries": list(b.countries or []),
        "date": b.for_date.isoformat(),
        "version": b.version,
        "title": b.title,
        "published_at": _iso(b.published_at),
        "supersedes_id": b.supersedes_id,
        "item_count": len(b.items),
    }


def _item_json(item: BriefingItem, notes: dict[int, Annotation]) -> dict[str, Any]:
    d = item.document
    return {
        "position": item.position,
        "summary": item.summary,
        "document": {
            "id": d.id,
            "title": d.title,
            "url": d.url,
            "source": d.source.name,
            "publisher": d.source.publisher,
            "published_at": _iso(d.published_at),
            "retrieved_at": _iso(d.retrieved_at),
        },
        "annotations": [
            {"id": a.id, "quote": a.exact, "comment": a.comment}
            for a in (notes.get(i) for i in item.annotation_ids or [])
            if a is not None
        ],
    }


def briefing_detail(b: Briefing, newer: Briefing | None) -> dict[str, Any]:
    ids = {i for item in b.items for i in item.annotation_ids or []}
    notes = (
        {a.id: a for a in db.session.scalars(select(Annotation).where(Annotation.id.in_(ids)))} if ids else {}
    )
    data = briefing_summary(b)
    data["summary"] = b.summary
    data["superseded_by_id"] = newer.id if newer is not None else None
    data["items"] = [_item_json(item, notes) for item in b.items]
    return data


@bp.get("/briefings")
@token_required()
def briefings() -> ResponseReturnValue:
    limit = _int_arg("limit", 50, 1, 500)
    offset = _int_arg("offset", 0, 0, 10_000_000)
    on = None
    if "date" in request.args:
        try:
            on = date.fromisoformat(request.args["date"])
        except ValueError:
            raise ApiError(400, "date must be a date, YYYY-MM-DD") from None
    desk = request.args.get("desk") or None
    country = request.args.get("country") or None
    rows = published(
        db.session, desk=desk, countries=[country] if country else None, on=on, limit=limit, offset=offset
    )
    return jsonify({"items": [briefing_summary(b) for b in rows], "limit": limit, "offset": offset})


@bp.get("/briefings/<int(max=2147483647):briefing_id>")
@token_required()
def briefing(briefing_id: int) -> ResponseReturnValue:
    row = db.session.get(Briefing, briefing_id)
    if row is None or row.status != "published":
        raise ApiError(404, f"no published briefing {briefing_id}")
    newer = superseded_by(db.session, row.id)
    if newer is not None and newer.status != "published":
        newer = None
    record(db.session, "view_briefing", f"briefing:{row.id}", {"api": True}, user=g.api_user)
    return jsonify(briefing_detail(row, newer))


# ---------------------------------------------------------------- OpenAPI

_SUMMARY_PROPS: dict[str, Any] = {
    "id": {"type": "integer"},
    "desk": {"type": "string"},
    "desk_name": {"type": "string"},
    "countries": {"type": "array", "items": {"type": "string"}},
    "date": {"type": "string", "format": "date"},
    "version": {"type": "integer"},
    "title": {"type": "string"},
    "published_at": NULLABLE_DT,
    "supersedes_id": {"type": "integer", "nullable": True},
    "item_count": {"type": "integer"},
}

SCHEMAS: dict[str, Any] = {
    "BriefingSummary": {"type": "object", "required": list(_SUMMARY_PROPS), "properties": _SUMMARY_PROPS},
    "BriefingItem": {
        "type": "object",
        "required": ["position", "summary", "document", "annotations"],
        "properties": {
            "position": {"type": "integer"},
            "summary": {"type": "string", "description": "Markdown"},
            "document": {
                "type": "object",
                "required": ["id", "title", "url", "source", "publisher", "published_at", "retrieved_at"],
                "properties": {
                    "id": {"type": "integer"},
                    "title": {"type": "string"},
                    "url": {"type": "string"},
                    "source": {"type": "string"},
                    "publisher": NULLABLE_STR,
                    "published_at": NULLABLE_DT,
                    "retrieved_at": {"type": "string", "format": "date-time"},
                },
            },
            "annotations": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["id", "quote", "comment"],
                    "properties": {
                        "id": {"type": "integer"},
                        "quote": {"type": "string"},
                        "comment": {"type": "string"},
                    },
                },
            },
        },
    },
    "Briefing": {
        "type": "object",
        "required": [*_SUMMARY_PROPS, "summary", "superseded_by_id", "items"],
        "properties": {
            **_SUMMARY_PROPS,
            "summary": {"type": "string", "description": "Markdown"},
            "superseded_by_id": {"type": "integer", "nullable": True},
            "items": {"type": "array", "items": _ref("BriefingItem")},
        },
    },
}


def paths() -> dict[str, Any]:
    return {
        "/briefings": {
            "get": {
                "summary": "Published briefings, newest first",
                "parameters": [
                    _int_param("limit", 1, 500),
                    _int_param("offset", 0, 10_000_000),
                    {"name": "desk", "in": "query", "required": False, "schema": {"type": "string"}},
                    {"name": "country", "in": "query", "required": False, "schema": {"type": "string"}},
                    {
                        "name": "date",
                        "in": "query",
                        "required": False,
                        "schema": {"type": "string", "format": "date"},
                    },
                ],
                "responses": {
                    "200": _ok(_listing("BriefingSummary")),
                    "400": _error("Bad parameter"),
                    **COMMON,
                },
            }
        },
        "/briefings/{briefing_id}": {
            "get": {
                "summary": "One published briefing with its items, sources and annotations",
                "parameters": [_int_param("briefing_id", 1, 2**31 - 1, "path")],
                "responses": {
                    "200": _ok(_ref("Briefing")),
                    "404": _error("No such published briefing"),
                    **COMMON,
                },
            }
        },
    }


openapi.register(paths(), SCHEMAS)
