"""Collectors: fetch public sources and turn them into plain records.

The one entry point is :func:`collect`: it runs one source through four named phases, each in its own
module: *fetch* the listing with a conditional GET (:mod:`collectors.http`), *parse* it by kind
(:mod:`collectors.feeds`, :mod:`collectors.html_listing`, :mod:`collectors.reliefweb`), *fetch each
item* (article page, PDF attachments) and *extract* its text (:mod:`collectors.extract`,
:mod:`collectors.pdf`). It returns a :class:`~collectors.records.CollectResult`.

What this package does not do: store anything, open a database, decide what is new (the caller does,
with :func:`collectors.dedupe.decide` on the stored state), schedule runs, or import the portal.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Container
from dataclasses import dataclass, field

from collectors.canonical import canonical_url
from collectors.errors import (
    BlockedAddressError,
    CollectorError,
    FetchError,
    FetchTimeoutError,
    HttpStatusError,
    ParseError,
    RobotsDisallowedError,
    SourceConfigError,
    TooLargeError,
    TooManyRedirectsError,
)
from collectors.extract import extract_article
from collectors.feeds import parse_feed
from collectors.fulltext import choose_text, fulltext_mode, should_fetch_page
from collectors.html_listing import parse_listing
from collectors.http import FetchResponse, HttpClient
from collectors.items import ListingItem
from collectors.limits import DEFAULT_TIMEOUT as DEFAULT_PARSE_TIMEOUT
from collectors.limits import ParseTimeoutError, run_limited
from collectors.pdf import looks_like_pdf, pdf_text
from collectors.records import (
    CollectResult,
    Record,
    Snapshot,
    SourceKind,
    SourceSpec,
    SourceState,
)
from collectors.reliefweb import build_request_url, parse_reports

__all__ = [
    "BlockedAddressError",
    "CollectResult",
    "CollectorError",
    "FetchError",
    "FetchResponse",
    "FetchTimeoutError",
    "HttpClient",
    "HttpStatusError",
    "ParseError",
    "ParseTimeoutError",
    "Record",
    "RobotsDisallowedError",
    "Snapshot",
    "SourceConfigError",
    "SourceKind",
    "SourceSpec",
    "SourceState",
    "TooLargeError",
    "TooManyRedirectsError",
    "canonical_url",
    "collect",
    "listing_url",
    "parse_items",
]

logger = logging.getLogger(__name__)

DEFAULT_MAX_ITEMS = 100
MAX_ATTACHMENTS = 3
ACCEPT: dict[str, str] = {
    "rss": "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.8, text/xml;q=0.8, */*;q=0.1",
    "html": "text/html, application/xhtml+xml;q=0.9, */*;q=0.1",
    "reliefweb": "application/json",
    "page": "text/html, application/xhtml+xml;q=0.9, application/pdf;q=0.8, */*;q=0.1",
    "pdf": "application/pdf, */*;q=0.1",
}
ACCEPT["atom"] = ACCEPT["rss"]


def listing_url(spec: SourceSpec) -> str:
    """The URL fetched for the source's listing (for ReliefWeb, the API query built from options)."""
    if spec.kind == "reliefweb":
        try:
            return build_request_url(spec.options, spec.url)
        except ValueError as exc:
            raise SourceConfigError(f"source {spec.name!r}: {exc}") from exc
    if spec.kind in ("rss", "atom", "html"):
        return spec.url
    raise SourceConfigError(f"source {spec.name!r}: unknown kind {spec.kind!r}")


def parse_items(spec: SourceSpec, listing: FetchResponse) -> list[ListingItem]:
    """Parse a fetched listing by the source's kind ("rss" and "atom" share one parser)."""
    if spec.kind in ("rss", "atom"):
        return parse_feed(listing.content, base_url=listing.final_url, content_type=listing.content_type)
    if spec.kind == "html":
        return parse_listing(
            listing.content,
            base_url=listing.final_url,
            options=spec.options,
            content_type=listing.content_type,
        )
    if spec.kind == "reliefweb":
        return parse_reports(listing.content, base_url=listing.final_url)
    raise SourceConfigError(f"source {spec.name!r}: unknown kind {spec.kind!r}")


def collect(
    spec: SourceSpec,
    client: HttpClient,
    state: SourceState | None = None,
    *,
    known_urls: Container[str] = frozenset(),
    parse_timeout: float = DEFAULT_PARSE_TIMEOUT,
    sink: Callable[[Record], None] | None = None,
) -> CollectResult:
    """Run one source: fetch and parse its listing, then fetch and read each listed item.

    The listing's failure raises (:class:`FetchError`, :class:`ParseError`,
    :class:`SourceConfigError`); an item's failure is written to ``errors`` and the others go on.
    An item whose canonical URL is in ``known_urls`` is skipped (listed in ``skipped``) unless the
    listing dates it after the previous successful check (``state.checked_at``).
    When the listing answers 304 the result has ``not_modified=True`` and no records.
    Page extraction and PDF reading each run under ``parse_timeout`` seconds
    (:mod:`collectors.limits`); over it, the item keeps its feed text and the error is listed.
    With a ``sink``, each record is handed to it as soon as it is read (so the caller can store
    as it goes) instead of being kept in the result.
    """
    previous = state or SourceState()
    response = client.fetch(
        listing_url(spec),
        allow_private=spec.allow_private,
        etag=previous.etag,
        last_modified=previous.last_modified,
        accept=ACCEPT.get(spec.kind, "*/*"),
    )
    new_state = SourceState(
        etag=response.etag,
        last_modified=response.last_modified,
        checked_at=response.fetched_at,
    )
    if response.not_modified:
        return CollectResult(records=(), state=new_state, not_modified=True)
    listing = response.to_snapshot()
    items = parse_items(spec, response)
    max_items = _int_option(spec, "max_items", DEFAULT_MAX_ITEMS)
    run = _Run(spec=spec, client=client, listing=listing, parse_timeout=parse_timeout)
    for item in items[:max_items]:
        try:
            url = canonical_url(item.link)
        except ValueError as exc:
            run.errors.append(f"{item.link}: unusable link ({exc})")
            continue
        if url in known_urls and not _listed_as_newer(item, previous):
            run.skipped.append(url)
            continue
        try:
            record = run.record(item, url)
        except CollectorError as exc:
            run.errors.append(f"{item.link}: {exc}")
        except Exception as exc:  # untrusted input reached a library bug: keep the other items
            logger.exception("item %s of source %s failed", item.link, spec.name)
            run.errors.append(f"{item.link}: unexpected {type(exc).__name__}: {exc}")
        else:
            if sink is not None:
                sink(record)
            else:
                run.records.append(record)
    if len(items) > max_items:
        run.errors.append(f"listing has {len(items)} items; only the first {max_items} were read")
    return CollectResult(
        records=tuple(run.records),
        state=new_state,
        errors=tuple(run.errors),
        listing=listing,
        skipped=tuple(run.skipped),
    )


def _int_option(spec: SourceSpec, name: str, default: int) -> int:
    value = (spec.options.get(name) or "").strip()
    if not value:
        return default
    if not value.isdigit() or int(value) < 1:
        raise SourceConfigError(f"source {spec.name!r}: option {name!r} must be a positive integer")
    return int(value)


def _listed_as_newer(item: ListingItem, state: SourceState) -> bool:
    latest = item.latest_date
    return latest is not None and state.checked_at is not None and latest > state.checked_at


def _language(value: str | None) -> str | None:
    if not value:
        return None
    primary = value.strip().replace("_", "-").split("-", 1)[0].lower()
    return primary or None


@dataclass
class _Run:
    """Mutable bookkeeping of one collect run."""

    spec: SourceSpec
    client: HttpClient
    listing: Snapshot
    parse_timeout: float = DEFAULT_PARSE_TIMEOUT
    records: list[Record] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def record(self, item: ListingItem, url: str) -> Record:
        spec = self.spec
        snapshot = Snapshot(
            url=item.link,
            content=item.raw,
            content_type=item.raw_type,
            fetched_at=self.listing.fetched_at,
            http_date=self.listing.http_date,
            status=self.listing.status,
        )
        title = item.title
        author = item.author
        published = item.published_at or item.updated_at
        language = item.language
        document_type = item.document_type or spec.options.get("document_type") or "news"
        try:
            mode = fulltext_mode(spec.options, spec.fetch_fulltext)
        except ValueError as exc:
            raise SourceConfigError(f"source {spec.name!r}: {exc}") from exc
        page_text = ""
        pdf_text_found = ""
        page_is_pdf = False
        fetch_page = spec.kind != "reliefweb" or mode == "always"
        if fetch_page and should_fetch_page(mode, content=item.content, summary=item.summary, body=item.body):
            try:
                page = self.client.fetch(item.link, allow_private=spec.allow_private, accept=ACCEPT["page"])
            except FetchError as exc:
                self.errors.append(f"{item.link}: page not fetched, entry kept: {exc}")
            else:
                snapshot = page.to_snapshot()
                if looks_like_pdf(page.content, page.content_type):
                    page_is_pdf = True
                    document_type = item.document_type or "report"
                    try:
                        document = run_limited(pdf_text, page.content, timeout=self.parse_timeout)
                    except ParseError as exc:
                        self.errors.append(f"{item.link}: {exc}")
                    else:
                        pdf_text_found = document.text
                        title = title or document.title or ""
                        author = author or document.author
                else:
                    try:
                        article = run_limited(
                            extract_article,
                            page.content,
                            url=page.final_url,
                            fallback_summary="",
                            timeout=self.parse_timeout,
                        )
                    except ParseError as exc:
                        self.errors.append(f"{item.link}: page kept, text not extracted: {exc}")
                    else:
                        page_text = article.text
                        title = title or article.title or ""
                        author = author or article.author
                        published = published or article.published_at
                        language = language or article.language
        extras: list[Snapshot] = []
        if mode != "never":
            for attachment in item.attachments[:MAX_ATTACHMENTS]:
                if page_is_pdf and attachment == item.link:
                    continue
                try:
                    fetched = self.client.fetch(
                        attachment, allow_private=spec.allow_private, accept=ACCEPT["pdf"]
                    )
                    extras.append(fetched.to_snapshot())
                    if looks_like_pdf(fetched.content, fetched.content_type):
                        attached = run_limited(pdf_text, fetched.content, timeout=self.parse_timeout)
                        if len(attached.text) > len(pdf_text_found):
                            pdf_text_found = attached.text
                except CollectorError as exc:
                    self.errors.append(f"{item.link}: attachment {attachment}: {exc}")
        choice = choose_text(
            summary=item.summary, content=item.content, body=item.body, page=page_text, pdf=pdf_text_found
        )
        if choice.origin == "pdf":
            document_type = item.document_type or "report"
        return Record(
            url=url,
            link=item.link,
            title=title or item.link,
            text=choice.text or title or item.link,
            snapshot=snapshot,
            published_at=published,
            summary=item.summary,
            author=author,
            language=_language(language or spec.language),
            document_type=document_type,
            source_tags=item.source_tags,
            countries=item.countries,
            extra_snapshots=tuple(extras),
            text_origin=choice.origin,
            text_candidates=tuple(choice.candidates.items()),
        )
