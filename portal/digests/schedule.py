"""When a digest is due: periods and local send times. Pure functions, no database.

A daily digest's period is the user's local date (``2026-03-29``); a weekly digest's period is
the ISO week of the user's local date (``2026-W13``), sent on the chosen weekday. The send time
is a wall-clock time in the user's time zone, so it follows daylight-saving changes: 07:30 in
Europe/Amsterdam is 06:30 UTC in winter and 05:30 UTC in summer. A wall-clock time that does not
exist on the day clocks go forward (02:30 on the last Sunday of March) is taken as the same
distance after midnight in the old offset (03:30 summer time); one that occurs twice on the day
clocks go back is taken at its first occurrence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_TIME_RE = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def parse_send_at(value: str) -> time:
    """``"07:30"`` -> 07:30; a clear error for anything else."""
    match = _TIME_RE.match(value.strip())
    if match is None:
        raise ValueError(f"a send time is HH:MM between 00:00 and 23:59, not {value!r}")
    return time(int(match.group(1)), int(match.group(2)))


def format_send_at(value: str) -> str:
    parsed = parse_send_at(value)
    return f"{parsed.hour:02d}:{parsed.minute:02d}"


def parse_weekday(value: str | int) -> int:
    """``"mon"``/``"monday"``/``0`` -> 0 … ``"sun"`` -> 6."""
    if isinstance(value, int):
        if 0 <= value <= 6:
            return value
        raise ValueError(f"a weekday is 0 (Monday) to 6 (Sunday), not {value}")
    key = value.strip().lower()[:3]
    if key in WEEKDAYS:
        return WEEKDAYS.index(key)
    raise ValueError(f"a weekday is one of {', '.join(WEEKDAYS)}, not {value!r}")


def zone(name: str) -> ZoneInfo:
    """A time zone by its IANA name, with a clear error for an unknown one."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r} (use an IANA name such as Europe/Amsterdam)") from None


def zone_names() -> list[str]:
    return sorted(available_timezones())


def local_moment(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The UTC instant of wall-clock ``at`` on ``day`` in ``tz`` (see the module note on DST)."""
    # zoneinfo with fold=0 reads a skipped time in the offset before the change and a repeated
    # time at its first occurrence (PEP 495), which is the rule stated above
    return datetime.combine(day, at, tzinfo=tz).replace(fold=0).astimezone(UTC)


@dataclass(frozen=True)
class Slot:
    """One digest occasion: its period key, when it is due (UTC) and the period's length."""

    period: str
    due_at: datetime
    length: timedelta


def current_slot(frequency: str, send_at: str, weekday: int, tz_name: str, now: datetime) -> Slot:
    """The period that ``now`` falls in, for the user's local calendar, and its send moment."""
    if now.tzinfo is None:
        raise ValueError("naive datetime given as now")
    tz = zone(tz_name)
    at = parse_send_at(send_at)
    today = now.astimezone(tz).date()
    if frequency == "daily":
        return Slot(today.isoformat(), local_moment(today, at, tz), timedelta(days=1))
    if frequency == "weekly":
        year, week, _ = today.isocalendar()
        day = date.fromisocalendar(year, week, weekday + 1)
        return Slot(f"{year}-W{week:02d}", local_moment(day, at, tz), timedelta(days=7))
    raise ValueError(f"a frequency is daily or weekly, not {frequency!r}")


def due_slot(
    frequency: str,
    send_at: str,
    weekday: int,
    tz_name: str,
    now: datetime,
    subscribed_at: datetime,
) -> Slot | None:
    """The current period's slot if its send moment has passed and came after the subscription."""
    slot = current_slot(frequency, send_at, weekday, tz_name, now)
    if slot.due_at <= now and slot.due_at > subscribed_at:
        return slot
    return None
