"""The /screening pages and POST /api/v1/screening: who may use them, CSRF, audit events, exports,
deletion, and the answer's shape."""

from __future__ import annotations

import io
import re
from collections.abc import Callable

from docx import Document as WordDocument
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from portal.db import transaction
from portal.models import AuditEvent, IndexChange, Role, User
from portal.screening.models import ScreeningCandidate, ScreeningDecision, ScreeningEntry, ScreeningList
from tests.conftest import csrf_token, login, make_user
from tests.portal.test_api import token_for
from tests.screening.seed import LIST_CSV, seed


def _actions(factory: sessionmaker[Session]) -> list[tuple[str, str, str]]:
    with transaction(factory) as session:
        return [
            (e.action, e.username, e.target)
            for e in session.scalars(
                select(AuditEvent).where(AuditEvent.action.like("screening.%")).order_by(AuditEvent.id)
            )
        ]


def _create(client: FlaskClient, text: str = LIST_CSV, title: str = "Week 49") -> str:
    token = csrf_token(client, "/screening/")
    response = client.post("/screening/", data={"csrf_token": token, "title": title, "names": text})
    assert response.status_code == 302, response.get_data(as_text=True)
    location = response.headers["Location"]
    assert re.fullmatch(r"/screening/\d+", location)
    return location


def test_officers_cannot_screen_and_the_menu_shows_screening_to_researchers(
    logged_in: Callable[[str], FlaskClient], factory: sessionmaker[Session]
) -> None:
    client = logged_in("officer")
    assert client.get("/screening/").status_code == 403
    assert client.post("/screening/", data={"names": LIST_CSV}).status_code in (400, 403)
    assert 'href="/screening/"' not in client.get("/").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    client = logged_in("researcher")
    assert 'href="/screening/"' in client.get("/").get_data(as_text=True)
    with transaction(factory) as session:
        assert session.scalar(select(func.count()).select_from(ScreeningList)) == 0


def test_a_researcher_screens_a_list_decides_and_exports(
    logged_in: Callable[[str], FlaskClient], factory: sessionmaker[Session]
) -> None:
    ids = seed(factory)
    client = logged_in("researcher")
    location = _create(client)
    list_id = int(location.rsplit("/", 1)[1])
    page = client.get(location)
    assert page.status_code == 200 and page.headers["X-Robots-Tag"].startswith("noindex")
    html = page.get_data(as_text=True)
    assert "Week 49" in html and "Rachid Anouar al-Qubaysi" in html
    assert f'href="/entities/{ids["Rashid Anwar Qoubaisi"]}"' in html
    assert 'class="badge badge-match"' in html
    assert f'href="/documents/{ids["doc:0"]}"' in html and "Checkpoint report from Vellmar" in html
    assert '<mark class="ent ent-person">Rashid Anwar Qoubaisi</mark>, a captain' in html
    assert "Invented Monitor, “Checkpoint report from Vellmar”, 3 October 2026, stored copy" in html
    assert (
        "12th Falcon Regiment (2)" in html and "Vellmar (2)" in html and "Detention and torture (2)" in html
    )
    with transaction(factory) as session:
        candidate = session.scalars(
            select(ScreeningCandidate)
            .join(ScreeningEntry)
            .where(
                ScreeningEntry.list_id == list_id,
                ScreeningCandidate.entity_id == ids["Rashid Anwar Qoubaisi"],
            )
        ).one()
    decide = f"/screening/{list_id}/candidates/{candidate.id}/decision"
    # without the CSRF token the decision is refused
    assert client.post(decide, data={"decision": "match"}).status_code == 400
    token = csrf_token(client, location)
    response = client.post(
        decide, data={"decision": "match", "comment": "regiment and years agree", "csrf_token": token}
    )
    assert response.status_code == 302
    html = client.get(location).get_data(as_text=True)
    assert "Decision: Match" in html and "regiment and years agree" in html
    with transaction(factory) as session:
        decision = session.scalars(select(ScreeningDecision)).one()
        assert (decision.candidate_id, decision.decision, decision.username) == (
            candidate.id,
            "match",
            "researcher",
        )
    exported = client.get(f"/screening/{list_id}/export.csv")
    assert exported.status_code == 200 and exported.mimetype == "text/csv"
    lines = exported.get_data(as_text=True).splitlines()
    assert lines[0].startswith("name,aliases,birth_year,nationality,unit,candidate,entity_id,score,match")
    decided = [line for line in lines if "regiment and years agree" in line]
    assert len(decided) == 1 and ",match,researcher," in decided[0] and "Rashid Anwar Qoubaisi" in decided[0]
    assert any(line.startswith("Completely Unknown Personage,") for line in lines)
    word = client.get(f"/screening/{list_id}/export.docx")
    assert word.status_code == 200 and word.headers["Content-Disposition"].endswith('.docx"')
    text = "\n".join(p.text for p in WordDocument(io.BytesIO(word.data)).paragraphs)
    assert "Decision: match (researcher" in text and "regiment and years agree" in text
    assert "Invented Monitor, “Checkpoint report from Vellmar”, 3 October 2026, stored copy http://" in text
    assert "“… Witnesses said that Rashid Anwar Qoubaisi, a captain" in text
    target = f"screening:{list_id}"
    assert _actions(factory) == [
        ("screening.create", "researcher", target),
        ("screening.view", "researcher", target),
        ("screening.view", "researcher", target),
        ("screening.decide", "researcher", target),
        ("screening.view", "researcher", target),
        ("screening.export", "researcher", target),
        ("screening.export", "researcher", target),
    ]
    with transaction(factory) as session:
        assert session.scalar(select(func.count()).select_from(IndexChange)) == 0
    # the list is among the researcher's own
    assert f'href="{location}"' in client.get("/screening/").get_data(as_text=True)


ENGLISH_REASONS = re.compile(
    r"\((?:same|sounds alike|close spelling)[ ,]|not found|unit co-mentioned|birth year"
)


def test_citations_and_the_matchers_reasons_follow_the_researchers_language(
    logged_in: Callable[[str], FlaskClient], factory: sessionmaker[Session]
) -> None:
    seed(factory)
    with transaction(factory) as session:
        session.execute(update(User).where(User.username == "researcher").values(locale="nl"))
    client = logged_in("researcher")
    location = _create(client)
    list_id = int(location.rsplit("/", 1)[1])
    html = client.get(location).get_data(as_text=True)
    assert "“Checkpoint report from Vellmar”, 3 oktober 2026, bewaarde kopie" in html
    assert "geraadpleegd op" in html and "accessed" not in html
    reasons = " | ".join(re.findall(r'<ul class="reasons">(.*?)</ul>', html, re.S))
    assert "bij een score van 0,92 of meer" in html and '<span class="score">0,9' in html
    assert "rachid ~ rashid (klinkt gelijk, 0,98)" in reasons and "eenheid samen genoemd" in reasons
    assert not ENGLISH_REASONS.search(reasons), reasons
    word = client.get(f"/screening/{list_id}/export.docx")
    text = "\n".join(p.text for p in WordDocument(io.BytesIO(word.data)).paragraphs)
    assert "“Checkpoint report from Vellmar”, 3 oktober 2026" in text and "geraadpleegd op" in text
    said = [line for line in text.splitlines() if line.startswith("Redenen: ")]
    assert said and "(klinkt gelijk, 0,98)" in said[0] and not ENGLISH_REASONS.search("\n".join(said))
    # scripts read the reasons as the matcher writes them
    exported = client.get(f"/screening/{list_id}/export.csv").get_data(as_text=True)
    assert "rachid ~ rashid (sounds alike, 0.98)" in exported and "unit co-mentioned" in exported
    # a list without a title is named in the author's language
    untitled = client.get(_create(client, title="")).get_data(as_text=True)
    assert re.search(r"<h1>\d+ namen, \d{4}-\d\d-\d\d \d\d:\d\d UTC</h1>", untitled), untitled[:2000]


def test_another_researcher_gets_404_and_an_admin_sees_the_list(
    client: FlaskClient, users: dict[str, Role], factory: sessionmaker[Session]
) -> None:
    seed(factory)
    make_user(factory, "researcher2", Role.researcher)
    assert login(client, "researcher").status_code == 302
    location = _create(client)
    list_id = location.rsplit("/", 1)[1]
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert login(client, "researcher2").status_code == 302
    for path in (location, f"{location}/export.csv", f"{location}/export.docx"):
        assert client.get(path).status_code == 404, path
    token = csrf_token(client, "/screening/")
    assert client.post(f"{location}/delete", data={"csrf_token": token, "confirm": "y"}).status_code == 404
    assert f'href="{location}"' not in client.get("/screening/").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert login(client, "admin").status_code == 302
    assert client.get(location).status_code == 200
    assert f'href="{location}"' in client.get("/screening/").get_data(as_text=True)  # other users' lists
    assert ("screening.view", "admin", f"screening:{list_id}") in _actions(factory)


def test_a_bad_list_is_refused_with_a_clear_error(
    logged_in: Callable[[str], FlaskClient], factory: sessionmaker[Session]
) -> None:
    client = logged_in("researcher")
    token = csrf_token(client, "/screening/")
    response = client.post("/screening/", data={"csrf_token": token, "names": "person,unit\nSomeone,Here\n"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "The list cannot be screened: the list needs a header line with a &#39;name&#39; column" in html
    assert "person,unit" in html  # what was pasted is kept
    response = client.post("/screening/", data={"csrf_token": token, "names": "  "})
    assert "Paste a list or choose a CSV file." in response.get_data(as_text=True)
    # without the CSRF token nothing is screened
    assert client.post("/screening/", data={"names": "name\nSomeone\n"}).status_code == 400
    with transaction(factory) as session:
        assert session.scalar(select(func.count()).select_from(ScreeningList)) == 0


def test_an_uploaded_file_is_screened(
    logged_in: Callable[[str], FlaskClient], factory: sessionmaker[Session]
) -> None:
    seed(factory)
    client = logged_in("researcher")
    token = csrf_token(client, "/screening/")
    upload = (io.BytesIO(("\ufeff" + LIST_CSV).encode("utf-8")), "intake.csv")
    response = client.post(
        "/screening/", data={"csrf_token": token, "upload": upload}, content_type="multipart/form-data"
    )
    assert response.status_code == 302
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Lydia Marenkowa" in html and "Lidia Marenkova" in html
    bad = (io.BytesIO(b"name\n\xff\xfe\n"), "latin.csv")
    response = client.post(
        "/screening/", data={"csrf_token": token, "upload": bad}, content_type="multipart/form-data"
    )
    assert response.status_code == 400 and "not UTF-8" in response.get_data(as_text=True)


def test_delete_needs_csrf_and_confirmation_and_removes_every_row(
    logged_in: Callable[[str], FlaskClient], factory: sessionmaker[Session]
) -> None:
    seed(factory)
    client = logged_in("researcher")
    location = _create(client)
    list_id = int(location.rsplit("/", 1)[1])
    with transaction(factory) as session:
        candidate = session.scalars(select(ScreeningCandidate)).first()
        assert candidate is not None
    token = csrf_token(client, location)
    client.post(
        f"{location}/candidates/{candidate.id}/decision", data={"decision": "unsure", "csrf_token": token}
    )
    assert client.post(f"{location}/delete", data={"confirm": "y"}).status_code == 400
    response = client.post(f"{location}/delete", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == location
    with transaction(factory) as session:
        assert session.get(ScreeningList, list_id) is not None
    response = client.post(f"{location}/delete", data={"csrf_token": token, "confirm": "y"})
    assert response.status_code == 302 and response.headers["Location"] == "/screening/"
    with transaction(factory) as session:
        for model in (ScreeningList, ScreeningEntry, ScreeningCandidate, ScreeningDecision):
            assert session.scalar(select(func.count()).select_from(model)) == 0, model
    assert client.get(location).status_code == 404
    assert ("screening.delete", "researcher", f"screening:{list_id}") in _actions(factory)


def test_the_api_answers_like_the_cli(
    client: FlaskClient, users: dict[str, Role], factory: sessionmaker[Session]
) -> None:
    ids = seed(factory)
    officer = {"Authorization": f"Bearer {token_for(factory, 'officer')}"}
    researcher = {"Authorization": f"Bearer {token_for(factory, 'researcher')}"}
    assert client.post("/api/v1/screening", json={"names": ["Lidia Marenkova"]}).status_code == 401
    assert (
        client.post("/api/v1/screening", json={"names": ["Lidia Marenkova"]}, headers=officer).status_code
        == 403
    )
    response = client.post(
        "/api/v1/screening",
        json={
            "names": [{"name": "Rachid Anouar al-Qubaysi", "unit": "Falcon Regiment"}, "Nobody Known Here"]
        },
        headers=researcher,
    )
    assert response.status_code == 200, response.json
    first, second = response.json["items"]
    assert first["query"] == "Rachid Anouar al-Qubaysi" and second["query"] == "Nobody Known Here"
    best = first["candidates"][0]
    assert set(best) == {"entity_id", "name", "score", "match", "reasons", "documents"}
    assert best["entity_id"] == ids["Rashid Anwar Qoubaisi"] and best["match"] is True
    assert best["documents"] == sorted([ids["doc:0"], ids["doc:1"]])
    assert [c["score"] for c in first["candidates"]] == sorted(
        (c["score"] for c in first["candidates"]), reverse=True
    )
    as_csv = client.post(
        "/api/v1/screening?limit=1",
        data=LIST_CSV.encode(),
        headers={**researcher, "Content-Type": "text/csv"},
    )
    assert as_csv.status_code == 200
    assert [item["query"] for item in as_csv.json["items"]] == [
        "Rachid Anouar al-Qubaysi",
        "Lydia Marenkowa",
        "Completely Unknown Personage",
    ]
    assert all(len(item["candidates"]) <= 1 for item in as_csv.json["items"])
    in_json = client.post("/api/v1/screening", json={"csv": LIST_CSV}, headers=researcher)
    assert in_json.json["items"][0] == {
        **as_csv.json["items"][0],
        "candidates": in_json.json["items"][0]["candidates"],
    }
    for body in (
        {"names": []},
        {"names": [""]},
        {"csv": "person\nX\n"},
        {"names": ["A"], "csv": "name\nA\n"},
        [1],
    ):
        refused = client.post("/api/v1/screening", json=body, headers=researcher)
        assert refused.status_code == 400 and "error" in refused.json, body
    with transaction(factory) as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.action == "screening.api")).all()
        assert [(e.username, e.details["names"]) for e in events] == [
            ("researcher", 2),
            ("researcher", 3),
            ("researcher", 3),
        ]
        assert session.scalar(select(func.count()).select_from(ScreeningList)) == 0
    spec = client.get("/api/v1/openapi.json").json
    assert "post" in spec["paths"]["/screening"]
    assert "ScreeningAnswer" in spec["components"]["schemas"]


def test_a_middle_part_left_out_is_said_in_the_readers_language(app: Flask) -> None:
    from nlp.names import LEFT_OUT
    from portal.screening.reasons import reason_text

    reason = f"{LEFT_OUT} nur"
    with app.test_request_context(headers={"Accept-Language": "nl"}):
        assert reason_text(reason) == "alleen in één naam, tussen het eerste en het laatste naamdeel: nur"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert reason_text(reason) == reason


def test_the_facts_of_a_name_are_listed_with_a_separator_between_them_only(
    logged_in: Callable[[str], FlaskClient],
) -> None:
    client = logged_in("researcher")
    location = _create(client, "name;aliases;birth_year;nationality\nOmar Haddad;;1979;SY\n")
    html = client.get(location).get_data(as_text=True)
    facts = re.search(r'<h2 id="entry-\d+">.*?</h2>\s*<p class="meta">(.*?)</p>', html, re.S)
    assert facts is not None
    assert " ".join(facts.group(1).split()) == "Birth year: 1979 · Nationality: SY"
