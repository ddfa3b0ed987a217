"""Country pages rendered from a portal filled through the real pipeline."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from itertools import pairwise

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from portal.briefings.jobs import draft_briefings
from portal.briefings.models import Briefing
from portal.config import Settings
from portal.countries.queries import active_entities, weekly_volume
from portal.countries.views import chart_bars
from portal.db import transaction
from portal.models import Document, Source, utcnow


def test_listing_and_a_country_page(
    logged_in: Callable[[str], FlaskClient],
    factory: sessionmaker[Session],
    settings: Settings,
    populated: dict[str, object],
) -> None:
    draft_briefings(factory, settings)
    with transaction(factory) as session:
        b = session.scalars(select(Briefing).where(Briefing.desk_key == "country-SD")).one()
        b.status, b.published_at, b.title = "published", utcnow(), "Sudan morning"
        source = session.scalars(select(Source).where(Source.publisher_type == "research")).one()
        source.reliability, source.reliability_note = 4, "Field network, cross-checked."
        sudan_docs = session.scalars(select(Document).where(Document.title.contains("El Fasher"))).all()
    client = logged_in("officer")
    listing = client.get("/countries/").get_data(as_text=True)
    assert 'href="/countries/SD">Sudan</a>' in listing and 'href="/countries/SY">Syria</a>' in listing

    page = client.get("/countries/SD")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<h1>Sudan" in html
    assert "Sudan morning" in html  # the latest published briefing
    assert sudan_docs[0].title in html  # among the latest documents
    assert 'id="topic-humanitarian-situation"' in html
    assert "Rapid Support Forces" in html or "Sudan state forces" in html
    assert "Field network, cross-checked." in html and "4/5" in html
    # the chart is inline SVG with its numbers in a table
    assert '<svg role="img"' in html and html.count('class="bar"') == 26
    table = html[html.index("<caption>Documents on Sudan per week</caption>") :]
    counts = [int(n) for n in re.findall(r"</th><td>(\d+)</td></tr>", table[: table.index("</table>")])]
    assert len(counts) == 26 and sum(counts) == 4  # three with Sudan as focus, one that mentions it

    assert client.get("/countries/sd").status_code == 302
    assert client.get("/countries/QQ").status_code == 404
    assert client.get("/countries/S1").status_code == 404


def test_weekly_volume_and_bars_from_real_documents(
    factory: sessionmaker[Session], populated: dict[str, object]
) -> None:
    today = utcnow().date()
    with transaction(factory) as session:
        weeks = weekly_volume(session, "SY", today)
        actors = active_entities(session, "SY", utcnow())
        dates = [d.published_at or d.retrieved_at for d in session.scalars(select(Document))]
    assert len(weeks) == 26 and weeks[-1].start <= today < weeks[-1].start + timedelta(days=7)
    assert all(b.start - a.start == timedelta(days=7) for a, b in pairwise(weeks))
    assert sum(w.count for w in weeks) == 2  # the two Idlib reports
    names = {a.entity.canonical_name: a for a in actors}
    assert "Hayat Tahrir al-Sham" in names
    assert names["Hayat Tahrir al-Sham"].recent <= names["Hayat Tahrir al-Sham"].longer
    assert all(d is not None for d in dates)
    bars = chart_bars(weeks)
    assert max(b.height for b in bars) == 150 and min(b.height for b in bars) == 0
    assert all(b.y + b.height == 160 for b in bars)
