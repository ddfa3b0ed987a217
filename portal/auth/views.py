"""Log-in and log-out pages."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, make_response, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import bindparam, select
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from portal.audit import record
from portal.auth import sessions
from portal.auth.passwords import check_password
from portal.auth.throttle import note_attempt, retry_after
from portal.extensions import db, login_manager
from portal.forms import Form
from portal.i18n import LANGUAGES, browser_language
from portal.models import User, utcnow

bp = Blueprint("auth", __name__)

login_manager.login_view = "auth.login"
login_manager.login_message = _l("Please log in to continue.")


#: the signed-in user of every request, in a statement built once (``Session.get`` builds its
#: statement anew on each call, which costs more than the query)
_USER = select(User).where(User.id == bindparam("id"))


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    if not user_id.isdigit() or int(user_id) > 2**31 - 1:  # not an id the table can hold
        return None
    user = db.session.scalars(_USER, {"id": int(user_id)}).first()
    if user is None or not user.active or not sessions.is_valid(user):
        session.clear()
        return None
    return user


class LoginForm(Form):
    username = StringField(_l("User name"), validators=[DataRequired(), Length(max=80)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


def safe_next(target: str | None) -> str:
    """Only a local path is followed after log-in: no open redirects."""
    if not target:
        return url_for("search.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("search.index")
    if "\\" in target:
        return url_for("search.index")
    return target


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("search.index"))
    form = LoginForm()
    if form.validate_on_submit():
        name = form.username.data or ""
        ip = request.remote_addr or ""
        wait = retry_after(db.session, name, ip)
        if wait:
            # recorded at the commit point despite the 429
            record(db.session, "login_throttled", name, {"retry_after": wait})
            flash(
                _("Too many failed log-ins. Wait %(seconds)s seconds and try again.", seconds=wait), "error"
            )
            response = make_response(render_template("auth/login.html", form=form), 429)
            response.headers["Retry-After"] = str(wait)
            return response
        user = db.session.scalar(select(User).where(User.username == name))
        if user is not None and user.active and check_password(user.password_hash, form.password.data or ""):
            session.clear()  # a fresh session on log-in: no fixation
            login_user(user)
            sessions.start(user)
            user.last_login_at = utcnow()
            if user.locale not in LANGUAGES:
                # no language chosen yet: keep the browser's, which e-mails then follow too
                user.locale = browser_language()
            note_attempt(db.session, name, ip, True)
            record(db.session, "login", name, user=user)
            return redirect(safe_next(request.args.get("next")))
        note_attempt(db.session, name, ip, False)
        record(db.session, "login_failed", name)
        flash(_("Unknown user name or wrong password."), "error")
        return render_template("auth/login.html", form=form), 401
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> ResponseReturnValue:
    record(db.session, "logout", current_user.username)
    sessions.end_all(current_user._get_current_object())  # type: ignore[attr-defined]
    logout_user()
    session.clear()
    flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/language", methods=["POST"])
@login_required
def language() -> ResponseReturnValue:
    """Switch the interface language of the logged-in user."""
    choice = request.form.get("locale", "")
    if choice in LANGUAGES and Form().validate_on_submit():
        current_user.locale = choice
    return redirect(safe_next(request.form.get("next")))
