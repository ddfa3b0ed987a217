"""Periods and send moments in the user's time zone, across daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from portal.config import Settings
from portal.db import transaction
from portal.digests.models import DigestDelivery
from portal.digests.schedule import current_slot, due_slot, parse_send_at, parse_weekday
from portal.digests.send import DigestConfig, DigestSender

if TYPE_CHECKING:
    from conftest import Clock, Corpus, Mailbox, People

AMS = "Europe/Amsterdam"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_daily_send_moment_follows_amsterdam_summer_time() -> None:
    # last Sunday of March 2026 is the 29th: 07:30 is 06:30 UTC before, 05:30 UTC from that day
    assert current_slot("daily", "07:30", 0, AMS, utc(2026, 3, 28, 12)).due_at == utc(2026, 3, 28, 6, 30)
    assert current_slot("daily", "07:30", 0, AMS, utc(2026, 3, 29, 12)).due_at == utc(2026, 3, 29, 5, 30)
    # last Sunday of October 2026 is the 25th: back to winter time
    assert current_slot("daily", "07:30", 0, AMS, utc(2026, 10, 24, 12)).due_at == utc(2026, 10, 24, 5, 30)
    assert current_slot("daily", "07:30", 0, AMS, utc(2026, 10, 25, 12)).due_at == utc(2026, 10, 25, 6, 30)


def test_skipped_and_repeated_wall_clock_times() -> None:
    # 02:30 does not exist on 29 March: read in the old offset, i.e. 03:30 summer time
    assert current_slot("daily", "02:30", 0, AMS, utc(2026, 3, 29, 12)).due_at == utc(2026, 3, 29, 1, 30)
    # 02:30 happens twice on 25 October: the first one (summer time) counts
    assert current_slot("daily", "02:30", 0, AMS, utc(2026, 10, 25, 12)).due_at == utc(2026, 10, 25, 0, 30)


def test_period_is_the_local_date() -> None:
    # 23:30 UTC on 1 March is already 2 March in Amsterdam, still 1 March in New York
    moment = utc(2026, 3, 1, 23, 30)
    assert current_slot("daily", "07:00", 0, AMS, moment).period == "2026-03-02"
    assert current_slot("daily", "07:00", 0, "America/New_York", moment).period == "2026-03-01"


def test_weekly_period_is_the_iso_week_on_the_chosen_day() -> None:
    slot = current_slot("weekly", "09:15", parse_weekday("wed"), AMS, utc(2026, 3, 27, 12))
    assert slot.period == "2026-W13"
    assert slot.due_at == utc(2026, 3, 25, 8, 15)
    assert slot.length == timedelta(days=7)
    # the week of the change to summer time: Sunday 29 March is in the same week
    sunday = current_slot("weekly", "09:15", parse_weekday("sun"), AMS, utc(2026, 3, 23, 12))
    assert sunday.period == "2026-W13" and sunday.due_at == utc(2026, 3, 29, 7, 15)


def test_due_only_after_the_moment_and_after_subscribing() -> None:
    sub_at = utc(2026, 3, 1)
    assert due_slot("daily", "07:30", 0, AMS, utc(2026, 3, 2, 6, 29), sub_at) is None
    assert due_slot("daily", "07:30", 0, AMS, utc(2026, 3, 2, 6, 30), sub_at) is not None
    # subscribed at 10:00 with a 07:30 digest: the first one is the next morning's
    assert due_slot("daily", "07:30", 0, AMS, utc(2026, 3, 2, 12), utc(2026, 3, 2, 9)) is None


@pytest.mark.parametrize("bad", ["7", "24:00", "07:60", "seven", ""])
def test_bad_send_times_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="HH:MM"):
        parse_send_at(bad)


def test_unknown_time_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown time zone"):
        current_slot("daily", "07:00", 0, "Europe/Atlantis", utc(2026, 3, 2))


def _runner(factory: sessionmaker[Session], settings: Settings, clock: Clock) -> DigestSender:
    return DigestSender(
        factory, settings, config=DigestConfig(send_empty=False, sender="d@coi.example.org"), clock=clock
    )


def test_daily_digest_across_the_spring_change_runs_by_the_minute(
    factory: sessionmaker[Session],
    settings: Settings,
    mailbox: Mailbox,
    clock: Clock,
    corpus: Corpus,
    people: People,
) -> None:
    """The scheduler runs the digests every minute; the clock walks through the change."""
    settings = mailbox.configure(settings)
    people.add("nour", "nour@example.org")
    people.subscribe("nour", utc(2026, 3, 20), topics=["children"], send_at="07:30")
    sent_at: list[datetime] = []
    clock.set(utc(2026, 3, 28, 4, 0))
    while clock.now < utc(2026, 3, 30, 8, 0):
        if clock.now.minute == 0:
            corpus.add(f"Children {clock.now.isoformat()}", clock.now, topics=("children",))
        before = len(mailbox.received)
        _runner(factory, settings, clock).run()
        if len(mailbox.received) > before:
            sent_at.append(clock.now)
        clock.advance(minutes=1)
        if clock.now.hour >= 8:  # nothing is due before 04:00 UTC: skip to the next morning
            clock.set(clock.now.replace(hour=4, minute=0) + timedelta(days=1))
    assert sent_at == [utc(2026, 3, 28, 6, 30), utc(2026, 3, 29, 5, 30), utc(2026, 3, 30, 5, 30)]
    periods = [r.message["X-COI-Digest-Period"] for r in mailbox.received]
    assert periods == ["2026-03-28", "2026-03-29", "2026-03-30"]


def test_weekly_digest_once_a_week_with_the_whole_week(
    factory: sessionmaker[Session],
    settings: Settings,
    mailbox: Mailbox,
    clock: Clock,
    corpus: Corpus,
    people: People,
) -> None:
    settings = mailbox.configure(settings)
    people.add("olu", "olu@example.org")
    people.subscribe(
        "olu", utc(2026, 10, 1), countries=["NG"], frequency="weekly", weekday="mon", send_at="08:00"
    )
    before = corpus.add("Lagos 18", utc(2026, 10, 18, 12), countries=("NG",))
    ids = [corpus.add(f"Lagos {day}", utc(2026, 10, day, 12), countries=("NG",)) for day in range(19, 27)]
    # Monday 19 October 08:00 (summer time, 06:00 UTC): week 43; the window is the week before
    for moment in (utc(2026, 10, 19, 5, 59), utc(2026, 10, 19, 6, 0), utc(2026, 10, 22, 6, 0)):
        clock.set(moment)
        _runner(factory, settings, clock).run()
    assert len(mailbox.received) == 1
    assert mailbox.received[0].message["Subject"].startswith("Weekly COI digest 2026-W43")
    # Monday 26 October 08:00 is 07:00 UTC (winter time again): week 44 holds the week's documents
    clock.set(utc(2026, 10, 26, 6, 59))
    _runner(factory, settings, clock).run()
    assert len(mailbox.received) == 1
    clock.set(utc(2026, 10, 26, 7, 0))
    _runner(factory, settings, clock).run()
    assert len(mailbox.received) == 2
    week = mailbox.received[1].message
    text = week.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert all(f"/documents/{i}" in text for i in ids[:-1])  # 19 (after 08:00) to 25 October
    assert f"/documents/{ids[-1]}" not in text  # 26 October at noon: next week's
    assert f"/documents/{before}" not in text  # sent with week 43
    first = mailbox.received[0].message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert f"/documents/{before}" in first
    with transaction(factory) as session:
        assert list(session.scalars(select(DigestDelivery.period).order_by(DigestDelivery.id))) == [
            "2026-W43",
            "2026-W44",
        ]
