"""Search page with facets and highlighted results."""

from __future__ import annotations

import hmac
import json
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired, Length

from portal.audit import record
from portal.auth.roles import roles_required
from portal.db import in_ids
from portal.extensions import db
from portal.forms import Form
from portal.i18n import feed_language
from portal.models import (
    Document,
    DocumentCountry,
    DocumentTopic,
    Entity,
    Mention,
    SavedSearch,
    Source,
    Topic,
    utcnow,
)
from portal.search.labels import (
    date_clause,
    field_offer,
    filter_choices,
    language_name,
    topic_labels,
    type_name,
    value_label,
    warning_text,
)
from portal.search.service import request_texts
from portal.search.service import search as run_search
from search_index import MAX_QUERY_CHARS, QueryTooDeep

bp = Blueprint("search", __name__)
bp.add_app_template_filter(language_name, "language_name")
bp.add_app_template_filter(type_name, "type_name")

FACETS = ("country", "province", "source", "topic", "group", "lang", "ym", "type")
FACET_LABELS = {
    "country": _l("Country"),
    "province": _l("Province"),
    "source": _l("Source"),
    "topic": _l("Topic"),
    "group": _l("Armed group or force"),
    "lang": _l("Language"),
    "ym": _l("Month"),
    "type": _l("Type"),
}
PAGELEN = 20
#: the kinds of mention a result line shows as tags
RESULT_MENTION_KINDS = ("armed_group", "state_force")


def facet_names(
    facets: Mapping[str, Sequence[tuple[str, int]]], filters: Mapping[str, list[str]]
) -> dict[str, str]:
    """Readable names for facet values: countries, topics, armed groups (entity keys)."""
    from portal.templating import country_name, province_label

    names: dict[str, str] = {}
    values = {name: {v for v, _ in facets.get(name, ())} | set(filters.get(name, ())) for name in FACETS}
    for name in ("lang", "ym", "type"):
        for value in values[name]:
            label = value_label(name, value)
            if label:
                names[f"{name}:{value}"] = label
    for code in values["country"]:
        names[f"country:{code}"] = country_name(code)
    for code in values["province"]:
        names[f"province:{code}"] = province_label(code)
    if values["topic"]:
        labels = topic_labels(db.read_session)
        for topic_id in values["topic"]:
            if topic_id in labels:
                names[f"topic:{topic_id}"] = labels[topic_id]
    if values["group"]:
        for entity in db.read_session.scalars(select(Entity).where(Entity.key.in_(values["group"]))):
            names[f"group:{entity.key}"] = entity.canonical_name
    return names


@dataclass(frozen=True)
class ResultRow:
    """What a result line shows of one document: read with four plain queries, not the ORM's
    loaders, since the search page is the one page every user opens most."""

    id: int
    title: str
    published_at: datetime | None
    source: SimpleNamespace  # .name
    countries: list[SimpleNamespace]  # .country_code .role .score, highest score first
    groups: list[SimpleNamespace]  # .id .canonical_name: the groups and forces, each once
    topics: list[SimpleNamespace]  # .topic (with .label_en .label_nl)


# The four statements are built once (a statement keeps its cache key): a search only binds the
# page's ids to them.
_ROW_DOCS = (
    select(Document.id, Document.title, Document.published_at, Source.name)
    .join(Source, Source.id == Document.source_id)
    .where(in_ids(Document.id))
)
_ROW_COUNTRIES = select(
    DocumentCountry.document_id, DocumentCountry.country_code, DocumentCountry.role, DocumentCountry.score
).where(in_ids(DocumentCountry.document_id))
_ROW_TOPICS = (
    select(DocumentTopic.document_id, Topic.id, Topic.label_en, Topic.label_nl)
    .join(Topic, Topic.id == DocumentTopic.topic_id)
    .where(in_ids(DocumentTopic.document_id))
)
_ROW_GROUPS = (
    select(Mention.document_id, Entity.id, Entity.canonical_name)
    .join(Entity, Entity.id == Mention.entity_id)
    .where(in_ids(Mention.document_id), Mention.kind.in_(RESULT_MENTION_KINDS))
    .order_by(Mention.document_id, Mention.start)
)


def result_rows(session: Session, ids: list[int]) -> list[ResultRow]:
    """The result lines of documents `ids`, in that order (ids no longer stored are left out)."""
    if not ids:
        return []
    bound = {"ids": ids}
    docs = session.execute(_ROW_DOCS, bound).all()
    countries: dict[int, list[SimpleNamespace]] = {i: [] for i in ids}
    for doc_id, code, role, score in session.execute(_ROW_COUNTRIES, bound):
        countries[doc_id].append(SimpleNamespace(country_code=code, role=role, score=score))
    topics: dict[int, list[SimpleNamespace]] = {i: [] for i in ids}
    for doc_id, topic_id, label_en, label_nl in session.execute(_ROW_TOPICS, bound):
        topic = SimpleNamespace(id=topic_id, label_en=label_en, label_nl=label_nl)
        topics[doc_id].append(SimpleNamespace(topic=topic))
    groups: dict[int, dict[int, SimpleNamespace]] = {i: {} for i in ids}
    for doc_id, entity_id, name in session.execute(_ROW_GROUPS, bound):
        groups[doc_id].setdefault(entity_id, SimpleNamespace(id=entity_id, canonical_name=name))
    found = {
        doc_id: ResultRow(
            id=doc_id,
            title=title,
            published_at=published,
            source=SimpleNamespace(name=source_name),
            countries=sorted(countries[doc_id], key=lambda c: -c.score),
            groups=list(groups[doc_id].values()),
            topics=topics[doc_id],
        )
        for doc_id, title, published, source_name in docs
    }
    return [found[i] for i in ids if i in found]


@bp.route("/")
@roles_required()
def index() -> ResponseReturnValue:
    query = request.args.get("q", "").strip()[:MAX_QUERY_CHARS]
    sort = "newest" if request.args.get("sort") == "newest" else "relevance"
    try:
        page = max(1, min(int(request.args.get("page", "1")), 500))
    except ValueError:
        page = 1
    filters = {f: [v for v in request.args.getlist(f) if v] for f in FACETS}
    filters = {f: v for f, v in filters.items() if v}
    date_from = request.args.get("from", "").strip()[:10]
    date_to = request.args.get("to", "").strip()[:10]
    dates = date_clause(date_from, date_to)
    grouped = request.args.get("group_clusters") == "1"
    results = None
    rows: list[ResultRow] = []
    error = None
    query_error = None
    choices = filter_choices(db.session)
    if not (query or filters or dates):
        return render_template(
            "search/start.html", choices=choices, start=start_page(), date_from="", date_to=""
        )
    if query or filters or dates:
        try:
            results = run_search(
                f"{query} {dates}".strip() if dates else query,
                page=page,
                pagelen=PAGELEN,
                sort="newest" if sort == "newest" else "relevance",
                filters=filters,
                facets=FACETS,
                group_clusters=grouped,
                texts=request_texts(),
            )
        except QueryTooDeep as exc:
            query_error = warning_text(exc.args[0] if exc.args else exc)
        except Exception as exc:  # an absent or outdated index must not become a server error
            error = str(exc)
        record(db.session, "search", query, {"filters": filters, "sort": sort, "page": page})
        if results is not None:
            rows = result_rows(db.read_session, [h.id for h in results.hits])
    # the index escapes the text and adds only <mark>
    highlights = {h.id: Markup(h.highlights) for h in results.hits} if results else {}  # noqa: S704
    names = facet_names(results.facets if results else {}, filters)
    # a query the parser could not read fully: show what went wrong, not a result list
    broken = bool(results is not None and results.warnings)
    offer = field_offer(db.session, query) if query and not broken and not query_error else None
    page_html = render_template(
        "search/index.html",
        query_error=query_error,
        query=query,
        sort="newest" if sort == "newest" else "relevance",
        page=page,
        filters=filters,
        results=results,
        rows=rows,
        highlights=highlights,
        error=error,
        save_form=SaveSearchForm(q=query, filters=json.dumps(filters)),
        grouped=grouped,
        cluster_sizes={h.id: h.cluster_size for h in results.hits} if results else {},
        facet_labels=FACET_LABELS,
        names=names,
        pagelen=PAGELEN,
        choices=choices,
        date_from=date_from,
        date_to=date_to,
        broken=broken,
        warnings=[warning_text(w) for w in results.warnings] if results else [],
        offer=offer,
    )
    return page_html, 400 if query_error else 200


def start_page() -> dict[str, object]:
    """What the start page shows for the current user's role."""
    from portal.auth.roles import WRITERS
    from portal.home import queries

    now = utcnow()
    if current_user.role in WRITERS:
        focus = queries.desk_focus(db.session, current_user.id)
        return {
            "role": "researcher",
            "focus": focus,
            "newest": queries.newest_documents(db.session, focus),
            "stories": queries.multi_source_stories(db.session, now),
            "drafts": queries.drafts_waiting(db.session),
        }
    codes = queries.officer_countries(db.session, current_user.id)
    return {
        "role": "officer",
        "panels": queries.country_panels(db.session, codes),
        "briefings": queries.briefings_for(db.session, codes),
    }


class SaveSearchForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    q = HiddenField()
    filters = HiddenField()


def _saved(saved_id: int) -> SavedSearch:
    row = db.session.get(SavedSearch, saved_id)
    if row is None or row.user_id != current_user.id:
        abort(404)
    return row


@bp.route("/saved", methods=["GET", "POST"])
@roles_required()
def saved() -> ResponseReturnValue:
    form = SaveSearchForm()
    if form.validate_on_submit():
        try:
            filters = json.loads(form.filters.data or "{}")
        except ValueError:
            filters = {}
        if not isinstance(filters, dict):
            filters = {}
        clean = {
            k: [str(v) for v in vals][:20]
            for k, vals in filters.items()
            if k in FACETS and isinstance(vals, list)
        }
        row = SavedSearch(
            user_id=current_user.id,
            name=form.name.data or "",
            query=(form.q.data or "")[:1000],
            filters=clean,
        )
        db.session.add(row)
        flash(_("Saved search “%(name)s”.", name=row.name), "info")
        return redirect(url_for("search.saved"))
    if current_user.feed_token is None:
        current_user.feed_token = secrets.token_urlsafe(32)
    rows = db.session.scalars(
        select(SavedSearch).where(SavedSearch.user_id == current_user.id).order_by(SavedSearch.name)
    ).all()
    return render_template("search/saved.html", saved=rows, delete_form=Form(), facet_labels=FACET_LABELS)


@bp.route("/saved/<int(max=2147483647):saved_id>/delete", methods=["POST"])
@roles_required()
def delete_saved(saved_id: int) -> ResponseReturnValue:
    form = Form()
    if form.validate_on_submit():
        db.session.delete(_saved(saved_id))
        flash(_("Saved search deleted."), "info")
    return redirect(url_for("search.saved"))


@bp.route("/feeds/saved/<int(max=2147483647):saved_id>.atom")
def saved_feed(saved_id: int) -> ResponseReturnValue:
    """Atom feed of a saved search, for feed readers: protected by the owner's feed token."""
    token = request.args.get("token", "")
    row = db.session.get(SavedSearch, saved_id)
    owner = row.user if row is not None else None
    if (
        row is None
        or owner is None
        or not owner.active
        or not owner.feed_token
        or not hmac.compare_digest(owner.feed_token, token)
    ):
        abort(404)
    try:
        results = run_search(
            row.query,
            page=1,
            pagelen=50,
            sort="newest",
            filters=row.filters,
            facets=(),
            texts=request_texts(),
        )
    except Exception:
        abort(503)
    ids = [h.id for h in results.hits]
    found = {
        d.id: d
        for d in db.read_session.scalars(
            select(Document).where(Document.id.in_(ids)).options(selectinload(Document.source))
        )
    }
    docs = [found[i] for i in ids if i in found]
    record(db.session, "feed", f"saved_search:{row.id}", user=owner)
    with force_locale(feed_language(owner)):  # a feed reader has no session: the owner's language
        body = render_template("search/feed.atom", saved=row, docs=docs, updated=utcnow())
    return Response(body, mimetype="application/atom+xml")


@bp.route("/help")
@roles_required()
def help_page() -> ResponseReturnValue:
    return render_template("search/help.html")
