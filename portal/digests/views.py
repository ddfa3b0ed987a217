"""Pages of the digests: the user's settings (every role), the unsubscribe link (no log-in, token
protected) and the admin overview of scheduled jobs and digest deliveries (admin role).

Requests commit in one place (:mod:`portal.extensions`); nothing here sends mail.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select
from wtforms import BooleanField, RadioField, SelectField, SelectMultipleField, StringField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, Length, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from portal.audit import record
from portal.auth.roles import roles_required
from portal.config import Settings
from portal.digests import subscriptions
from portal.digests.models import DigestDelivery, JobRun
from portal.digests.schedule import WEEKDAYS, zone_names
from portal.extensions import csrf, db
from portal.forms import Form
from portal.models import Role, SavedSearch, User

bp = Blueprint("digests", __name__, template_folder="templates")


class MultiCheckboxField(SelectMultipleField):  # type: ignore[misc]
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class DigestForm(Form):  # type: ignore[misc]
    active = BooleanField(_l("Send me the digest"))
    countries = StringField(
        _l("Countries (ISO codes, e.g. SY, AF, ER)"),
        validators=[
            Length(max=800),
            Regexp(r"^[A-Za-z ,]*$", message=_l("Two-letter codes separated by commas.")),
        ],
    )
    topics = MultiCheckboxField(_l("Topics"), choices=[])
    saved_searches = MultiCheckboxField(_l("Saved searches"), choices=[])
    briefings = BooleanField(_l("Briefings when they are published"))
    frequency = RadioField(
        _l("How often"),
        choices=[SelectChoice("daily", _l("Every day")), SelectChoice("weekly", _l("Once a week"))],
    )
    weekday = SelectField(
        _l("Day of the week (weekly)"),
        choices=[],
    )
    send_at = StringField(
        _l("Time (HH:MM)"),
        validators=[
            DataRequired(),
            Regexp(r"^([01]?\d|2[0-3]):[0-5]\d$", message=_l("Use HH:MM, e.g. 07:30.")),
        ],
    )
    timezone = SelectField(_l("Time zone"), choices=[])


def _settings() -> Settings:
    settings: Settings = current_app.extensions["coi_settings"]
    return settings


@bp.route("/settings", methods=["GET", "POST"])
@roles_required()
def settings_page() -> ResponseReturnValue:
    user: User = current_user._get_current_object()
    sub = subscriptions.get_subscription(db.session, user.id)
    saved = db.session.scalars(
        select(SavedSearch).where(SavedSearch.user_id == user.id).order_by(SavedSearch.name)
    ).all()
    default_tz = _settings().timezone
    form = DigestForm(
        data=None
        if sub is None
        else {
            "active": sub.active,
            "countries": ", ".join(sub.countries),
            "topics": list(sub.topics),
            "saved_searches": [str(s.id) for s in sub.saved_searches],
            "briefings": sub.briefings,
            "frequency": sub.frequency,
            "weekday": WEEKDAYS[sub.weekday],
            "send_at": sub.send_at,
            "timezone": sub.timezone,
        }
    )
    if sub is None and not form.is_submitted():
        form.frequency.data = "daily"
        form.send_at.data = "07:00"
        form.timezone.data = default_tz
        form.active.data = True
    from flask_babel import get_locale

    locale = get_locale()
    language = locale.language if locale is not None else "en"
    days = locale.days["format"]["wide"] if locale is not None else {}
    form.weekday.choices = [SelectChoice(v, str(days.get(i, v))) for i, v in enumerate(WEEKDAYS)]
    topics = subscriptions.all_topics(language)
    form.topics.choices = [SelectChoice(tid, label) for tid, label in topics.items()]
    form.saved_searches.choices = [SelectChoice(str(s.id), s.name) for s in saved]
    form.timezone.choices = [SelectChoice(z, z) for z in zone_names()]
    if form.validate_on_submit():
        try:
            choices = subscriptions.validate(
                db.session,
                user,
                countries=[form.countries.data or ""],
                topics=form.topics.data or [],
                saved_searches=[int(v) for v in form.saved_searches.data or []],
                briefings=bool(form.briefings.data),
                frequency=form.frequency.data or "daily",
                weekday=form.weekday.data or "mon",
                send_at=form.send_at.data or "",
                timezone=form.timezone.data or default_tz,
            )
        except subscriptions.SubscriptionError as exc:
            flash(str(exc), "error")
        else:
            sub = subscriptions.save(db.session, user, choices)
            sub.active = bool(form.active.data)
            record(db.session, "digest_settings", f"user:{user.username}", subscriptions.describe(sub))
            flash(
                _("Digest settings saved.") if sub.active else _("Digest settings saved; the digest is off."),
                "info",
            )
            return redirect(url_for("digests.settings_page"))
    return render_template("digests/settings.html", form=form, subscription=sub, user=user)


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # type: ignore[untyped-decorator]
def unsubscribe(token: str) -> ResponseReturnValue:
    """GET asks for confirmation; POST (the button, or a mail program's one-click request) stops it."""
    secret = current_app.config["SECRET_KEY"]
    user_id = subscriptions.read_unsubscribe_token(secret, token)
    user = db.session.get(User, user_id) if user_id is not None else None
    if user is None:
        return render_template("digests/unsubscribe.html", state="invalid"), 404
    if request.method == "POST":
        changed = subscriptions.unsubscribe(db.session, user.id)
        if changed:
            record(db.session, "digest_unsubscribe", f"user:{user.username}", user=user)
        return render_template("digests/unsubscribe.html", state="done", user=user)
    sub = subscriptions.get_subscription(db.session, user.id)
    state = "confirm" if sub is not None and sub.active else "inactive"
    return render_template("digests/unsubscribe.html", state=state, user=user, token=token)


@bp.route("/admin/jobs")
@roles_required(Role.admin)
def admin_jobs() -> ResponseReturnValue:
    from portal.jobs import job_overview

    overview = job_overview(_settings(), db.factory)
    failures = db.session.scalars(
        select(JobRun).where(JobRun.ok.is_(False)).order_by(JobRun.id.desc()).limit(30)
    ).all()
    deliveries: dict[str, Any] = dict(
        db.session.execute(select(DigestDelivery.status, func.count()).group_by(DigestDelivery.status))
        .tuples()
        .all()
    )
    attention = db.session.scalars(
        select(DigestDelivery)
        .where(DigestDelivery.status.in_(("uncertain", "failed", "pending")), DigestDelivery.attempts > 0)
        .order_by(DigestDelivery.id.desc())
        .limit(50)
    ).all()
    return render_template(
        "digests/admin_jobs.html",
        overview=overview,
        failures=failures,
        deliveries=deliveries,
        attention=attention,
    )
