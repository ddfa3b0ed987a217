"""Entity pages for every role; researchers and admins add aliases and merge duplicates."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import String, cast, func, or_, select
from wtforms import IntegerField, StringField
from wtforms.validators import DataRequired, Length, NumberRange

from portal.audit import record
from portal.auth.roles import WRITERS, roles_required
from portal.documents.render import KIND_LABELS
from portal.entities.service import (
    EntityError,
    add_alias,
    co_mentioned,
    fill_from_gazetteer,
    latest_documents,
    mention_count,
    merge,
    resolve,
    timeline,
)
from portal.extensions import db
from portal.forms import Form
from portal.models import Entity, Mention

bp = Blueprint("entities", __name__, url_prefix="/entities")

PAGELEN = 50


class AliasForm(Form):  # type: ignore[misc]
    alias = StringField(_l("New alias"), validators=[DataRequired(), Length(min=2, max=300)])


class MergeForm(Form):  # type: ignore[misc]
    duplicate_id = IntegerField(
        _l("Id of the duplicate to merge into this entity"),
        validators=[DataRequired(), NumberRange(min=1, max=2**31 - 1)],
    )


def _entity(entity_id: int) -> Entity:
    row = db.session.get(Entity, entity_id)
    if row is None:
        abort(404)
    return row


@bp.route("/")
@roles_required()
def index() -> ResponseReturnValue:
    kind = request.args.get("kind", "").replace("\x00", "").strip()[:20]
    name = request.args.get("q", "").replace("\x00", "").strip()[:200]
    try:
        page = max(1, min(int(request.args.get("page", "1")), 1000))
    except ValueError:
        page = 1
    counts = (
        select(Mention.entity_id, func.count(Mention.id).label("mentions"))
        .group_by(Mention.entity_id)
        .subquery()
    )
    query = (
        select(Entity, func.coalesce(counts.c.mentions, 0))
        .outerjoin(counts, counts.c.entity_id == Entity.id)
        .where(Entity.merged_into_id.is_(None))
    )
    if kind:
        query = query.where(Entity.kind == kind)
    if name:
        needle = f"%{name.lower()}%"
        query = query.where(
            or_(
                func.lower(Entity.canonical_name).like(needle),
                func.lower(cast(Entity.aliases, String)).like(needle),
            )
        )
    rows = db.session.execute(
        query.order_by(func.coalesce(counts.c.mentions, 0).desc(), Entity.canonical_name, Entity.id)
        .limit(PAGELEN + 1)
        .offset((page - 1) * PAGELEN)
    ).all()
    kinds = db.session.scalars(select(Entity.kind).distinct().order_by(Entity.kind)).all()
    return render_template(
        "entities/index.html",
        rows=[(e, int(n)) for e, n in rows[:PAGELEN]],
        more=len(rows) > PAGELEN,
        page=page,
        kind=kind,
        name=name,
        kinds=kinds,
        labels=KIND_LABELS,
    )


@bp.route("/<int(max=2147483647):entity_id>")
@roles_required()
def show(entity_id: int) -> ResponseReturnValue:
    row = _entity(entity_id)
    if row.merged_into_id is not None:
        target = resolve(db.session, row)
        if target.id != row.id:
            flash(
                _("“%(old)s” was merged into “%(new)s”.", old=row.canonical_name, new=target.canonical_name),
                "info",
            )
            return redirect(url_for("entities.show", entity_id=target.id))
    fill_from_gazetteer(row)
    writer = current_user.role in WRITERS
    merged = db.session.scalars(
        select(Entity).where(Entity.merged_into_id == row.id).order_by(Entity.id)
    ).all()
    months = timeline(db.session, row.id)
    return render_template(
        "entities/show.html",
        entity=row,
        labels=KIND_LABELS,
        mentions=mention_count(db.session, row.id),
        months=months,
        peak=max((n for _, n in months), default=0),
        co=co_mentioned(db.session, row.id),
        documents=latest_documents(db.session, row.id),
        merged=merged,
        writer=writer,
        alias_form=AliasForm(formdata=None) if writer else None,
        merge_form=MergeForm(formdata=None) if writer else None,
    )


@bp.route("/<int(max=2147483647):entity_id>/aliases", methods=["POST"])
@roles_required(*WRITERS)
def alias(entity_id: int) -> ResponseReturnValue:
    row = _entity(entity_id)
    form = AliasForm()
    if form.validate_on_submit():
        try:
            result = add_alias(db.session, row, form.alias.data or "")
        except EntityError as exc:
            flash(str(exc), "error")
        else:
            record(
                db.session,
                "entity_alias",
                f"entity:{row.id}",
                {"alias": result.alias, "mentions": result.mentions, "documents": list(result.documents)},
            )
            flash(
                _(
                    "Added alias “%(alias)s”: %(mentions)d new mention(s) in %(documents)d document(s).",
                    alias=result.alias,
                    mentions=result.mentions,
                    documents=len(result.documents),
                ),
                "info",
            )
    else:
        flash(_("Give an alias of 2 to 300 characters."), "error")
    return redirect(url_for("entities.show", entity_id=row.id))


@bp.route("/<int(max=2147483647):entity_id>/merge", methods=["POST"])
@roles_required(*WRITERS)
def merge_into(entity_id: int) -> ResponseReturnValue:
    target = _entity(entity_id)
    form = MergeForm()
    if not form.validate_on_submit():
        flash(_("Give the id of the duplicate entity."), "error")
        return redirect(url_for("entities.show", entity_id=target.id))
    duplicate = db.session.get(Entity, form.duplicate_id.data)
    if duplicate is None:
        flash(_("There is no entity %(id)s.", id=form.duplicate_id.data), "error")
        return redirect(url_for("entities.show", entity_id=target.id))
    try:
        result = merge(db.session, target, duplicate)
    except EntityError as exc:
        flash(str(exc), "error")
        return redirect(url_for("entities.show", entity_id=target.id))
    record(
        db.session,
        "entity_merge",
        f"entity:{target.id}",
        {
            "merged": duplicate.id,
            "merged_key": duplicate.key,
            "mentions": result.mentions,
            "documents": list(result.documents),
        },
    )
    flash(
        _(
            "Merged “%(old)s” into “%(new)s”: %(mentions)d mention(s) in %(documents)d document(s) moved.",
            old=duplicate.canonical_name,
            new=target.canonical_name,
            mentions=result.mentions,
            documents=len(result.documents),
        ),
        "info",
    )
    return redirect(url_for("entities.show", entity_id=target.id))
