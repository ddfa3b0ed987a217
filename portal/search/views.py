"""Search page with facets and highlighted results."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.auth.roles import roles_required
from portal.extensions import db
from portal.models import Document
from portal.pipeline import document_texts
from portal.search.service import get_index

bp = Blueprint("search", __name__)

FACETS = ("country", "source", "topic", "group", "lang", "ym", "type")
PAGELEN = 20


@bp.route("/")
@roles_required()
def index() -> ResponseReturnValue:
    query = request.args.get("q", "").strip()[:1000]
    sort = "newest" if request.args.get("sort") == "newest" else "relevance"
    try:
        page = max(1, min(int(request.args.get("page", "1")), 500))
    except ValueError:
        page = 1
    filters = {f: request.args.getlist(f) for f in FACETS if request.args.getlist(f)}
    results = None
    rows: list[Document] = []
    error = None
    if query or filters:
        try:
            results = get_index().search(
                query,
                page=page,
                pagelen=PAGELEN,
                sort=sort,
                filters=filters,
                facets=FACETS,
                texts=document_texts(db.factory),
            )
        except Exception as exc:  # an absent or outdated index must not become a server error
            error = str(exc)
        if results is not None:
            ids = [h.id for h in results.hits]
            found = {
                d.id: d
                for d in db.session.scalars(
                    select(Document)
                    .where(Document.id.in_(ids))
                    .options(selectinload(Document.source), selectinload(Document.countries))
                )
            }
            rows = [found[i] for i in ids if i in found]
    # the index escapes the text and adds only <mark>
    highlights = {h.id: Markup(h.highlights) for h in results.hits} if results else {}  # noqa: S704
    return render_template(
        "search/index.html",
        query=query,
        sort=sort,
        page=page,
        filters=filters,
        results=results,
        rows=rows,
        highlights=highlights,
        error=error,
        pagelen=PAGELEN,
    )
