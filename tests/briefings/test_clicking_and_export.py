"""Briefings by clicking: add from search and document pages, attach from a list, confirm, export."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import date

import pytest
from docx import Document as WordDocument
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from portal.annotations.models import Annotation
from portal.briefings.jobs import draft_briefings
from portal.briefings.models import Briefing
from portal.config import Settings
from portal.db import transaction
from portal.models import Document, User


def token(client: FlaskClient, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert match
    return match.group(1)


def test_add_from_search_attach_publish_and_export(
    logged_in: Callable[[str], FlaskClient],
    factory: sessionmaker[Session],
    settings: Settings,
    populated: dict[str, object],
) -> None:
    client = logged_in("researcher")
    post = client.post("/briefings/new", data={"csrf_token": token(client, "/briefings/"), "country": "ER"})
    assert post.status_code == 302
    with transaction(factory) as session:
        bid = session.scalars(select(Briefing.id).where(Briefing.desk_key == "country-ER")).one()
        before = len(session.get(Briefing, bid).items)  # type: ignore[union-attr]
        docs = session.scalars(select(Document).order_by(Document.id)).all()
        ids = [d.id for d in docs if d.id not in {i.document_id for i in session.get(Briefing, bid).items}]  # type: ignore[union-attr]
        first, second = ids[:2]
        user = session.scalars(select(User).where(User.username == "researcher")).one()
        doc = session.get(Document, first)
        assert doc is not None
        quote = doc.text[:40]
        note = Annotation(
            document_id=first, user_id=user.id, version=doc.version, start=0, end=40, exact=quote, tags=[]
        )
        session.add(note)
        session.flush()
        note_id = note.id

    # the search page offers "Add to briefing" with the draft to choose
    page = client.get("/", query_string={"country": "ER", "sort": "newest"}).get_data(as_text=True)
    assert "Add to briefing" in page and f'<option value="{bid}" selected>' in page
    doc_page = client.get(f"/documents/{first}").get_data(as_text=True)
    assert "Add to briefing" in doc_page and f'<option value="{bid}" selected>' in doc_page
    for doc_id, back in ((first, "/?q=Eritrea"), (second, f"/documents/{second}")):
        response = client.post(
            "/briefings/add-document",
            data={"csrf_token": token(client, back), "briefing_id": bid, "document_id": doc_id, "next": back},
        )
        assert response.status_code == 302 and response.headers["Location"].startswith(back.split("?")[0])
        # the message links to the draft
        assert f'Added to “<a href="/briefings/{bid}/edit">' in client.get(back).get_data(as_text=True)
    with transaction(factory) as session:
        b = session.get(Briefing, bid)
        assert b is not None and len(b.items) == before + 2
        item_id = next(i.id for i in b.items if i.document_id == first)

    # the editor lists the annotation by its quote; attach it by choosing it
    edit = client.get(f"/briefings/{bid}/edit").get_data(as_text=True)
    assert f'name="annotation_id" value="{note_id}"' in edit and quote[:20] in edit
    client.post(
        f"/briefings/{bid}/items/{item_id}/annotations",
        data={"csrf_token": token(client, f"/briefings/{bid}/edit"), "annotation_id": note_id},
    )

    # publishing asks for confirmation
    edit_url = f"/briefings/{bid}/edit"
    client.post(f"/briefings/{bid}/publish", data={"csrf_token": token(client, edit_url)})
    with transaction(factory) as session:
        assert session.get(Briefing, bid).status == "draft"  # type: ignore[union-attr]
    client.post(f"/briefings/{bid}/publish", data={"csrf_token": token(client, edit_url), "confirm": "yes"})
    shown = client.get(f"/briefings/{bid}").get_data(as_text=True)
    assert "stored copy of" in shown and re.search(rf'href="/documents/{first}/copies/\d+"', shown)

    with transaction(factory) as session:
        b = session.get(Briefing, bid)
        assert b is not None and b.status == "published"
        titles = [i.document.title for i in b.items]
        urls = [i.document.url for i in b.items]
    word = client.get(f"/briefings/{bid}/export.docx")
    assert word.status_code == 200
    text = "\n".join(p.text for p in WordDocument(io.BytesIO(word.data)).paragraphs)
    assert "Sources" in text and quote in text
    for n, (title, url) in enumerate(zip(titles, urls, strict=True), start=1):
        assert title in text and url in text and f"[{n}]" in text
    assert text.count("stored copy http") == len(titles)
    pdf = client.get(f"/briefings/{bid}/export.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    pdf_text = re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages))
    for url in urls:
        assert re.sub(r"\s+", "", url) in pdf_text


def test_drafts_cannot_be_exported_and_new_drafts_are_prefilled(
    logged_in: Callable[[str], FlaskClient],
    factory: sessionmaker[Session],
    settings: Settings,
    populated: dict[str, object],
) -> None:
    draft_briefings(factory, settings)
    with transaction(factory) as session:
        draft = session.scalars(select(Briefing).where(Briefing.status == "draft")).first()
        assert draft is not None and draft.items
        bid = draft.id
    client = logged_in("researcher")
    assert client.get(f"/briefings/{bid}/export.docx").status_code == 404
    assert client.get(f"/briefings/{bid}/export.pdf").status_code == 404


def signed_in_a_while_ago(logged_in: Callable[[str], FlaskClient], name: str) -> FlaskClient:
    client = logged_in(name)
    with client.session_transaction() as cookie:  # the log-in no longer counts as a recent write
        cookie.pop("_coi_wrote_at", None)
    return client


def first_document(factory: sessionmaker[Session]) -> int | None:
    with transaction(factory) as session:
        return session.scalars(select(Document.id).order_by(Document.id)).first()


def colleague_starts_draft(factory: sessionmaker[Session], desk_key: str, title: str) -> None:
    """A draft written straight into the database, as by a colleague on another web process."""
    with transaction(factory) as session:
        session.add(
            Briefing(
                desk_key=desk_key,
                desk_name="Desk",
                title=title,
                for_date=date(2026, 3, 2),
                status="draft",
                countries=[],
            )
        )


def test_a_draft_another_user_starts_shows_within_seconds_and_ones_own_at_once(
    logged_in: Callable[[str], FlaskClient],
    factory: sessionmaker[Session],
    populated: dict[str, object],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from portal.briefings import views

    client = signed_in_a_while_ago(logged_in, "researcher")
    doc_id = first_document(factory)
    assert "Add to briefing" not in client.get(f"/documents/{doc_id}").get_data(as_text=True)  # no draft
    colleague_starts_draft(factory, "colleague", "Colleague's draft")
    # the process keeps the drafts a few seconds...
    assert "Colleague" not in client.get(f"/documents/{doc_id}").get_data(as_text=True)
    monkeypatch.setattr(views, "_DRAFTS_FRESH_SECONDS", 0.0)  # ...and reads them again after those
    assert "Colleague&#39;s draft" in client.get(f"/documents/{doc_id}").get_data(as_text=True)
    monkeypatch.setattr(views, "_DRAFTS_FRESH_SECONDS", 3600.0)
    post = client.post("/briefings/new", data={"csrf_token": token(client, "/briefings/"), "country": "ER"})
    assert post.status_code == 302
    with transaction(factory) as session:
        own = session.scalars(select(Briefing.id).where(Briefing.desk_key == "country-ER")).one()
    # the browser that started a draft sees it at once
    assert f'<option value="{own}"' in client.get(f"/documents/{doc_id}").get_data(as_text=True)


def test_who_has_just_signed_in_sees_a_draft_a_colleague_started_a_moment_before(
    logged_in: Callable[[str], FlaskClient],
    factory: sessionmaker[Session],
    populated: dict[str, object],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from portal.briefings import views

    monkeypatch.setattr(views, "_DRAFTS_FRESH_SECONDS", 3600.0)  # the process keeps what it read
    client = signed_in_a_while_ago(logged_in, "researcher")
    doc_id = first_document(factory)
    assert "Add to briefing" not in client.get(f"/documents/{doc_id}").get_data(as_text=True)
    colleague_starts_draft(factory, "for-admin", "Draft for the admin")
    assert "Draft for the admin" not in client.get(f"/documents/{doc_id}").get_data(as_text=True)
    assert client.post("/logout", data={"csrf_token": token(client, "/")}).status_code == 302
    client = logged_in("admin")  # signs in, in the same process, a moment later
    assert "Draft for the admin" in client.get(f"/documents/{doc_id}").get_data(as_text=True)
