"""Sources and their assessment in the JSON API (/api/v1/sources), and their part of the OpenAPI document."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import g, jsonify, request
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from portal.api import api_blueprint, openapi
from portal.api.args import iso
from portal.api.auth import token_required
from portal.api.errors import ApiError
from portal.api.openapi import COMMON, NULLABLE_DT, NULLABLE_STR, _error, _int_param, _ok, _ref
from portal.audit import record
from portal.extensions import db
from portal.models import Role, Source

bp = api_blueprint("sources_api", __name__)


def source_json(s: Source) -> dict[str, Any]:
    return {
        "id": s.id,
        "name": s.name,
        "kind": s.kind,
        "url": s.url,
        "publisher": s.publisher,
        "publisher_type": s.publisher_type,
        "language": s.language,
        "countries": list(s.countries or []),
        "themes": list(s.themes or []),
        "enabled": s.enabled,
        "healthy": s.healthy,
        "last_error": s.last_error,
        "last_success_at": iso(s.last_success_at),
        "assessment": {
            "mandate": s.mandate,
            "methodology": s.methodology,
            "reliability_note": s.reliability_note,
            "notes": s.assessment_notes,
            "last_reviewed": iso(s.last_reviewed),
        },
    }


@bp.get("/sources")
@token_required()
def sources() -> ResponseReturnValue:
    rows = db.session.scalars(select(Source).order_by(Source.name)).all()
    return jsonify({"items": [source_json(s) for s in rows]})


@bp.get("/sources/<int(max=2147483647):source_id>")
@token_required()
def source(source_id: int) -> ResponseReturnValue:
    row = db.session.get(Source, source_id)
    if row is None:
        raise ApiError(404, f"no source {source_id}")
    return jsonify(source_json(row))


ASSESSMENT_FIELDS = {"mandate", "methodology", "reliability_note", "notes"}


@bp.patch("/sources/<int(max=2147483647):source_id>")
@token_required(Role.admin)
def update_source(source_id: int) -> ResponseReturnValue:
    row = db.session.get(Source, source_id)
    if row is None:
        raise ApiError(404, f"no source {source_id}")
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "the body must be a JSON object")
    unknown = set(body) - {"enabled", "assessment"}
    if unknown:
        raise ApiError(400, f"unknown fields: {', '.join(sorted(unknown))}")
    changes: dict[str, Any] = {}
    if "enabled" in body:
        if not isinstance(body["enabled"], bool):
            raise ApiError(400, "enabled must be true or false")
        row.enabled = body["enabled"]
        changes["enabled"] = body["enabled"]
    if "assessment" in body:
        assessment = body["assessment"]
        if not isinstance(assessment, dict) or set(assessment) - ASSESSMENT_FIELDS:
            raise ApiError(400, f"assessment takes only {', '.join(sorted(ASSESSMENT_FIELDS))}")
        for key, value in assessment.items():
            if not isinstance(value, str) or len(value) > 10_000:
                raise ApiError(400, f"assessment.{key} must be a string of at most 10000 characters")
            setattr(row, "assessment_notes" if key == "notes" else key, value)
            changes[f"assessment.{key}"] = value
        row.last_reviewed = date.today()
    record(db.session, "edit_source", f"source:{source_id}", changes, user=g.api_user)
    return jsonify(source_json(row))


openapi.register(
    {
        "/sources": {
            "get": {
                "summary": "Sources with their assessment and health",
                "responses": {
                    "200": _ok(
                        {
                            "type": "object",
                            "required": ["items"],
                            "properties": {"items": {"type": "array", "items": _ref("Source")}},
                        }
                    ),
                    **COMMON,
                },
            }
        },
        "/sources/{source_id}": {
            "get": {
                "summary": "One source",
                "parameters": [_int_param("source_id", 1, 2**31 - 1, "path")],
                "responses": {"200": _ok(_ref("Source")), "404": _error("No such source"), **COMMON},
            },
            "patch": {
                "summary": "Enable or disable a source, edit its assessment (admin)",
                "parameters": [_int_param("source_id", 1, 2**31 - 1, "path")],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _ref("SourceUpdate")}},
                },
                "responses": {
                    "200": _ok(_ref("Source")),
                    "400": _error("Bad body"),
                    "404": _error("No such source"),
                    **COMMON,
                },
            },
        },
    },
    {
        "Assessment": {
            "type": "object",
            "required": ["mandate", "methodology", "reliability_note", "notes", "last_reviewed"],
            "properties": {
                "mandate": {"type": "string"},
                "methodology": {"type": "string"},
                "reliability_note": {"type": "string"},
                "notes": {"type": "string"},
                "last_reviewed": {"type": "string", "format": "date", "nullable": True},
            },
        },
        "Source": {
            "type": "object",
            "required": [
                "id",
                "name",
                "kind",
                "url",
                "publisher",
                "publisher_type",
                "language",
                "countries",
                "themes",
                "enabled",
                "healthy",
                "last_error",
                "last_success_at",
                "assessment",
            ],
            "properties": {
                "id": {"type": "integer"},
                "name": {"type": "string"},
                "kind": {"type": "string"},
                "url": {"type": "string"},
                "publisher": {"type": "string"},
                "publisher_type": {"type": "string"},
                "language": {"type": "string"},
                "countries": {"type": "array", "items": {"type": "string"}},
                "themes": {"type": "array", "items": {"type": "string"}},
                "enabled": {"type": "boolean"},
                "healthy": {"type": "boolean"},
                "last_error": NULLABLE_STR,
                "last_success_at": NULLABLE_DT,
                "assessment": _ref("Assessment"),
            },
        },
        "SourceUpdate": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "enabled": {"type": "boolean"},
                "assessment": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        k: {"type": "string", "maxLength": 10000}
                        for k in ("mandate", "methodology", "reliability_note", "notes")
                    },
                },
            },
        },
    },
)
