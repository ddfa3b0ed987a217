"""Annotations in the JSON API (/api/v1/annotations) and their part of the OpenAPI document."""

from __future__ import annotations

from typing import Any

from flask import g, jsonify, request
from flask.typing import ResponseReturnValue

from portal.annotations import service
from portal.annotations.models import Annotation
from portal.api import api_blueprint, openapi
from portal.api.args import int_arg as _int_arg
from portal.api.auth import token_required
from portal.api.errors import ApiError
from portal.api.openapi import _error, _ok, _ref
from portal.audit import record
from portal.extensions import db
from portal.models import Document

bp = api_blueprint("annotations_api", __name__)


def _visible(note_id: int) -> Annotation:
    note = db.session.get(Annotation, note_id)
    if note is None or not (note.shared or note.user_id == g.api_user.id):
        raise ApiError(404, f"no annotation {note_id}")
    return note


def _body(allowed: set[str]) -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "the body must be a JSON object")
    unknown = set(body) - allowed
    if unknown:
        raise ApiError(400, f"unknown fields: {', '.join(sorted(unknown))}")
    if "comment" in body and (
        not isinstance(body["comment"], str) or len(body["comment"]) > service.MAX_COMMENT
    ):
        raise ApiError(400, f"comment must be a string of at most {service.MAX_COMMENT} characters")
    if "tags" in body and (
        not isinstance(body["tags"], list) or not all(isinstance(t, str) for t in body["tags"])
    ):
        raise ApiError(400, "tags must be a list of strings")
    if "shared" in body and not isinstance(body["shared"], bool):
        raise ApiError(400, "shared must be true or false")
    return body


@bp.get("/annotations")
@token_required()
def list_annotations() -> ResponseReturnValue:
    limit = _int_arg("limit", 50, 1, 500)
    offset = _int_arg("offset", 0, 0, 10_000_000)
    document_id = request.args.get("document_id")
    doc: int | None = None
    if document_id is not None:
        doc = _int_arg("document_id", 0, 1, 2**31 - 1)
    notes = service.search(
        db.session,
        g.api_user,
        query=request.args.get("q", ""),
        tag=request.args.get("tag", ""),
        document_id=doc,
        limit=limit,
        offset=offset,
    )
    return jsonify({"items": [service.as_dict(n) for n in notes], "limit": limit, "offset": offset})


@bp.post("/annotations")
@token_required()
def create_annotation() -> ResponseReturnValue:
    body = _body({"document_id", "start", "end", "comment", "tags", "shared"})
    for key in ("document_id", "start", "end"):
        if (
            not isinstance(body.get(key), int)
            or isinstance(body.get(key), bool)
            or not 0 <= body[key] < 2**31
        ):
            raise ApiError(400, f"{key} must be a whole number")
    doc = db.session.get(Document, body["document_id"])
    if doc is None:
        raise ApiError(404, f"no document {body['document_id']}")
    try:
        note = service.create(
            db.session,
            doc,
            g.api_user,
            body["start"],
            body["end"],
            body.get("comment", ""),
            body.get("tags", []),
            body.get("shared", True),
        )
    except service.AnnotationError as exc:
        raise ApiError(400, str(exc)) from None
    record(
        db.session, "annotate", f"document:{doc.id}", {"annotation": note.id, "api": True}, user=g.api_user
    )
    response = jsonify(service.as_dict(note))
    response.status_code = 201
    return response


@bp.get("/annotations/<int(max=2147483647):note_id>")
@token_required()
def get_annotation(note_id: int) -> ResponseReturnValue:
    return jsonify(service.as_dict(_visible(note_id)))


@bp.patch("/annotations/<int(max=2147483647):note_id>")
@token_required()
def update_annotation(note_id: int) -> ResponseReturnValue:
    note = _visible(note_id)
    if not service.can_change(note, g.api_user):
        raise ApiError(403, "only its author changes an annotation")
    body = _body({"comment", "tags", "shared"})
    if "comment" in body:
        note.comment = body["comment"]
    if "tags" in body:
        note.tags = service.clean_tags(body["tags"])
    if "shared" in body:
        note.shared = body["shared"]
    service.touch(note)
    record(db.session, "edit_annotation", f"annotation:{note.id}", {"api": True}, user=g.api_user)
    return jsonify(service.as_dict(note))


@bp.delete("/annotations/<int(max=2147483647):note_id>")
@token_required()
def delete_annotation(note_id: int) -> ResponseReturnValue:
    note = _visible(note_id)
    if not service.can_change(note, g.api_user):
        raise ApiError(403, "only its author deletes an annotation")
    db.session.delete(note)
    record(db.session, "delete_annotation", f"annotation:{note_id}", {"api": True}, user=g.api_user)
    return "", 204


_ID = {
    "name": "note_id",
    "in": "path",
    "required": True,
    "example": 1,
    "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
}
_COMMON = {"401": _error("No token or an invalid token"), "403": _error("The role does not allow this")}

SCHEMAS: dict[str, Any] = {
    "Annotation": {
        "type": "object",
        "required": [
            "id",
            "document_id",
            "document_title",
            "author",
            "version",
            "start",
            "end",
            "exact",
            "prefix",
            "suffix",
            "orphaned",
            "comment",
            "tags",
            "shared",
            "created_at",
            "updated_at",
        ],
        "properties": {
            "id": {"type": "integer"},
            "document_id": {"type": "integer"},
            "document_title": {"type": "string"},
            "author": {"type": "string"},
            "version": {"type": "integer"},
            "start": {"type": "integer"},
            "end": {"type": "integer"},
            "exact": {"type": "string"},
            "prefix": {"type": "string"},
            "suffix": {"type": "string"},
            "orphaned": {"type": "boolean"},
            "comment": {"type": "string"},
            "tags": {"type": "array", "items": {"type": "string"}},
            "shared": {"type": "boolean"},
            "created_at": {"type": "string", "format": "date-time"},
            "updated_at": {"type": "string", "format": "date-time"},
        },
    },
    "AnnotationNew": {
        "type": "object",
        "required": ["document_id", "start", "end"],
        "additionalProperties": False,
        "properties": {
            "document_id": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
            "start": {"type": "integer", "minimum": 0, "maximum": 2**31 - 1},
            "end": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
            "comment": {"type": "string", "maxLength": service.MAX_COMMENT},
            "tags": {"type": "array", "items": {"type": "string"}},
            "shared": {"type": "boolean"},
        },
    },
    "AnnotationUpdate": {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "comment": {"type": "string", "maxLength": service.MAX_COMMENT},
            "tags": {"type": "array", "items": {"type": "string"}},
            "shared": {"type": "boolean"},
        },
    },
}


def paths() -> dict[str, Any]:
    listing = {
        "type": "object",
        "required": ["items", "limit", "offset"],
        "properties": {
            "items": {"type": "array", "items": _ref("Annotation")},
            "limit": {"type": "integer"},
            "offset": {"type": "integer"},
        },
    }
    return {
        "/annotations": {
            "get": {
                "summary": "Annotations the caller may read (their own and the shared ones)",
                "parameters": [
                    {"name": "q", "in": "query", "required": False, "schema": {"type": "string"}},
                    {"name": "tag", "in": "query", "required": False, "schema": {"type": "string"}},
                    {
                        "name": "document_id",
                        "in": "query",
                        "required": False,
                        "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
                    },
                    {
                        "name": "limit",
                        "in": "query",
                        "required": False,
                        "schema": {"type": "integer", "minimum": 1, "maximum": 500},
                    },
                    {
                        "name": "offset",
                        "in": "query",
                        "required": False,
                        "schema": {"type": "integer", "minimum": 0, "maximum": 10_000_000},
                    },
                ],
                "responses": {"200": _ok(listing), "400": _error("Bad parameter"), **_COMMON},
            },
            "post": {
                "summary": "Annotate a passage of a document's current text (character offsets)",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _ref("AnnotationNew")}},
                },
                "responses": {
                    "201": _ok(_ref("Annotation"), "Created"),
                    "400": _error("Bad body or selection"),
                    "404": _error("No such document"),
                    **_COMMON,
                },
            },
        },
        "/annotations/{note_id}": {
            "get": {
                "summary": "One annotation",
                "parameters": [_ID],
                "responses": {"200": _ok(_ref("Annotation")), "404": _error("No such annotation"), **_COMMON},
            },
            "patch": {
                "summary": "Change an annotation (its author only)",
                "parameters": [_ID],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _ref("AnnotationUpdate")}},
                },
                "responses": {
                    "200": _ok(_ref("Annotation")),
                    "400": _error("Bad body"),
                    "404": _error("No such annotation"),
                    **_COMMON,
                },
            },
            "delete": {
                "summary": "Delete an annotation (its author only)",
                "parameters": [_ID],
                "responses": {
                    "204": {"description": "Deleted"},
                    "404": _error("No such annotation"),
                    **_COMMON,
                },
            },
        },
    }


openapi.register(paths(), SCHEMAS)
