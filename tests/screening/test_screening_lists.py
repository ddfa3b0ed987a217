"""Screening lists in the database (SQLite and PostgreSQL): made from CSV, read back with the sources,
decided on, private, never indexed, and deleted with everything they hold."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from portal.db import transaction
from portal.models import IndexChange, Role, User
from portal.screening import lists
from portal.screening.models import (
    ScreeningCandidate,
    ScreeningDecision,
    ScreeningEntry,
    ScreeningList,
)
from portal.screening.service import ScreeningError, parse_list, people_index, screen
from tests.screening.seed import LIST_CSV, seed


def _user(session: Session, name: str, role: Role = Role.researcher) -> User:
    user = User(username=name, role=role, password_hash="x")
    session.add(user)
    session.flush()
    return user


def _count(session: Session, model: type) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_a_list_keeps_its_rows_entries_candidates_and_decisions(factory: sessionmaker[Session]) -> None:
    ids = seed(factory)
    with transaction(factory) as session:
        author = _user(session, "nadine")
        row = lists.create_list(session, author, "  Intake   week 49 ", LIST_CSV)
        list_id = row.id
    with transaction(factory) as session:
        author = session.scalars(select(User).where(User.username == "nadine")).one()
        row = lists.visible_list(session, list_id, author)
        assert row is not None
        assert row.title == "Intake week 49"
        assert row.rows[0] == ["name", "aliases", "birth_year", "nationality", "unit"]
        assert row.rows[1][0] == "Rachid Anouar al-Qubaysi" and len(row.rows) == 4
        first, second, third = row.entries
        assert (first.name, first.aliases, first.birth_year, first.unit) == (
            "Rachid Anouar al-Qubaysi",
            ["Abu Anwar"],
            1978,
            "Falcon Regiment",
        )
        best = first.candidates[0]
        assert best.entity_id == ids["Rashid Anwar Qoubaisi"] and best.match
        assert best.documents == sorted([ids["doc:0"], ids["doc:1"]])
        assert any("unit co-mentioned" in r for r in best.reasons)
        assert second.candidates[0].entity_id == ids["Lidia Marenkova"]
        assert not any(c.match for c in third.candidates)
        lists.decide(session, best, author, "match", "  same regiment, same years ")
    with transaction(factory) as session:
        decision = session.scalars(select(ScreeningDecision)).one()
        assert (decision.decision, decision.username, decision.comment) == (
            "match",
            "nadine",
            "same regiment, same years",
        )
        candidate = session.get(ScreeningCandidate, decision.candidate_id)
        assert candidate is not None
        lists.decide(session, candidate, session.get(User, decision.user_id), "unsure")  # type: ignore[arg-type]
    with transaction(factory) as session:
        assert [d.decision for d in session.scalars(select(ScreeningDecision))] == ["unsure"]
        with pytest.raises(ScreeningError):
            lists.decide(session, candidate, session.get(User, decision.user_id), "perhaps")  # type: ignore[arg-type]
        # nothing went to the search index
        assert _count(session, IndexChange) == 0


def test_only_the_author_and_admins_see_a_list(factory: sessionmaker[Session]) -> None:
    seed(factory)
    with transaction(factory) as session:
        author = _user(session, "nadine")
        other = _user(session, "pieter")
        admin = _user(session, "root", Role.admin)
        row = lists.create_list(session, author, "", "name\nLidia Marenkova\n")
        assert row.title.startswith("1 name, ")
        assert lists.visible_list(session, row.id, author) is not None
        assert lists.visible_list(session, row.id, admin) is not None
        assert lists.visible_list(session, row.id, other) is None
        assert [r.id for r, n in lists.lists_of(session, author)] == [row.id]
        assert lists.lists_of(session, other) == []
        assert [(r.id, name) for r, name in lists.others_lists(session, admin)] == [(row.id, "nadine")]
        assert lists.others_lists(session, other) == []


def test_deleting_a_list_deletes_every_row_it_holds(factory: sessionmaker[Session]) -> None:
    seed(factory)
    with transaction(factory) as session:
        author = _user(session, "nadine")
        keep = lists.create_list(session, author, "keep", "name\nLidia Marenkova\n")
        gone = lists.create_list(session, author, "gone", LIST_CSV)
        for entry in gone.entries:
            for candidate in entry.candidates:
                lists.decide(session, candidate, author, "no_match")
        lists.decide(session, keep.entries[0].candidates[0], author, "match")
        keep_id, gone_id = keep.id, gone.id
    with transaction(factory) as session:
        assert _count(session, ScreeningDecision) > 2
        row = session.get(ScreeningList, gone_id)
        assert row is not None
        lists.delete_list(session, row)
    with transaction(factory) as session:
        assert session.get(ScreeningList, gone_id) is None
        assert session.scalars(select(ScreeningEntry.list_id).distinct()).all() == [keep_id]
        kept = session.scalars(select(ScreeningCandidate)).all()
        assert kept and all(c.entry.list_id == keep_id for c in kept)
        assert _count(session, ScreeningDecision) == 1


def test_the_sources_of_a_candidate_passages_units_places_and_topics(factory: sessionmaker[Session]) -> None:
    ids = seed(factory)
    with transaction(factory) as session:
        author = _user(session, "nadine")
        row = lists.create_list(session, author, "", LIST_CSV)
        views = lists.candidate_views(session, row)
        view = views[row.entries[0].candidates[0].id]
        assert [s.document.id for s in view.sources] == [ids["doc:1"], ids["doc:0"]]  # newest first
        newest, oldest = view.sources
        assert newest.passages[0].mention == "Rasheed Qubaisi"
        assert newest.passages[0].text == "… Rasheed Qubaisi was seen at the school used as a prison. …"
        assert oldest.passages[0].text.startswith("… Witnesses said that Rashid Anwar Qoubaisi, a captain")
        assert oldest.passages[0].text.endswith("detention of farmers. …")
        assert "Invented Monitor, “Checkpoint report from Vellmar”, 03 October 2026" in oldest.citation.text(
            None
        )
        assert [(e.canonical_name, n) for e, n in view.units] == [("12th Falcon Regiment", 2)]
        assert [(e.canonical_name, n) for e, n in view.places] == [("Vellmar", 2)]
        assert [(t.id, n) for t, n in view.topics] == [("detention-torture", 2)]


def test_a_bad_list_is_refused_with_the_reason() -> None:
    with pytest.raises(ScreeningError, match="'name' column"):
        parse_list("person,unit\nSomeone,Somewhere\n")
    with pytest.raises(ScreeningError, match="line 2: birth_year"):
        parse_list("name,birth_year\nSomeone,nineteen\n")
    with pytest.raises(ScreeningError, match="no names"):
        parse_list("name\n\n")


def test_passages_are_cut_at_sentences_or_at_the_reach() -> None:
    text = "First sentence here. Second one names Tomas Eld today. Third."
    cut = lists.passage(text, text.index("Tomas"), text.index("Tomas") + len("Tomas Eld"))
    assert (cut.before, cut.mention, cut.after) == ("… Second one names ", "Tomas Eld", " today. …")
    long = "word " * 100 + "Tomas Eld" + " word" * 100
    cut = lists.passage(long, 500, 509, reach=40)
    assert cut.mention == "Tomas Eld" and len(cut.text) < 100


def test_two_names_of_a_candidate_in_one_sentence_are_one_quote() -> None:
    text = "Guards answered to Idris Varane, known as Abu Tamim. Later Varane left. Varane returned."
    spans = [(text.index(name), text.index(name) + len(name)) for name in ("Idris Varane", "Abu Tamim")]
    spans += [(text.index("Varane left"), text.index("Varane left") + 6)]
    spans += [(text.index("Varane returned"), text.index("Varane returned") + 6)]
    quoted = lists.passages(text, spans, limit=2)
    assert [p.text for p in quoted] == [
        "Guards answered to Idris Varane, known as Abu Tamim. …",
        "… Later Varane left. …",
    ]
    assert [piece for piece, marked in quoted[0].pieces if marked] == ["Idris Varane", "Abu Tamim"]
    assert (quoted[1].before, quoted[1].mention, quoted[1].after) == ("… Later ", "Varane", " left. …")
    # a span outside the text or overlapping one already marked is left out, nothing else
    assert lists.passages(text, [(5, 500), *spans[:2], (19, 24)], limit=1)[0].pieces == quoted[0].pieces


def test_the_index_of_names_is_reused_until_the_people_change(factory: sessionmaker[Session]) -> None:
    ids = seed(factory)
    with transaction(factory) as session:
        first = people_index(session)
        assert people_index(session) is first
    with transaction(factory) as session:
        from portal.models import Entity

        lidia = session.get(Entity, ids["Lidia Marenkova"])
        assert lidia is not None
        lidia.aliases = ["Ludmila Orvanska"]
    with transaction(factory) as session:
        again = people_index(session)
        assert again is not first
        [answer] = screen(session, parse_list("name\nLudmila Orvanska\n"))
        assert answer["candidates"][0]["entity_id"] == ids["Lidia Marenkova"]
        assert answer["candidates"][0]["match"] is True
