"""Entities in the JSON API (/api/v1/entities) and their part of the OpenAPI document."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from flask.typing import ResponseReturnValue
from sqlalchemy import func, select

from portal.api import api_blueprint, openapi
from portal.api.args import int_arg
from portal.api.auth import token_required
from portal.api.errors import ApiError
from portal.api.openapi import COMMON, NULLABLE_STR, _error, _int_param, _listing, _ok, _ref
from portal.extensions import db
from portal.models import Entity, Mention

bp = api_blueprint("entities_api", __name__)


def entity_json(e: Entity) -> dict[str, Any]:
    return {
        "id": e.id,
        "key": e.key,
        "kind": e.kind,
        "name": e.canonical_name,
        "countries": list(e.country_codes or []),
        "aliases": list(e.aliases or []),
        "ucdp": e.ucdp_name,
        "wikidata": e.wikidata_id,
    }


@bp.get("/entities")
@token_required()
def entities() -> ResponseReturnValue:
    limit = int_arg("limit", 50, 1, 500)
    offset = int_arg("offset", 0, 0, 10_000_000)
    query = select(Entity).order_by(Entity.canonical_name, Entity.id)
    kind = request.args.get("kind")
    if kind is not None:
        query = query.where(Entity.kind == kind.replace("\x00", ""))  # PostgreSQL refuses NUL
    name = (request.args.get("q") or "").replace("\x00", "")
    if name:
        query = query.where(func.lower(Entity.canonical_name).contains(name.lower()[:200]))
    rows = db.session.scalars(query.limit(limit).offset(offset)).all()
    return jsonify({"items": [entity_json(e) for e in rows], "limit": limit, "offset": offset})


@bp.get("/entities/<int(max=2147483647):entity_id>")
@token_required()
def entity(entity_id: int) -> ResponseReturnValue:
    row = db.session.get(Entity, entity_id)
    if row is None:
        raise ApiError(404, f"no entity {entity_id}")
    data = entity_json(row)
    data["mention_count"] = db.session.scalar(
        select(func.count()).select_from(Mention).where(Mention.entity_id == entity_id)
    )
    return jsonify(data)


openapi.register(
    {
        "/entities": {
            "get": {
                "summary": "Entities (places, armed groups, state forces, persons, organisations)",
                "parameters": [
                    _int_param("limit", 1, 500),
                    _int_param("offset", 0, 10_000_000),
                    {"name": "kind", "in": "query", "required": False, "schema": {"type": "string"}},
                    {"name": "q", "in": "query", "required": False, "schema": {"type": "string"}},
                ],
                "responses": {"200": _ok(_listing("Entity")), "400": _error("Bad parameter"), **COMMON},
            }
        },
        "/entities/{entity_id}": {
            "get": {
                "summary": "One entity",
                "parameters": [_int_param("entity_id", 1, 2**31 - 1, "path")],
                "responses": {"200": _ok(_ref("Entity")), "404": _error("No such entity"), **COMMON},
            }
        },
    },
    {
        "Entity": {
            "type": "object",
            "required": ["id", "key", "kind", "name", "countries", "aliases", "ucdp", "wikidata"],
            "properties": {
                "id": {"type": "integer"},
                "key": {"type": "string"},
                "kind": {"type": "string"},
                "name": {"type": "string"},
                "countries": {"type": "array", "items": {"type": "string"}},
                "aliases": {"type": "array", "items": {"type": "string"}},
                "ucdp": NULLABLE_STR,
                "wikidata": NULLABLE_STR,
                "mention_count": {"type": "integer"},
            },
        },
    },
)
