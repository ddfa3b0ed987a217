"""Search and saved searches in the JSON API (/api/v1/search, /api/v1/saved-searches) and their part of
the OpenAPI document."""

from __future__ import annotations

from typing import Any

from flask import Response, g, jsonify, request
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from portal.api import api_blueprint, openapi
from portal.api.args import choice_arg, int_arg, iso
from portal.api.auth import token_required
from portal.api.errors import ApiError
from portal.api.openapi import COMMON, NULLABLE_STR, _error, _int_param, _ok, _ref
from portal.audit import record
from portal.documents.api import DOC_SUMMARY_PROPS, document_summaries
from portal.extensions import db
from portal.models import SavedSearch, User
from search_index import MAX_QUERY_CHARS, QueryTooDeep

bp = api_blueprint("search_api", __name__)


SEARCH_FACETS = ("country", "province", "source", "topic", "group", "lang", "ym", "type")

FACET_COUNTS = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["value", "count"],
        "properties": {"value": {"type": "string"}, "count": {"type": "integer"}},
    },
}

FACET_PARAMS = [
    {
        "name": f,
        "in": "query",
        "required": False,
        "explode": True,
        "schema": {"type": "array", "items": {"type": "string"}},
    }
    for f in SEARCH_FACETS
]


@bp.get("/search")
@token_required()
def search() -> ResponseReturnValue:
    from portal.search.service import request_texts
    from portal.search.service import search as run_search

    query = request.args.get("q", "")[:MAX_QUERY_CHARS]
    page = int_arg("page", 1, 1, 500)
    pagelen = int_arg("per_page", 20, 1, 100)
    sort = choice_arg("sort", "relevance", ("relevance", "newest"))
    filters = {f: request.args.getlist(f) for f in SEARCH_FACETS if request.args.getlist(f)}
    try:
        results = run_search(
            query,
            page=page,
            pagelen=pagelen,
            sort="newest" if sort == "newest" else "relevance",
            filters=filters,  # type: ignore[arg-type]
            facets=SEARCH_FACETS,
            texts=request_texts(),
        )
    except QueryTooDeep as exc:
        raise ApiError(400, str(exc)) from None
    except Exception as exc:
        raise ApiError(503, f"the search index is not available: {exc}") from None
    record(db.session, "search", query, {"filters": filters, "api": True}, user=g.api_user)
    ids = [h.id for h in results.hits]
    rows = document_summaries(db.session, ids)
    hits = []
    for h in results.hits:
        item = rows.get(h.id)
        if item is None:
            continue
        item["score"] = round(float(h.score), 4)
        item["highlight"] = h.highlights
        hits.append(item)
    return jsonify(
        {
            "query": query,
            "total": results.total,
            "total_estimated": results.estimated,
            "page": page,
            "per_page": pagelen,
            "warnings": list(results.warnings),
            "suggestion": results.suggestion,
            "hits": hits,
            "facets": {k: [{"value": v, "count": c} for v, c in vals] for k, vals in results.facets.items()},
        }
    )


def saved_json(s: SavedSearch) -> dict[str, Any]:
    return {
        "id": s.id,
        "name": s.name,
        "query": s.query,
        "filters": s.filters,
        "created_at": iso(s.created_at),
    }


@bp.get("/saved-searches")
@token_required()
def saved_searches() -> ResponseReturnValue:
    user: User = g.api_user
    rows = db.session.scalars(
        select(SavedSearch).where(SavedSearch.user_id == user.id).order_by(SavedSearch.id)
    )
    return jsonify({"items": [saved_json(s) for s in rows]})


@bp.post("/saved-searches")
@token_required()
def create_saved_search() -> ResponseReturnValue:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "the body must be a JSON object")
    name, query, filters = body.get("name"), body.get("query", ""), body.get("filters", {})
    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        raise ApiError(400, "name must be a non-empty string of at most 200 characters")
    if not isinstance(query, str) or len(query) > 1000:
        raise ApiError(400, "query must be a string of at most 1000 characters")
    if not isinstance(filters, dict) or any(
        k not in SEARCH_FACETS or not isinstance(v, list) or not all(isinstance(x, str) for x in v)
        for k, v in filters.items()
    ):
        raise ApiError(400, f"filters maps facets ({', '.join(SEARCH_FACETS)}) to lists of strings")
    if set(body) - {"name", "query", "filters"}:
        raise ApiError(400, "unknown fields")
    row = SavedSearch(user_id=g.api_user.id, name=name.strip(), query=query, filters=filters)
    db.session.add(row)
    db.session.flush()
    response: Response = jsonify(saved_json(row))
    response.status_code = 201
    return response


openapi.register(
    {
        "/search": {
            "get": {
                "summary": "Search documents with the portal's query language",
                "parameters": [
                    {
                        "name": "q",
                        "in": "query",
                        "required": False,
                        "schema": {"type": "string", "maxLength": 1000},
                    },
                    _int_param("page", 1, 500),
                    _int_param("per_page", 1, 100),
                    {
                        "name": "sort",
                        "in": "query",
                        "required": False,
                        "schema": {"type": "string", "enum": ["relevance", "newest"]},
                    },
                    *FACET_PARAMS,
                ],
                "responses": {
                    "200": _ok(
                        {
                            "type": "object",
                            "required": [
                                "query",
                                "total",
                                "total_estimated",
                                "page",
                                "per_page",
                                "warnings",
                                "suggestion",
                                "hits",
                                "facets",
                            ],
                            "properties": {
                                "query": {"type": "string"},
                                "total": {"type": "integer"},
                                "total_estimated": {
                                    "type": "boolean",
                                    "description": "total and facet counts are estimated from a sample"
                                    " (PostgreSQL search backend, result sets of 20,000 or more)",
                                },
                                "page": {"type": "integer"},
                                "per_page": {"type": "integer"},
                                "warnings": {"type": "array", "items": {"type": "string"}},
                                "suggestion": NULLABLE_STR,
                                "hits": {"type": "array", "items": _ref("Hit")},
                                "facets": {"type": "object", "additionalProperties": FACET_COUNTS},
                            },
                        }
                    ),
                    "400": _error("A parameter is out of range"),
                    "503": _error("The search index is not available"),
                    **COMMON,
                },
            }
        },
        "/saved-searches": {
            "get": {
                "summary": "The caller's saved searches",
                "responses": {
                    "200": _ok(
                        {
                            "type": "object",
                            "required": ["items"],
                            "properties": {"items": {"type": "array", "items": _ref("SavedSearch")}},
                        }
                    ),
                    **COMMON,
                },
            },
            "post": {
                "summary": "Save a search",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _ref("SavedSearchNew")}},
                },
                "responses": {
                    "201": _ok(_ref("SavedSearch"), "Created"),
                    "400": _error("Bad body"),
                    **COMMON,
                },
            },
        },
    },
    {
        "Hit": {
            "type": "object",
            "required": [*DOC_SUMMARY_PROPS, "score", "highlight"],
            "properties": {**DOC_SUMMARY_PROPS, "score": {"type": "number"}, "highlight": {"type": "string"}},
        },
        "SavedSearch": {
            "type": "object",
            "required": ["id", "name", "query", "filters", "created_at"],
            "properties": {
                "id": {"type": "integer"},
                "name": {"type": "string"},
                "query": {"type": "string"},
                "filters": {
                    "type": "object",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                },
                "created_at": {"type": "string", "format": "date-time"},
            },
        },
        "SavedSearchNew": {
            "type": "object",
            "required": ["name"],
            "additionalProperties": False,
            "properties": {
                "name": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "\\S"},
                "query": {"type": "string", "maxLength": 1000},
                "filters": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {f: {"type": "array", "items": {"type": "string"}} for f in SEARCH_FACETS},
                },
            },
        },
    },
)
