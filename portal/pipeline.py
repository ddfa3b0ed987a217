"""The pipeline wiring the three libraries to the database.

Three phases, each safe to re-run and each in short transactions:

* :func:`collect_source` reads a source, fetches it (no transaction open during network I/O),
  then stores new documents and new versions with their stored copies, and records the run;
* :func:`process_pending` tags documents not yet processed (spaCy, only in the worker);
* :func:`update_index` consumes the index change log in batches (the single index writer).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, selectinload, sessionmaker

import collectors
from collectors.dedupe import StoredVersion, decide, find_cluster, simhash
from collectors.http import FetchError, HttpClient
from collectors.records import CollectResult, Record, SourceSpec, SourceState
from nlp.language import resolve_language
from portal.config import Settings
from portal.db import transaction
from portal.homes import source_home_provinces, source_homes
from portal.models import (
    CollectionRun,
    Document,
    DocumentCountry,
    DocumentTopic,
    DocumentVersion,
    Entity,
    IndexChange,
    Mention,
    Snapshot,
    Source,
    StoryCluster,
    Topic,
    utcnow,
)
from portal.screening.models import store_person_parts
from search_index.records import Change, IndexDoc

log = logging.getLogger(__name__)

CLUSTER_WINDOW = timedelta(days=7)
#: SimHash distance (of 64 bits) within which two texts are one story. Computed on the body only, since
#: outlets rewrite headlines; wider than the web-page figure of 3 because news texts are short and one
#: rewritten sentence moves a short text by 4-6 bits, while unrelated texts stay around 32.
CLUSTER_DISTANCE = 6
MAX_BACKOFF = timedelta(hours=24)
#: records stored per short transaction while a source is being collected
STORE_BATCH = 10
GROUP_KINDS = frozenset({"armed_group", "state_force"})
ACTOR_KINDS = frozenset({"person", "organisation"})


def to_signed64(value: int) -> int:
    return value - (1 << 64) if value >= (1 << 63) else value


def to_unsigned64(value: int) -> int:
    return value + (1 << 64) if value < 0 else value


@dataclass
class RunSummary:
    source: str
    status: str = "running"
    seen: int = 0
    new: int = 0
    updated: int = 0
    duplicate: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)
    run_id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "run_id": self.run_id,
            "status": self.status,
            "seen": self.seen,
            "new": self.new,
            "updated": self.updated,
            "duplicate": self.duplicate,
            "unchanged": self.unchanged,
            "errors": list(self.errors),
        }


def story_text(record: Record) -> str:
    """The body a story is compared by: the text without a leading headline (outlets rewrite those)."""
    text = record.text.strip()
    first, _, rest = text.partition("\n")
    if rest and first.strip().casefold() == record.title.strip().casefold():
        text = rest
    return text or record.title


def source_spec(source: Source, settings: Settings | None = None) -> SourceSpec:
    """What the collectors need to run ``source``, completed by the instance-wide settings.

    The ReliefWeb ``appname`` of the source wins; otherwise ``COI_RELIEFWEB_APPNAME`` is used.
    """
    options = dict(source.options or {})
    appname = settings.reliefweb_appname if settings is not None else None
    if source.kind == "reliefweb" and not options.get("appname") and appname:
        options["appname"] = appname
    return SourceSpec(
        name=source.name,
        kind=source.kind,  # type: ignore[arg-type]
        url=source.url,
        allow_private=source.allow_private,
        fetch_fulltext=source.fetch_fulltext,
        options=options,
        language=source.language or None,
    )


def default_client(contact: str, **options: Any) -> HttpClient:
    """The collectors' HTTP client with the portal's User-Agent; options override its politeness settings."""
    from portal.demo import PINNED_HOSTS

    options.setdefault("pinned_hosts", PINNED_HOSTS)
    return HttpClient(user_agent="coi-portal/0.1 (country-of-origin research)", contact=contact, **options)


# ---------------------------------------------------------------- collecting


def due_sources(factory: sessionmaker[Session], now: datetime | None = None) -> list[int]:
    """Enabled sources whose interval has passed and whose back-off (if failing) has ended."""
    now = now or utcnow()
    with transaction(factory) as session:
        sources = session.scalars(select(Source).where(Source.enabled.is_(True))).all()
        due = []
        for source in sources:
            if source.next_attempt_at is not None and source.next_attempt_at > now:
                continue
            due.append(source.id)
        return due


def run_source(
    factory: sessionmaker[Session],
    source_id: int,
    settings: Settings,
    client: HttpClient,
    *,
    respect_backoff: bool = True,
    now: Callable[[], datetime] = utcnow,
) -> RunSummary | None:
    """The one way a source is run: by ``coi collect``, the scheduler's job and "collect due".

    Returns ``None`` (and does nothing) when the source is gone or disabled, or, with
    ``respect_backoff``, while it is backing off after failures. Starts the offline sample site
    when the source is one of its sources.
    """
    from portal.demo import ensure_demo_server

    with transaction(factory) as session:
        source = session.get(Source, source_id)
        if source is None or not source.enabled:
            return None
        if respect_backoff and source.next_attempt_at is not None and source.next_attempt_at > now():
            return None
        is_sample = source.is_sample
    if is_sample:
        ensure_demo_server()
    return collect_source(factory, source_id, client, settings=settings, now=now)


def collect_source(
    factory: sessionmaker[Session],
    source_id: int,
    client: HttpClient,
    *,
    settings: Settings | None = None,
    now: Callable[[], datetime] = utcnow,
) -> RunSummary:
    """Run one source end to end. Never raises for a source's own failure: it is recorded.

    Callers outside tests go through :func:`run_source`, which passes the instance settings.
    """
    # 1. read, in a short transaction; mark stale runs of this source as interrupted
    with transaction(factory) as session:
        source = session.get(Source, source_id)
        if source is None:
            raise LookupError(f"no source with id {source_id}")
        session.execute(
            update(CollectionRun)
            .where(CollectionRun.source_id == source_id, CollectionRun.status == "running")
            .values(status="interrupted", finished_at=now())
        )
        spec = source_spec(source, settings)
        state = SourceState(
            etag=source.etag, last_modified=source.last_modified, checked_at=source.last_success_at
        )
        known_urls = frozenset(session.scalars(select(Document.url).where(Document.source_id == source_id)))
        new_run = CollectionRun(source_id=source_id, started_at=now(), status="running")
        session.add(new_run)
        session.flush()
        summary = RunSummary(source=source.name, run_id=new_run.id)

    # 2. fetch, with no transaction open; records are stored in small batches as they arrive, each
    #    in its own short transaction, so a run killed half-way keeps what it had stored
    result: CollectResult | None = None
    failure: str | None = None
    pending: list[Record] = []
    seen_urls: set[str] = set()

    def flush() -> None:
        if pending:
            with transaction(factory) as session:
                source = session.get(Source, source_id)
                assert source is not None
                store_records(session, source, pending, summary, now(), seen_urls=seen_urls)
            pending.clear()

    def sink(record: Record) -> None:
        pending.append(record)
        if len(pending) >= STORE_BATCH:
            flush()

    try:
        result = collectors.collect(spec, client, state, known_urls=known_urls, sink=sink)
        flush()
    except FetchError as exc:
        failure = str(exc)
    except (collectors.ParseError, collectors.SourceConfigError) as exc:
        failure = str(exc)
    except Exception as exc:  # a bug in one source's parsing must not stop the others
        log.exception("collecting %s failed", spec.name)
        failure = f"unexpected error: {type(exc).__name__}: {exc}"

    # 3. write, in one short transaction
    with transaction(factory) as session:
        source = session.get(Source, source_id)
        assert source is not None
        run = session.get(CollectionRun, summary.run_id)
        assert run is not None
        finished = now()
        if failure is not None or result is None:
            summary.status = "failed"
            summary.errors.append(failure or "no result")
            source.consecutive_failures += 1
            source.last_error = failure
            delay = timedelta(minutes=source.update_minutes) * (2 ** min(source.consecutive_failures, 10))
            source.next_attempt_at = finished + min(delay, MAX_BACKOFF)
        else:
            summary.seen += len(result.skipped)
            summary.unchanged += len(result.skipped)
            if result.not_modified:
                summary.status = "not_modified"
            else:
                summary.status = "partial" if result.errors else "ok"
            summary.errors.extend(result.errors)
            source.etag = result.state.etag
            source.last_modified = result.state.last_modified
            source.consecutive_failures = 0
            source.last_error = "; ".join(result.errors[:3]) or None
            source.last_success_at = run.started_at  # items dated after this are new to the next run
            source.next_attempt_at = finished + timedelta(minutes=source.update_minutes)
        run.finished_at = finished
        run.status = summary.status
        run.seen, run.new, run.updated = summary.seen, summary.new, summary.updated
        run.duplicate, run.unchanged = summary.duplicate, summary.unchanged
        run.errors = summary.errors[:100]
    log.info("collected %s: %s", summary.source, summary.as_dict())
    return summary


def store_records(
    session: Session,
    source: Source,
    records: Sequence[Record],
    summary: RunSummary,
    now: datetime,
    *,
    seen_urls: set[str] | None = None,
) -> None:
    """Store records as new documents or new versions; exact and near duplicates handled.

    ``seen_urls`` carries the URLs already stored by earlier batches of the same run."""
    window_start = now - CLUSTER_WINDOW
    candidates: list[tuple[int, int]] = [
        (cluster_id, to_unsigned64(h))
        for cluster_id, h in session.execute(
            select(Document.cluster_id, Document.simhash).where(
                Document.created_at >= window_start, Document.cluster_id.is_not(None)
            )
        ).all()
        if cluster_id is not None
    ]
    seen_urls = set() if seen_urls is None else seen_urls
    for record in records:
        summary.seen += 1
        if record.url in seen_urls:
            summary.duplicate += 1
            continue
        seen_urls.add(record.url)
        if not record.text.strip() and not record.title.strip():
            summary.errors.append(f"{record.url}: no title and no text, not stored")
            continue
        existing = session.scalar(select(Document).where(Document.url == record.url))
        sha = record.content_sha256
        stored = (
            StoredVersion(content_sha256=existing.content_sha256, version=existing.version)
            if existing is not None
            else None
        )
        decision = decide(sha, stored)
        if decision == "unchanged":
            summary.unchanged += 1
            continue
        if decision == "new":
            same_source_copy = session.scalar(
                select(Document.id).where(Document.content_sha256 == sha, Document.source_id == source.id)
            )
            if same_source_copy is not None:
                summary.duplicate += 1
                continue
        h = simhash(story_text(record))
        if existing is None:
            exact = session.scalar(select(Document).where(Document.content_sha256 == sha).limit(1))
            cluster_id = (
                exact.cluster_id if exact is not None else find_cluster(h, candidates, CLUSTER_DISTANCE)
            )
            if cluster_id is None:
                cluster = StoryCluster(created_at=now, size=0)
                session.add(cluster)
                session.flush()
                cluster_id = cluster.id
            cluster_row = session.get(StoryCluster, cluster_id)
            if cluster_row is not None:
                cluster_row.size += 1
            doc = Document(
                source_id=source.id,
                url=record.url,
                link=record.link,
                version=1,
                cluster_id=cluster_id,
                created_at=now,
            )
            session.add(doc)
            candidates.append((cluster_id, h))
            summary.new += 1
        else:
            doc = existing
            doc.version += 1
            summary.updated += 1
        doc.title = record.title or record.url
        doc.text = record.text
        doc.summary = record.summary
        doc.author = record.author
        doc.published_at = record.published_at
        doc.retrieved_at = record.snapshot.fetched_at
        doc.declared_language = record.language
        doc.language = resolve_language(f"{doc.title}\n{record.text}", record.language)
        doc.document_type = record.document_type
        doc.content_sha256 = sha
        doc.simhash = to_signed64(h)
        doc.source_tags = list(record.source_tags)
        doc.source_countries = list(record.countries)
        doc.processed_at = None
        session.flush()
        if existing is not None:
            from portal.annotations.service import reanchor

            reanchor(session, doc)
        version = DocumentVersion(
            document_id=doc.id,
            version=doc.version,
            title=doc.title,
            text=doc.text,
            content_sha256=sha,
            published_at=doc.published_at,
            retrieved_at=doc.retrieved_at,
            text_origin=record.text_origin,
            text_candidates=dict(record.text_candidates),
        )
        session.add(version)
        session.flush()
        for role, snap in [("page", record.snapshot)] + [("attachment", s) for s in record.extra_snapshots]:
            session.add(
                Snapshot(
                    version_id=version.id,
                    role=role,
                    url=snap.url,
                    content_z=Snapshot.compress(snap.content),
                    size=len(snap.content),
                    sha256=snap.sha256,
                    content_type=snap.content_type,
                    http_date=snap.http_date,
                    fetched_at=snap.fetched_at,
                )
            )


# ---------------------------------------------------------------- tagging


def pending_documents(factory: sessionmaker[Session], limit: int) -> list[int]:
    with transaction(factory) as session:
        return list(
            session.scalars(
                select(Document.id).where(Document.processed_at.is_(None)).order_by(Document.id).limit(limit)
            )
        )


def process_pending(
    factory: sessionmaker[Session],
    *,
    model: str | None,
    batch_size: int = 64,
    limit: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Tag documents that have no tags for their current version yet. Runs in the worker only."""
    from nlp.pipeline import tag  # spaCy is imported here, never in the web process

    done = 0
    while limit is None or done < limit:
        size = batch_size if limit is None else min(batch_size, limit - done)
        with transaction(factory) as session:
            docs = session.scalars(
                select(Document).where(Document.processed_at.is_(None)).order_by(Document.id).limit(size)
            ).all()
            inputs = tag_inputs(session, docs)
            versions = {d.id: d.version for d in docs}
        if not inputs:
            break
        results = list(tag(inputs, model=model))
        with transaction(factory) as session:
            store_tags(session, results, versions)
        done += len(inputs)
        if progress is not None:
            progress(len(inputs))
    return done


def tag_inputs(session: Session, docs: Sequence[Document]) -> list[Any]:
    """What the tagger reads of each document, with the home country and province of its source."""
    from nlp.records import TagInput

    homes = source_homes(session, (d.source_id for d in docs))
    provinces = source_home_provinces(session, (d.source_id for d in docs))
    return [
        TagInput(
            id=str(d.id),
            text=d.text,
            title=d.title,
            source_countries=tuple(d.source_countries or ()),
            language=d.language or None,
            home_country=homes.get(d.source_id),
            home_province=provinces.get(d.source_id),
        )
        for d in docs
    ]


def retag_documents(
    factory: sessionmaker[Session],
    *,
    model: str | None,
    batch_size: int = 64,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Tag every tagged document again, e.g. after the tagger or its data changed; how many.

    Each document keeps the time it was first tagged for its version, so digests do not send it
    again; its new tags replace the old ones batch by batch and are queued for the index.
    """
    from nlp.pipeline import tag  # spaCy is imported here, never in the web process

    done = 0
    last = 0
    while True:
        with transaction(factory) as session:
            docs = session.scalars(
                select(Document)
                .where(Document.id > last, Document.processed_at.is_not(None))
                .order_by(Document.id)
                .limit(batch_size)
            ).all()
            inputs = tag_inputs(session, docs)
            versions = {d.id: d.version for d in docs}
        if not inputs:
            return done
        last = max(versions)
        results = list(tag(inputs, model=model))
        with transaction(factory) as session:
            store_tags(session, results, versions, keep_processed_at=True)
        done += len(inputs)
        if progress is not None:
            progress(len(inputs))


def _ensure_topics(session: Session) -> None:
    from nlp.topics import TOPICS

    known = set(session.scalars(select(Topic.id)))
    for topic_id, labels in TOPICS.items():
        if topic_id not in known:
            session.add(Topic(id=topic_id, label_en=labels["en"], label_nl=labels.get("nl", "")))
    session.flush()


def store_tags(
    session: Session, results: Iterable[Any], versions: dict[int, int], *, keep_processed_at: bool = False
) -> None:
    """Replace the stored mentions, countries and topics of each document by the new tags.

    ``keep_processed_at`` leaves a document that was tagged before with its tagging time (a re-run
    of the tagger on unchanged text is no news).
    """
    _ensure_topics(session)
    results = list(results)
    keys = {m.entity_id for r in results for m in r.entities}
    entities = (
        {e.key: e for e in session.scalars(select(Entity).where(Entity.key.in_(keys))).all()} if keys else {}
    )
    # mentions of an entity merged into another go to the one it was merged into
    for key, found in list(entities.items()):
        seen = {found.id}
        while found.merged_into_id is not None and found.merged_into_id not in seen:
            target = session.get(Entity, found.merged_into_id)
            if target is None:
                break
            seen.add(target.id)
            found = target
        entities[key] = found
    for result in results:
        doc_id = int(result.id)
        doc = session.get(Document, doc_id)
        if doc is None or doc.version != versions.get(doc_id):
            continue  # deleted or changed meanwhile: it will be tagged again
        session.execute(delete(Mention).where(Mention.document_id == doc_id))
        session.execute(delete(DocumentCountry).where(DocumentCountry.document_id == doc_id))
        session.execute(delete(DocumentTopic).where(DocumentTopic.document_id == doc_id))
        for m in result.entities:
            entity = entities.get(m.entity_id)
            if entity is None:
                entity = Entity(
                    key=m.entity_id,
                    kind=m.kind,
                    canonical_name=m.canonical[:300],
                    country_codes=[m.country] if m.country else [],
                    aliases=[],
                    ucdp_name=m.ucdp,
                )
                session.add(entity)
                session.flush()
                entities[m.entity_id] = entity
            if m.text != entity.canonical_name and m.text not in entity.aliases and len(entity.aliases) < 50:
                entity.aliases = [*entity.aliases, m.text[:300]]
            province = getattr(m, "province", None)
            session.add(
                Mention(
                    document_id=doc_id,
                    entity_id=entity.id,
                    start=m.start,
                    end=m.end,
                    text=m.text[:500],
                    kind=m.kind,
                    province_code=province.code[:20] if province else None,
                    province_name=province.name[:200] if province else None,
                )
            )
        for c in result.countries:
            session.add(DocumentCountry(document_id=doc_id, country_code=c.code, role=c.role, score=c.score))
        for t in result.topics:
            session.add(
                DocumentTopic(document_id=doc_id, topic_id=t.id, score=t.score, evidence=list(t.evidence))
            )
        if not doc.language:
            doc.language = result.language
        if not (keep_processed_at and doc.processed_at is not None):
            doc.processed_at = utcnow()
        session.add(IndexChange(document_id=doc_id, op="upsert"))
    store_person_parts(session, (entity.id for entity in entities.values()))


# ---------------------------------------------------------------- indexing


def index_doc(doc: Document) -> IndexDoc:
    focus = tuple(sorted(c.country_code for c in doc.countries if c.role == "focus"))
    mentioned = tuple(sorted(c.country_code for c in doc.countries if c.role != "focus"))
    groups = sorted({m.entity.key for m in doc.mentions if m.kind in GROUP_KINDS})
    actors = sorted({m.entity.key for m in doc.mentions if m.kind in ACTOR_KINDS})
    provinces = sorted({m.province_code for m in doc.mentions if m.province_code})
    return IndexDoc(
        id=doc.id,
        title=doc.title,
        body=doc.text,
        url=doc.url,
        source=doc.source.name,
        published_at=doc.published_at or doc.retrieved_at,
        publisher_type=doc.source.publisher_type,
        language=doc.language or "",
        doc_type=doc.document_type,
        focus_countries=focus,
        mentioned_countries=mentioned,
        topics=tuple(sorted(t.topic_id for t in doc.topics)),
        groups=tuple(groups),
        actors=tuple(actors),
        provinces=tuple(provinces),
        cluster_id=doc.cluster_id,
    )


def load_for_index(session: Session, ids: Sequence[int]) -> dict[int, Document]:
    """The documents `ids` with what :func:`index_doc` reads of them, by id."""
    rows = session.scalars(
        select(Document)
        .where(Document.id.in_(ids))
        .options(
            selectinload(Document.source),
            selectinload(Document.countries),
            selectinload(Document.topics),
            selectinload(Document.mentions).selectinload(Mention.entity),
        )
    ).all()
    return {d.id: d for d in rows}


def update_index(factory: sessionmaker[Session], index: Any, *, batch_size: int = 1000) -> int:
    """Consume the change log in batches and mark each batch done once the index has it."""
    total = 0
    while True:
        with transaction(factory) as session:
            changes = session.scalars(
                select(IndexChange)
                .where(IndexChange.processed_at.is_(None))
                .order_by(IndexChange.id)
                .limit(batch_size)
            ).all()
            if not changes:
                break
            change_ids = [c.id for c in changes]
            latest: dict[int, str] = {}
            for c in changes:
                latest[c.document_id] = c.op
            docs = load_for_index(session, [d for d, op in latest.items() if op == "upsert"])
            batch: list[Change] = []
            for doc_id, op in latest.items():
                doc = docs.get(doc_id)
                if op == "delete" or doc is None:
                    batch.append(Change(op="delete", doc_id=doc_id))
                else:
                    batch.append(Change(op="upsert", doc_id=doc_id, doc=index_doc(doc)))
        index.apply(batch)
        with transaction(factory) as session:
            session.execute(
                update(IndexChange).where(IndexChange.id.in_(change_ids)).values(processed_at=utcnow())
            )
        total += len(batch)
    return total


def iter_index_docs(factory: sessionmaker[Session], *, chunk: int = 500) -> Iterable[IndexDoc]:
    """Every processed document, for a rebuild; read in chunks by id."""
    last = 0
    while True:
        with transaction(factory) as session:
            ids = list(
                session.scalars(
                    select(Document.id)
                    .where(Document.id > last, Document.processed_at.is_not(None))
                    .order_by(Document.id)
                    .limit(chunk)
                )
            )
            if not ids:
                return
            docs = load_for_index(session, ids)
            out = [index_doc(docs[i]) for i in ids if i in docs]
        yield from out
        last = ids[-1]


def rebuild_index(
    factory: sessionmaker[Session], index: Any, progress: Callable[[int], None] | None = None
) -> int:
    with transaction(factory) as session:
        total = session.query(Document).filter(Document.processed_at.is_not(None)).count()
        session.execute(
            update(IndexChange).where(IndexChange.processed_at.is_(None)).values(processed_at=utcnow())
        )
    count: int = index.rebuild(iter_index_docs(factory), total=total, progress=progress)
    return count


def document_texts(factory: sessionmaker[Session]) -> Callable[[list[int]], dict[int, str]]:
    """The callback search uses to highlight snippets from the stored texts."""

    def load(ids: list[int]) -> dict[int, str]:
        if not ids:
            return {}
        with transaction(factory) as session:
            return dict(session.execute(select(Document.id, Document.text).where(Document.id.in_(ids))).all())  # type: ignore[arg-type]

    return load
