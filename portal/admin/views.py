"""Admin pages. Only the admin role reaches them."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from portal.auth.roles import roles_required
from portal.extensions import db
from portal.models import CollectionRun, Role, Source, User

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/sources")
@roles_required(Role.admin)
def sources() -> ResponseReturnValue:
    rows = db.session.scalars(select(Source).order_by(Source.name)).all()
    last_runs = {
        run.source_id: run for run in db.session.scalars(select(CollectionRun).order_by(CollectionRun.id))
    }
    return render_template("admin/sources.html", sources=rows, last_runs=last_runs)


@bp.route("/users")
@roles_required(Role.admin)
def users() -> ResponseReturnValue:
    rows = db.session.scalars(select(User).order_by(User.username)).all()
    return render_template("admin/users.html", users=rows)
