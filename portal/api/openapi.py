"""The OpenAPI 3.0 description of /api/v1, written by hand beside the views it describes."""

from __future__ import annotations

from typing import Any

SEARCH_FACETS = ("country", "source", "topic", "group", "lang", "ym", "type")

NULLABLE_STR = {"type": "string", "nullable": True}
NULLABLE_DT = {"type": "string", "format": "date-time", "nullable": True}


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

COUNTRY = {
    "type": "object",
    "required": ["code", "role", "score"],
    "properties": {
        "code": {"type": "string"},
        "role": {"type": "string", "enum": ["focus", "mentioned"]},
        "score": {"type": "number"},
    },
}

DOC_SUMMARY_PROPS: dict[str, Any] = {
    "id": {"type": "integer"},
    "title": {"type": "string"},
    "url": {"type": "string"},
    "source": {"type": "string"},
    "published_at": NULLABLE_DT,
    "retrieved_at": {"type": "string", "format": "date-time"},
    "language": NULLABLE_STR,
    "type": {"type": "string"},
    "version": {"type": "integer"},
    "cluster_id": {"type": "integer", "nullable": True},
    "countries": {"type": "array", "items": COUNTRY},
}

SCHEMAS: dict[str, Any] = {
    "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}}},
    "DocumentSummary": {
        "type": "object",
        "required": list(DOC_SUMMARY_PROPS),
        "properties": DOC_SUMMARY_PROPS,
    },
    "Hit": {
        "type": "object",
        "required": [*DOC_SUMMARY_PROPS, "score", "highlight"],
        "properties": {**DOC_SUMMARY_PROPS, "score": {"type": "number"}, "highlight": {"type": "string"}},
    },
    "Copy": {
        "type": "object",
        "required": ["id", "role", "url", "sha256", "content_type", "size", "fetched_at", "http_date"],
        "properties": {
            "id": {"type": "integer"},
            "role": {"type": "string"},
            "url": {"type": "string"},
            "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
            "content_type": {"type": "string"},
            "size": {"type": "integer"},
            "fetched_at": {"type": "string", "format": "date-time"},
            "http_date": NULLABLE_DT,
        },
    },
    "Document": {
        "type": "object",
        "required": [*DOC_SUMMARY_PROPS, "text", "content_sha256", "topics", "mentions", "versions"],
        "properties": {
            **DOC_SUMMARY_PROPS,
            "text": {"type": "string"},
            "content_sha256": {"type": "string"},
            "topics": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["id", "score", "evidence"],
                    "properties": {
                        "id": {"type": "string"},
                        "score": {"type": "number"},
                        "evidence": {"type": "array", "items": {"type": "string"}},
                    },
                },
            },
            "mentions": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["start", "end", "text", "kind", "entity_id", "entity_key"],
                    "properties": {
                        "start": {"type": "integer"},
                        "end": {"type": "integer"},
                        "text": {"type": "string"},
                        "kind": {"type": "string"},
                        "entity_id": {"type": "integer"},
                        "entity_key": {"type": "string"},
                    },
                },
            },
            "versions": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["version", "title", "retrieved_at", "content_sha256", "copies"],
                    "properties": {
                        "version": {"type": "integer"},
                        "title": {"type": "string"},
                        "retrieved_at": {"type": "string", "format": "date-time"},
                        "content_sha256": {"type": "string"},
                        "copies": {"type": "array", "items": _ref("Copy")},
                    },
                },
            },
        },
    },
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
}

FACET_COUNTS = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["value", "count"],
        "properties": {"value": {"type": "string"}, "count": {"type": "integer"}},
    },
}


def spec(server_url: str = "/api/v1") -> dict[str, Any]:
    facet_params = [
        {
            "name": f,
            "in": "query",
            "required": False,
            "explode": True,
            "schema": {"type": "array", "items": {"type": "string"}},
        }
        for f in SEARCH_FACETS
    ]
    from portal.annotations.api import SCHEMAS as ANNOTATION_SCHEMAS
    from portal.annotations.api import paths as annotation_paths
    from portal.briefings.api import SCHEMAS as BRIEFING_SCHEMAS
    from portal.briefings.api import paths as briefing_paths

    document: dict[str, Any] = {
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
            "schemas": SCHEMAS,
        },
        "paths": {
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
                        *facet_params,
                    ],
                    "responses": {
                        "200": _ok(
                            {
                                "type": "object",
                                "required": [
                                    "query",
                                    "total",
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
            "/documents": {
                "get": {
                    "summary": "Documents, newest first",
                    "parameters": [
                        _int_param("limit", 1, 500),
                        _int_param("offset", 0, 10_000_000),
                        {"name": "source", "in": "query", "required": False, "schema": {"type": "string"}},
                    ],
                    "responses": {
                        "200": _ok(_listing("DocumentSummary")),
                        "400": _error("Bad parameter"),
                        **COMMON,
                    },
                }
            },
            "/documents/{doc_id}": {
                "get": {
                    "summary": "One document with its text, tags, versions and stored copies",
                    "parameters": [_int_param("doc_id", 1, 2**31 - 1, "path")],
                    "responses": {"200": _ok(_ref("Document")), "404": _error("No such document"), **COMMON},
                }
            },
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
    }
    document["components"]["schemas"] = {**document["components"]["schemas"], **ANNOTATION_SCHEMAS}
    document["paths"].update(annotation_paths())
    document["components"]["schemas"] = {**document["components"]["schemas"], **BRIEFING_SCHEMAS}
    document["paths"].update(briefing_paths())
    return document
