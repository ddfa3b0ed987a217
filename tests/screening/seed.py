"""Invented people, units, places and topics in a few invented documents, for the screening tests."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session, sessionmaker

from portal.db import transaction
from portal.models import (
    Document,
    DocumentTopic,
    DocumentVersion,
    Entity,
    Mention,
    Snapshot,
    Source,
    Topic,
)

TEXTS = [
    (
        "Checkpoint report from Vellmar",
        "Residents of Vellmar described the checkpoint. Witnesses said that Rashid Anwar Qoubaisi, "
        "a captain of the 12th Falcon Regiment, ordered the detention of farmers. Nobody was released.",
        datetime(2026, 10, 3, tzinfo=UTC),
    ),
    (
        "Detention wave in the east",
        "The 12th Falcon Regiment moved into Vellmar in October.\nRasheed Qubaisi was seen at the "
        "school used as a prison. Families of detainees spoke of torture.",
        datetime(2026, 11, 14, tzinfo=UTC),
    ),
    (
        "Market reopens",
        "Traders in Ostrava Nova said that Lidia Marenkova opened the market again after the storms.",
        datetime(2026, 9, 1, tzinfo=UTC),
    ),
    (
        "Harvest comes late",
        "Nikolay Dubravets, who keeps the grain store of Ostrava Nova, said the harvest would come late.",
        datetime(2026, 8, 20, tzinfo=UTC),
    ),
]

PEOPLE = {
    "Rashid Anwar Qoubaisi": ["Rasheed Qubaisi"],
    "Lidia Marenkova": [],
    "Nikolay Dubravets": [],
}


def seed(factory: sessionmaker[Session]) -> dict[str, int]:
    """Store the documents with their mentions; the ids by name ("doc:0", person and unit names)."""
    ids: dict[str, int] = {}
    with transaction(factory) as session:
        source = Source(
            name="Invented monitor",
            kind="rss",
            url="http://monitor.invalid/feed",
            publisher="Invented Monitor",
        )
        session.add(source)
        if session.get(Topic, "detention-torture") is None:  # the portal of the browser tests has topics
            session.add(
                Topic(
                    id="detention-torture", label_en="Detention and torture", label_nl="Detentie en foltering"
                )
            )
        session.flush()
        entities: dict[str, Entity] = {}

        def entity(key: str, kind: str, name: str, aliases: list[str]) -> Entity:
            if key not in entities:
                entities[key] = Entity(
                    key=key, kind=kind, canonical_name=name, aliases=aliases, country_codes=[]
                )
                session.add(entities[key])
                session.flush()
                ids[name] = entities[key].id
            return entities[key]

        for number, (title, text, when) in enumerate(TEXTS):
            doc = Document(
                source_id=source.id,
                url=f"http://monitor.invalid/{number}",
                title=title,
                text=text,
                published_at=when,
                content_sha256=f"{number:064d}",
            )
            version = DocumentVersion(
                version=1, title=title, text=text, content_sha256=f"{number:064d}", published_at=when
            )
            raw = text.encode()
            version.snapshots.append(
                Snapshot(
                    role="page",
                    url=doc.url,
                    content_z=Snapshot.compress(raw),
                    size=len(raw),
                    sha256=f"{number + 1:064x}",
                    content_type="text/plain",
                    fetched_at=when,
                )
            )
            doc.versions.append(version)
            session.add(doc)
            session.flush()
            ids[f"doc:{number}"] = doc.id
            found = [
                ("person:rashid-anwar-qoubaisi", "person", "Rashid Anwar Qoubaisi", ["Rasheed Qubaisi"]),
                ("person:lidia-marenkova", "person", "Lidia Marenkova", []),
                ("person:nikolay-dubravets", "person", "Nikolay Dubravets", []),
                ("group:12th-falcon-regiment", "state_force", "12th Falcon Regiment", []),
                ("city:vellmar", "city", "Vellmar", []),
                ("city:ostrava-nova", "city", "Ostrava Nova", []),
            ]
            for key, kind, name, aliases in found:
                for spelling in [name, *aliases]:
                    start = text.find(spelling)
                    if start == -1:
                        continue
                    row = entity(key, kind, name, aliases)
                    session.add(
                        Mention(
                            document_id=doc.id,
                            entity_id=row.id,
                            start=start,
                            end=start + len(spelling),
                            text=spelling,
                            kind=kind,
                        )
                    )
            if "torture" in text or "detention" in text:
                session.add(DocumentTopic(document_id=doc.id, topic_id="detention-torture", score=1.0))
    return ids


LIST_CSV = (
    "name,aliases,birth_year,nationality,unit\n"
    "Rachid Anouar al-Qubaysi,Abu Anwar,1978,,Falcon Regiment\n"
    "Lydia Marenkowa,,,,\n"
    "Completely Unknown Personage,,,,\n"
)
