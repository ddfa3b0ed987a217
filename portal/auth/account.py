"""The user's own account (password, e-mail, personal API tokens), one-time password-reset links,
and the admin actions on another user's e-mail and password.

Reset links and API tokens are random secrets shown once; only their SHA-256 hash is stored.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user
from sqlalchemy import select
from sqlalchemy.orm import Session
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from portal.api.tokens import create_token
from portal.audit import record
from portal.auth.models import PasswordReset
from portal.auth.passwords import MIN_LENGTH, check_password, hash_password
from portal.auth.roles import roles_required
from portal.extensions import db
from portal.forms import Form
from portal.models import ApiToken, Role, User, utcnow

bp = Blueprint("account", __name__)

RESET_LIFETIME = timedelta(hours=48)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def make_reset(session: Session, user: User, by: str, now: datetime | None = None) -> str:
    """A new one-time reset secret for ``user``; earlier unused links of the user stop working."""
    now = now or utcnow()
    for old in session.scalars(
        select(PasswordReset).where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
    ):
        old.used_at = now
    secret = secrets.token_urlsafe(32)
    session.add(
        PasswordReset(
            user_id=user.id,
            token_sha256=_digest(secret),
            created_by=by,
            created_at=now,
            expires_at=now + RESET_LIFETIME,
        )
    )
    return secret


def valid_reset(session: Session, secret: str, now: datetime | None = None) -> PasswordReset | None:
    """The reset row for ``secret`` if it is unused, unexpired and its user is active."""
    if not secret or len(secret) > 200:
        return None
    row = session.scalar(select(PasswordReset).where(PasswordReset.token_sha256 == _digest(secret)))
    now = now or utcnow()
    if row is None or row.used_at is not None or row.expires_at <= now or not row.user.active:
        return None
    return row


class PasswordChangeForm(Form):
    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=200)])
    new = PasswordField(_l("New password"), validators=[DataRequired(), Length(min=MIN_LENGTH, max=200)])
    confirm = PasswordField(
        _l("New password again"),
        validators=[DataRequired(), EqualTo("new", message=_l("The two new passwords differ."))],
    )


class EmailChangeForm(Form):
    email = EmailField(
        _l("E-mail"), validators=[Optional(), Email(check_deliverability=False), Length(max=300)]
    )


class TokenForm(Form):
    name = StringField(_l("Name of the token"), validators=[DataRequired(), Length(max=100)])


class ResetForm(Form):
    new = PasswordField(_l("New password"), validators=[DataRequired(), Length(min=MIN_LENGTH, max=200)])
    confirm = PasswordField(
        _l("New password again"),
        validators=[DataRequired(), EqualTo("new", message=_l("The two new passwords differ."))],
    )


def _page(**forms: Form | str) -> str:
    user: User = current_user._get_current_object()
    tokens = db.session.scalars(
        select(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.created_at.desc())
    ).all()
    context = {
        "password_form": PasswordChangeForm(prefix="pw"),
        "email_form": EmailChangeForm(prefix="em", data={"email": user.email or ""}),
        "token_form": TokenForm(prefix="tk"),
        "revoke_form": Form(),
        **forms,
    }
    return render_template("account/account.html", tokens=tokens, min_length=MIN_LENGTH, **context)


@bp.route("/settings/account")
@roles_required()
def account() -> ResponseReturnValue:
    return _page()


@bp.route("/settings/account/password", methods=["POST"])
@roles_required()
def change_password() -> ResponseReturnValue:
    user: User = current_user._get_current_object()
    form = PasswordChangeForm(prefix="pw")
    if form.validate_on_submit():
        if not check_password(user.password_hash, form.current.data or ""):
            form.current.errors = [*form.current.errors, _("The current password is wrong.")]
        else:
            user.password_hash = hash_password(form.new.data or "")
            record(db.session, "change_password", f"user:{user.username}", user=user)
            flash(_("Your password is changed."), "info")
            return redirect(url_for("account.account"))
    return _page(password_form=form), 400


@bp.route("/settings/account/email", methods=["POST"])
@roles_required()
def change_email() -> ResponseReturnValue:
    user: User = current_user._get_current_object()
    form = EmailChangeForm(prefix="em")
    if form.validate_on_submit():
        user.email = (form.email.data or "").strip() or None
        record(db.session, "change_email", f"user:{user.username}", {"email": user.email}, user=user)
        flash(_("Your e-mail address is saved."), "info")
        return redirect(url_for("account.account"))
    return _page(email_form=form), 400


@bp.route("/settings/account/tokens", methods=["POST"])
@roles_required()
def new_token() -> ResponseReturnValue:
    user: User = current_user._get_current_object()
    form = TokenForm(prefix="tk")
    if not form.validate_on_submit():
        return _page(token_form=form), 400
    secret = create_token(db.session, user, form.name.data or "")
    for pending in db.session.new:
        if isinstance(pending, ApiToken) and pending.token_sha256 == _digest(secret):
            pending.prefix = secret[:10]
    record(db.session, "create_token", f"user:{user.username}", {"name": form.name.data}, user=user)
    # the page is rendered, not redirected: the secret is never put in the session cookie
    return _page(new_secret=secret)


@bp.route("/settings/account/tokens/<int(max=2147483647):token_id>/revoke", methods=["POST"])
@roles_required()
def revoke_token(token_id: int) -> ResponseReturnValue:
    row = db.session.get(ApiToken, token_id)
    if row is None or row.user_id != current_user.id or not Form().validate_on_submit():
        abort(404)
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        record(db.session, "revoke_token", f"user:{current_user.username}", {"token": row.id})
    flash(_("The token is revoked."), "info")
    return redirect(url_for("account.account"))


@bp.route("/reset/<secret>", methods=["GET", "POST"])
def reset(secret: str) -> ResponseReturnValue:
    row = valid_reset(db.session, secret)
    if row is None:
        return render_template("account/reset.html", form=None), 404
    form = ResetForm()
    if form.validate_on_submit():
        row.user.password_hash = hash_password(form.new.data or "")
        row.used_at = utcnow()
        record(db.session, "reset_password", f"user:{row.user.username}", user=row.user)
        if current_user.is_authenticated:
            logout_user()
        flash(_("Your password is set. Log in with it."), "info")
        return redirect(url_for("auth.login"))
    return render_template("account/reset.html", form=form, user=row.user, min_length=MIN_LENGTH)


class AdminEmailForm(Form):
    email = EmailField(
        _l("E-mail"), validators=[Optional(), Email(check_deliverability=False), Length(max=300)]
    )


@bp.route("/admin/users/<int(max=2147483647):user_id>/email", methods=["POST"])
@roles_required(Role.admin)
def admin_email(user_id: int) -> ResponseReturnValue:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    form = AdminEmailForm()
    if not form.validate_on_submit():
        flash(_("That is not a valid e-mail address."), "error")
        return redirect(url_for("admin.users"))
    user.email = (form.email.data or "").strip() or None
    record(db.session, "edit_user", f"user:{user.username}", {"email": user.email})
    flash(_("Saved %(name)s.", name=user.username), "info")
    return redirect(url_for("admin.users"))


@bp.route("/admin/users/<int(max=2147483647):user_id>/reset", methods=["POST"])
@roles_required(Role.admin)
def admin_reset(user_id: int) -> ResponseReturnValue:
    user = db.session.get(User, user_id)
    if user is None or not Form().validate_on_submit():
        abort(404)
    secret = make_reset(db.session, user, current_user.username)
    record(db.session, "password_reset_link", f"user:{user.username}")
    link = url_for("account.reset", secret=secret, _external=True)
    # rendered once, never stored in clear nor put into the session cookie
    return render_template("account/reset_link.html", user=user, link=link, hours=48)
