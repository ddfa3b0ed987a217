"""Briefing pages: reading (every role, published only for officers), composing and publishing
(researchers and admins), corrections as new versions, and Atom feeds of published briefings.

Composition never touches a published briefing: every write refuses with 409 and a message, and
the session hook in :mod:`portal.briefings.models` refuses at flush whatever slips through.
"""

from __future__ import annotations

import hmac
import logging
import re
import secrets
import threading
import time
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from sqlalchemy import Row, func, select
from sqlalchemy.orm import selectinload
from wtforms import IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Regexp

from portal.annotations.models import Annotation
from portal.audit import record
from portal.auth.roles import WRITERS, roles_required
from portal.briefings.citations import Citation, cite
from portal.briefings.drafting import DeskSpec, country_desk, draft, has_briefing
from portal.briefings.export import ExportItem, export_items, to_docx, to_pdf
from portal.briefings.models import Briefing, BriefingItem, Desk
from portal.briefings.queries import published, superseded_by
from portal.config import Settings
from portal.extensions import db
from portal.forms import Form
from portal.i18n import feed_language
from portal.markdown import render_markdown
from portal.models import Document, User, utcnow
from portal.templating import fmt_date

log = logging.getLogger(__name__)

bp = Blueprint("briefings", __name__, url_prefix="/briefings")

MAX_ITEMS = 60
MAX_TEXT = 20_000


class SummaryForm(Form):  # type: ignore[misc]
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    summary = TextAreaField(_l("Overall summary (Markdown)"), validators=[Length(max=MAX_TEXT)])


class ItemSummaryForm(Form):  # type: ignore[misc]
    summary = TextAreaField(_l("Summary (Markdown)"), validators=[Length(max=MAX_TEXT)])


class AddItemForm(Form):  # type: ignore[misc]
    document_id = IntegerField(
        _l("Document id"), validators=[DataRequired(), NumberRange(min=1, max=2**31 - 1)]
    )


class AnnotationForm(Form):  # type: ignore[misc]
    annotation_id = IntegerField(
        _l("Annotation id"), validators=[DataRequired(), NumberRange(min=1, max=2**31 - 1)]
    )


class NewBriefingForm(Form):  # type: ignore[misc]
    country = StringField(
        _l("Country code"), validators=[DataRequired(), Regexp(r"^[A-Za-z]{2}$", message=_l("two letters"))]
    )


def clean(text: str | None) -> str:
    """Text from a form without NUL characters, which PostgreSQL refuses in text columns."""
    return (text or "").replace("\x00", "")


def is_writer() -> bool:
    return bool(current_user.is_authenticated and current_user.role in WRITERS)


def _briefing(briefing_id: int) -> Briefing:
    row = db.session.scalar(
        select(Briefing)
        .where(Briefing.id == briefing_id)
        .options(
            selectinload(Briefing.items).selectinload(BriefingItem.document).selectinload(Document.source),
            selectinload(Briefing.published_by),
        )
    )
    if row is None or (row.status != "published" and not is_writer()):
        abort(404)
    return row


def _draft(briefing_id: int) -> Briefing:
    """The draft to edit; a published briefing ends the request with the 409 page."""
    row = _briefing(briefing_id)
    if row.status == "published":
        flash(_("A published briefing never changes: use “Correct” to make a new version."), "error")
        abort(make_response(_show(row, status=409)))
    return row


def _item(briefing: Briefing, item_id: int) -> BriefingItem:
    for item in briefing.items:
        if item.id == item_id:
            return item
    abort(404)


def _append_document(row: Briefing, doc: Document) -> str | None:
    """Add ``doc`` as the last item of ``row``; "present" or "full" when it cannot be added."""
    if any(i.document_id == doc.id for i in row.items):
        return "present"
    if len(row.items) >= MAX_ITEMS:
        return "full"
    row.items.append(
        BriefingItem(
            position=len(row.items),
            document_id=doc.id,
            cluster_id=doc.cluster_id,
            score=0.0,
            summary="",
            annotation_ids=[],
        )
    )
    _touch(row)
    record(db.session, "briefing_edit", f"briefing:{row.id}", {"add_document": doc.id})
    return None


def _touch(briefing: Briefing) -> None:
    briefing.updated_at = utcnow()


def _renumber(briefing: Briefing) -> None:
    for position, item in enumerate(sorted(briefing.items, key=lambda i: i.position)):
        item.position = position


def _annotations(briefing: Briefing) -> dict[int, Annotation]:
    ids = {a for item in briefing.items for a in item.annotation_ids or ()}
    if not ids:
        return {}
    rows = db.session.scalars(
        select(Annotation).where(Annotation.id.in_(ids)).options(selectinload(Annotation.user))
    )
    return {a.id: a for a in rows}


def _show(briefing: Briefing, status: int = 200) -> ResponseReturnValue:
    newer = superseded_by(db.session, briefing.id)
    if newer is not None and newer.status != "published" and not is_writer():
        newer = None
    older = db.session.get(Briefing, briefing.supersedes_id) if briefing.supersedes_id else None
    body = render_template(
        "briefings/show.html",
        briefing=briefing,
        newer=newer,
        older=older,
        annotations=_annotations(briefing),
        markdown=render_markdown,
        writer=is_writer(),
        citations=_citations(briefing),
        copy_urls=_copy_urls(briefing),
    )
    return body, status


def _citations(briefing: Briefing) -> dict[int, Citation]:
    return {item.document_id: cite(db.session, item.document) for item in briefing.items}


def _copy_urls(briefing: Briefing, external: bool = False) -> dict[int, str]:
    urls = {}
    for doc_id, citation in _citations(briefing).items():
        if citation.snapshot_id is not None:
            urls[doc_id] = url_for(
                "documents.copy", doc_id=doc_id, snap_id=citation.snapshot_id, _external=external
            )
    return urls


def _export_items(row: Briefing) -> list[ExportItem]:
    from portal.templating import citation_wording

    return export_items(
        row, _citations(row), _annotations(row), _copy_urls(row, external=True), citation_wording()
    )


def _published(briefing_id: int) -> Briefing:
    row = _briefing(briefing_id)
    if row.status != "published":
        abort(404)
    return row


def _filename(row: Briefing, ext: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9]+", "-", f"briefing-{row.id}-v{row.version}-{row.desk_key}").strip("-")
    return f"{stem}.{ext}"


@bp.route("/<int(max=2147483647):briefing_id>/export.docx")
@roles_required()
def export_docx(briefing_id: int) -> ResponseReturnValue:
    row = _published(briefing_id)
    body = to_docx(row, _export_items(row))
    record(db.session, "export", f"briefing:{row.id}", {"format": "docx", "version": row.version})
    response = Response(
        body, mimetype="application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    response.headers["Content-Disposition"] = f'attachment; filename="{_filename(row, "docx")}"'
    return response


@bp.route("/<int(max=2147483647):briefing_id>/export.pdf")
@roles_required()
def export_pdf(briefing_id: int) -> ResponseReturnValue:
    row = _published(briefing_id)
    html = render_template(
        "briefings/print.html",
        briefing=row,
        items=_export_items(row),
        markdown=render_markdown,
    )
    record(db.session, "export", f"briefing:{row.id}", {"format": "pdf", "version": row.version})
    response = Response(to_pdf(html), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{_filename(row, "pdf")}"'
    return response


#: the drafts a document can be added to, newest first: only what the form shows (a row, not a
#: Briefing, costs the page no object per draft)
_DRAFTS = (
    select(Briefing.id, Briefing.title, Briefing.countries)
    .where(Briefing.status == "draft")
    .order_by(Briefing.for_date.desc(), Briefing.updated_at.desc(), Briefing.id.desc())
    .limit(50)
)


# The drafts change when a briefing is started, renamed or published, and nearly every page
# shows them. A web process keeps them a few seconds; a browser that changed something in the
# last moments (its own new draft, say) reads them from the database.
_DRAFTS_FRESH_SECONDS = 5.0
_drafts_lock = threading.Lock()
_drafts_kept: dict[str, tuple[float, list[Row[tuple[int, str, list[str]]]]]] = {}


def _drafts() -> list[Row[tuple[int, str, list[str]]]]:
    key = str(db.engine.url)
    now = time.monotonic()
    if not db.wrote_recently():
        with _drafts_lock:
            kept = _drafts_kept.get(key)
        if kept is not None and now - kept[0] < _DRAFTS_FRESH_SECONDS:
            return kept[1]
    drafts = list(db.session.execute(_DRAFTS).all())
    with _drafts_lock:
        _drafts_kept[key] = (now, drafts)
    return drafts


@dataclass(frozen=True)
class AddToBriefing:
    """What every "Add to briefing" form of a page shares: the drafts (none for readers), where
    the form goes, its CSRF token, the page to come back to and the form's two labels."""

    drafts: list[Row[tuple[int, str, list[str]]]]  # id, title, countries
    action: str
    csrf: str
    back: str
    label: str
    button: str


def add_to_briefing_form() -> AddToBriefing:
    """The shared parts of the "Add to briefing" forms, worked out once per request (a page of
    results has one form per result)."""
    shared: AddToBriefing | None = g.get("coi_add_to_briefing")
    if shared is not None:
        return shared
    drafts = _drafts() if is_writer() else []
    shared = g.coi_add_to_briefing = AddToBriefing(
        drafts=drafts,
        action=url_for("briefings.add_to_briefing"),
        csrf=generate_csrf(),
        back=request.full_path,
        label=_("Draft briefing"),
        button=_("Add to briefing"),
    )
    return shared


def covers(briefing: Row[tuple[int, str, list[str]]], codes: list[str]) -> bool:
    """Whether a briefing is about one of the countries (the draft "Add to briefing" proposes)."""
    return bool(set(briefing.countries or ()) & set(codes))


bp.add_app_template_global(add_to_briefing_form, "add_to_briefing_form")
bp.add_app_template_test(covers, "briefing_covers")


class AddToBriefingForm(Form):  # type: ignore[misc]
    briefing_id = IntegerField(_l("Briefing"), validators=[DataRequired(), NumberRange(min=1, max=2**31 - 1)])
    document_id = IntegerField(_l("Document"), validators=[DataRequired(), NumberRange(min=1, max=2**31 - 1)])


@bp.route("/add-document", methods=["POST"])
@roles_required(*WRITERS)
def add_to_briefing() -> ResponseReturnValue:
    """ "Add to briefing" from a search result or a document page: back where the user was."""
    from portal.auth.views import safe_next

    form = AddToBriefingForm()
    back = redirect(safe_next(request.form.get("next")))
    if not form.validate_on_submit():
        flash(_("Choose a draft briefing."), "error")
        return back
    row = _draft(form.briefing_id.data)
    doc = db.session.get(Document, form.document_id.data)
    if doc is None:
        abort(404)
    problem = _append_document(row, doc)
    if problem == "present":
        flash(_("That document is in “%(title)s” already.", title=row.title), "info")
        return back
    if problem == "full":
        flash(_("A briefing holds at most %(num)d items.", num=MAX_ITEMS), "error")
        return back
    before, _sep, after = _("Added to “%(title)s”.", title="\x00").partition("\x00")
    url = url_for("briefings.edit", briefing_id=row.id)
    flash(Markup('{}<a href="{}">{}</a>{}').format(before, url, row.title, after), "info")
    return back


@bp.route("/")
@roles_required()
def index() -> ResponseReturnValue:
    desk = request.args.get("desk", "").replace("\x00", "").strip()[:60] or None
    country = request.args.get("country", "").replace("\x00", "").strip().upper()[:2] or None
    rows = published(db.session, desk=desk, countries=[country] if country else None, limit=100)
    drafts: list[Briefing] = []
    if is_writer():
        query = select(Briefing).where(Briefing.status == "draft")
        if desk:
            query = query.where(Briefing.desk_key == desk)
        drafts = [
            b
            for b in db.session.scalars(query.order_by(Briefing.for_date.desc(), Briefing.desk_key))
            if not country or country in (b.countries or [])
        ]
    if current_user.feed_token is None:
        current_user.feed_token = secrets.token_urlsafe(32)
    desks = db.session.execute(
        select(Briefing.desk_key, func.min(Briefing.desk_name))
        .where(Briefing.status == "published")
        .group_by(Briefing.desk_key)
        .order_by(Briefing.desk_key)
    ).all()
    return render_template(
        "briefings/index.html",
        published=rows,
        drafts=drafts,
        desk=desk,
        country=country,
        desks=desks,
        writer=is_writer(),
        new_form=NewBriefingForm(),
    )


@bp.route("/new", methods=["POST"])
@roles_required(*WRITERS)
def new() -> ResponseReturnValue:
    form = NewBriefingForm()
    if not form.validate_on_submit():
        flash(_("Give a two-letter country code."), "error")
        return redirect(url_for("briefings.index"))
    code = (form.country.data or "").upper()
    spec = country_desk(code)
    for desk_row in db.session.scalars(select(Desk).order_by(Desk.key)):
        if code in (desk_row.countries or []):
            spec = DeskSpec(
                desk_row.key, desk_row.name, tuple(desk_row.countries), tuple(desk_row.topics or ())
            )
            break
    settings: Settings = current_app.extensions["coi_settings"]
    today = utcnow().astimezone(ZoneInfo(settings.timezone)).date()
    if has_briefing(db.session, spec.key, today):
        existing = db.session.scalar(
            select(Briefing)
            .where(Briefing.desk_key == spec.key, Briefing.for_date == today)
            .order_by(Briefing.version.desc())
            .limit(1)
        )
        assert existing is not None
        flash(_("A briefing for this desk and day exists already."), "info")
        return redirect(url_for("briefings.show", briefing_id=existing.id))
    # the drafting job's choice of stories for the last 24 hours, as the morning drafts have
    row = draft(db.session, spec, today, utcnow())
    assert row is not None  # no briefing for this desk and day (checked above)
    record(db.session, "briefing_create", f"briefing:{row.id}", {"desk": spec.key})
    return redirect(url_for("briefings.edit", briefing_id=row.id))


@bp.route("/<int(max=2147483647):briefing_id>")
@roles_required()
def show(briefing_id: int) -> ResponseReturnValue:
    row = _briefing(briefing_id)
    record(db.session, "view_briefing", f"briefing:{row.id}", {"version": row.version})
    return _show(row)


@bp.route("/<int(max=2147483647):briefing_id>/edit", methods=["GET", "POST"])
@roles_required(*WRITERS)
def edit(briefing_id: int) -> ResponseReturnValue:
    row = _draft(briefing_id)
    form = SummaryForm(obj=row)
    if form.validate_on_submit():
        row.title = clean(form.title.data).strip()
        row.summary = clean(form.summary.data)
        _touch(row)
        record(db.session, "briefing_edit", f"briefing:{row.id}", {"field": "summary"})
        flash(_("Summary saved."), "info")
        return redirect(url_for("briefings.edit", briefing_id=row.id))
    query = request.args.get("q", "").strip()[:1000]
    hits: list[Document] = []
    search_error = None
    if query:
        try:
            from portal.search.service import get_index, request_texts

            results = get_index().search(
                query, page=1, pagelen=10, sort="relevance", facets=(), texts=request_texts()
            )
            ids = [h.id for h in results.hits]
            found = {
                d.id: d
                for d in db.session.scalars(
                    select(Document).where(Document.id.in_(ids)).options(selectinload(Document.source))
                )
            }
            hits = [found[i] for i in ids if i in found]
        except Exception as exc:  # an absent index must not break composing
            log.warning("search from the briefing editor failed", exc_info=True)
            search_error = str(exc)
    return render_template(
        "briefings/edit.html",
        briefing=row,
        form=form,
        add_form=AddItemForm(formdata=None),
        annotations=_annotations(row),
        markdown=render_markdown,
        query=query,
        hits=hits,
        search_error=search_error,
        in_briefing={i.document_id for i in row.items},
        candidates=_candidate_annotations(row),
        citations=_citations(row),
    )


def _candidate_annotations(briefing: Briefing) -> dict[int, list[Annotation]]:
    """Per document of the briefing, the annotations a writer may attach: shared ones and their own."""
    doc_ids = [item.document_id for item in briefing.items]
    found: dict[int, list[Annotation]] = {d: [] for d in doc_ids}
    if not doc_ids:
        return found
    rows = db.session.scalars(
        select(Annotation)
        .where(
            Annotation.document_id.in_(doc_ids),
            (Annotation.shared.is_(True)) | (Annotation.user_id == current_user.id),
        )
        .order_by(Annotation.start, Annotation.id)
        .options(selectinload(Annotation.user))
    )
    for a in rows:
        found[a.document_id].append(a)
    return found


@bp.route("/<int(max=2147483647):briefing_id>/items", methods=["POST"])
@roles_required(*WRITERS)
def add_item(briefing_id: int) -> ResponseReturnValue:
    row = _draft(briefing_id)
    form = AddItemForm()
    back = redirect(url_for("briefings.edit", briefing_id=row.id))
    if not form.validate_on_submit():
        flash(_("Give the id of a document."), "error")
        return back
    doc = db.session.get(Document, form.document_id.data)
    if doc is None:
        flash(_("There is no document %(id)s.", id=form.document_id.data), "error")
        return back
    problem = _append_document(row, doc)
    if problem == "present":
        flash(_("That document is in the briefing already."), "info")
        return back
    if problem == "full":
        flash(_("A briefing holds at most %(num)d items.", num=MAX_ITEMS), "error")
        return back
    flash(_("Added “%(title)s”.", title=doc.title), "info")
    return back


def _item_action(briefing_id: int, item_id: int) -> tuple[Briefing, BriefingItem]:
    row = _draft(briefing_id)
    if not Form().validate_on_submit():
        abort(400)
    return row, _item(row, item_id)


@bp.route("/<int(max=2147483647):briefing_id>/items/<int(max=2147483647):item_id>/remove", methods=["POST"])
@roles_required(*WRITERS)
def remove_item(briefing_id: int, item_id: int) -> ResponseReturnValue:
    row, item = _item_action(briefing_id, item_id)
    row.items.remove(item)
    _renumber(row)
    _touch(row)
    record(db.session, "briefing_edit", f"briefing:{row.id}", {"remove_document": item.document_id})
    flash(_("Item removed."), "info")
    return redirect(url_for("briefings.edit", briefing_id=row.id))


@bp.route(
    "/<int(max=2147483647):briefing_id>/items/<int(max=2147483647):item_id>/<any(up, down):direction>",
    methods=["POST"],
)
@roles_required(*WRITERS)
def move_item(briefing_id: int, item_id: int, direction: str) -> ResponseReturnValue:
    row, item = _item_action(briefing_id, item_id)
    _renumber(row)
    ordered = sorted(row.items, key=lambda i: i.position)
    index = ordered.index(item)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(ordered):
        ordered[index], ordered[other] = ordered[other], ordered[index]
        for position, moved in enumerate(ordered):
            moved.position = position
        _touch(row)
        record(db.session, "briefing_edit", f"briefing:{row.id}", {"move": item.document_id, "to": other})
    return redirect(url_for("briefings.edit", briefing_id=row.id) + f"#item-{item.id}")


@bp.route("/<int(max=2147483647):briefing_id>/items/<int(max=2147483647):item_id>/summary", methods=["POST"])
@roles_required(*WRITERS)
def item_summary(briefing_id: int, item_id: int) -> ResponseReturnValue:
    row = _draft(briefing_id)
    item = _item(row, item_id)
    form = ItemSummaryForm()
    if form.validate_on_submit():
        item.summary = clean(form.summary.data)
        _touch(row)
        record(db.session, "briefing_edit", f"briefing:{row.id}", {"summary_of": item.document_id})
        flash(_("Item summary saved."), "info")
    else:
        flash(_("The summary could not be saved: ") + "; ".join(_errors(form)), "error")
    return redirect(url_for("briefings.edit", briefing_id=row.id) + f"#item-{item.id}")


def _errors(form: Form) -> list[str]:
    return [f"{name}: {msg}" for name, msgs in form.errors.items() for msg in msgs]


@bp.route(
    "/<int(max=2147483647):briefing_id>/items/<int(max=2147483647):item_id>/annotations", methods=["POST"]
)
@roles_required(*WRITERS)
def attach_annotation(briefing_id: int, item_id: int) -> ResponseReturnValue:
    row = _draft(briefing_id)
    item = _item(row, item_id)
    back = redirect(url_for("briefings.edit", briefing_id=row.id) + f"#item-{item.id}")
    form = AnnotationForm()
    if not form.validate_on_submit():
        flash(_("Give the id of an annotation."), "error")
        return back
    note = db.session.get(Annotation, form.annotation_id.data)
    if note is None or not (note.shared or note.user_id == current_user.id):
        flash(_("There is no annotation %(id)s you may use.", id=form.annotation_id.data), "error")
        return back
    doc = item.document
    same_story = doc.cluster_id is not None and note.document.cluster_id == doc.cluster_id
    if note.document_id != doc.id and not same_story:
        flash(_("That annotation belongs to another story."), "error")
        return back
    if note.id not in (item.annotation_ids or []):
        item.annotation_ids = [*(item.annotation_ids or []), note.id]
        _touch(row)
        record(db.session, "briefing_edit", f"briefing:{row.id}", {"annotation": note.id})
        flash(_("Annotation attached."), "info")
    return back


@bp.route(
    "/<int(max=2147483647):briefing_id>/items/<int(max=2147483647):item_id>"
    "/annotations/<int(max=2147483647):annotation_id>/detach",
    methods=["POST"],
)
@roles_required(*WRITERS)
def detach_annotation(briefing_id: int, item_id: int, annotation_id: int) -> ResponseReturnValue:
    row, item = _item_action(briefing_id, item_id)
    item.annotation_ids = [a for a in item.annotation_ids or [] if a != annotation_id]
    _touch(row)
    record(db.session, "briefing_edit", f"briefing:{row.id}", {"detach_annotation": annotation_id})
    return redirect(url_for("briefings.edit", briefing_id=row.id) + f"#item-{item.id}")


@bp.route("/<int(max=2147483647):briefing_id>/publish", methods=["POST"])
@roles_required(*WRITERS)
def publish(briefing_id: int) -> ResponseReturnValue:
    row = _draft(briefing_id)
    if not Form().validate_on_submit():
        abort(400)
    if not row.items and not row.summary.strip():
        flash(_("An empty briefing cannot be published: add items or a summary."), "error")
        return redirect(url_for("briefings.edit", briefing_id=row.id))
    if request.form.get("confirm") != "yes":
        flash(_("Tick the confirmation before publishing: a published briefing never changes."), "error")
        return redirect(url_for("briefings.edit", briefing_id=row.id) + "#publish-h")
    now = utcnow()
    row.status = "published"
    row.published_at = now
    row.published_by_id = current_user.id
    row.updated_at = now
    record(db.session, "briefing_publish", f"briefing:{row.id}", {"version": row.version})
    flash(_("Published version %(version)s.", version=row.version), "info")
    return redirect(url_for("briefings.show", briefing_id=row.id))


@bp.route("/<int(max=2147483647):briefing_id>/correct", methods=["POST"])
@roles_required(*WRITERS)
def correct(briefing_id: int) -> ResponseReturnValue:
    row = _briefing(briefing_id)
    if not Form().validate_on_submit():
        abort(400)
    if row.status != "published":
        flash(_("Only a published briefing is corrected; edit the draft instead."), "error")
        return redirect(url_for("briefings.edit", briefing_id=row.id))
    pending = db.session.scalar(
        select(Briefing).where(Briefing.supersedes_id == row.id, Briefing.status == "draft").limit(1)
    )
    if pending is not None:
        flash(_("A correction is being drafted already."), "info")
        return redirect(url_for("briefings.edit", briefing_id=pending.id))
    latest = db.session.scalar(
        select(func.max(Briefing.version)).where(
            Briefing.desk_key == row.desk_key, Briefing.for_date == row.for_date
        )
    )
    now = utcnow()
    copy = Briefing(
        desk_key=row.desk_key,
        desk_name=row.desk_name,
        countries=list(row.countries or []),
        for_date=row.for_date,
        version=(latest or row.version) + 1,
        status="draft",
        title=row.title,
        summary=row.summary,
        supersedes_id=row.id,
        created_at=now,
        updated_at=now,
    )
    for item in sorted(row.items, key=lambda i: i.position):
        copy.items.append(
            BriefingItem(
                position=item.position,
                document_id=item.document_id,
                cluster_id=item.cluster_id,
                score=item.score,
                summary=item.summary,
                annotation_ids=list(item.annotation_ids or []),
            )
        )
    db.session.add(copy)
    db.session.flush()
    record(db.session, "briefing_correct", f"briefing:{row.id}", {"new": copy.id, "version": copy.version})
    flash(
        _("Version %(new)s drafted as a correction of version %(old)s.", new=copy.version, old=row.version),
        "info",
    )
    return redirect(url_for("briefings.edit", briefing_id=copy.id))


def _feed_user() -> User:
    token = request.args.get("token", "")
    user = db.session.scalar(select(User).where(User.feed_token == token)) if token else None
    if (
        user is None
        or not user.active
        or not user.feed_token
        or not hmac.compare_digest(user.feed_token, token)
    ):
        abort(404)
    return user


def feed_content(briefing: Briefing) -> Markup:
    """The HTML of a feed entry: the summary, then the stories with their sources."""
    parts = [render_markdown(briefing.summary), Markup("<ol>")]
    for item in briefing.items:
        doc = item.document
        parts.append(
            Markup('<li><a href="{}">{}</a> ({}, {})</li>').format(
                doc.url, doc.title, doc.source.publisher or doc.source.name, fmt_date(doc.published_at)
            )
        )
    parts.append(Markup("</ol>"))
    return Markup("").join(parts)


def _feed(rows: list[Briefing], title: str, self_url: str, user: User, target: str) -> ResponseReturnValue:
    record(db.session, "feed", target, user=user)
    body = render_template(
        "briefings/feed.xml",
        briefings=rows,
        contents={b.id: feed_content(b) for b in rows},
        title=title,
        self_url=self_url,
        updated=max((b.published_at for b in rows if b.published_at), default=utcnow()),
    )
    return Response(body, mimetype="application/atom+xml")


@bp.route("/feed.atom")
def feed() -> ResponseReturnValue:
    """Every published briefing, for feed readers: protected by the reader's feed token."""
    user = _feed_user()
    rows = published(db.session, limit=50)
    with force_locale(feed_language(user)):
        title = _("COI portal: briefings")
        return _feed(rows, title, url_for("briefings.feed", _external=True), user, "briefings")


@bp.route("/desks/<string(maxlength=60):desk_key>/feed.atom")
def desk_feed(desk_key: str) -> ResponseReturnValue:
    """One desk's published briefings, protected by the reader's feed token."""
    user = _feed_user()
    rows = published(db.session, desk=desk_key, limit=50)
    name = rows[0].desk_name if rows else desk_key
    with force_locale(feed_language(user)):
        return _feed(
            rows,
            _("COI portal: %(desk)s briefings", desk=name),
            url_for("briefings.desk_feed", desk_key=desk_key, _external=True),
            user,
            f"briefings:{desk_key}",
        )
