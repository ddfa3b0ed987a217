"""Readable labels for search filters, and the choices offered before a first query.

Facet values in the index are codes (``en``, ``2026-12``, ``news``, ``SD``, entity keys); people
read names. This module turns one into the other and lists what the filter pickers offer.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache

from babel import Locale
from babel.core import UnknownLocaleError
from flask import g, has_app_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from portal.i18n import interface_locale_or_english
from portal.models import Document, DocumentCountry, Entity, Source, Topic

GROUP_KINDS = ("armed_group", "state_force")
TYPE_LABELS = {
    "news": _l("News article"),
    "report": _l("Report"),
    "press_release": _l("Press release"),
    "statement": _l("Statement"),
    "brief": _l("Brief"),
    "update": _l("Situation update"),
}


def language_name(code: str) -> str:
    return _language_name(code, str(interface_locale_or_english()))


def month_name(value: str) -> str:
    """``2026-12`` as "December 2026" in the user's language."""
    return _month_name(value, str(interface_locale_or_english()))


# a page of results names the same few languages and months in every facet: each label is
# worked out once per interface language
@lru_cache(maxsize=512)
def _language_name(code: str, language: str) -> str:
    try:
        name = Locale.parse(code.replace("-", "_")).get_display_name(Locale.parse(language))
    except (UnknownLocaleError, ValueError):
        return code
    return name[:1].upper() + name[1:] if name else code


@lru_cache(maxsize=2048)
def _month_name(value: str, language: str) -> str:
    match = re.fullmatch(r"(\d{4})-(\d{2})", value)
    if not match or not 1 <= int(match.group(2)) <= 12:
        return value
    months = Locale.parse(language).months["stand-alone"]["wide"]
    return f"{months[int(match.group(2))]} {match.group(1)}"


def type_name(value: str) -> str:
    label = TYPE_LABELS.get(value)
    return str(label) if label is not None else value.replace("_", " ").capitalize()


def value_label(facet: str, value: str) -> str | None:
    """A label computable without the database (None for countries, topics and groups)."""
    if facet == "lang":
        return language_name(value)
    if facet == "ym":
        return month_name(value)
    if facet == "type":
        return type_name(value)
    return None


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class FilterChoices:
    countries: tuple[Choice, ...]
    topics: tuple[Choice, ...]
    groups: tuple[Choice, ...]
    sources: tuple[Choice, ...]
    languages: tuple[Choice, ...]


# What the pickers offer changes when documents, sources or entities arrive; reading it means
# scanning every document's countries and languages, so it is kept per database for a minute
# and read again when a new document, source or entity shows up. Whether one has is asked at
# most every few seconds: under load, most search pages then run no statement for their pickers.
_CHOICES_TTL = 60.0
_CHOICES_RECHECK = 5.0
_choices_lock = threading.Lock()


@dataclass(frozen=True)
class _RawChoices:
    codes: tuple[str, ...]
    topics: tuple[tuple[str, str, str | None], ...]  # id, English and Dutch label
    groups: tuple[tuple[str, str], ...]
    sources: tuple[str, ...]
    langs: tuple[str, ...]


@dataclass(frozen=True)
class _CachedChoices:
    read: float  # monotonic time the choices were read
    checked: float  # ... and the last time the fingerprint said they were still current
    fingerprint: tuple[object, ...]
    choices: _RawChoices


_choices: dict[str, _CachedChoices] = {}


def _fingerprint(session: Session) -> tuple[object, ...]:
    row = session.execute(
        select(
            select(func.max(Document.id)).scalar_subquery(),
            select(func.count(Source.id)).scalar_subquery(),
            select(func.max(Entity.id)).scalar_subquery(),
            select(func.count(Topic.id)).scalar_subquery(),
        )
    ).one()
    return tuple(row)


def _read_choices(session: Session) -> _RawChoices:
    codes = session.scalars(select(distinct(DocumentCountry.country_code)))
    topics = session.execute(select(Topic.id, Topic.label_en, Topic.label_nl).order_by(Topic.label_en))
    groups = session.execute(
        select(Entity.key, Entity.canonical_name)
        .where(Entity.kind.in_(GROUP_KINDS), Entity.merged_into_id.is_(None))
        .order_by(Entity.canonical_name)
    )
    sources = session.scalars(select(Source.name).order_by(Source.name))
    langs = session.scalars(select(distinct(Document.language)).where(Document.language.is_not(None)))
    return _RawChoices(
        tuple(c for c in codes if c),
        tuple((str(i), str(en), nl) for i, en, nl in topics),
        tuple((str(k), str(n)) for k, n in groups),
        tuple(sources),
        tuple(c for c in langs if c),
    )


def _raw_choices(session: Session) -> _RawChoices:
    # asked for more than once in a request (pickers, facet names, field offers): checked once
    if has_app_context() and getattr(g, "coi_raw_choices", None) is not None:
        return g.coi_raw_choices  # type: ignore[no-any-return]
    raw = _checked_choices(session)
    if has_app_context():
        g.coi_raw_choices = raw
    return raw


def _checked_choices(session: Session) -> _RawChoices:
    key = str(session.get_bind().engine.url)
    now = time.monotonic()
    with _choices_lock:
        cached = _choices.get(key)
    if cached and now - cached.checked < _CHOICES_RECHECK and now - cached.read < _CHOICES_TTL:
        return cached.choices
    fingerprint = _fingerprint(session)
    if cached and cached.fingerprint == fingerprint and now - cached.read < _CHOICES_TTL:
        with _choices_lock:
            _choices[key] = replace(cached, checked=now)
        return cached.choices
    raw = _read_choices(session)
    with _choices_lock:
        _choices[key] = _CachedChoices(now, now, fingerprint, raw)
    return raw


def topic_labels(session: Session) -> dict[str, str]:
    """Every topic's name in the interface language, by topic id."""
    dutch = interface_locale_or_english().language == "nl"
    return {i: nl if dutch and nl else en for i, en, nl in _raw_choices(session).topics}


def filter_choices(session: Session) -> FilterChoices:
    """What the filter pickers offer: only values that documents hold, sorted by label."""
    from portal.templating import country_name

    raw = _raw_choices(session)
    countries = sorted((Choice(c, country_name(c)) for c in raw.codes), key=lambda c: c.label)
    topics = sorted((Choice(i, label) for i, label in topic_labels(session).items()), key=lambda c: c.label)
    groups = [Choice(k, name) for k, name in raw.groups]
    sources = [Choice(s, s) for s in raw.sources]
    languages = sorted((Choice(c.lower(), language_name(c)) for c in raw.langs), key=lambda c: c.label)
    return FilterChoices(tuple(countries), tuple(topics), tuple(groups), tuple(sources), tuple(languages))


def date_clause(start: str, end: str) -> str:
    """The query clause for a date range given as ISO dates ("" when neither end is valid)."""

    def valid(value: str) -> str:
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            return ""

    a, b = valid(start), valid(end)
    if not a and not b:
        return ""
    return f"published:{a}..{b}"


@dataclass(frozen=True)
class FieldOffer:
    """A plain name in the query that is a country, group or topic: offer the field filter."""

    facet: str
    value: str
    label: str
    kind: str


def field_offer(session: Session, query: str) -> FieldOffer | None:
    """When the whole query is a country, armed-group or topic name, the filter it stands for."""
    text = query.strip().strip('"').strip()
    if not text or len(text) > 80 or re.search(r"[:()*?]|\b(AND|OR|NOT)\b", text):
        return None
    lowered = text.casefold()
    from nlp.lookup import country_name, resolve_country, resolve_group

    codes = resolve_country(text) if len(text) > 3 else []
    if len(codes) == 1:
        return FieldOffer("country", codes[0], country_name(codes[0]), str(_l("country")))
    keys = resolve_group(text)
    if len(keys) == 1:
        entity = session.scalar(select(Entity).where(Entity.key == keys[0]))
        if entity is not None:
            return FieldOffer("group", entity.key, entity.canonical_name, str(_l("armed group")))
    for topic_id, en, nl in _raw_choices(session).topics:
        if lowered in (en.casefold(), (nl or "").casefold()):
            return FieldOffer("topic", topic_id, topic_labels(session)[topic_id], str(_l("topic")))
    return None


# The query warnings of search_index.query.WARNING_TEXTS, in the catalogue: same codes, the
# placeholders written the gettext way. A test holds the English texts equal.
WARNING_MESSAGES = {
    "quote_open": _l("A quotation mark is not closed; the rest was read as a phrase."),
    "field_quote_open": _l('The quoted value of "%(field)s:" is not closed; read to the end.'),
    "paren_unopened": _l("A closing parenthesis has no opening one; it was ignored."),
    "paren_unclosed": _l("A parenthesis is not closed; it was closed at the end."),
    "or_alone": _l('"OR" needs a search term on both sides; it was ignored.'),
    "and_alone": _l('"AND" needs a search term on both sides; it was ignored.'),
    "not_alone": _l('"NOT" needs a search term after it; it was ignored.'),
    "too_deep": _l("The query nests parentheses or NOT more than %(depth)s levels deep; simplify it."),
    "wildcard_short": _l('"%(text)s": a wildcard needs at least two letters before * or ?; ignored.'),
    "field_unknown": _l('There is no field "%(field)s:"; "%(field)s:%(value)s" was searched as words.'),
    "field_empty": _l('"%(field)s:" has no value; it was ignored.'),
    "date_unreadable": _l(
        'Could not read the date "%(value)s"; use e.g. '
        "published:2026-01-01..2026-03-31 or published:2026-01..2026-03."
    ),
    "since_unreadable": _l('Could not read "since:%(value)s"; use e.g. since:24h, since:7d or since:2w.'),
    "country_unknown": _l('Unknown country "%(value)s".'),
    "value_unknown": _l('Unknown %(field)s "%(value)s"; searched as typed.'),
    "facet_unknown": _l('There is no facet "%(name)s".'),
    "filter_unknown": _l('There is no filter "%(name)s"; it was ignored.'),
}


def warning_text(warning: object) -> str:
    """A query warning in the interface language (its English text when it carries no code)."""
    code = getattr(warning, "code", None)
    message = WARNING_MESSAGES.get(code) if isinstance(code, str) else None
    if message is None:
        return str(warning)
    return str(message) % getattr(warning, "params", {})
