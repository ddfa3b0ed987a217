"""A document with its source, access date, tags and stored copies."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from flask import Blueprint, Response, abort, render_template
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import bindparam, select
from sqlalchemy.orm import defer, load_only, selectinload, undefer
from sqlalchemy.orm.attributes import set_committed_value

from portal.annotations import service as annotation_service
from portal.annotations.views import AnnotationForm
from portal.audit import record
from portal.auth.roles import roles_required
from portal.db import in_ids
from portal.documents.queries import full_document
from portal.documents.render import KIND_LABELS, citation, render_paragraphs
from portal.documents.sanitize import decode, sanitize_html
from portal.extensions import db
from portal.i18n import interface_locale_or_english
from portal.models import Document, DocumentVersion, Snapshot

log = logging.getLogger(__name__)

bp = Blueprint("documents", __name__, url_prefix="/documents")

#: where a version's text came from (collectors.fulltext)
TEXT_ORIGINS = {
    "api": _l("the source's API"),
    "feed-content": _l("the feed's full content"),
    "summary": _l("the feed's summary"),
    "page": _l("the article page"),
    "pdf": _l("the PDF"),
}


def _document(doc_id: int) -> Document:
    doc = full_document(db.session, doc_id)
    if doc is None:
        abort(404)
    return doc


# built once, so that a page view only binds its values (see portal.documents.queries)
_CLUSTER = (
    select(Document)
    .where(Document.cluster_id == bindparam("cluster_id"), Document.id != bindparam("doc_id"))
    .options(selectinload(Document.source))
    .order_by(Document.published_at.desc())
    .limit(20)
)
_SIMILAR = select(Document).where(in_ids(Document.id)).options(load_only(Document.title, Document.cluster_id))


@bp.route("/<int(max=2147483647):doc_id>")
@roles_required()
def show(doc_id: int) -> ResponseReturnValue:
    doc = _document(doc_id)
    cluster: Sequence[Document] = []
    if doc.cluster_id is not None:
        cluster = db.session.scalars(_CLUSTER, {"cluster_id": doc.cluster_id, "doc_id": doc.id}).all()
    record(db.session, "view_document", f"document:{doc.id}", {"version": doc.version})
    similar: list[Document] = []
    try:
        from portal.search.service import get_index

        like = [h.id for h in get_index().more_like_this(doc.id, n=6) if h.id != doc.id]
    except Exception:  # the index may be absent or being rebuilt: the page still works
        log.warning("more-like-this failed for document %s", doc.id, exc_info=True)
        like = []
    if like:
        found = {d.id: d for d in db.session.scalars(_SIMILAR, {"ids": like})}
        similar = [found[i] for i in like if i in found and found[i].cluster_id != doc.cluster_id][:5]
    notes = annotation_service.on_document(db.session, current_user, doc.id)
    current = doc.current_version
    page_copy = next((s for s in current.snapshots if s.role == "page"), None) if current else None
    return render_template(
        "documents/show.html",
        doc=doc,
        cluster=cluster,
        paragraphs=render_paragraphs(doc.text, doc.mentions, [n for n in notes if not n.orphaned]),
        notes=notes,
        annotation_fields=annotation_fields(),
        citation=citation(doc, page_copy),
        kinds=KIND_LABELS,
        mention_kinds=sorted({m.kind for m in doc.mentions}),
        similar=similar,
        country_evidence=country_evidence(doc),
        places=places(doc),
        text_origins=TEXT_ORIGINS,
    )


#: the empty annotation form's fields by interface language (see annotation_fields)
_ANNOTATION_FIELDS: dict[str, Markup] = {}


def annotation_fields() -> Markup:
    """The fields of the document page's annotation form, rendered once per language.

    The form is always shown empty, so its HTML is the same on every page in one language; only
    its CSRF token (left out here) and its address differ. WTForms takes about a tenth of a page's
    time to render it.
    """
    language = interface_locale_or_english().language
    html = _ANNOTATION_FIELDS.get(language)
    if html is None:
        form = AnnotationForm(formdata=None, meta={"csrf": False})
        rendered = render_template("documents/_annotation_fields.html", form=form)
        html = _ANNOTATION_FIELDS[language] = Markup(rendered)  # noqa: S704  (an autoescaped template)
    return html


#: kinds of mention shown under "Places", each with the province it lies in
PLACE_KINDS = ("city", "region", "location")


@dataclass(frozen=True)
class Place:
    """A place the document names, once, with its first-level division and country."""

    name: str
    kind: str
    country: str | None
    province_code: str | None
    province_name: str | None


def places(doc: Document) -> list[Place]:
    """The places of the document in the order they first appear, each once."""
    seen: dict[int, Place] = {}
    for m in sorted(doc.mentions, key=lambda m: m.start):
        if m.kind not in PLACE_KINDS:
            continue
        known = seen.get(m.entity_id)
        if known is not None and (known.province_code or not m.province_code):
            continue
        codes = m.entity.country_codes or []
        seen[m.entity_id] = Place(
            m.entity.canonical_name, m.kind, codes[0] if codes else None, m.province_code, m.province_name
        )
    return list(seen.values())


def country_evidence(doc: Document) -> dict[str, list[str]]:
    """For each country of the document, the words in the text that point to it."""
    evidence: dict[str, list[str]] = {}
    for m in doc.mentions:
        for code in m.entity.country_codes or []:
            words = evidence.setdefault(code, [])
            if m.text not in words and len(words) < 8:
                words.append(m.text)
    return evidence


#: a stored copy with its bytes, its version and its document (without the document's text), in
#: one statement: the copy belongs to the document of the address or is not found
_SNAPSHOT = (
    select(Snapshot, DocumentVersion, Document)
    .join(DocumentVersion, DocumentVersion.id == Snapshot.version_id)
    .join(Document, Document.id == DocumentVersion.document_id)
    .where(Snapshot.id == bindparam("snap_id"), Document.id == bindparam("doc_id"))
    .options(undefer(Snapshot.content_z), defer(Document.text))
)


def _snapshot(doc_id: int, snap_id: int) -> Snapshot:
    found = db.session.execute(_SNAPSHOT, {"snap_id": snap_id, "doc_id": doc_id}).tuples().first()
    if found is None:
        abort(404)
    snap, version, doc = found
    set_committed_value(snap, "version", version)
    set_committed_value(version, "document", doc)
    return snap


@bp.route("/<int(max=2147483647):doc_id>/copies/<int(max=2147483647):snap_id>")
@roles_required()
def copy(doc_id: int, snap_id: int) -> ResponseReturnValue:
    snap = _snapshot(doc_id, snap_id)
    doc = snap.version.document  # the page names the document only: no tags, mentions or versions
    kind = snap.content_type.split(";")[0].strip().lower()
    body: Markup | str | None = None
    if kind in {"text/html", "application/xhtml+xml"}:
        body = Markup(sanitize_html(decode(snap.content, snap.content_type)))  # noqa: S704  (sanitised)
    elif kind.startswith("text/") or kind.endswith("xml") or kind.endswith("json"):
        body = decode(snap.content, snap.content_type)
    record(db.session, "view_copy", f"document:{doc.id}", {"snapshot": snap.id, "sha256": snap.sha256})
    return render_template("documents/copy.html", doc=doc, snap=snap, body=body, kind=kind)


@bp.route("/<int(max=2147483647):doc_id>/copies/<int(max=2147483647):snap_id>/download")
@roles_required()
def download(doc_id: int, snap_id: int) -> ResponseReturnValue:
    snap = _snapshot(doc_id, snap_id)
    ext = {"text/html": "html", "application/pdf": "pdf", "application/json": "json"}.get(
        snap.content_type.split(";")[0].strip().lower(), "bin"
    )
    record(db.session, "export", f"document:{doc_id}", {"snapshot": snap.id, "sha256": snap.sha256})
    response = Response(snap.content, mimetype="application/octet-stream")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="document-{doc_id}-copy-{snap.id}-{snap.sha256[:12]}.{ext}"'
    )
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response.headers["X-Content-SHA256"] = snap.sha256
    return response
