"""Entity pages, aliases that reveal new mentions, and merging duplicates, on real pipeline output."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from portal import pipeline
from portal.config import Settings
from portal.db import transaction
from portal.entities.service import EntityError, add_alias, occurrences
from portal.models import AuditEvent, Document, Entity, IndexChange, Mention
from search_index import SearchIndex


def token(client: FlaskClient, path: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get(path).get_data(as_text=True))
    assert match, path
    return match.group(1)


def entity_id(factory: sessionmaker[Session], key: str) -> int:
    with transaction(factory) as session:
        return session.scalars(select(Entity.id).where(Entity.key == key)).one()


def pending_changes(factory: sessionmaker[Session]) -> set[int]:
    with transaction(factory) as session:
        return set(session.scalars(select(IndexChange.document_id).where(IndexChange.processed_at.is_(None))))


def group_hits(settings: Settings, key: str) -> set[int]:
    results = SearchIndex(settings.index_path).search("", filters={"group": [key]}, facets=())
    return {h.id for h in results.hits}


def test_occurrences_are_whole_words_and_case_sensitive() -> None:
    text = "The army and the Arakan Army; armyless armies, army."
    assert occurrences(text, "army") == [(4, 8), (47, 51)]
    assert occurrences(text, "Arakan Army") == [(17, 28)]
    assert occurrences("a.b a-b", "a.b") == [(0, 3)]


def test_pages_render_and_groups_get_their_type(
    logged_in: Callable[[str], FlaskClient], factory: sessionmaker[Session], populated: dict[str, object]
) -> None:
    taliban = entity_id(factory, "group:taliban")
    client = logged_in("officer")
    listing = client.get("/entities/?kind=armed_group").get_data(as_text=True)
    assert f'href="/entities/{taliban}">Taliban</a>' in listing
    assert "Kabul" not in listing  # cities are another kind
    found = client.get("/entities/?q=shabaab").get_data(as_text=True)
    assert "al-Shabaab" in found and "Taliban" not in found

    page = client.get(f"/entities/{taliban}").get_data(as_text=True)
    assert "<h1>Taliban</h1>" in page
    assert "rebel group" in page  # filled from the gazetteer
    assert 'href="https://www.wikidata.org/wiki/Q42418"' in page
    assert "Taleban" in page  # the UCDP name
    assert "Kabul journalists" in page  # the latest documents
    assert re.search(r"<th scope=\"row\">[A-Z][a-z]+ \d{4}</th><td>1</td>", page)  # the month of its mention
    assert "Add alias" not in page and "Merge" not in page  # officers do not curate
    with transaction(factory) as session:
        row = session.get(Entity, taliban)
        assert row is not None and row.entity_type == "rebel group" and row.wikidata_id == "Q42418"

    hts = entity_id(factory, "group:hayat-tahrir-al-sham")
    co = client.get(f"/entities/{hts}").get_data(as_text=True)
    together = co[co.index('id="co-h"') : co.index('id="docs-h"')]
    assert "Syria state forces" in together and "<td>2</td>" in together  # both Idlib reports

    # documents and search results link their groups to the entity pages
    with transaction(factory) as session:
        kabul = session.scalars(select(Document.id).where(Document.title.contains("Kabul"))).one()
    assert f'href="/entities/{taliban}"' in client.get(f"/documents/{kabul}").get_data(as_text=True)
    assert f'href="/entities/{taliban}"' in client.get("/?q=Kabul").get_data(as_text=True)

    csrf = token(client, "/entities/")
    assert (
        client.post(f"/entities/{taliban}/aliases", data={"csrf_token": csrf, "alias": "x"}).status_code
        == 403
    )
    assert (
        client.post(f"/entities/{taliban}/merge", data={"csrf_token": csrf, "duplicate_id": "1"}).status_code
        == 403
    )


def test_adding_an_alias_adds_mentions_and_index_changes(
    logged_in: Callable[[str], FlaskClient],
    factory: sessionmaker[Session],
    settings: Settings,
    populated: dict[str, object],
) -> None:
    myanmar = entity_id(factory, "state:MM")
    assert pending_changes(factory) == set()
    with transaction(factory) as session:
        rohingya = session.scalars(select(Document).where(Document.title.contains("Rohingya"))).one()
        place = rohingya.text.index("the army and") + len("the ")
        rohingya_id = rohingya.id
    client = logged_in("researcher")
    page = f"/entities/{myanmar}"
    response = client.post(f"{page}/aliases", data={"csrf_token": token(client, page), "alias": "army"})
    assert response.status_code == 302
    with transaction(factory) as session:
        added = session.scalars(
            select(Mention).where(Mention.entity_id == myanmar, Mention.text == "army")
        ).all()
        assert [(m.document_id, m.start, m.end, m.kind) for m in added] == [
            (rohingya_id, place, place + 4, "state_force")
        ]  # "Arakan Army" is not "army": case-sensitive
        entity = session.get(Entity, myanmar)
        assert entity is not None and "army" in entity.aliases
        assert session.scalars(select(AuditEvent).where(AuditEvent.action == "entity_alias")).one()
    assert pending_changes(factory) == {rohingya_id}

    # an alias inside an existing mention adds no second mention at that place
    hts = entity_id(factory, "group:hayat-tahrir-al-sham")
    with transaction(factory) as session:
        target = session.get(Entity, hts)
        assert target is not None
        result = add_alias(session, target, "Tahrir")
        assert result.mentions == 0 and result.documents == ()
        try:
            add_alias(session, target, "Tahrir")
        except EntityError as exc:
            assert "already" in str(exc)
        else:
            raise AssertionError("the same alias twice was accepted")
        for bad in ("a\x00b", "x", "bell\x07"):
            try:
                add_alias(session, target, bad)
            except EntityError:
                pass
            else:
                raise AssertionError(f"the alias {bad!r} was accepted")

    # the index follows the change log
    pipeline.update_index(factory, SearchIndex(settings.index_path))
    assert pending_changes(factory) == set()
    assert rohingya_id in group_hits(settings, "state:MM")


def test_merging_moves_mentions_and_redirects(
    logged_in: Callable[[str], FlaskClient],
    factory: sessionmaker[Session],
    settings: Settings,
    populated: dict[str, object],
) -> None:
    rsf = entity_id(factory, "group:rapid-support-forces")
    with transaction(factory) as session:
        fasher = session.scalars(select(Document).where(Document.title.contains("El Fasher"))).one()
        duplicate = Entity(
            key="group:rsf-duplicate",
            kind="armed_group",
            canonical_name="RSF",
            aliases=["Rapid Support"],
            country_codes=["SD", "TD"],
            wikidata_id="Q7293556",
        )
        session.add(duplicate)
        session.flush()
        moved = session.scalars(
            select(Mention).where(Mention.document_id == fasher.id, Mention.entity_id == rsf)
        ).one()
        moved.entity_id = duplicate.id
        session.add(IndexChange(document_id=fasher.id, op="upsert"))
        dup_id, fasher_id = duplicate.id, fasher.id
    pipeline.update_index(factory, SearchIndex(settings.index_path))
    assert fasher_id not in group_hits(settings, "group:rapid-support-forces")

    client = logged_in("researcher")
    page = f"/entities/{rsf}"
    csrf = token(client, page)
    assert (
        client.post(f"{page}/merge", data={"csrf_token": csrf, "duplicate_id": str(rsf)}).status_code == 302
    )
    response = client.post(f"{page}/merge", data={"csrf_token": csrf, "duplicate_id": str(dup_id)})
    assert response.status_code == 302
    with transaction(factory) as session:
        assert session.scalars(select(Mention).where(Mention.entity_id == dup_id)).all() == []
        assert fasher_id in set(session.scalars(select(Mention.document_id).where(Mention.entity_id == rsf)))
        target = session.get(Entity, rsf)
        merged = session.get(Entity, dup_id)
        assert target is not None and merged is not None
        assert {"RSF", "Rapid Support"} <= set(target.aliases)
        assert set(target.country_codes) == {"SD", "TD"} and target.wikidata_id == "Q7293556"
        assert merged.merged_into_id == rsf
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "entity_merge")).one()
        assert event.details["merged"] == dup_id and event.details["documents"] == [fasher_id]
    assert pending_changes(factory) == {fasher_id}

    redirect = client.get(f"/entities/{dup_id}")
    assert redirect.status_code == 302 and redirect.headers["Location"].endswith(f"/entities/{rsf}")
    listing = client.get("/entities/?q=rsf").get_data(as_text=True)
    assert f'href="/entities/{dup_id}"' not in listing and f'href="/entities/{rsf}"' in listing
    # merging it again is refused
    again = client.post(f"{page}/merge", data={"csrf_token": csrf, "duplicate_id": str(dup_id)})
    assert again.status_code == 302
    assert "was merged already" in client.get(page).get_data(as_text=True)

    pipeline.update_index(factory, SearchIndex(settings.index_path))
    assert fasher_id in group_hits(settings, "group:rapid-support-forces")
