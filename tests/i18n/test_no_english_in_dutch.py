"""Every main page rendered in English and in Dutch: no interface text may read the same in both.

The portal is filled from the sample sources, then given a briefing, an annotation, a saved
search and digest settings of its own. Each page's text nodes and labelling attributes are taken
from both renderings; what comes from the stored data (titles, texts, names, notes, addresses,
numbers and dates) is removed, and what is left must differ between the two languages, apart
from the short list of names that both languages write alike.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterable

from babel import Locale
from bs4 import BeautifulSoup, NavigableString, XMLParsedAsHTMLWarning
from flask.testing import FlaskClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from portal.annotations.models import Annotation
from portal.briefings.models import Briefing
from portal.db import transaction
from portal.models import (
    AuditEvent,
    Document,
    DocumentCountry,
    DocumentVersion,
    Entity,
    Mention,
    SavedSearch,
    Snapshot,
    Source,
    User,
)

# Written alike in English and Dutch: names, formats and loanwords the Dutch interface keeps.
ALLOWED = {
    "COI",
    "API",
    "Atom",
    "CSV",
    "DOCX",
    "JSON",
    "PDF",
    "OpenAPI",
    "Markdown",
    "SHA-256",
    "sha256",
    "UTC",
    "English",
    "Nederlands",
    "Briefing",
    "Briefings",
    "Desk",
    "Document",
    "Status",
    "Media",
    "Feed",
    "Feeds",
    "Menu",
    "Screening",
    "Filters",
    "Code",
    "Account",
    "E-mail",
    "Word (DOCX",
    "Wikidata",
    "AND",
    "OR",
    "NOT",
}
SKIPPED_TAGS = {"script", "style", "code", "pre", "textarea"}
# regions that hold only stored content or names: search snippets, the document text, a stored
# copy, the time zones (tz database names)
CONTENT_REGIONS = (".snippet", "#doc-text", ".stored-copy", 'select[name="timezone"]')
LABEL_ATTRIBUTES = ("aria-label", "placeholder", "title", "alt")
ADMIN_COMMENT = "Dit is een notitie van de beheerder over de wegversperring bij de brug"
BRIEFING_SUMMARY = "Overzicht van de ochtend: wegversperringen en waterschaarste"


def token(client: FlaskClient, path: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get(path).get_data(as_text=True))
    assert match, path
    return match.group(1)


def seed(client: FlaskClient, factory: sessionmaker[Session]) -> dict[str, int]:
    """A published briefing, a draft with an annotated item, a saved search, digest settings."""
    with transaction(factory) as session:
        sudan = session.scalars(
            select(DocumentCountry.document_id).where(DocumentCountry.country_code == "SD")
        ).first()
        assert sudan is not None, "the sample sources hold a document on Sudan"
        doc = session.get(Document, sudan)
        assert doc is not None
        quote = doc.text[:30]
    ids = {"doc": sudan}
    posted = client.post(
        f"/documents/{sudan}/annotations",
        data={
            "csrf_token": token(client, f"/documents/{sudan}"),
            "start": "0",
            "end": str(len(quote)),
            "quote": quote,
            "comment": ADMIN_COMMENT,
            "tags": "brug",
            "shared": "y",
        },
    )
    assert posted.status_code == 302
    for code in ("SD", "ER"):
        client.post("/briefings/new", data={"csrf_token": token(client, "/briefings/"), "country": code})
    with transaction(factory) as session:
        rows = {b.desk_key: b.id for b in session.scalars(select(Briefing))}
        ids["note"] = session.scalars(select(Annotation.id)).one()
        ids["snapshot"] = (
            session.scalars(
                select(Snapshot.id)
                .join(DocumentVersion, DocumentVersion.id == Snapshot.version_id)
                .where(DocumentVersion.document_id == sudan)
            ).first()
            or 0
        )
    ids["published"], ids["draft"] = rows["country-SD"], rows["country-ER"]
    for bid in (ids["published"], ids["draft"]):
        edit = f"/briefings/{bid}/edit"
        client.post(f"/briefings/{bid}/items", data={"csrf_token": token(client, edit), "document_id": sudan})
        client.post(
            edit,
            data={"csrf_token": token(client, edit), "title": "Ochtendbericht", "summary": BRIEFING_SUMMARY},
        )
    published = client.post(
        f"/briefings/{ids['published']}/publish",
        data={"csrf_token": token(client, f"/briefings/{ids['published']}/edit"), "confirm": "yes"},
    )
    assert published.status_code == 302
    client.post(
        "/saved",
        data={
            "csrf_token": token(client, "/?q=water"),
            "name": "Waterbronnen",
            "q": "water",
            "filters": "{}",
        },
    )
    with transaction(factory) as session:
        ids["saved"] = session.scalars(select(SavedSearch.id)).one()
        ids["entity"] = session.scalars(select(Entity.id).where(Entity.kind == "armed_group")).first() or 0
        ids["source"] = session.scalars(select(Source.id)).first() or 0
    return ids


def stored_texts(factory: sessionmaker[Session]) -> list[str]:
    """Every piece of stored data a page may show, longest first."""
    found: set[str] = set()

    def add(values: Iterable[object]) -> None:
        for value in values:
            if isinstance(value, str) and value.strip():
                found.add(value.strip())
            elif isinstance(value, list | tuple):
                add(value)

    with transaction(factory) as session:
        for d in session.scalars(select(Document)):
            add([d.title, d.text, d.url, d.author, d.summary, d.language, d.declared_language])
        for v in session.scalars(select(DocumentVersion)):
            add([v.title])
        for s in session.scalars(select(Snapshot)):
            add([s.url, s.content_type, s.sha256])
        for src in session.scalars(select(Source)):
            add([src.name, src.publisher, src.url, src.kind, src.language, src.last_error])
            add([src.mandate, src.methodology, src.reliability_note, src.assessment_notes])
        for e in session.scalars(select(Entity)):
            add([e.canonical_name, e.aliases, e.ucdp_name, e.entity_type, e.key, e.wikidata_id])
        # province names are the gazetteer's English names of places, not interface text
        add(list(session.scalars(select(Mention.province_name).where(Mention.province_name.is_not(None)))))
        for u in session.scalars(select(User)):
            add([u.username, u.email])
        for b in session.scalars(select(Briefing)):
            add([b.title, b.summary, b.desk_name, b.desk_key])
        for a in session.scalars(select(Annotation)):
            add([a.exact, a.comment, a.tags])
        for q in session.scalars(select(SavedSearch)):
            add([q.name, q.query])
        for ev in session.scalars(select(AuditEvent)):
            add([ev.action, ev.target, ev.ip])
    # countries both languages name alike (Eritrea, Afghanistan) carry no interface text
    english, dutch = Locale("en").territories, Locale("nl").territories
    add([name for code, name in english.items() if dutch.get(code) == name])
    return sorted(found, key=len, reverse=True)


def interface_texts(html: str, stored: list[str]) -> set[str]:
    with warnings.catch_warnings():  # the Atom feeds are read the same way, as markup
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        soup = BeautifulSoup(html, "html.parser")
    for region in soup.select(", ".join(CONTENT_REGIONS)):
        region.decompose()
    pieces: list[str] = []
    for node in soup.find_all(string=True):
        if type(node) is not NavigableString:  # comments, the XML declaration, the doctype
            continue
        if not any(p.name in SKIPPED_TAGS for p in node.parents if p.name):
            pieces.append(str(node))
    for tag in soup.find_all(True):
        pieces += [str(tag[a]) for a in LABEL_ATTRIBUTES if tag.has_attr(a)]
    corpus = "\n".join(" ".join(value.split()) for value in stored)
    left: set[str] = set()
    for piece in pieces:
        text = " ".join(piece.split())
        if not text or text in corpus:  # stored data, or a part of it cut by highlighting
            continue
        # addresses, the stored data, then anchors, hashes, country codes and numbers
        text = re.sub(r"https?://\S+", " ", text)
        for value in stored:
            if len(value) > 1 and value in text:
                text = re.sub(rf"(?<!\w){re.escape(value)}(?!\w)", " ", text)
        text = re.sub(r"#[\w-]+|SHA-256|sha256|[0-9a-f]{12,}|\b[A-Z]{2}\b|\d+", " ", text)
        text = " ".join(text.split()).strip(" .,:;·–-()[]“”\"'?/#✕…")
        if re.search(r"[^\W\d_]{2,}", text) and text not in ALLOWED:
            left.add(text)
    return left


# pages answered with an error on purpose; every other page must answer 200
EXPECTED_STATUS = {"/no-such-page": 404, "/unsubscribe/not-a-token": 404}


def render(client: FlaskClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == EXPECTED_STATUS.get(path, 200), (path, response.status_code)
    return response.get_data(as_text=True)


def test_no_interface_text_reads_the_same_in_dutch(
    logged_in: Callable[[str], FlaskClient],
    factory: sessionmaker[Session],
    populated: dict[str, object],
) -> None:
    client = logged_in("admin")
    ids = seed(client, factory)
    client.get("/briefings/")  # hands out the feed token
    with transaction(factory) as session:
        feed_token = session.scalars(select(User.feed_token).where(User.username == "admin")).one()
    pages = [
        "/",
        "/?q=water",
        "/?q=country:Sudan&sort=newest&group_clusters=1",
        '/?q="open quote AND',
        "/?q=nosuchfield:abc since:soon",
        f"/documents/{ids['doc']}",
        f"/documents/{ids['doc']}/copies/{ids['snapshot']}",
        "/briefings/",
        f"/briefings/{ids['published']}",
        f"/briefings/{ids['draft']}",
        f"/briefings/{ids['draft']}/edit",
        "/countries/",
        "/countries/SD",
        "/entities/",
        f"/entities/{ids['entity']}",
        "/annotations",
        f"/annotations/{ids['note']}/edit",
        "/saved",
        "/settings",
        "/settings/account",
        "/admin/sources",
        f"/admin/sources/{ids['source']}",
        "/admin/users",
        "/admin/audit",
        "/admin/jobs",
        "/help",
        "/api/docs",
        "/no-such-page",
        f"/feeds/saved/{ids['saved']}.atom?token={feed_token}",
        f"/briefings/feed.atom?token={feed_token}",
        "/unsubscribe/not-a-token",
    ]
    english = {path: render(client, path) for path in pages}
    with transaction(factory) as session:
        session.execute(update(User).where(User.username == "admin").values(locale="nl"))
    dutch = {path: render(client, path) for path in pages}
    assert 'lang="nl"' in dutch["/"] and "Zoeken" in dutch["/"]
    # the parser's warnings, dates, country and topic names reach the page in Dutch
    assert "Een aanhalingsteken is niet gesloten" in dutch['/?q="open quote AND']
    assert "A quotation mark is not closed" in english['/?q="open quote AND']
    months = "januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december"
    assert re.search(rf"\b\d{{1,2}} ({months}) \d{{4}}\b", dutch[f"/documents/{ids['doc']}"])
    assert "Soedan" in dutch["/countries/SD"] and "Sudan" in english["/countries/SD"]
    stored = stored_texts(factory)
    same: dict[str, list[str]] = {}
    for path in pages:
        assert english[path] != dutch[path], path
        both = interface_texts(english[path], stored) & interface_texts(dutch[path], stored)
        if both:
            same[path] = sorted(both)
    assert not same, f"interface text left in English on the Dutch pages: {same}"


def test_the_check_finds_english_left_in_a_page() -> None:
    stored = ["Flooding in the river valley"]
    english = "<main><h2>Flooding in the river valley</h2><p>Published</p><p>Export these:</p></main>"
    dutch = "<main><h2>Flooding in the river valley</h2><p>Gepubliceerd</p><p>Export these:</p></main>"
    left = interface_texts(english, stored) & interface_texts(dutch, stored)
    assert left == {"Export these"}


def test_a_briefing_exported_in_dutch_cites_in_dutch(
    logged_in: Callable[[str], FlaskClient],
    factory: sessionmaker[Session],
    populated: dict[str, object],
) -> None:
    import io

    from docx import Document as WordDocument

    client = logged_in("admin")
    ids = seed(client, factory)

    def export() -> str:
        response = client.get(f"/briefings/{ids['published']}/export.docx")
        assert response.status_code == 200
        word = WordDocument(io.BytesIO(response.data))
        return "\n".join(p.text for p in word.paragraphs)

    english = export()
    with transaction(factory) as session:
        session.execute(update(User).where(User.username == "admin").values(locale="nl"))
    dutch = export()
    assert "Sources" in english and "accessed" in english and "original" in english
    assert "Bronnen" in dutch and "geraadpleegd op" in dutch and "origineel" in dutch
    assert "accessed" not in dutch and "published" not in dutch
    months = "januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december"
    assert re.search(rf"geraadpleegd op \d{{1,2}} ({months}) \d{{4}}", dutch)
