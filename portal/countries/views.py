"""Country pages for every role: /countries lists countries with documents, /countries/<CC> shows one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import Blueprint, abort, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from portal.auth.roles import roles_required
from portal.briefings.queries import for_country
from portal.countries import officer
from portal.countries.queries import (
    Week,
    active_entities,
    countries_with_documents,
    documents_by_province,
    documents_by_topic,
    key_sources,
    weekly_volume,
)
from portal.extensions import db
from portal.models import utcnow
from portal.templating import country_name

bp = Blueprint("countries", __name__, url_prefix="/countries")

CHART_WIDTH = 624
CHART_HEIGHT = 160
BAR_GAP = 4


@dataclass(frozen=True)
class Bar:
    x: int
    y: int
    width: int
    height: int
    week: Week


def chart_bars(weeks: list[Week], width: int = CHART_WIDTH, height: int = CHART_HEIGHT) -> list[Bar]:
    """Rectangles for an inline SVG bar chart (no script, no style attributes: the CSP allows neither)."""
    if not weeks:
        return []
    top = max((w.count for w in weeks), default=0) or 1
    slot = width // len(weeks)
    bars = []
    for i, week in enumerate(weeks):
        h = round(week.count / top * (height - 10)) if week.count else 0
        bars.append(Bar(i * slot + BAR_GAP // 2, height - h, max(slot - BAR_GAP, 1), h, week))
    return bars


@bp.route("/")
@roles_required()
def index() -> ResponseReturnValue:
    rows = countries_with_documents(db.read_session)
    named = sorted(((country_name(r.code), r) for r in rows), key=lambda p: p[0].casefold())
    return render_template("countries/index.html", countries=named)


@bp.route("/<string(length=2):code>")
@roles_required()
def show(code: str) -> ResponseReturnValue:
    if not code.isalpha():
        abort(404)
    if code != code.upper():
        return redirect(url_for("countries.show", code=code.upper()))
    name = country_name(code)
    if name == code:
        abort(404)  # not an ISO country code
    now = utcnow()
    weeks = weekly_volume(db.read_session, code, now.date())
    return render_template(
        "countries/show.html",
        code=code,
        name=name,
        briefings=for_country(db.read_session, code),
        topics=documents_by_topic(db.read_session, code, now),
        actors=officer.active_groups(active_entities(db.read_session, code, now, limit=40))[:25],
        latest=officer.latest_documents(db.read_session, code),
        key_docs=officer.key_documents(db.read_session, code),
        figures=officer.topic_figures(db.read_session, code, now),
        provinces=documents_by_province(db.read_session, code),
        thirty_days_ago=(now - timedelta(days=30)).date().isoformat(),
        weeks=weeks,
        bars=chart_bars(weeks),
        chart_width=CHART_WIDTH,
        chart_height=CHART_HEIGHT,
        total_weeks=sum(w.count for w in weeks),
        sources=key_sources(db.read_session, code),
    )
