"""Drafting the morning briefings from a portal filled through the real pipeline."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from portal.briefings.digest import published_between
from portal.briefings.jobs import draft_briefings
from portal.briefings.models import Briefing, BriefingItem, Desk, PublishedBriefingError
from portal.briefings.queries import published_since
from portal.config import Settings
from portal.db import transaction
from portal.models import Document, DocumentCountry, DocumentTopic, utcnow


def doc_id(session: Session, title_part: str) -> int:
    found = session.scalars(select(Document.id).where(Document.title.contains(title_part))).all()
    assert len(found) == 1, title_part
    return found[0]


def test_one_draft_per_focus_country_with_ranked_items(
    factory: sessionmaker[Session], settings: Settings, populated: dict[str, object]
) -> None:
    with transaction(factory) as session:
        focus = set(
            session.scalars(select(DocumentCountry.country_code).where(DocumentCountry.role == "focus"))
        )
    assert len(focus) >= 5
    made = draft_briefings(factory, settings)
    assert made == len(focus)
    with transaction(factory) as session:
        drafts = session.scalars(select(Briefing)).all()
        assert {b.desk_key for b in drafts} == {f"country-{c}" for c in focus}
        for b in drafts:
            assert b.status == "draft" and b.version == 1 and b.items
            assert [i.position for i in b.items] == list(range(len(b.items)))
            scores = [i.score for i in b.items]
            assert scores == sorted(scores, reverse=True)
            for item in b.items:
                codes = {c.country_code for c in item.document.countries if c.role == "focus"}
                assert set(b.countries) & codes, (b.desk_key, item.document.title)
        syria = next(b for b in drafts if b.desk_key == "country-SY")
        assert syria.desk_name == "Syria"
        # the two reports of the Idlib shelling are one story, led by the NGO's report
        idlib = session.scalars(select(Document).where(Document.title.contains("Idlib"))).all()
        assert len(idlib) == 2 and idlib[0].cluster_id == idlib[1].cluster_id
        assert len(syria.items) == 1
        lead = syria.items[0].document
        assert lead.source.publisher_type == "ngo"
        assert syria.items[0].cluster_id == idlib[0].cluster_id
        # corroboration by two sources lifts it above every single-source story
        others = [i.score for b in drafts if b.desk_key != "country-SY" for i in b.items]
        assert syria.items[0].score > max(others)


def test_running_twice_the_same_day_makes_no_second_draft(
    factory: sessionmaker[Session], settings: Settings, populated: dict[str, object]
) -> None:
    now = utcnow()
    first = draft_briefings(factory, settings, now=now)
    assert first > 0
    zone = ZoneInfo(settings.timezone)
    later = now + timedelta(minutes=5)
    if later.astimezone(zone).date() != now.astimezone(zone).date():  # just before midnight there
        later = now - timedelta(minutes=5)
    assert draft_briefings(factory, settings, now=later) == 0
    with transaction(factory) as session:
        assert len(session.scalars(select(Briefing)).all()) == first
    # a day later the window holds nothing new: no desk, no draft
    assert draft_briefings(factory, settings, now=now + timedelta(days=2)) == 0


def test_configured_desks_and_their_topics_weigh_double(
    factory: sessionmaker[Session], settings: Settings, populated: dict[str, object]
) -> None:
    with transaction(factory) as session:
        detainees = doc_id(session, "Former detainees")
        hospitals = doc_id(session, "Hospitals in El Fasher")
        route = doc_id(session, "Young Eritreans")  # names Khartoum on the smugglers' route
        # modest topic scores, so that doubling the desk's topic shows
        session.execute(update(DocumentTopic).values(score=0.3))
        session.add(Desk(key="sudan", name="Sudan desk", countries=["SD"], topics=[]))
        session.add(
            Desk(
                key="sudan-detention", name="Sudan detention", countries=["SD"], topics=["torture-detention"]
            )
        )
    assert draft_briefings(factory, settings) == 2
    with transaction(factory) as session:
        rows = {b.desk_key: b for b in session.scalars(select(Briefing))}
        assert set(rows) == {"sudan", "sudan-detention"}
        plain = [i.document_id for i in rows["sudan"].items]
        weighted = [i.document_id for i in rows["sudan-detention"].items]
    assert plain == [hospitals, detainees, route]
    assert weighted == [detainees, hospitals, route]


def test_published_briefings_are_frozen_and_reach_the_digest_hook(
    factory: sessionmaker[Session], settings: Settings, populated: dict[str, object]
) -> None:
    draft_briefings(factory, settings)
    before = utcnow()
    with transaction(factory) as session:
        b = session.scalars(select(Briefing).where(Briefing.desk_key == "country-SD")).one()
        b.status = "published"  # publishing itself passes the guard
        b.published_at = utcnow()
        b.summary = "Published with its summary."
        briefing_id = b.id
    with pytest.raises(PublishedBriefingError), transaction(factory) as session:
        row = session.get(Briefing, briefing_id)
        assert row is not None
        row.summary = "changed afterwards"
    with pytest.raises(PublishedBriefingError), transaction(factory) as session:
        item = session.scalars(select(BriefingItem).where(BriefingItem.briefing_id == briefing_id)).first()
        assert item is not None
        item.summary = "changed afterwards"
    with pytest.raises(PublishedBriefingError), transaction(factory) as session:
        row = session.get(Briefing, briefing_id)
        assert row is not None
        session.delete(row)
    with transaction(factory) as session:
        row = session.get(Briefing, briefing_id)
        assert row is not None and row.summary == "Published with its summary."
        assert [b.id for b in published_since(session, before - timedelta(seconds=1))] == [briefing_id]
        assert [b.id for b in published_since(session, before - timedelta(seconds=1), ["SD"])] == [
            briefing_id
        ]
        assert published_since(session, before - timedelta(seconds=1), ["SY"]) == []
        assert published_since(session, utcnow()) == []
        hook = published_between(session, before - timedelta(seconds=1), utcnow())
    assert [h["url"] for h in hook] == [f"/briefings/{briefing_id}"]


def test_the_scheduler_runs_this_job() -> None:
    from portal.jobs import briefings_job

    assert briefings_job() is draft_briefings
