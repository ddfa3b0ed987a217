"""Composing, publishing and correcting a briefing through the portal, with CSRF tokens and roles."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from portal.annotations.models import Annotation
from portal.briefings.jobs import draft_briefings
from portal.briefings.models import Briefing
from portal.config import Settings
from portal.db import transaction
from portal.models import AuditEvent, Document, User


def token(client: FlaskClient, path: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get(path).get_data(as_text=True))
    assert match, path
    return match.group(1)


def post(client: FlaskClient, path: str, page: str, **data: str) -> object:
    return client.post(path, data={"csrf_token": token(client, page), **data})


def sudan_draft(factory: sessionmaker[Session], settings: Settings) -> int:
    draft_briefings(factory, settings)
    with transaction(factory) as session:
        return session.scalars(select(Briefing.id).where(Briefing.desk_key == "country-SD")).one()


def items_of(factory: sessionmaker[Session], briefing_id: int) -> list[tuple[int, int, str]]:
    with transaction(factory) as session:
        b = session.get(Briefing, briefing_id)
        assert b is not None
        return [(i.id, i.document_id, i.summary) for i in b.items]


def test_compose_reorder_and_publish(
    logged_in: Callable[[str], FlaskClient],
    factory: sessionmaker[Session],
    settings: Settings,
    populated: dict[str, object],
) -> None:
    bid = sudan_draft(factory, settings)
    client = logged_in("researcher")
    edit = f"/briefings/{bid}/edit"
    page = client.get(edit)
    assert page.status_code == 200
    before = items_of(factory, bid)
    # the two reports from Sudan, and the Eritreans' route through Khartoum
    assert len(before) == 3
    with transaction(factory) as session:
        eritrea = session.scalars(select(Document.id).where(Document.title.contains("Eritreans"))).one()
    assert eritrea in [d for _, d, _ in before]
    # take the Eritrea story out; it is added back by id below
    (drafted,) = [i for i, d, _ in before if d == eritrea]
    assert post(client, f"/briefings/{bid}/items/{drafted}/remove", edit).status_code == 302  # type: ignore[attr-defined]
    before = items_of(factory, bid)
    assert len(before) == 2 and eritrea not in [d for _, d, _ in before]

    # without a CSRF token nothing changes
    assert client.post(f"/briefings/{bid}/items/{before[0][0]}/down").status_code == 400
    assert items_of(factory, bid) == before

    # add a document by id, and one found by searching
    with transaction(factory) as session:
        ransom = session.scalars(select(Document.id).where(Document.title.contains("ransom"))).one()
    assert post(client, f"/briefings/{bid}/items", edit, document_id=str(eritrea)).status_code == 302  # type: ignore[attr-defined]
    found = client.get(edit + "?q=ransom").get_data(as_text=True)
    assert f'name="document_id" value="{ransom}"' in found
    assert post(client, f"/briefings/{bid}/items", edit, document_id=str(ransom)).status_code == 302  # type: ignore[attr-defined]
    assert post(client, f"/briefings/{bid}/items", edit, document_id="999999").status_code == 302  # type: ignore[attr-defined]
    assert [d for _, d, _ in items_of(factory, bid)] == [before[0][1], before[1][1], eritrea, ransom]

    # reorder without script: move the Eritrea item up twice, then the first one down
    eritrea_item = items_of(factory, bid)[2][0]
    for _ in range(2):
        post(client, f"/briefings/{bid}/items/{eritrea_item}/up", edit)
    assert items_of(factory, bid)[0][1] == eritrea
    post(client, f"/briefings/{bid}/items/{eritrea_item}/down", edit)
    assert [d for _, d, _ in items_of(factory, bid)] == [before[0][1], eritrea, before[1][1], ransom]

    # remove one
    ransom_item = items_of(factory, bid)[3][0]
    post(client, f"/briefings/{bid}/items/{ransom_item}/remove", edit)
    assert [d for _, d, _ in items_of(factory, bid)] == [before[0][1], eritrea, before[1][1]]

    # summaries in Markdown, rendered sanitised
    post(
        client,
        f"/briefings/{bid}/items/{eritrea_item}/summary",
        edit,
        summary="Conscripts **flee** <script>alert(1)</script>",
    )
    post(
        client,
        edit,
        edit,
        title="Sudan and Eritrea",
        summary="Overall: *two* crises. [x](javascript:alert(1))",
    )

    # attach an annotation of the item's document, shown with its quote and comment
    with transaction(factory) as session:
        doc = session.get(Document, eritrea)
        user = session.scalars(select(User).where(User.username == "researcher")).one()
        assert doc is not None
        quote = doc.text[:40]
        note = Annotation(
            document_id=doc.id,
            user_id=user.id,
            version=doc.version,
            start=0,
            end=40,
            exact=quote,
            comment="Matches *earlier* reports",
            tags=[],
        )
        other = Annotation(
            document_id=before[0][1],
            user_id=user.id,
            version=1,
            start=0,
            end=5,
            exact="x",
            comment="",
            tags=[],
        )
        session.add_all([note, other])
        session.flush()
        note_id, other_id = note.id, other.id
    post(client, f"/briefings/{bid}/items/{eritrea_item}/annotations", edit, annotation_id=str(note_id))
    post(client, f"/briefings/{bid}/items/{eritrea_item}/annotations", edit, annotation_id=str(other_id))
    with transaction(factory) as session:
        b = session.get(Briefing, bid)
        assert b is not None
        assert b.items[1].annotation_ids == [note_id]  # the other story's annotation was refused

    shown = client.get(f"/briefings/{bid}").get_data(as_text=True)
    assert "Conscripts <strong>flee</strong>" in shown
    assert "<script>alert" not in shown
    assert 'href="javascript' not in shown
    assert "<em>two</em>" in shown
    assert quote.split("\n")[0][:20] in shown and "Matches <em>earlier</em> reports" in shown

    # publish
    response = post(client, f"/briefings/{bid}/publish", edit, confirm="yes")
    assert response.status_code == 302  # type: ignore[attr-defined]
    with transaction(factory) as session:
        b = session.get(Briefing, bid)
        assert b is not None and b.status == "published" and b.published_at is not None
        assert b.title == "Sudan and Eritrea"
        actions = [e.action for e in session.scalars(select(AuditEvent))]
    assert "briefing_publish" in actions and "briefing_edit" in actions


def test_published_briefing_refuses_edits_and_is_corrected_by_a_new_version(
    logged_in: Callable[[str], FlaskClient],
    factory: sessionmaker[Session],
    settings: Settings,
    populated: dict[str, object],
) -> None:
    bid = sudan_draft(factory, settings)
    client = logged_in("researcher")
    edit = f"/briefings/{bid}/edit"
    post(client, edit, edit, title="Sudan", summary="First version.")
    csrf = token(client, edit)
    assert (
        client.post(f"/briefings/{bid}/publish", data={"csrf_token": csrf, "confirm": "yes"}).status_code
        == 302
    )
    snapshot = items_of(factory, bid)

    assert client.get(edit).status_code == 409
    first_item = snapshot[0][0]
    refused = client.post(f"/briefings/{bid}/items/{first_item}/down", data={"csrf_token": csrf})
    assert refused.status_code == 409
    assert "never changes" in refused.get_data(as_text=True)
    refused = client.post(edit, data={"csrf_token": csrf, "title": "Changed", "summary": "Changed."})
    assert refused.status_code == 409
    assert (
        client.post(f"/briefings/{bid}/publish", data={"csrf_token": csrf, "confirm": "yes"}).status_code
        == 409
    )
    assert items_of(factory, bid) == snapshot

    # correct: a draft copy, version 2, superseding version 1
    made = client.post(f"/briefings/{bid}/correct", data={"csrf_token": csrf})
    assert made.status_code == 302
    with transaction(factory) as session:
        v2 = session.scalars(select(Briefing).where(Briefing.supersedes_id == bid)).one()
        assert v2.version == 2 and v2.status == "draft" and v2.summary == "First version."
        assert [i.document_id for i in v2.items] == [d for _, d, _ in snapshot]
        v2_id = v2.id
    # a second "Correct" leads to the same draft
    client.post(f"/briefings/{bid}/correct", data={"csrf_token": csrf})
    with transaction(factory) as session:
        assert len(session.scalars(select(Briefing).where(Briefing.supersedes_id == bid)).all()) == 1
    v2_edit = f"/briefings/{v2_id}/edit"
    post(client, v2_edit, v2_edit, title="Sudan", summary="Corrected: the hospital count was wrong.")
    post(client, f"/briefings/{v2_id}/publish", v2_edit, confirm="yes")

    old = client.get(f"/briefings/{bid}")
    assert old.status_code == 200
    text = old.get_data(as_text=True)
    assert "First version." in text and "Superseded by" in text and "version 2" in text
    new = client.get(f"/briefings/{v2_id}").get_data(as_text=True)
    assert "Corrected: the hospital count was wrong." in new and "version 1" in new


def test_officers_read_published_briefings_only(
    logged_in: Callable[[str], FlaskClient],
    factory: sessionmaker[Session],
    settings: Settings,
    populated: dict[str, object],
) -> None:
    bid = sudan_draft(factory, settings)
    with transaction(factory) as session:
        draft_id = session.scalars(select(Briefing.id).where(Briefing.desk_key == "country-SY")).one()
        draft_title = session.get(Briefing, draft_id).title  # type: ignore[union-attr]
    client = logged_in("researcher")
    edit = f"/briefings/{bid}/edit"
    post(client, edit, edit, title="Sudan for officers", summary="Read me.")
    post(client, f"/briefings/{bid}/publish", edit, confirm="yes")
    client.post("/logout", data={"csrf_token": token(client, "/briefings/")})

    officer = logged_in("officer")
    listing = officer.get("/briefings/").get_data(as_text=True)
    assert "Sudan for officers" in listing
    assert draft_title not in listing and "Drafts" not in listing
    page = officer.get(f"/briefings/{bid}")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "Read me." in body
    assert "Correct</button>" not in body and "/edit" not in body
    assert officer.get(f"/briefings/{draft_id}").status_code == 404
    csrf = token(officer, f"/briefings/{bid}")
    for path in (f"/briefings/{draft_id}/edit", f"/briefings/{bid}/edit"):
        assert officer.get(path).status_code == 403
    assert (
        officer.post(
            f"/briefings/{draft_id}/publish", data={"csrf_token": csrf, "confirm": "yes"}
        ).status_code
        == 403
    )
    assert officer.post(f"/briefings/{bid}/correct", data={"csrf_token": csrf}).status_code == 403
    assert officer.post("/briefings/new", data={"csrf_token": csrf, "country": "SY"}).status_code == 403
    with transaction(factory) as session:
        assert session.get(Briefing, draft_id).status == "draft"  # type: ignore[union-attr]


def test_a_researcher_starts_a_briefing_by_hand(
    logged_in: Callable[[str], FlaskClient], factory: sessionmaker[Session]
) -> None:
    client = logged_in("researcher")
    response = post(client, "/briefings/new", "/briefings/", country="er")
    assert response.status_code == 302  # type: ignore[attr-defined]
    with transaction(factory) as session:
        b = session.scalars(select(Briefing)).one()
        assert (b.desk_key, b.desk_name, b.countries, b.status) == ("country-ER", "Eritrea", ["ER"], "draft")
    # the same desk and day leads to the existing draft
    post(client, "/briefings/new", "/briefings/", country="ER")
    with transaction(factory) as session:
        assert len(session.scalars(select(Briefing)).all()) == 1
    refused = post(client, f"/briefings/{b.id}/publish", f"/briefings/{b.id}/edit")
    assert refused.status_code == 302  # type: ignore[attr-defined]
    with transaction(factory) as session:
        assert session.get(Briefing, b.id).status == "draft"  # type: ignore[union-attr]
