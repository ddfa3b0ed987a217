"""Published briefings through the JSON API and as Atom feeds protected by the reader's feed token."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from portal.api.tokens import create_token
from portal.briefings.jobs import draft_briefings
from portal.briefings.models import Briefing
from portal.config import Settings
from portal.db import transaction
from portal.models import User, utcnow

ATOM = "{http://www.w3.org/2005/Atom}"


def publish(factory: sessionmaker[Session], desk_key: str, summary: str) -> int:
    with transaction(factory) as session:
        b = session.scalars(select(Briefing).where(Briefing.desk_key == desk_key)).one()
        b.items[0].summary = "Item <b>note</b> & more"
        b.summary = summary
        b.status = "published"
        b.published_at = utcnow()
        return b.id


def bearer(factory: sessionmaker[Session], name: str) -> dict[str, str]:
    with transaction(factory) as session:
        user = session.scalars(select(User).where(User.username == name)).one()
        return {"Authorization": f"Bearer {create_token(session, user, 'tests')}"}


def test_api_lists_and_shows_published_briefings_only(
    client: FlaskClient,
    users: dict[str, object],
    factory: sessionmaker[Session],
    settings: Settings,
    populated: dict[str, object],
) -> None:
    draft_briefings(factory, settings)
    sudan = publish(factory, "country-SD", "Sudan today.")
    syria = publish(factory, "country-SY", "Syria today.")
    with transaction(factory) as session:
        draft = session.scalars(select(Briefing.id).where(Briefing.desk_key == "country-ER")).one()
        for_date = session.get(Briefing, sudan).for_date.isoformat()  # type: ignore[union-attr]
    auth = bearer(factory, "officer")
    assert client.get("/api/v1/briefings").status_code == 401
    listing = client.get("/api/v1/briefings", headers=auth).json
    assert listing is not None
    assert {b["id"] for b in listing["items"]} == {sudan, syria}
    only = client.get("/api/v1/briefings?country=SD", headers=auth).json
    assert only is not None and [b["id"] for b in only["items"]] == [sudan]
    by_desk = client.get("/api/v1/briefings?desk=country-SY", headers=auth).json
    assert by_desk is not None and [b["id"] for b in by_desk["items"]] == [syria]
    dated = client.get(f"/api/v1/briefings?date={for_date}", headers=auth).json
    assert dated is not None and len(dated["items"]) == 2
    assert client.get("/api/v1/briefings?date=2000-01-01", headers=auth).json["items"] == []  # type: ignore[index]
    assert client.get("/api/v1/briefings?date=yesterday", headers=auth).status_code == 400

    detail = client.get(f"/api/v1/briefings/{sudan}", headers=auth).json
    assert detail is not None
    assert detail["summary"] == "Sudan today." and detail["countries"] == ["SD"]
    assert detail["superseded_by_id"] is None and detail["version"] == 1
    first = detail["items"][0]
    assert first["summary"] == "Item <b>note</b> & more"
    assert first["document"]["url"].startswith("http") and first["document"]["source"]
    assert client.get(f"/api/v1/briefings/{draft}", headers=auth).status_code == 404

    spec = client.get("/api/v1/openapi.json").json
    assert spec is not None
    assert {"/briefings", "/briefings/{briefing_id}"} <= set(spec["paths"])
    assert {"Briefing", "BriefingSummary", "BriefingItem"} <= set(spec["components"]["schemas"])


def test_atom_feeds_need_the_readers_feed_token(
    logged_in: Callable[[str], FlaskClient],
    factory: sessionmaker[Session],
    settings: Settings,
    populated: dict[str, object],
) -> None:
    draft_briefings(factory, settings)
    sudan = publish(factory, "country-SD", "Sudan <today> & **tomorrow**.")
    client = logged_in("officer")
    page = client.get("/briefings/").get_data(as_text=True)  # makes the officer's feed token
    with transaction(factory) as session:
        feed_token = session.scalars(select(User.feed_token).where(User.username == "officer")).one()
    assert feed_token and feed_token in page

    assert client.get("/briefings/feed.atom").status_code == 404
    assert client.get("/briefings/feed.atom?token=wrong").status_code == 404
    response = client.get(f"/briefings/feed.atom?token={feed_token}")
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    root = ET.fromstring(response.data)
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 1
    assert entries[0].findtext(f"{ATOM}id", "").endswith(f"/briefings/{sudan}")
    content = entries[0].findtext(f"{ATOM}content", "")
    assert "<strong>tomorrow</strong>" in content and "&lt;today&gt;" in content
    assert "<ol><li><a href=" in content

    desk = client.get(f"/briefings/desks/country-SD/feed.atom?token={feed_token}")
    assert desk.status_code == 200 and len(ET.fromstring(desk.data).findall(f"{ATOM}entry")) == 1
    other = client.get(f"/briefings/desks/country-SY/feed.atom?token={feed_token}")
    assert other.status_code == 200 and ET.fromstring(other.data).findall(f"{ATOM}entry") == []


def test_nul_characters_in_filters_get_a_clear_refusal(
    logged_in: Callable[[str], FlaskClient], factory: sessionmaker[Session]
) -> None:
    client = logged_in("researcher")
    auth = bearer(factory, "researcher")
    response = client.get("/api/v1/briefings?desk=%00&country=%00", headers=auth)
    assert response.status_code == 400 and response.json == {"error": "the request holds a NUL character"}
    assert client.get("/briefings/?desk=%00&country=%00").status_code == 400
    assert client.get("/entities/?q=%00&kind=%00").status_code == 400
    odd = client.get("/api/v1/briefings?desk=no-such-desk&country=ZZ", headers=auth)
    assert odd.status_code == 200 and odd.json == {"items": [], "limit": 50, "offset": 0}
