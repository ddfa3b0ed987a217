"""API endpoints. Every request needs ``Authorization: Bearer <token>``; reads are open to every
role, writes to the roles that may make them. Errors are JSON: ``{"error": "..."}``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from functools import wraps
from typing import Any, TypeVar

from flask import Blueprint, Response, g, jsonify, request
from flask.typing import ResponseReturnValue
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import HTTPException

from portal.api.openapi import SEARCH_FACETS, spec
from portal.api.tokens import user_for_token
from portal.audit import record
from portal.extensions import csrf, db
from portal.models import (
    Document,
    DocumentVersion,
    Entity,
    Mention,
    Role,
    SavedSearch,
    Source,
    User,
)
from search_index import MAX_QUERY_CHARS, QueryTooDeep

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

F = TypeVar("F", bound=Callable[..., Any])


class ApiError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@bp.errorhandler(ApiError)
def _api_error(exc: ApiError) -> ResponseReturnValue:
    response = jsonify({"error": exc.message})
    response.status_code = exc.status
    if exc.status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="coi"'
    return response


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException) -> ResponseReturnValue:
    response = jsonify({"error": exc.description or exc.name})
    response.status_code = exc.code or 500
    return response


def token_required(*roles: Role) -> Callable[[F], F]:
    allowed = frozenset(roles or (Role.admin, Role.researcher, Role.officer))

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            header = request.headers.get("Authorization", "")
            scheme, _, token = header.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise ApiError(401, "a bearer token is required (Authorization: Bearer <token>)")
            user = user_for_token(db.session, token.strip())
            if user is None:
                raise ApiError(401, "the token is not valid")
            if user.role not in allowed:
                raise ApiError(403, "your role does not allow this")
            g.api_user = user
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, f"{name} must be a whole number") from None
    if not low <= value <= high:
        raise ApiError(400, f"{name} must be between {low} and {high}")
    return value


def _choice_arg(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = request.args.get(name, default)
    if value not in choices:
        raise ApiError(400, f"{name} must be one of {', '.join(choices)}")
    return value


def _iso(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


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
        "last_success_at": _iso(s.last_success_at),
        "assessment": {
            "mandate": s.mandate,
            "methodology": s.methodology,
            "reliability_note": s.reliability_note,
            "notes": s.assessment_notes,
            "last_reviewed": _iso(s.last_reviewed),
        },
    }


def document_summary(d: Document) -> dict[str, Any]:
    return {
        "id": d.id,
        "title": d.title,
        "url": d.url,
        "source": d.source.name,
        "published_at": _iso(d.published_at),
        "retrieved_at": _iso(d.retrieved_at),
        "language": d.language,
        "type": d.document_type,
        "version": d.version,
        "cluster_id": d.cluster_id,
        "countries": [
            {"code": c.country_code, "role": c.role, "score": round(c.score, 4)}
            for c in sorted(d.countries, key=lambda c: -c.score)
        ],
    }


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
        }
        for m in d.mentions
    ]
    data["versions"] = [
        {
            "version": v.version,
            "title": v.title,
            "retrieved_at": _iso(v.retrieved_at),
            "content_sha256": v.content_sha256,
            "copies": [
                {
                    "id": s.id,
                    "role": s.role,
                    "url": s.url,
                    "sha256": s.sha256,
                    "content_type": s.content_type,
                    "size": s.size,
                    "fetched_at": _iso(s.fetched_at),
                    "http_date": _iso(s.http_date),
                }
                for s in v.snapshots
            ],
        }
        for v in d.versions
    ]
    return data


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


def _documents_query() -> Any:
    return select(Document).options(selectinload(Document.source), selectinload(Document.countries))


@bp.get("/openapi.json")
def openapi() -> ResponseReturnValue:
    return jsonify(spec(request.host_url.rstrip("/") + "/api/v1"))


@bp.get("/search")
@token_required()
def search() -> ResponseReturnValue:
    from portal.search.service import get_index, request_texts

    query = request.args.get("q", "")[:MAX_QUERY_CHARS]
    page = _int_arg("page", 1, 1, 500)
    pagelen = _int_arg("per_page", 20, 1, 100)
    sort = _choice_arg("sort", "relevance", ("relevance", "newest"))
    filters = {f: request.args.getlist(f) for f in SEARCH_FACETS if request.args.getlist(f)}
    try:
        results = get_index().search(
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
    rows = {d.id: d for d in db.session.scalars(_documents_query().where(Document.id.in_(ids)))}
    hits = []
    for h in results.hits:
        doc = rows.get(h.id)
        if doc is None:
            continue
        item = document_summary(doc)
        item["score"] = round(float(h.score), 4)
        item["highlight"] = h.highlights
        hits.append(item)
    return jsonify(
        {
            "query": query,
            "total": results.total,
            "page": page,
            "per_page": pagelen,
            "warnings": list(results.warnings),
            "suggestion": results.suggestion,
            "hits": hits,
            "facets": {k: [{"value": v, "count": c} for v, c in vals] for k, vals in results.facets.items()},
        }
    )


@bp.get("/documents")
@token_required()
def documents() -> ResponseReturnValue:
    limit = _int_arg("limit", 50, 1, 500)
    offset = _int_arg("offset", 0, 0, 10_000_000)
    query = _documents_query().join(Source).order_by(Document.id.desc())
    if "source" in request.args:
        query = query.where(Source.name == request.args["source"])
    rows = db.session.scalars(query.limit(limit).offset(offset)).all()
    return jsonify({"items": [document_summary(d) for d in rows], "limit": limit, "offset": offset})


@bp.get("/documents/<int(max=2147483647):doc_id>")
@token_required()
def document(doc_id: int) -> ResponseReturnValue:
    doc = db.session.scalar(
        select(Document)
        .where(Document.id == doc_id)
        .options(
            selectinload(Document.source),
            selectinload(Document.countries),
            selectinload(Document.topics),
            selectinload(Document.mentions).selectinload(Mention.entity),
            selectinload(Document.versions).selectinload(DocumentVersion.snapshots),
        )
    )
    if doc is None:
        raise ApiError(404, f"no document {doc_id}")
    record(db.session, "view_document", f"document:{doc_id}", {"api": True}, user=g.api_user)
    return jsonify(document_detail(doc))


@bp.get("/entities")
@token_required()
def entities() -> ResponseReturnValue:
    limit = _int_arg("limit", 50, 1, 500)
    offset = _int_arg("offset", 0, 0, 10_000_000)
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


def saved_json(s: SavedSearch) -> dict[str, Any]:
    return {
        "id": s.id,
        "name": s.name,
        "query": s.query,
        "filters": s.filters,
        "created_at": _iso(s.created_at),
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
