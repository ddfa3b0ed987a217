"""Screening in the JSON API (POST /api/v1/screening) and its part of the OpenAPI document.

The answer is that of ``coi screen --json``, one object per input name; nothing is stored but the
audit event (who screened how many names, and a hash of what was sent).
"""

from __future__ import annotations

import hashlib
from typing import Any

from flask import g, jsonify, request
from flask.typing import ResponseReturnValue

from nlp.names import NameQuery, read_cell
from portal.api import api_blueprint, openapi
from portal.api.args import int_arg
from portal.api.auth import token_required
from portal.api.errors import ApiError
from portal.api.openapi import COMMON, _error, _ok, _ref
from portal.audit import record
from portal.extensions import db
from portal.models import Role
from portal.screening.service import MAX_NAMES, ScreeningError, decode_list, parse_list, screen

bp = api_blueprint("screening_api", __name__)

MAX_NAME = 300
FIELDS = {"name", "aliases", "birth_year", "nationality", "unit"}


def _text(value: Any, field: str, limit: int = MAX_NAME) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > limit:
        raise ApiError(400, f"{field} must be a string of at most {limit} characters")
    return value.strip() or None


def _query(item: Any, number: int) -> NameQuery:
    if isinstance(item, str):
        item = {"name": item}
    if not isinstance(item, dict):
        raise ApiError(400, f"names[{number}] must be a string or an object")
    unknown = set(item) - FIELDS
    if unknown:
        raise ApiError(400, f"names[{number}]: unknown fields: {', '.join(sorted(unknown))}")
    name = _text(item.get("name"), f"names[{number}].name")
    if not name:
        raise ApiError(400, f"names[{number}].name is required")
    aliases = item.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) and len(a) <= MAX_NAME for a in aliases):
        raise ApiError(400, f"names[{number}].aliases must be a list of names")
    year = item.get("birth_year")
    if year is not None and (isinstance(year, bool) or not isinstance(year, int) or not 1900 <= year <= 2100):
        raise ApiError(400, f"names[{number}].birth_year must be a year from 1900 to 2100")
    name, written, written_year = read_cell(name)
    return NameQuery(
        name=name,
        aliases=tuple(dict.fromkeys([*(a.strip() for a in aliases if a.strip()), *written])),
        birth_year=year if year is not None else written_year,
        nationality=_text(item.get("nationality"), f"names[{number}].nationality", 100),
        unit=_text(item.get("unit"), f"names[{number}].unit"),
    )


def _queries() -> tuple[list[NameQuery], bytes]:
    raw = request.get_data(cache=True)
    kind = (request.mimetype or "").lower()
    try:
        if kind in ("text/csv", "text/plain"):
            return parse_list(decode_list(raw)), raw
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            raise ApiError(400, 'send a JSON object ({"names": [...]} or {"csv": "..."}) or text/csv')
        if set(body) - {"names", "csv"} or len(body) != 1:
            raise ApiError(400, "the body holds exactly one of names or csv")
        if "csv" in body:
            if not isinstance(body["csv"], str):
                raise ApiError(400, "csv must be a string")
            return parse_list(body["csv"]), raw
        names = body["names"]
        if not isinstance(names, list) or not names:
            raise ApiError(400, "names must be a non-empty list")
        if len(names) > MAX_NAMES:
            raise ApiError(400, f"a list holds at most {MAX_NAMES} names")
        return [_query(item, number) for number, item in enumerate(names)], raw
    except UnicodeDecodeError:
        raise ApiError(400, "the list is not UTF-8 text") from None
    except ScreeningError as exc:
        raise ApiError(400, str(exc)) from None


@bp.post("/screening")
@token_required(Role.admin, Role.researcher)
def screen_names() -> ResponseReturnValue:
    limit = int_arg("limit", 5, 1, 20)
    queries, raw = _queries()
    answers = screen(db.session, queries, limit=limit)
    record(
        db.session,
        "screening.api",
        "api",
        {"names": len(queries), "sha256": hashlib.sha256(raw).hexdigest()},
        user=g.api_user,
    )
    return jsonify({"items": answers})


_STRINGS = {"type": "string", "maxLength": MAX_NAME}
SCHEMAS: dict[str, Any] = {
    "ScreeningName": {
        "type": "object",
        "required": ["name"],
        "additionalProperties": False,
        "properties": {
            "name": {"type": "string", "minLength": 1, "maxLength": MAX_NAME, "pattern": r"\S"},
            "aliases": {"type": "array", "items": _STRINGS, "maxItems": 50},
            "birth_year": {"type": "integer", "minimum": 1900, "maximum": 2100, "nullable": True},
            "nationality": {"type": "string", "maxLength": 100, "nullable": True},
            "unit": {**_STRINGS, "nullable": True},
        },
    },
    "ScreeningRequest": {
        "type": "object",
        "additionalProperties": False,
        "description": "Exactly one of names (strings or objects) or csv (the CSV text, header "
        "name,aliases,birth_year,nationality,unit; only name is required).",
        "properties": {
            "names": {
                "type": "array",
                "minItems": 1,
                "maxItems": MAX_NAMES,
                "items": {"oneOf": [{"type": "string", "maxLength": MAX_NAME}, _ref("ScreeningName")]},
            },
            "csv": {"type": "string"},
        },
    },
    "ScreeningCandidate": {
        "type": "object",
        "required": ["entity_id", "name", "score", "match", "reasons", "documents"],
        "properties": {
            "entity_id": {"type": "integer"},
            "name": {"type": "string"},
            "score": {"type": "number", "minimum": 0, "maximum": 1},
            "match": {"type": "boolean", "description": "the score is at or above the default threshold"},
            "reasons": {"type": "array", "items": {"type": "string"}},
            "documents": {"type": "array", "items": {"type": "integer"}},
        },
    },
    "ScreeningAnswer": {
        "type": "object",
        "required": ["query", "candidates"],
        "properties": {
            "query": {"type": "string"},
            "candidates": {"type": "array", "items": _ref("ScreeningCandidate")},
        },
    },
}

openapi.register(
    {
        "/screening": {
            "post": {
                "summary": "Screen names against the persons the sources mention (researchers and admins)",
                "description": "The same answer as `coi screen --json`: one object per input name, "
                "candidates best first. Nothing is stored; the request is audit-logged.",
                "parameters": [
                    {
                        "name": "limit",
                        "in": "query",
                        "required": False,
                        "schema": {"type": "integer", "minimum": 1, "maximum": 20},
                    }
                ],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {"schema": _ref("ScreeningRequest")},
                        "text/csv": {"schema": {"type": "string"}},
                    },
                },
                "responses": {
                    "200": _ok(
                        {
                            "type": "object",
                            "required": ["items"],
                            "properties": {"items": {"type": "array", "items": _ref("ScreeningAnswer")}},
                        }
                    ),
                    "400": _error("The list cannot be read"),
                    **COMMON,
                },
            }
        }
    },
    SCHEMAS,
)
