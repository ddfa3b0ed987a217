"""The document with all that its page and its API answer show, in one place."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

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


def full_document(session: Session, doc_id: int) -> Document | None:
    """The document with its source, countries, topics, mentions (with their entities) and
    versions (with their stored copies), or None.

    Each collection is read with a plain query of its own and set on the document as loaded. This
    is the same as eager loading's result, without building its nested loader statements (and their
    cache keys) on every page view, which cost more than the queries themselves.
    """
    doc = session.get(Document, doc_id)
    if doc is None:
        return None
    set_committed_value(doc, "source", session.get(Source, doc.source_id))
    set_committed_value(
        doc,
        "countries",
        list(session.scalars(select(DocumentCountry).where(DocumentCountry.document_id == doc_id))),
    )
    topics = []
    for link, topic in session.execute(
        select(DocumentTopic, Topic)
        .join(Topic, Topic.id == DocumentTopic.topic_id)
        # the topic id breaks ties, so the order is the same on every engine
        .where(DocumentTopic.document_id == doc_id)
        .order_by(DocumentTopic.topic_id)
    ).tuples():
        set_committed_value(link, "topic", topic)
        topics.append(link)
    set_committed_value(doc, "topics", topics)
    versions = list(
        session.scalars(
            select(DocumentVersion)
            .where(DocumentVersion.document_id == doc_id)
            .order_by(DocumentVersion.version)
        )
    )
    snapshots: dict[int, list[Snapshot]] = defaultdict(list)
    if versions:
        for snap in session.scalars(
            select(Snapshot).where(Snapshot.version_id.in_([v.id for v in versions])).order_by(Snapshot.id)
        ):
            snapshots[snap.version_id].append(snap)
    for version in versions:
        set_committed_value(version, "snapshots", snapshots[version.id])
        set_committed_value(version, "document", doc)
    set_committed_value(doc, "versions", versions)
    mentions = []
    for mention, entity in session.execute(
        select(Mention, Entity)
        .join(Entity, Entity.id == Mention.entity_id)
        .where(Mention.document_id == doc_id)
        .order_by(Mention.start, Mention.id)
    ).tuples():
        set_committed_value(mention, "entity", entity)
        mentions.append(mention)
    set_committed_value(doc, "mentions", mentions)
    return doc
