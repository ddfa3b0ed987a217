"""Annotating documents, and the list of annotations with search and export."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import BooleanField, HiddenField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange

from portal.annotations import service
from portal.annotations.models import Annotation
from portal.audit import record
from portal.auth.roles import roles_required
from portal.extensions import db
from portal.forms import Form
from portal.models import Document

bp = Blueprint("annotations", __name__)


class AnnotationForm(Form):
    start = IntegerField(_l("Start"), validators=[NumberRange(min=0)], id="annotate-start")
    end = IntegerField(_l("End"), validators=[NumberRange(min=1)], id="annotate-end")
    quote = HiddenField(id="annotate-quote")
    comment = TextAreaField(
        _l("Comment (Markdown)"), validators=[Length(max=service.MAX_COMMENT)], id="annotate-comment"
    )
    tags = StringField(_l("Tags, separated by commas"), validators=[Length(max=400)], id="annotate-tags")
    shared = BooleanField(_l("Share with the team"), default=True, id="annotate-shared")


class EditForm(Form):
    comment = TextAreaField(_l("Comment (Markdown)"), validators=[Length(max=service.MAX_COMMENT)])
    tags = StringField(_l("Tags, separated by commas"), validators=[Length(max=400)])
    shared = BooleanField(_l("Share with the team"))


class DeleteForm(Form):
    confirm = HiddenField(default="1", validators=[DataRequired()])


def _own(note_id: int) -> Annotation:
    note = db.session.get(Annotation, note_id)
    if note is None or not (note.shared or note.user_id == current_user.id):
        abort(404)
    if not service.can_change(note, current_user):
        abort(403)
    return note


@bp.route("/documents/<int(max=2147483647):doc_id>/annotations", methods=["POST"])
@roles_required()
def create(doc_id: int) -> ResponseReturnValue:
    doc = db.session.get(Document, doc_id)
    if doc is None:
        abort(404)
    form = AnnotationForm()
    if not form.validate_on_submit():
        flash(
            _("The annotation could not be saved: ")
            + "; ".join(f"{getattr(form, k).label.text}: {', '.join(v)}" for k, v in form.errors.items()),
            "error",
        )
        return redirect(url_for("documents.show", doc_id=doc_id))
    start, end = int(form.start.data or 0), int(form.end.data or 0)
    if form.quote.data and doc.text[start:end] != form.quote.data:
        flash(
            _("The selection no longer matches the text (a new version may have arrived). Select it again."),
            "error",
        )
        return redirect(url_for("documents.show", doc_id=doc_id))
    try:
        note = service.create(
            db.session,
            doc,
            current_user,
            start,
            end,
            form.comment.data or "",
            form.tags.data or "",
            bool(form.shared.data),
        )
    except service.AnnotationError as exc:
        flash(_("The annotation could not be saved: %(error)s", error=exc), "error")
        return redirect(url_for("documents.show", doc_id=doc_id))
    record(db.session, "annotate", f"document:{doc_id}", {"annotation": note.id})
    flash(_("Annotation saved."), "info")
    return redirect(url_for("documents.show", doc_id=doc_id, _anchor=f"annotation-{note.id}"))


@bp.route("/annotations/<int(max=2147483647):note_id>/edit", methods=["GET", "POST"])
@roles_required()
def edit(note_id: int) -> ResponseReturnValue:
    note = _own(note_id)
    form = EditForm(obj=note if request.method == "GET" else None)
    if request.method == "GET":
        form.tags.data = ", ".join(note.tags or [])
    if form.validate_on_submit():
        note.comment = form.comment.data or ""
        note.tags = service.clean_tags(form.tags.data or "")
        note.shared = bool(form.shared.data)
        service.touch(note)
        record(db.session, "edit_annotation", f"annotation:{note.id}")
        flash(_("Annotation saved."), "info")
        return redirect(url_for("documents.show", doc_id=note.document_id, _anchor=f"annotation-{note.id}"))
    return render_template("annotations/edit.html", note=note, form=form, delete_form=DeleteForm())


@bp.route("/annotations/<int(max=2147483647):note_id>/delete", methods=["POST"])
@roles_required()
def delete(note_id: int) -> ResponseReturnValue:
    note = _own(note_id)
    if not DeleteForm().validate_on_submit():
        abort(400)
    doc_id = note.document_id
    db.session.delete(note)
    record(db.session, "delete_annotation", f"annotation:{note_id}")
    flash(_("Annotation deleted."), "info")
    return redirect(url_for("documents.show", doc_id=doc_id))


def _listing_args() -> dict[str, object]:
    return {
        "query": request.args.get("q", "").strip(),
        "tag": request.args.get("tag", "").strip(),
        "mine_only": request.args.get("mine") == "1",
    }


@bp.route("/annotations")
@roles_required()
def listing() -> ResponseReturnValue:
    args = _listing_args()
    notes = service.search(db.session, current_user, **args)  # type: ignore[arg-type]
    return render_template("annotations/list.html", notes=notes, args=args)


@bp.route("/annotations/export.<any(json, csv):fmt>")
@roles_required()
def export(fmt: str) -> ResponseReturnValue:
    args = _listing_args()
    notes = service.search(db.session, current_user, limit=100_000, **args)  # type: ignore[arg-type]
    record(db.session, "export", "annotations", {"format": fmt, "count": len(notes), **args})
    if fmt == "json":
        body, mimetype = service.to_json(notes), "application/json"
    else:
        body, mimetype = service.to_csv(notes), "text/csv"
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="annotations.{fmt}"'
    return response
