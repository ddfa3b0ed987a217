"""The document with all that its page and its API answer show, in one place."""

from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, defer
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.sql.elements import BindParameter

from portal.models import (
    Document,
    DocumentCountry,
    DocumentTopic,
    DocumentVersion,
    Entity,
    Mention,
    Snapshot,
    Source,
    Topic,
)

# The statements are built once: a statement object keeps its cache key, so a page view only binds
# the document's id (building them anew took about as long as running them).
_DOC: BindParameter[int] = bindparam("doc_id")
_DOCUMENT = select(Document, Source).join(Source, Source.id == Document.source_id).where(Document.id == _DOC)
_COUNTRIES = select(DocumentCountry).where(DocumentCountry.document_id == _DOC)
_TOPICS = (
    select(DocumentTopic, Topic)
    .join(Topic, Topic.id == DocumentTopic.topic_id)
    .where(DocumentTopic.document_id == _DOC)
    .order_by(DocumentTopic.topic_id)  # the topic id breaks ties, so the order is the same on every engine
)
# each version with its stored copies, one row per copy (a version without one has a row of its own);
# without the versions' texts, which neither the page nor the API shows (the document's own text is
# the current one), and each is read once per copy
_VERSIONS = (
    select(DocumentVersion, Snapshot)
    .outerjoin(Snapshot, Snapshot.version_id == DocumentVersion.id)
    .where(DocumentVersion.document_id == _DOC)
    .order_by(DocumentVersion.version, Snapshot.id)
    .options(defer(DocumentVersion.text))
)
_MENTIONS = (
    select(Mention, Entity)
    .join(Entity, Entity.id == Mention.entity_id)
    .where(Mention.document_id == _DOC)
    .order_by(Mention.start, Mention.id)
)


def full_document(session: Session, doc_id: int) -> Document | None:
    """The document with its source, countries, topics, mentions (with their entities) and
    versions (with their stored copies), or None.

    Each collection is read with a plain query of its own and set on the document as loaded. This
    is the same as eager loading's result, without building its nested loader statements (and their
    cache keys) on every page view, which cost more than the queries themselves.
    """
    bound = {"doc_id": doc_id}
    row = session.execute(_DOCUMENT, bound).tuples().first()
    if row is None:
        return None
    doc, source = row
    set_committed_value(doc, "source", source)
    set_committed_value(doc, "countries", list(session.scalars(_COUNTRIES, bound)))
    topics = []
    for link, topic in session.execute(_TOPICS, bound).tuples():
        set_committed_value(link, "topic", topic)
        topics.append(link)
    set_committed_value(doc, "topics", topics)
    snapshots: dict[DocumentVersion, list[Snapshot]] = {}
    for version, snap in session.execute(_VERSIONS, bound).tuples():
        copies = snapshots.setdefault(version, [])
        if snap is not None:
            copies.append(snap)
    for version, copies in snapshots.items():
        set_committed_value(version, "snapshots", copies)
        set_committed_value(version, "document", doc)
    set_committed_value(doc, "versions", list(snapshots))
    mentions = []
    for mention, entity in session.execute(_MENTIONS, bound).tuples():
        set_committed_value(mention, "entity", entity)
        mentions.append(mention)
    set_committed_value(doc, "mentions", mentions)
    return doc
