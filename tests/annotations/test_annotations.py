"""Annotating through the portal: create, see, change, export; re-anchoring on a new version."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable

from flask.testing import FlaskClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from portal.annotations import service
from portal.annotations.models import Annotation
from portal.db import transaction
from portal.documents.render import render_paragraphs
from portal.models import Document, User
from tests.seed import one_document


def make_doc(factory: sessionmaker[Session], text: str) -> int:
    return one_document(factory, text)


TEXT = (
    "Checkpoints were set up on the road.\nMen of military age were stopped and questioned.\nPrices doubled."
)


def token(client: FlaskClient, path: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get(path).get_data(as_text=True))
    assert match
    return match.group(1)


def annotate(client: FlaskClient, doc_id: int, needle: str, **extra: str) -> object:
    start = TEXT.index(needle)
    data = {
        "csrf_token": token(client, f"/documents/{doc_id}"),
        "start": str(start),
        "end": str(start + len(needle)),
        "quote": needle,
        "comment": "**Key** passage",
        "tags": "Conscription, road",
        "shared": "y",
        **extra,
    }
    return client.post(f"/documents/{doc_id}/annotations", data=data)


def test_create_show_and_export(
    logged_in: Callable[[str], FlaskClient], factory: sessionmaker[Session]
) -> None:
    doc_id = make_doc(factory, TEXT)
    client = logged_in("researcher")
    assert annotate(client, doc_id, "Men of military age").status_code == 302  # type: ignore[attr-defined]
    page = client.get(f"/documents/{doc_id}").get_data(as_text=True)
    assert '<mark class="anno" data-annotation="1">Men of military age</mark>' in page
    assert "<strong>Key</strong> passage" in page
    exported = json.loads(client.get("/annotations/export.json").get_data(as_text=True))
    assert exported[0]["exact"] == "Men of military age" and exported[0]["tags"] == ["conscription", "road"]
    rows = list(csv.DictReader(io.StringIO(client.get("/annotations/export.csv").get_data(as_text=True))))
    assert rows[0]["exact"] == "Men of military age" and rows[0]["author"] == "researcher"
    assert "Men of military age" in client.get("/annotations?q=military").get_data(as_text=True)
    assert "Men of military age" not in client.get("/annotations?tag=other").get_data(as_text=True)


def test_the_annotation_form_speaks_the_readers_language_and_saves(
    logged_in: Callable[[str], FlaskClient], factory: sessionmaker[Session]
) -> None:
    """The form's fields are rendered once per language: each reader still gets their own."""
    doc_id = make_doc(factory, TEXT)
    client = logged_in("researcher")
    for locale, label, other in [
        ("en", "Comment (Markdown)", "Opmerking (Markdown)"),
        ("nl", "Opmerking (Markdown)", "Comment (Markdown)"),
        ("en", "Comment (Markdown)", "Opmerking (Markdown)"),
    ]:
        with transaction(factory) as session:
            session.execute(update(User).where(User.username == "researcher").values(locale=locale))
        page = client.get(f"/documents/{doc_id}").get_data(as_text=True)
        opens = page.index('id="annotate-form"')
        form = page[opens : page.index("</form>", opens)]
        assert label in form and other not in form
        assert 'id="annotate-comment"' in form and 'name="csrf_token"' in form
    assert annotate(client, doc_id, "Prices doubled").status_code == 302  # type: ignore[attr-defined]
    assert '<mark class="anno" data-annotation="1">Prices doubled</mark>' in client.get(
        f"/documents/{doc_id}"
    ).get_data(as_text=True)


def test_stale_selection_and_bad_range_are_refused(
    logged_in: Callable[[str], FlaskClient], factory: sessionmaker[Session]
) -> None:
    doc_id = make_doc(factory, TEXT)
    client = logged_in("researcher")
    annotate(client, doc_id, "Prices doubled", quote="something else")
    data = {"csrf_token": token(client, f"/documents/{doc_id}"), "start": "5", "end": "99999"}
    client.post(f"/documents/{doc_id}/annotations", data=data)
    with transaction(factory) as session:
        assert session.scalars(select(Annotation)).all() == []


def test_private_notes_stay_private_and_only_authors_edit(
    logged_in: Callable[[str], FlaskClient], factory: sessionmaker[Session], client: FlaskClient
) -> None:
    doc_id = make_doc(factory, TEXT)
    researcher = logged_in("researcher")
    annotate(researcher, doc_id, "Prices doubled", shared="")
    annotate(researcher, doc_id, "Checkpoints were set up")
    researcher.post("/logout", data={"csrf_token": token(researcher, "/")})
    officer = logged_in("officer")
    page = officer.get(f"/documents/{doc_id}").get_data(as_text=True)
    assert "Checkpoints were set up" in page and "Annotations (1)" in page
    with transaction(factory) as session:
        notes = {n.exact: n.id for n in session.scalars(select(Annotation))}
    assert officer.get(f"/annotations/{notes['Prices doubled']}/edit").status_code == 404
    assert officer.get(f"/annotations/{notes['Checkpoints were set up']}/edit").status_code == 403


def test_new_version_reanchors_or_orphans(factory: sessionmaker[Session]) -> None:
    doc_id = make_doc(factory, TEXT)
    with transaction(factory) as session:
        doc = session.get(Document, doc_id)
        user = User(username="r", role="researcher", password_hash="x")
        session.add(user)
        session.flush()
        assert doc is not None
        kept = service.create(session, doc, user, TEXT.index("Men of"), TEXT.index(" were stopped"), "c")
        lost = service.create(session, doc, user, TEXT.index("Prices"), len(TEXT), "c")
        kept_id, lost_id = kept.id, lost.id
        doc.text = "UPDATE: new figures.\n" + TEXT.replace("Prices doubled.", "Prices rose.")
        doc.version = 2
        assert service.reanchor(session, doc) == (1, 1)
    with transaction(factory) as session:
        doc = session.get(Document, doc_id)
        kept_note, lost_note = session.get(Annotation, kept_id), session.get(Annotation, lost_id)
        assert doc is not None and kept_note is not None and lost_note is not None
        assert doc.text[kept_note.start : kept_note.end] == "Men of military age"
        assert kept_note.version == 2 and not kept_note.orphaned
        assert lost_note.orphaned


def test_paragraphs_keep_offsets_and_nest_marks() -> None:
    class Span:
        def __init__(self, start: int, end: int, id: int) -> None:
            self.start, self.end, self.id = start, end, id

    paras = render_paragraphs("One <b>.\n\nTwo words here.", [], [Span(11, 20, 7)])
    assert [p.start for p in paras] == [0, 10]
    assert str(paras[0].html) == "One &lt;b&gt;."
    assert str(paras[1].html) == 'T<mark class="anno" data-annotation="7">wo words </mark>here.'
