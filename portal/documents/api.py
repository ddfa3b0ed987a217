"""Documents in the JSON API (/api/v1/documents) and their part of the OpenAPI document."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from flask import g, jsonify, request
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from sqlalchemy.orm import Session, defer, selectinload

from portal.api import api_blueprint, openapi
from portal.api.args import int_arg, iso
from portal.api.auth import token_required
from portal.api.errors import ApiError
from portal.api.openapi import COMMON, NULLABLE_DT, NULLABLE_STR, _error, _int_param, _listing, _ok, _ref
from portal.audit import record
from portal.db import in_ids
from portal.documents.queries import full_document
from portal.extensions import db
from portal.models import Document, DocumentCountry, Source

bp = api_blueprint("documents_api", __name__)


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


def document_summary(d: Document | SimpleNamespace) -> dict[str, Any]:
    return {
        "id": d.id,
        "title": d.title,
        "url": d.url,
        "source": d.source.name,
        "published_at": iso(d.published_at),
        "retrieved_at": iso(d.retrieved_at),
        "language": d.language,
        "type": d.document_type,
        "version": d.version,
        "cluster_id": d.cluster_id,
        "countries": [
            {"code": c.country_code, "role": c.role, "score": round(c.score, 4)}
            for c in sorted(d.countries, key=lambda c: -c.score)
        ],
    }


# built once, so that each search only binds its page's ids
_SUMMARY_DOCS = (
    select(
        Document.id,
        Document.title,
        Document.url,
        Source.name.label("source_name"),
        Document.published_at,
        Document.retrieved_at,
        Document.language,
        Document.document_type,
        Document.version,
        Document.cluster_id,
    )
    .join(Source, Source.id == Document.source_id)
    .where(in_ids(Document.id))
)
_SUMMARY_COUNTRIES = (
    select(
        DocumentCountry.document_id, DocumentCountry.country_code, DocumentCountry.role, DocumentCountry.score
    )
    .where(in_ids(DocumentCountry.document_id))
    .order_by(DocumentCountry.country_code)  # ties in score keep this order
)


def document_summaries(session: Session, ids: list[int]) -> dict[int, dict[str, Any]]:
    """The summaries of documents `ids` (those still stored), as :func:`document_summary` makes
    them, read with two plain queries: the search API answers with a page of them each time."""
    if not ids:
        return {}
    docs = {
        row.id: SimpleNamespace(**row._asdict(), source=SimpleNamespace(name=row.source_name), countries=[])
        for row in session.execute(_SUMMARY_DOCS, {"ids": ids})
    }
    if docs:
        for country in session.execute(_SUMMARY_COUNTRIES, {"ids": list(docs)}):
            docs[country.document_id].countries.append(country)
    return {doc_id: document_summary(doc) for doc_id, doc in docs.items()}


def document_detail(d: Document) -> dict[str, Any]:
    data = document_summary(d)
    data["text"] = d.text
    data["content_sha256"] = d.content_sha256
    data["topics"] = [
        {"id": t.topic_id, "score": round(t.score, 4), "evidence": list(t.evidence)} for t in d.topics
    ]
    data["mentions"] = [
        {
            "start": m.start,
            "end": m.end,
            "text": m.text,
            "kind": m.kind,
            "entity_id": m.entity_id,
            "entity_key": m.entity.key,
            "province": (
                {"code": m.province_code, "name": m.province_name or m.province_code}
                if m.province_code
                else None
            ),
        }
        for m in d.mentions
    ]
    data["versions"] = [
        {
            "version": v.version,
            "title": v.title,
            "retrieved_at": iso(v.retrieved_at),
            "content_sha256": v.content_sha256,
            "copies": [
                {
                    "id": s.id,
                    "role": s.role,
                    "url": s.url,
                    "sha256": s.sha256,
                    "content_type": s.content_type,
                    "size": s.size,
                    "fetched_at": iso(s.fetched_at),
                    "http_date": iso(s.http_date),
                }
                for s in v.snapshots
            ],
        }
        for v in d.versions
    ]
    return data


def _documents_query() -> Any:
    """Documents for lists of summaries: without their text."""
    return select(Document).options(
        defer(Document.text), selectinload(Document.source), selectinload(Document.countries)
    )


@bp.get("/documents")
@token_required()
def documents() -> ResponseReturnValue:
    limit = int_arg("limit", 50, 1, 500)
    offset = int_arg("offset", 0, 0, 10_000_000)
    query = _documents_query().join(Source).order_by(Document.id.desc())
    if "source" in request.args:
        query = query.where(Source.name == request.args["source"])
    rows = db.session.scalars(query.limit(limit).offset(offset)).all()
    return jsonify({"items": [document_summary(d) for d in rows], "limit": limit, "offset": offset})


@bp.get("/documents/<int(max=2147483647):doc_id>")
@token_required()
def document(doc_id: int) -> ResponseReturnValue:
    doc = full_document(db.session, doc_id)
    if doc is None:
        raise ApiError(404, f"no document {doc_id}")
    record(db.session, "view_document", f"document:{doc_id}", {"api": True}, user=g.api_user)
    return jsonify(document_detail(doc))


openapi.register(
    {
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
    },
    {
        "DocumentSummary": {
            "type": "object",
            "required": list(DOC_SUMMARY_PROPS),
            "properties": DOC_SUMMARY_PROPS,
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
                        "required": ["start", "end", "text", "kind", "entity_id", "entity_key", "province"],
                        "properties": {
                            "start": {"type": "integer"},
                            "end": {"type": "integer"},
                            "text": {"type": "string"},
                            "kind": {"type": "string"},
                            "entity_id": {"type": "integer"},
                            "entity_key": {"type": "string"},
                            "province": {
                                "description": "the first-level division a place lies in (ISO 3166-2 code "
                                "and English name), or null",
                                "type": "object",
                                "nullable": True,
                                "required": ["code", "name"],
                                "properties": {"code": {"type": "string"}, "name": {"type": "string"}},
                            },
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
    },
)
