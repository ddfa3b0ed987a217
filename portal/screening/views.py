"""The screening area (/screening): researchers and admins screen a list of names against the
persons the sources mention, decide on each candidate, export the list, and delete it.

A list is private to its author and to admins: anyone else gets 404, as for a list that does not
exist. Every view, creation, decision, export and deletion is audit-logged.
"""

from __future__ import annotations

import hashlib

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf.file import FileField
from werkzeug.datastructures import FileStorage
from wtforms import BooleanField, RadioField, SelectChoice, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from nlp.names import DEFAULT_THRESHOLD
from portal.audit import record
from portal.auth.roles import WRITERS, roles_required
from portal.extensions import db
from portal.forms import Form
from portal.screening import export, lists
from portal.screening.models import ScreeningList
from portal.screening.reasons import reason_text
from portal.screening.service import ScreeningError, decode_list
from portal.templating import citation_wording

bp = Blueprint("screening", __name__, url_prefix="/screening")

bp.add_app_template_filter(reason_text, "reason")

DECISION_LABELS = {"match": _l("Match"), "no_match": _l("No match"), "unsure": _l("Unsure")}


class NewListForm(Form):  # type: ignore[misc]
    title = StringField(_l("Title (optional)"), validators=[Optional(), Length(max=lists.MAX_TITLE)])
    names = TextAreaField(
        _l("Names as CSV"),
        validators=[Optional()],
        render_kw={"placeholder": "name,aliases,birth_year,nationality,unit", "spellcheck": "false"},
    )
    upload = FileField(_l("Or a CSV file"))


class DecisionForm(Form):  # type: ignore[misc]
    decision = RadioField(
        _l("Decision"),
        choices=[SelectChoice(k, v) for k, v in DECISION_LABELS.items()],
        validators=[DataRequired()],
    )
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=lists.MAX_COMMENT)])


class DeleteForm(Form):  # type: ignore[misc]
    confirm = BooleanField(
        _l("Yes, delete this list with its candidates and decisions"), validators=[DataRequired()]
    )


def _list(list_id: int) -> ScreeningList:
    row = lists.visible_list(db.session, list_id, current_user)
    if row is None:
        abort(404)
    return row


def _target(row: ScreeningList) -> str:
    return f"screening:{row.id}"


def _no_index(response: Response) -> Response:
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _index_page(form: NewListForm, error: str | None = None, status: int = 200) -> ResponseReturnValue:
    body = render_template(
        "screening/index.html",
        form=form,
        error=error,
        own=lists.lists_of(db.session, current_user),
        others=lists.others_lists(db.session, current_user),
    )
    return _no_index(Response(body, status=status))


@bp.route("/")
@roles_required(*WRITERS)
def index() -> ResponseReturnValue:
    return _index_page(NewListForm(formdata=None))


def _submitted_text(form: NewListForm) -> str:
    upload = form.upload.data
    if isinstance(upload, FileStorage) and upload.filename:
        raw = upload.read()
        try:
            return decode_list(raw)
        except UnicodeDecodeError:
            raise ScreeningError(_("The file is not UTF-8 text.")) from None
    return str(form.names.data or "")


@bp.route("/", methods=["POST"])
@roles_required(*WRITERS)
def create() -> ResponseReturnValue:
    form = NewListForm()
    if not form.validate_on_submit():
        return _index_page(form, _("The form was not accepted: reload the page and try again."), 400)
    try:
        text = _submitted_text(form)
        if not text.strip():
            raise ScreeningError(_("Paste a list or choose a CSV file."))
        row = lists.create_list(
            db.session,
            current_user,
            form.title.data or "",
            text,
            untitled=lambda count: ngettext("%(num)d name", "%(num)d names", count),
        )
    except ScreeningError as exc:
        return _index_page(form, _("The list cannot be screened: %(reason)s", reason=str(exc)), 400)
    record(
        db.session,
        "screening.create",
        _target(row),
        {
            "names": len(row.entries),
            "candidates": sum(len(e.candidates) for e in row.entries),
            "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        },
    )
    return redirect(url_for("screening.show", list_id=row.id))


@bp.route("/<int(max=2147483647):list_id>")
@roles_required(*WRITERS)
def show(list_id: int) -> ResponseReturnValue:
    row = _list(list_id)
    views = lists.candidate_views(db.session, row)
    record(db.session, "screening.view", _target(row), {"names": len(row.entries)})
    body = render_template(
        "screening/show.html",
        row=row,
        views=views,
        copy_urls=_copy_urls(views),
        decisions=DECISION_LABELS,
        delete_form=DeleteForm(formdata=None),
        author=row.author.username,
        threshold=DEFAULT_THRESHOLD,
        wording=citation_wording(),
    )
    return _no_index(Response(body))


def _copy_urls(views: dict[int, lists.CandidateView], external: bool = False) -> dict[int, str]:
    urls = {}
    for view in views.values():
        for source in view.sources:
            if source.citation.snapshot_id is not None:
                urls[source.document.id] = url_for(
                    "documents.copy",
                    doc_id=source.document.id,
                    snap_id=source.citation.snapshot_id,
                    _external=external,
                )
    return urls


@bp.route(
    "/<int(max=2147483647):list_id>/candidates/<int(max=2147483647):candidate_id>/decision",
    methods=["POST"],
)
@roles_required(*WRITERS)
def decide(list_id: int, candidate_id: int) -> ResponseReturnValue:
    row = _list(list_id)
    candidate = next((c for e in row.entries for c in e.candidates if c.id == candidate_id), None)
    if candidate is None:
        abort(404)
    form = DecisionForm()
    if not form.validate_on_submit():
        flash(_("Choose match, no match or unsure."), "error")
        return redirect(url_for("screening.show", list_id=row.id, _anchor=f"candidate-{candidate_id}"))
    try:
        lists.decide(db.session, candidate, current_user, form.decision.data, form.comment.data or "")
    except ScreeningError as exc:
        flash(str(exc), "error")
    else:
        record(
            db.session,
            "screening.decide",
            _target(row),
            {"candidate": candidate.id, "entity": candidate.entity_id, "decision": form.decision.data},
        )
        flash(
            _(
                "Decision on %(name)s saved: %(decision)s.",
                name=candidate.name,
                decision=DECISION_LABELS[form.decision.data],
            ),
            "info",
        )
    return redirect(url_for("screening.show", list_id=row.id, _anchor=f"candidate-{candidate_id}"))


def _filename(row: ScreeningList, ext: str) -> str:
    return f"screening-{row.id}-{row.created_at:%Y%m%d}.{ext}"


@bp.route("/<int(max=2147483647):list_id>/export.csv")
@roles_required(*WRITERS)
def export_csv(list_id: int) -> ResponseReturnValue:
    row = _list(list_id)
    record(db.session, "screening.export", _target(row), {"format": "csv"})
    response = Response(export.to_csv(row), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{_filename(row, "csv")}"'
    return _no_index(response)


def _label(text: str) -> str:
    labels = {
        "match": _("match"),
        "no_match": _("no match"),
        "unsure": _("unsure"),
        "below the threshold": _("below the threshold"),
        "none yet": _("none yet"),
        "Screened by": _("Screened by"),
        "name(s)": _("name(s)"),
        "Aliases": _("Aliases"),
        "Birth year": _("Birth year"),
        "Nationality": _("Nationality"),
        "Unit": _("Unit"),
        "No candidate found.": _("No candidate found."),
        "Decision": _("Decision"),
        "Reasons": _("Reasons"),
        "More documents": _("More documents"),
        "Sources": _("Sources"),
    }
    return labels.get(text, text)


@bp.route("/<int(max=2147483647):list_id>/export.docx")
@roles_required(*WRITERS)
def export_docx(list_id: int) -> ResponseReturnValue:
    row = _list(list_id)
    views = lists.candidate_views(db.session, row)
    body = export.to_docx(
        row,
        views,
        _copy_urls(views, external=True),
        _label,
        row.author.username,
        citation_wording(),
        reason=reason_text,
    )
    record(db.session, "screening.export", _target(row), {"format": "docx"})
    response = Response(
        body, mimetype="application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    response.headers["Content-Disposition"] = f'attachment; filename="{_filename(row, "docx")}"'
    return _no_index(response)


@bp.route("/<int(max=2147483647):list_id>/delete", methods=["POST"])
@roles_required(*WRITERS)
def delete(list_id: int) -> ResponseReturnValue:
    row = _list(list_id)
    form = DeleteForm()
    if not form.validate_on_submit():
        flash(_("Tick the box to confirm the deletion."), "error")
        return redirect(url_for("screening.show", list_id=row.id))
    names = len(row.entries)
    lists.delete_list(db.session, row)
    record(db.session, "screening.delete", f"screening:{list_id}", {"names": names})
    flash(_("The list and its results were deleted."), "info")
    return redirect(url_for("screening.index"))
