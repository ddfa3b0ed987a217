"""Digest subscriptions: validating what a user asks for, storing it, and unsubscribe tokens.

Used by the settings page, the ``coi subscriptions`` commands and the unsubscribe link. This
module does not send anything and does not commit: callers own the transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pycountry
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from portal.digests.models import FREQUENCIES, DigestSubscription
from portal.digests.schedule import WEEKDAYS, format_send_at, parse_weekday, zone
from portal.models import SavedSearch, User, utcnow

UNSUBSCRIBE_SALT = "coi-digest-unsubscribe"


class SubscriptionError(ValueError):
    """What the user asked for is not valid; the message says why."""


def all_topics(language: str = "en") -> dict[str, str]:
    """Topic id -> label in ``language`` (English when it has none), from the tagger's topic rules."""
    from nlp.topics import TOPICS

    return {tid: labels.get(language) or labels.get("en", tid) for tid, labels in sorted(TOPICS.items())}


def clean_countries(values: Iterable[str]) -> list[str]:
    codes: list[str] = []
    for raw in values:
        for part in raw.replace(",", " ").split():
            code = part.strip().upper()
            if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:
                raise SubscriptionError(_("not an ISO 3166 alpha-2 country code: %(part)s", part=repr(part)))
            if code not in codes:
                codes.append(code)
    return sorted(codes)


def clean_topics(values: Iterable[str]) -> list[str]:
    known = all_topics()
    topics: list[str] = []
    for raw in values:
        for part in raw.replace(",", " ").split():
            tid = part.strip().lower()
            if tid not in known:
                raise SubscriptionError(
                    _(
                        "unknown topic %(part)s; known topics: %(known)s",
                        part=repr(part),
                        known=", ".join(known),
                    )
                )
            if tid not in topics:
                topics.append(tid)
    return sorted(topics)


@dataclass(frozen=True)
class Choices:
    """A complete, validated set of subscription choices."""

    countries: tuple[str, ...]
    topics: tuple[str, ...]
    saved_search_ids: tuple[int, ...]
    briefings: bool
    frequency: str
    weekday: int
    send_at: str
    timezone: str


def validate(
    session: Session,
    user: User,
    *,
    countries: Iterable[str] = (),
    topics: Iterable[str] = (),
    saved_searches: Iterable[int | str] = (),
    briefings: bool = False,
    frequency: str = "daily",
    weekday: int | str = 0,
    send_at: str = "07:00",
    timezone: str,
) -> Choices:
    """Check every choice; saved searches are given by id or by name and must be the user's own."""
    if frequency not in FREQUENCIES:
        raise SubscriptionError(
            _("a frequency is daily or weekly, not %(frequency)s", frequency=repr(frequency))
        )
    try:
        day = parse_weekday(weekday)
        at = format_send_at(send_at)
        zone(timezone)
    except ValueError as exc:
        raise SubscriptionError(str(exc)) from None
    own = {s.id: s for s in session.scalars(select(SavedSearch).where(SavedSearch.user_id == user.id))}
    by_name = {s.name: s.id for s in own.values()}
    ids: list[int] = []
    for ref in saved_searches:
        if isinstance(ref, int):
            if ref not in own:
                raise SubscriptionError(
                    _("saved search %(ref)s is not one of %(username)s's", ref=ref, username=user.username)
                )
            ids.append(ref)
        elif ref in by_name:
            ids.append(by_name[ref])
        else:
            raise SubscriptionError(
                _("%(username)s has no saved search named %(ref)s", username=user.username, ref=repr(ref))
            )
    return Choices(
        countries=tuple(clean_countries(countries)),
        topics=tuple(clean_topics(topics)),
        saved_search_ids=tuple(sorted(set(ids))),
        briefings=briefings,
        frequency=frequency,
        weekday=day,
        send_at=at,
        timezone=timezone,
    )


def get_subscription(session: Session, user_id: int) -> DigestSubscription | None:
    return session.scalar(
        select(DigestSubscription)
        .where(DigestSubscription.user_id == user_id)
        .options(selectinload(DigestSubscription.saved_searches))
    )


def save(session: Session, user: User, choices: Choices) -> DigestSubscription:
    """Create or replace the user's subscription with ``choices``; it becomes active."""
    sub = get_subscription(session, user.id)
    if sub is None:
        sub = DigestSubscription(user_id=user.id, created_at=utcnow())
        session.add(sub)
    sub.active = True
    sub.countries = list(choices.countries)
    sub.topics = list(choices.topics)
    sub.briefings = choices.briefings
    sub.frequency = choices.frequency
    sub.weekday = choices.weekday
    sub.send_at = choices.send_at
    sub.timezone = choices.timezone
    sub.updated_at = utcnow()
    sub.saved_searches = (
        list(session.scalars(select(SavedSearch).where(SavedSearch.id.in_(choices.saved_search_ids))))
        if choices.saved_search_ids
        else []
    )
    session.flush()
    return sub


def merge(current: DigestSubscription | None, **added: Any) -> dict[str, Any]:
    """Choices for :func:`validate`: the current ones with ``added`` items and settings applied."""
    base: dict[str, Any] = {
        "countries": list(current.countries) if current else [],
        "topics": list(current.topics) if current else [],
        "saved_searches": [s.id for s in current.saved_searches] if current else [],
        "briefings": current.briefings if current else False,
        "frequency": current.frequency if current else "daily",
        "weekday": current.weekday if current else 0,
        "send_at": current.send_at if current else "07:00",
    }
    if current is not None:
        base["timezone"] = current.timezone
    for key in ("countries", "topics", "saved_searches"):
        base[key] = [*base[key], *added.pop(key, ())]
    base.update({k: v for k, v in added.items() if v is not None})
    return base


def remove_items(
    sub: DigestSubscription,
    *,
    countries: Sequence[str] = (),
    topics: Sequence[str] = (),
    saved_searches: Sequence[str] = (),
    briefings: bool = False,
) -> None:
    drop_c = {c.upper() for c in countries}
    drop_t = {t.lower() for t in topics}
    sub.countries = [c for c in sub.countries if c not in drop_c]
    sub.topics = [t for t in sub.topics if t not in drop_t]
    sub.saved_searches = [s for s in sub.saved_searches if s.name not in set(saved_searches)]
    if briefings:
        sub.briefings = False
    sub.updated_at = utcnow()


def describe(sub: DigestSubscription) -> dict[str, Any]:
    return {
        "user": sub.user.username,
        "email": sub.user.email,
        "active": sub.active,
        "countries": list(sub.countries),
        "topics": list(sub.topics),
        "saved_searches": [s.name for s in sub.saved_searches],
        "briefings": sub.briefings,
        "frequency": sub.frequency,
        "weekday": WEEKDAYS[sub.weekday] if sub.frequency == "weekly" else None,
        "at": sub.send_at,
        "timezone": sub.timezone,
    }


# ---------------------------------------------------------------- unsubscribe tokens


def _serializer(secret_key: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret_key, salt=UNSUBSCRIBE_SALT)


def unsubscribe_token(secret_key: str, user_id: int) -> str:
    """A signed token naming the user; it does not expire, like the e-mails that carry it."""
    return _serializer(secret_key).dumps({"u": user_id})


def read_unsubscribe_token(secret_key: str, token: str) -> int | None:
    """The user id in a valid token, else None."""
    try:
        data = _serializer(secret_key).loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    user_id: int = data["u"]
    return user_id


def unsubscribe(session: Session, user_id: int) -> bool:
    """Stop the user's digest (the choices are kept for a later re-subscription)."""
    sub = get_subscription(session, user_id)
    if sub is None or not sub.active:
        return False
    sub.active = False
    sub.updated_at = utcnow()
    return True
