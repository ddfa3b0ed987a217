"""What goes into a digest and how it is rendered as a multipart e-mail.

A digest holds the briefings published in its window and the documents tagged in its window
(``Document.processed_at``) that match the subscription: a followed country (focus or
mentioned), a followed topic, or a saved search. A document re-tagged after a change of its
text counts again and is marked "updated".

Saved searches are evaluated here on the window's documents, not through the search index (the
worker must not depend on the index being current): facet filters (country, province, topic,
source, lang, type, group, ym) keep a document when it has any of a facet's values, and every facet
must hold; the words of the query must all occur (Porter stems, as the index does), ``-word`` or
``NOT word`` excludes, ``"two words"`` needs the phrase, ``word*`` a prefix and a query with
``OR`` needs any of its words. Field queries other than the facets are read as plain words.

This module reads the database and renders; it never sends and never writes.
"""

from __future__ import annotations

import heapq
import importlib
import importlib.util
import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from portal.db import transaction
from portal.digests.models import DigestSubscription
from portal.models import Document, DocumentCountry, DocumentTopic, Entity, Mention, SavedSearch, Source
from search_index.analysis import fold, stems, words

MAX_ITEMS = 60
TEMPLATES = Path(__file__).resolve().parent / "templates"
GROUP_KINDS = ("armed_group", "state_force")


# ---------------------------------------------------------------- records


@dataclass(frozen=True)
class DigestItem:
    id: int
    title: str
    source: str
    date: datetime
    countries: tuple[str, ...]  # focus countries first
    country_names: tuple[str, ...]
    url: str
    reasons: tuple[str, ...]
    updated: bool = False


@dataclass(frozen=True)
class BriefingItem:
    title: str
    url: str
    published_at: datetime
    summary: str = ""


@dataclass(frozen=True)
class Digest:
    user_id: int
    username: str
    recipient: str
    period: str
    frequency: str
    window_start: datetime
    window_end: datetime
    items: tuple[DigestItem, ...]
    total: int  # matching documents, of which at most MAX_ITEMS are listed
    briefings: tuple[BriefingItem, ...]
    language: str = "en"  # the recipient's interface language

    @property
    def empty(self) -> bool:
        return not self.items and not self.briefings


# ---------------------------------------------------------------- briefings hook


def published_briefings(session: Session, start: datetime, end: datetime) -> list[BriefingItem]:
    """Briefings published in the window ``(start, end]``.

    The hook for the briefings area: when a module ``portal.briefings.digest`` exists, its
    ``published_between(session, start, end)`` returns objects (or mappings) with ``title``,
    ``url`` (absolute, or a path in the portal, made absolute with ``Settings.base_url`` by
    :func:`compose`), ``published_at`` and optionally ``summary``.
    Without that module there are no briefings and this returns an empty list.
    """
    if importlib.util.find_spec("portal.briefings") is None:
        return []
    try:
        module = importlib.import_module("portal.briefings.digest")
    except ModuleNotFoundError:
        return []
    found: list[BriefingItem] = []
    for row in module.published_between(session, start, end):
        get = (
            row.get if isinstance(row, dict) else lambda name, default=None, r=row: getattr(r, name, default)
        )
        found.append(
            BriefingItem(
                title=str(get("title")),
                url=str(get("url")),
                published_at=_as_datetime(get("published_at")),
                summary=str(get("summary", "") or ""),
            )
        )
    return found


def absolute(url: str, base_url: str) -> str:
    """A portal path ("/briefings/3") as a link that works from a mail program."""
    return f"{base_url}{url}" if url.startswith("/") and not url.startswith("//") else url


def _as_datetime(value: Any) -> datetime:
    if not isinstance(value, datetime):
        raise TypeError(f"a briefing's published_at must be a datetime, not {type(value).__name__}")
    return value


# ---------------------------------------------------------------- the documents of a span


@dataclass
class _Doc:
    id: int
    title: str
    source: str
    date: datetime
    processed_at: datetime
    language: str
    doc_type: str
    version: int
    countries: tuple[str, ...] = ()
    topics: frozenset[str] = frozenset()


@dataclass
class _Postings:
    """Document ids under one key, in processed_at order, for range look-ups."""

    times: list[datetime] = field(default_factory=list)
    ids: list[int] = field(default_factory=list)

    def between(self, start: datetime, end: datetime) -> list[int]:
        return self.ids[bisect_right(self.times, start) : bisect_right(self.times, end)]


class Corpus:
    """The documents tagged in a span, loaded once and shared by every digest of a run.

    Look-ups by country, topic and window are in memory; texts (for saved searches) and group
    mentions are loaded only for the documents that need them, in short transactions.
    """

    def __init__(self, factory: sessionmaker[Session], start: datetime, end: datetime) -> None:
        self.factory = factory
        self.start = start
        self.end = end
        self.docs: dict[int, _Doc] = {}
        self.all = _Postings()
        self.by_country: dict[str, _Postings] = {}
        self.by_topic: dict[str, _Postings] = {}
        self._texts: dict[int, tuple[frozenset[str], frozenset[str], str]] = {}
        self.stem_index: dict[str, set[int]] = {}
        self._groups: dict[int, frozenset[str]] = {}
        self._provinces: dict[int, frozenset[str]] = {}
        self._load()

    def covers(self, start: datetime, end: datetime) -> bool:
        return self.start <= start and end <= self.end

    def _load(self) -> None:
        with transaction(self.factory) as session:
            rows = session.execute(
                select(
                    Document.id,
                    Document.title,
                    Source.name,
                    Document.published_at,
                    Document.retrieved_at,
                    Document.processed_at,
                    Document.language,
                    Document.document_type,
                    Document.version,
                )
                .join(Source, Source.id == Document.source_id)
                .where(Document.processed_at > self.start, Document.processed_at <= self.end)
                .order_by(Document.processed_at, Document.id)
            ).all()
            for r in rows:
                self.docs[r[0]] = _Doc(
                    id=r[0],
                    title=r[1],
                    source=r[2],
                    date=r[3] or r[4],
                    processed_at=r[5],
                    language=r[6] or "",
                    doc_type=r[7] or "",
                    version=r[8],
                )
                self.all.times.append(r[5])
                self.all.ids.append(r[0])
            if not self.docs:
                return
            in_span = (
                select(Document.id)
                .where(Document.processed_at > self.start, Document.processed_at <= self.end)
                .scalar_subquery()
            )
            countries: dict[int, list[tuple[int, str]]] = {}
            for doc_id, code, role in session.execute(
                select(DocumentCountry.document_id, DocumentCountry.country_code, DocumentCountry.role).where(
                    DocumentCountry.document_id.in_(in_span)
                )
            ):
                countries.setdefault(doc_id, []).append((0 if role == "focus" else 1, code))
            topics: dict[int, set[str]] = {}
            for doc_id, topic_id in session.execute(
                select(DocumentTopic.document_id, DocumentTopic.topic_id).where(
                    DocumentTopic.document_id.in_(in_span)
                )
            ):
                topics.setdefault(doc_id, set()).add(topic_id)
        for doc_id in self.all.ids:
            doc = self.docs[doc_id]
            doc.countries = tuple(code for _, code in sorted(countries.get(doc_id, [])))
            doc.topics = frozenset(topics.get(doc_id, ()))
            for code in doc.countries:
                postings = self.by_country.setdefault(code, _Postings())
                postings.times.append(doc.processed_at)
                postings.ids.append(doc_id)
            for tid in doc.topics:
                postings = self.by_topic.setdefault(tid, _Postings())
                postings.times.append(doc.processed_at)
                postings.ids.append(doc_id)

    def window(self, start: datetime, end: datetime) -> list[int]:
        return self.all.between(start, end)

    def texts(self, ids: Sequence[int]) -> dict[int, tuple[frozenset[str], frozenset[str], str]]:
        """Per document: its folded words, their stems and its folded word sequence."""
        missing = [i for i in ids if i not in self._texts]
        for chunk_start in range(0, len(missing), 500):
            chunk = missing[chunk_start : chunk_start + 500]
            with transaction(self.factory) as session:
                rows = session.execute(
                    select(Document.id, Document.title, Document.summary, Document.text).where(
                        Document.id.in_(chunk)
                    )
                ).all()
            for doc_id, title, summary, text in rows:
                tokens = words(f"{title}\n{summary}\n{text}")
                stemmed = frozenset(stems(tokens))
                self._texts[doc_id] = (frozenset(tokens), stemmed, " " + " ".join(tokens) + " ")
                for stem in stemmed:
                    self.stem_index.setdefault(stem, set()).add(doc_id)
        return {i: self._texts[i] for i in ids if i in self._texts}

    def groups(self, ids: Sequence[int]) -> dict[int, frozenset[str]]:
        missing = [i for i in ids if i not in self._groups]
        for chunk_start in range(0, len(missing), 500):
            chunk = missing[chunk_start : chunk_start + 500]
            found: dict[int, set[str]] = {i: set() for i in chunk}
            with transaction(self.factory) as session:
                for doc_id, key in session.execute(
                    select(Mention.document_id, Entity.key)
                    .join(Entity, Entity.id == Mention.entity_id)
                    .where(Mention.document_id.in_(chunk), Mention.kind.in_(GROUP_KINDS))
                ):
                    found[doc_id].add(key)
            self._groups.update({i: frozenset(v) for i, v in found.items()})
        return {i: self._groups.get(i, frozenset()) for i in ids}

    def provinces(self, ids: Sequence[int]) -> dict[int, frozenset[str]]:
        """Per document: the codes of the first-level divisions its places lie in."""
        missing = [i for i in ids if i not in self._provinces]
        for chunk_start in range(0, len(missing), 500):
            chunk = missing[chunk_start : chunk_start + 500]
            found: dict[int, set[str]] = {i: set() for i in chunk}
            with transaction(self.factory) as session:
                for doc_id, code in session.execute(
                    select(Mention.document_id, Mention.province_code).where(
                        Mention.document_id.in_(chunk), Mention.province_code.is_not(None)
                    )
                ):
                    found[doc_id].add(code.upper())
            self._provinces.update({i: frozenset(v) for i, v in found.items()})
        return {i: self._provinces.get(i, frozenset()) for i in ids}


# ---------------------------------------------------------------- saved searches


_TOKEN_RE = re.compile(r'(-?)(?:(\w+):)?(?:"([^"]*)"|(\S+))')
FACET_FIELDS = {"country", "province", "topic", "source", "lang", "type", "group", "ym"}


@dataclass(frozen=True)
class SavedQuery:
    """A saved search reduced to what can be checked on one document."""

    name: str
    required: tuple[str, ...] = ()  # stems
    prefixes: tuple[str, ...] = ()  # folded word prefixes
    phrases: tuple[str, ...] = ()  # folded " a b " sequences
    excluded: tuple[str, ...] = ()  # stems
    any_of: bool = False
    filters: tuple[tuple[str, frozenset[str]], ...] = ()

    @property
    def needs_text(self) -> bool:
        return bool(self.required or self.prefixes or self.phrases or self.excluded)


def _facet_values(name: str, values: Iterable[str]) -> frozenset[str]:
    out: set[str] = set()
    for value in values:
        value = value.strip()
        if not value:
            continue
        if name == "country":
            if len(value) == 2 and value.isalpha():
                out.add(value.upper())
            else:
                from nlp.lookup import resolve_country

                out.update(resolve_country(value))
        elif name == "province":
            from nlp.lookup import resolve_province

            out.update(resolve_province(value) or [value.upper()])
        elif name == "topic":
            from nlp.topics import TOPICS, resolve_topic

            out.update([value] if value in TOPICS else resolve_topic(value))
        elif name in {"source", "lang", "type"}:
            out.add(value.lower())
        else:
            out.add(value)
    return frozenset(out)


def parse_saved_search(saved: SavedSearch) -> SavedQuery:
    filters: dict[str, set[str]] = {}
    for name, values in (saved.filters or {}).items():
        if name in FACET_FIELDS and isinstance(values, list):
            filters.setdefault(name, set()).update(_facet_values(name, [str(v) for v in values]))
    required: list[str] = []
    prefixes: list[str] = []
    phrases: list[str] = []
    excluded: list[str] = []
    any_of = False
    negate_next = False
    for match in _TOKEN_RE.finditer(saved.query or ""):
        minus, fieldname, phrase, bare = match.groups()
        if phrase is None and fieldname is None and bare in {"AND", "OR", "NOT"}:
            any_of = any_of or bare == "OR"
            negate_next = bare == "NOT"
            continue
        negate = bool(minus) or negate_next
        negate_next = False
        if fieldname and fieldname.lower() in FACET_FIELDS and not negate:
            value = phrase if phrase is not None else bare
            filters.setdefault(fieldname.lower(), set()).update(_facet_values(fieldname.lower(), [value]))
            continue
        text = phrase if phrase is not None else bare
        if phrase is None and text.endswith("*") and len(text) > 1:
            prefix = fold(text.rstrip("*"))
            if prefix and not negate:
                prefixes.append(prefix)
            continue
        tokens = words(text)
        if not tokens:
            continue
        if negate:
            excluded.extend(stems(tokens))
        elif phrase is not None and len(tokens) > 1:
            phrases.append(" " + " ".join(tokens) + " ")
            required.extend(stems(tokens))
        else:
            required.extend(stems(tokens))
    return SavedQuery(
        name=saved.name,
        required=tuple(dict.fromkeys(required)),
        prefixes=tuple(prefixes),
        phrases=tuple(phrases),
        excluded=tuple(excluded),
        any_of=any_of,
        filters=tuple(sorted((k, frozenset(v)) for k, v in filters.items())),
    )


def _facet_ok(
    doc: _Doc, name: str, values: frozenset[str], groups: frozenset[str], provinces: frozenset[str]
) -> bool:
    if name == "country":
        return bool(values.intersection(doc.countries))
    if name == "topic":
        return bool(values & doc.topics)
    if name == "source":
        return doc.source.lower() in values
    if name == "lang":
        return doc.language.lower() in values
    if name == "type":
        return doc.doc_type.lower() in values
    if name == "ym":
        return doc.date.strftime("%Y-%m") in values
    if name == "group":
        return bool(values & groups)
    if name == "province":
        return bool(values & provinces)
    return False


def match_saved(corpus: Corpus, query: SavedQuery, candidates: Sequence[int]) -> list[int]:
    """The candidates that the saved search finds."""
    kept = list(candidates)
    for name, values in query.filters:
        if not values:
            return []
        if name == "country":
            allowed = set()
            for code in values:
                postings = corpus.by_country.get(code)
                if postings is not None:
                    allowed.update(postings.ids)
            kept = [i for i in kept if i in allowed]
            continue
        groups = corpus.groups(kept) if name == "group" else {}
        provinces = corpus.provinces(kept) if name == "province" else {}
        kept = [
            i
            for i in kept
            if _facet_ok(
                corpus.docs[i], name, values, groups.get(i, frozenset()), provinces.get(i, frozenset())
            )
        ]
    if not kept or not query.needs_text:
        return kept
    texts = corpus.texts(kept)
    if query.required and not query.any_of:
        # every word is needed: narrow down through the stems' postings first
        narrowed = set(kept)
        for stem in query.required:
            narrowed &= corpus.stem_index.get(stem, set())
            if not narrowed:
                return []
        kept = [i for i in kept if i in narrowed]
    found = []
    for doc_id in kept:
        tokens, stemmed, sequence = texts.get(doc_id, (frozenset(), frozenset(), ""))
        if any(s in stemmed for s in query.excluded):
            continue
        checks = [s in stemmed for s in query.required]
        checks += [any(t.startswith(p) for t in tokens) for p in query.prefixes]
        checks += [p in sequence for p in query.phrases]
        if not checks or (any(checks) if query.any_of else all(checks)):
            found.append(doc_id)
    return found


# ---------------------------------------------------------------- composing


@lru_cache(maxsize=512)
def country_label(code: str, language: str = "en") -> str:
    """A country's name in ``language`` (Babel's outside English, the gazetteer's in English)."""
    if language != "en":
        from babel import Locale

        name = Locale.parse(language).territories.get(code.upper())
        if name:
            return str(name)
    from portal.templating import country_name

    return country_name(code)


def topic_labels(language: str = "en") -> dict[str, str]:
    from portal.digests.subscriptions import all_topics

    return all_topics(language)


def mail_language(locale: str | None) -> str:
    from portal.i18n import LANGUAGES

    return locale if locale in LANGUAGES else "en"


def gettext_for(language: str) -> Any:
    from portal.i18n import translations

    return translations(language).ugettext


def compose(
    corpus: Corpus,
    session: Session,
    subscription: DigestSubscription,
    *,
    recipient: str,
    period: str,
    window_start: datetime,
    window_end: datetime,
    base_url: str,
    saved_queries: dict[int, SavedQuery] | None = None,
) -> Digest:
    """The digest of one subscription for one window (the corpus must cover the window)."""
    if not corpus.covers(window_start, window_end):
        raise ValueError("the corpus does not cover this digest's window")
    matched: set[int] = set()
    for code in subscription.countries:
        postings = corpus.by_country.get(code)
        if postings is not None:
            matched.update(postings.between(window_start, window_end))
    language = mail_language(subscription.user.locale)
    gettext = gettext_for(language)
    labels = topic_labels(language) if subscription.topics else {}
    for tid in subscription.topics:
        postings = corpus.by_topic.get(tid)
        if postings is not None:
            matched.update(postings.between(window_start, window_end))
    by_search: list[tuple[str, set[int]]] = []
    if subscription.saved_searches:
        window = corpus.window(window_start, window_end)
        for saved in subscription.saved_searches:
            query = saved_queries.get(saved.id) if saved_queries is not None else None
            if query is None:
                query = parse_saved_search(saved)
                if saved_queries is not None:
                    saved_queries[saved.id] = query
            found = set(match_saved(corpus, query, window))
            by_search.append((saved.name, found))
            matched |= found
    docs = corpus.docs
    top = heapq.nlargest(MAX_ITEMS, matched, key=lambda i: (docs[i].date, i))
    countries = set(subscription.countries)
    topics = set(subscription.topics)
    items = []
    for doc_id in top:
        d = docs[doc_id]
        reasons = [country_label(c, language) for c in d.countries if c in countries]
        reasons += [labels.get(t, t) for t in sorted(d.topics & topics)]
        reasons += [
            gettext("saved search “%(name)s”") % {"name": name} for name, ids in by_search if doc_id in ids
        ]
        items.append(
            DigestItem(
                id=d.id,
                title=d.title,
                source=d.source,
                date=d.date,
                countries=d.countries,
                country_names=tuple(country_label(c, language) for c in d.countries),
                url=f"{base_url}/documents/{d.id}",
                reasons=tuple(reasons),
                updated=d.version > 1,
            )
        )
    briefings = (
        tuple(
            replace(b, url=absolute(b.url, base_url))
            for b in published_briefings(session, window_start, window_end)
        )
        if subscription.briefings
        else ()
    )
    return Digest(
        user_id=subscription.user_id,
        username=subscription.user.username,
        recipient=recipient,
        period=period,
        frequency=subscription.frequency,
        window_start=window_start,
        window_end=window_end,
        items=tuple(items),
        total=len(matched),
        briefings=briefings,
        language=language,
    )


# ---------------------------------------------------------------- rendering


@lru_cache(maxsize=4)
def mail_templates(language: str = "en") -> Environment:
    """The mail templates in one language: its catalogue, its dates."""
    from babel.dates import format_date, format_datetime

    from portal.i18n import translations
    from portal.templating import DATE_PATTERN, TIME_PATTERN

    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
    env.filters["country_name"] = lambda code: country_label(code, language)
    env.filters["day"] = lambda value: format_date(value, DATE_PATTERN, locale=language)
    env.filters["moment"] = lambda value: format_datetime(
        value, f"{DATE_PATTERN} {TIME_PATTERN} zzz", tzinfo=value.tzinfo, locale=language
    )
    env.globals["language"] = language
    return env


def mail_domain(base_url: str) -> str:
    return urlsplit(base_url).hostname or "localhost"


def message_id_for(user_id: int, period: str, base_url: str) -> str:
    """The Message-ID of (user, period): the same on every attempt, so a copy is recognisable."""
    return f"<coi-digest.{user_id}.{period}@{mail_domain(base_url)}>"


def subject_for(digest: Digest) -> str:
    from portal.i18n import translations

    words = translations(digest.language)
    parts = []
    if digest.total:
        parts.append(
            words.ungettext("%(num)d new document", "%(num)d new documents", digest.total)
            % {"num": digest.total}
        )
    if digest.briefings:
        count = len(digest.briefings)
        parts.append(words.ungettext("%(num)d briefing", "%(num)d briefings", count) % {"num": count})
    kind = (
        words.ugettext("Daily COI digest %(period)s")
        if digest.frequency == "daily"
        else words.ugettext("Weekly COI digest %(period)s")
    )
    return kind % {"period": digest.period} + ": " + (", ".join(parts) or words.ugettext("nothing new"))


def render(
    digest: Digest,
    *,
    sender: str,
    message_id: str,
    unsubscribe_url: str,
    base_url: str,
    now: datetime,
    timezone: str,
) -> EmailMessage:
    """The digest as a multipart/alternative message (plain text and HTML)."""
    from portal.digests.schedule import zone

    tz = zone(timezone)
    more_url = f"{base_url}/?" + urlencode({"sort": "newest"})
    context: dict[str, Any] = {
        "digest": digest,
        "base_url": base_url,
        "settings_url": f"{base_url}/settings",
        "unsubscribe_url": unsubscribe_url,
        "more_url": more_url,
        "more": digest.total - len(digest.items),
        "start": digest.window_start.astimezone(tz),
        "end": digest.window_end.astimezone(tz),
        "subject": subject_for(digest),
    }
    env = mail_templates(digest.language)
    text = env.get_template("digests/email.txt").render(context)
    html = env.get_template("digests/email.html").render(context)
    msg = EmailMessage()
    msg["Subject"] = context["subject"]
    msg["From"] = sender
    msg["To"] = digest.recipient
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = message_id
    msg["List-Unsubscribe"] = f"<{unsubscribe_url}>"
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-COI-Digest-Period"] = digest.period
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    return msg
