"""What goes into a digest and how it is rendered as a multipart e-mail.

A digest holds the briefings published in its window and the documents tagged in its window
(``Document.processed_at``) that match the subscription: a followed country (focus or
mentioned), a followed topic, or a saved search. A document re-tagged after a change of its
text counts again and is marked "updated".

Saved searches mean what they mean in the portal's search and in the Atom feed: the query is
parsed by :mod:`search_index.query` (with the same field resolvers) and its filters are added as
facet clauses, exactly as :meth:`search_index.SearchIndex.search` does. The tree is evaluated
here on the window's documents, each as the index holds it (:func:`portal.pipeline.index_doc`),
with :mod:`search_index.match`, not through the search index: the worker must not depend on the
index being current, and a window holds few documents. Phrases follow the configured backend
(adjacent words on Whoosh, adjacent stems on PostgreSQL). ``since:`` counts back from the end of
the digest's window.

This module reads the database and renders; it never sends and never writes.
"""

from __future__ import annotations

import heapq
import importlib
import importlib.util
import logging
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
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
from portal.models import Document, DocumentCountry, DocumentTopic, SavedSearch, Source
from search_index.match import Analysed, analyse, matches
from search_index.query import And, Facet, Node, Or, QueryTooDeep, parse_query
from search_index.records import Resolvers
from search_index.schema import FACET_FIELDS

log = logging.getLogger(__name__)

MAX_ITEMS = 60
TEMPLATES = Path(__file__).resolve().parent / "templates"


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

    Look-ups by country, topic and window are in memory; the documents as the index holds them
    (for saved searches) are loaded only when a saved search needs them, in short transactions.
    """

    def __init__(
        self, factory: sessionmaker[Session], start: datetime, end: datetime, *, stem_phrases: bool = False
    ) -> None:
        self.factory = factory
        self.stem_phrases = stem_phrases  # phrases as the PostgreSQL search backend matches them
        self.start = start
        self.end = end
        self.docs: dict[int, _Doc] = {}
        self.all = _Postings()
        self.by_country: dict[str, _Postings] = {}
        self.by_topic: dict[str, _Postings] = {}
        self._analysed: dict[int, Analysed] = {}
        self._resolvers: Resolvers | None = None
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

    def analysed(self, ids: Sequence[int]) -> dict[int, Analysed]:
        """The documents `ids` as the search index holds them, reduced for matching."""
        from portal.pipeline import index_doc, load_for_index

        missing = [i for i in ids if i not in self._analysed]
        for chunk_start in range(0, len(missing), 500):
            chunk = missing[chunk_start : chunk_start + 500]
            with transaction(self.factory) as session:
                docs = load_for_index(session, chunk)
                self._analysed.update({i: analyse(index_doc(d)) for i, d in docs.items()})
        return {i: self._analysed[i] for i in ids if i in self._analysed}

    def resolvers(self) -> Resolvers:
        """The field resolvers of the portal's search (sources by name, as typed)."""
        if self._resolvers is None:
            from nlp.lookup import resolve_country, resolve_group, resolve_province
            from nlp.topics import resolve_topic

            with transaction(self.factory) as session:
                names = list(session.scalars(select(Source.name)))

            def source(value: str) -> list[str]:
                needle = value.strip().lower()
                return [n for n in names if needle in n.lower()]

            self._resolvers = Resolvers(
                country=resolve_country,
                group=resolve_group,
                topic=resolve_topic,
                source=source,
                province=resolve_province,
            )
        return self._resolvers


# ---------------------------------------------------------------- saved searches


#: What a saved search that cannot be read (nested too deeply) matches: nothing.
NOTHING: Node = Or(())


@dataclass(frozen=True)
class SavedQuery:
    """A saved search as the parse tree of the portal's search: its query and filters, ANDed."""

    name: str
    node: Node
    now: datetime  # what ``since:`` counted back from


def parse_saved_search(saved: SavedSearch, resolvers: Resolvers, now: datetime) -> SavedQuery:
    """The saved search as the portal's search reads it (filters as :meth:`search` adds them)."""
    if now.tzinfo is not None:
        now = now.astimezone(UTC).replace(tzinfo=None)
    try:
        node = parse_query(saved.query or "", resolvers, now).node
    except QueryTooDeep:
        log.warning("saved search %s nests too deeply; it matches nothing", saved.id)
        return SavedQuery(saved.name, NOTHING, now)
    filters = saved.filters if isinstance(saved.filters, Mapping) else {}
    extra: list[Node] = [
        Facet(name, tuple(str(v) for v in values))
        for name, values in filters.items()
        if name in FACET_FIELDS and isinstance(values, list)
    ]
    return SavedQuery(saved.name, And((node, *extra)) if extra else node, now)


def match_saved(corpus: Corpus, query: SavedQuery, candidates: Sequence[int]) -> list[int]:
    """The candidates that the saved search finds."""
    docs = corpus.analysed(candidates)
    return [
        i for i in candidates if i in docs and matches(query.node, docs[i], stem_phrases=corpus.stem_phrases)
    ]


# ---------------------------------------------------------------- composing


def _naive(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo is not None else value


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
            if query is None or query.now != _naive(window_end):
                query = parse_saved_search(saved, corpus.resolvers(), window_end)
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
