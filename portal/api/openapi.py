"""The OpenAPI 3.0 registry of /api/v1: every area registers its own paths and schemas here.

Imports no area: an area's API module calls :func:`register` when it is imported (the app factory
imports them all), and :func:`spec` assembles whatever was registered.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

NULLABLE_STR = {"type": "string", "nullable": True}
NULLABLE_DT = {"type": "string", "format": "date-time", "nullable": True}

_PATHS: dict[str, dict[str, Any]] = {}
_SCHEMAS: dict[str, Any] = {
    "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}}},
}


def register(paths: Mapping[str, dict[str, Any]], schemas: Mapping[str, Any] | None = None) -> None:
    """Add an area's paths (relative to /api/v1) and component schemas to the document."""
    for path, operations in paths.items():
        _PATHS.setdefault(path, {}).update(operations)
    _SCHEMAS.update(schemas or {})


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref("Error")}}}


def _ok(schema: dict[str, Any], description: str = "OK") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _int_param(
    name: str, low: int, high: int, where: str = "query", required: bool = False
) -> dict[str, Any]:
    param: dict[str, Any] = {
        "name": name,
        "in": where,
        "required": required or where == "path",
        "schema": {"type": "integer", "minimum": low, "maximum": high},
    }
    if where == "path":
        param["example"] = 1
    return param


def _listing(item: str) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["items", "limit", "offset"],
        "properties": {
            "items": {"type": "array", "items": _ref(item)},
            "limit": {"type": "integer"},
            "offset": {"type": "integer"},
        },
    }


COMMON = {"401": _error("No token or an invalid token"), "403": _error("The role does not allow this")}


def spec(server_url: str = "/api/v1") -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "COI portal API",
            "version": "1",
            "description": "Search and read collected documents, entities and sources. "
            "Authenticate with `Authorization: Bearer <token>` (`coi tokens create USER`).",
        },
        "servers": [{"url": server_url}],
        "security": [{"bearer": []}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": dict(sorted(_SCHEMAS.items())),
        },
        "paths": dict(sorted(_PATHS.items())),
    }
