"""Admin pages: sources (assessment record and health), users, the audit log. Admin role only."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, Regexp

from portal.audit import record
from portal.auth import sessions
from portal.auth.passwords import MIN_LENGTH, generate_password, hash_password
from portal.auth.roles import roles_required
from portal.extensions import db
from portal.forms import Form
from portal.homes import declared_home, read_home, read_home_province
from portal.models import AuditEvent, CollectionRun, Role, Source, User
from portal.templating import PUBLISHER_TYPES, ROLE_LABELS

bp = Blueprint("admin", __name__, url_prefix="/admin")

AUDIT_PAGE = 100


@bp.route("/sources")
@roles_required(Role.admin)
def sources() -> ResponseReturnValue:
    rows = db.session.scalars(select(Source).order_by(Source.name)).all()
    latest = (
        select(CollectionRun.source_id, func.max(CollectionRun.id).label("run_id"))
        .group_by(CollectionRun.source_id)
        .subquery()
    )
    runs = db.session.scalars(select(CollectionRun).join(latest, CollectionRun.id == latest.c.run_id)).all()
    return render_template("admin/sources.html", sources=rows, last_runs={r.source_id: r for r in runs})


class SourceForm(Form):
    publisher = StringField(_l("Publisher"), validators=[Length(max=300)])
    publisher_type = SelectField(
        _l("Publisher type"),
        choices=[SelectChoice(value, label) for value, label in (("", "–"), *PUBLISHER_TYPES.items())],
    )
    update_minutes = IntegerField(_l("Minutes between runs"), validators=[NumberRange(min=5, max=100000)])
    enabled = BooleanField(_l("Collect this source"))
    mandate = TextAreaField(_l("Mandate"), validators=[Length(max=10000)])
    methodology = TextAreaField(_l("Methodology"), validators=[Length(max=10000)])
    reliability = IntegerField(_l("Reliability (1 low – 5 high)"), validators=[NumberRange(min=1, max=5)])
    reliability_note = TextAreaField(_l("Reliability note"), validators=[Length(max=10000)])
    assessment_notes = TextAreaField(_l("Other assessment notes"), validators=[Length(max=10000)])
    last_reviewed = DateField(_l("Last reviewed"), validators=[Optional()])


@bp.route("/sources/<int(max=2147483647):source_id>", methods=["GET", "POST"])
@roles_required(Role.admin)
def source(source_id: int) -> ResponseReturnValue:
    row = db.session.get(Source, source_id)
    if row is None:
        abort(404)
    form = SourceForm(obj=row)
    if form.validate_on_submit():
        changes = {}
        for name in (
            "publisher",
            "publisher_type",
            "update_minutes",
            "enabled",
            "mandate",
            "methodology",
            "reliability",
            "reliability_note",
            "assessment_notes",
            "last_reviewed",
        ):
            value = getattr(form, name).data
            if getattr(row, name) != value:
                changes[name] = value.isoformat() if isinstance(value, date) else value
                setattr(row, name, value)
        if changes and "last_reviewed" not in changes:
            row.last_reviewed = date.today()
        record(db.session, "edit_source", f"source:{row.id}", changes)
        flash(_("Source saved."), "info")
        return redirect(url_for("admin.source", source_id=row.id))
    runs = db.session.scalars(
        select(CollectionRun)
        .where(CollectionRun.source_id == row.id)
        .order_by(CollectionRun.id.desc())
        .limit(20)
    ).all()
    declared = declared_home(row.countries)
    home = declared or read_home(db.session, row.id)
    return render_template(
        "admin/source.html",
        source=row,
        form=form,
        runs=runs,
        home=home,
        home_declared=bool(declared),
        home_province=read_home_province(db.session, row.id),
    )


class UserForm(Form):
    username = StringField(
        _l("User name"), validators=[DataRequired(), Length(max=80), Regexp(r"^[\w.@-]+$")]
    )
    email = EmailField(
        _l("E-mail"), validators=[Optional(), Email(check_deliverability=False), Length(max=300)]
    )
    role = SelectField(_l("Role"), choices=[SelectChoice(r.value, ROLE_LABELS[r.value]) for r in Role])


class UserEditForm(Form):
    role = SelectField(_l("Role"), choices=[SelectChoice(r.value, ROLE_LABELS[r.value]) for r in Role])
    active = BooleanField(_l("Active"))


@bp.route("/users", methods=["GET", "POST"])
@roles_required(Role.admin)
def users() -> ResponseReturnValue:
    form = UserForm()
    new_password = None
    if form.validate_on_submit():
        name = form.username.data or ""
        if db.session.scalar(select(User.id).where(User.username == name)) is not None:
            form.username.errors = [*form.username.errors, _("This user name is taken.")]
        else:
            new_password = generate_password()
            user = User(
                username=name,
                email=form.email.data or None,
                role=Role(form.role.data),
                password_hash=hash_password(new_password),
            )
            db.session.add(user)
            record(db.session, "create_user", f"user:{name}", {"role": form.role.data})
            flash(
                _(
                    "Created %(name)s. Give them this password, shown once: %(password)s",
                    name=name,
                    password=new_password,
                ),
                "info",
            )
            return redirect(url_for("admin.users"))
    rows = db.session.scalars(select(User).order_by(User.username)).all()
    return render_template(
        "admin/users.html", users=rows, form=form, min_length=MIN_LENGTH, edit_form=UserEditForm()
    )


@bp.route("/users/<int(max=2147483647):user_id>", methods=["POST"])
@roles_required(Role.admin)
def edit_user(user_id: int) -> ResponseReturnValue:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    form = UserEditForm()
    if not form.validate_on_submit():
        flash(_("The change was not valid."), "error")
        return redirect(url_for("admin.users"))
    if user.id == current_user.id and (form.role.data != Role.admin.value or not form.active.data):
        flash(_("You cannot remove your own admin rights or deactivate yourself."), "error")
        return redirect(url_for("admin.users"))
    changes = {"role": form.role.data, "active": form.active.data}
    user.role = Role(form.role.data)
    if user.active and not form.active.data:
        sessions.end_all(user)  # a deactivated user is logged out everywhere at once
    user.active = bool(form.active.data)
    record(db.session, "edit_user", f"user:{user.username}", changes)
    flash(_("Saved %(name)s.", name=user.username), "info")
    return redirect(url_for("admin.users"))


def _day(raw: str | None, end: bool = False) -> datetime | None:
    if not raw:
        return None
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        return None
    return datetime.combine(day, time.max if end else time.min, tzinfo=UTC)


@bp.route("/audit")
@roles_required(Role.admin)
def audit() -> ResponseReturnValue:
    query = select(AuditEvent).order_by(AuditEvent.id.desc())
    user = request.args.get("user", "").strip()
    action = request.args.get("action", "").strip()
    target = request.args.get("target", "").strip()
    since, until = _day(request.args.get("from")), _day(request.args.get("to"), end=True)
    if user:
        query = query.where(AuditEvent.username == user)
    if action:
        query = query.where(AuditEvent.action == action)
    if target:
        query = query.where(AuditEvent.target.contains(target))
    if since:
        query = query.where(AuditEvent.at >= since)
    if until:
        query = query.where(AuditEvent.at <= until)
    try:
        page = max(1, int(request.args.get("page", "1")))
    except ValueError:
        page = 1
    rows = db.session.scalars(query.limit(AUDIT_PAGE + 1).offset((page - 1) * AUDIT_PAGE)).all()
    actions = db.session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)).all()
    return render_template(
        "admin/audit.html", events=rows[:AUDIT_PAGE], more=len(rows) > AUDIT_PAGE, page=page, actions=actions
    )
