"""`coi screen FILE --json`: one JSON line per input name, candidates best first, with documents."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from portal.cli import main
from portal.config import Settings
from portal.db import transaction
from portal.models import AuditEvent, Document, Entity, Mention, Source


def _store_people(factory: sessionmaker[Session]) -> dict[str, int]:
    text = (
        "Sample text. Witnesses named Youssef Abdulkarim Tahir, an officer of the 9th Sample Brigade, "
        "and the trader Omar Farid Haddad."
    )
    ids: dict[str, int] = {}
    with transaction(factory) as session:
        source = Source(name="Sample source", kind="rss", url="http://sample.invalid/feed", options={})
        session.add(source)
        session.flush()
        doc = Document(source_id=source.id, url="http://sample.invalid/1", title="[Sample] One", text=text)
        doc.content_sha256 = "0" * 64
        session.add(doc)
        session.flush()
        for key, name, kind in [
            ("person:youssef-abdulkarim-tahir", "Youssef Abdulkarim Tahir", "person"),
            ("person:omar-farid-haddad", "Omar Farid Haddad", "person"),
            ("group:9th-sample-brigade", "9th Sample Brigade", "state_force"),
        ]:
            entity = Entity(key=key, kind=kind, canonical_name=name, country_codes=[], aliases=[])
            session.add(entity)
            session.flush()
            start = text.index(name)
            session.add(
                Mention(
                    document_id=doc.id,
                    entity_id=entity.id,
                    start=start,
                    end=start + len(name),
                    text=name,
                    kind=kind,
                )
            )
            ids[name] = entity.id
        ids["document"] = doc.id
    return ids


def test_screen_prints_one_json_line_per_name(
    settings: Settings, factory: sessionmaker[Session], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = _store_people(factory)
    monkeypatch.setenv("COI_INSTANCE_PATH", str(settings.instance_path))
    monkeypatch.setenv("COI_DATABASE_URL", settings.db_url)
    listing = tmp_path / "list.csv"
    listing.write_text(
        "name,aliases,birth_year,nationality,unit\n"
        '"Tahir, Yusuf Abd al-Karim",Abu Karim,1981,SY,9th Brigade\n'
        "Nobody Like This,,,,\n"
        "عمر فريد حداد,,,,\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["screen", str(listing), "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    assert [line["query"] for line in lines] == [
        "Tahir, Yusuf Abd al-Karim",
        "Nobody Like This",
        "عمر فريد حداد",
    ]
    best = lines[0]["candidates"][0]
    assert best["name"] == "Youssef Abdulkarim Tahir" and best["match"] is True
    assert best["documents"] == [ids["document"]]
    assert any("unit co-mentioned" in reason for reason in best["reasons"])
    assert not any(c["match"] for c in lines[1]["candidates"])
    # the same person's name in Arabic script: its consonants and long vowels
    written = lines[2]["candidates"][0]
    assert written["name"] == "Omar Farid Haddad" and written["match"] is True
    with transaction(factory) as session:
        assert session.scalar(select(AuditEvent).where(AuditEvent.action == "screening.cli")) is not None


def test_a_list_without_a_name_column_is_refused(
    settings: Settings, factory: sessionmaker[Session], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COI_INSTANCE_PATH", str(settings.instance_path))
    monkeypatch.setenv("COI_DATABASE_URL", settings.db_url)
    listing = tmp_path / "list.csv"
    listing.write_text("person,unit\nSomeone,Somewhere\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["screen", str(listing)])
    assert result.exit_code != 0 and "'name' column" in result.output


def test_a_list_in_another_encoding_is_refused_and_a_utf16_one_read(
    settings: Settings, factory: sessionmaker[Session], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _store_people(factory)
    monkeypatch.setenv("COI_INSTANCE_PATH", str(settings.instance_path))
    monkeypatch.setenv("COI_DATABASE_URL", settings.db_url)
    listing = tmp_path / "list.csv"
    listing.write_bytes("name\nOmar Farid Haddad é\n".encode("cp1252"))
    result = CliRunner().invoke(main, ["screen", str(listing)])
    assert result.exit_code == 1 and "save it as CSV UTF-8" in result.output
    assert "Traceback" not in result.output
    listing.write_bytes("name\tunit\nOmar Farid Haddad\t\n".encode("utf-16"))
    result = CliRunner().invoke(main, ["screen", str(listing), "--json"])
    assert result.exit_code == 0
    assert json.loads(result.output.splitlines()[0])["candidates"][0]["name"] == "Omar Farid Haddad"
