"""The coi command line: scripts' commands and one-line errors on bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from portal.cli import main
from portal.config import Settings


@pytest.fixture
def runner(settings: Settings, engine: object, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("COI_INSTANCE_PATH", str(settings.instance_path))
    monkeypatch.setenv("COI_DATABASE_URL", settings.db_url)
    monkeypatch.setenv("COI_SPACY_MODEL", "none")
    return CliRunner()


def run(runner: CliRunner, *args: str) -> tuple[int, str]:
    result = runner.invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_bad_input_exits_non_zero_with_one_line(runner: CliRunner) -> None:
    cases = [
        ("sources", "add", "X", "ftp://example.org/feed", "--kind", "rss"),
        ("sources", "add", "X", "https://example.org/feed", "--kind", "nonsense"),
        ("sources", "add", "X", "https://example.org/api", "--kind", "reliefweb"),
        ("collect", "no such source"),
        ("users", "create", "short", "--role", "officer", "--password", "tiny"),
        ("users", "create", "who", "--role", "king"),
        ("documents", "show", "999"),
        ("documents", "list", "--source", "nowhere"),
        ("tokens", "create", "nobody"),
        ("db", "copy-to", "not a database url"),
        ("db", "copy-to", "postgresql://nobody@127.0.0.1:9/none"),  # nothing listens on port 9
    ]
    for args in cases:
        code, output = run(runner, *args)
        assert code != 0, args
        assert "Traceback" not in output
        errors = [line for line in output.splitlines() if line.startswith("Error:")]
        assert len(errors) == 1, (args, output)


def test_users_sources_and_tokens(runner: CliRunner) -> None:
    code, output = run(runner, "users", "create", "amira", "--role", "researcher", "--email", "a@example.org")
    assert code == 0 and "password (shown once)" in output
    assert run(runner, "users", "create", "amira", "--role", "officer")[0] != 0  # exists already
    code, output = run(runner, "tokens", "create", "amira")
    assert code == 0 and output.strip().startswith("coi_")
    code, _ = run(
        runner,
        "sources",
        "add",
        "Local feed",
        "http://127.0.0.1:9/feed.xml",
        "--kind",
        "rss",
        "--allow-private",
        "--interval",
        "15",
    )
    assert code == 0
    code, output = run(runner, "sources", "list", "--json")
    listed = json.loads(output)
    assert listed[0]["name"] == "Local feed" and listed[0]["allow_private"] is True
    assert listed[0]["update_minutes"] == 15


def test_catalogue_import_is_idempotent(runner: CliRunner) -> None:
    code, output = run(runner, "sources", "import")
    assert code == 0
    added = int(output.split()[1])
    assert added >= 30
    code, output = run(runner, "sources", "list", "--json")
    sources = json.loads(output)
    names = {s["name"] for s in sources}
    assert any("ReliefWeb" in n for n in names) and any("UNHCR" in n for n in names)
    assert all(s["assessment"]["mandate"] for s in sources)
    code, output = run(runner, "sources", "import")
    assert code == 0 and output.startswith("imported 0 sources")


def test_collect_process_index_search_as_json(
    runner: CliRunner, sample_site: str, settings: Settings, tmp_path: Path
) -> None:
    from portal.demo import feed_url, site_data

    feed = site_data()["feeds"][0]
    assert (
        run(
            runner,
            "sources",
            "add",
            feed["name"],
            feed_url(sample_site, feed),
            "--kind",
            "rss",
            "--allow-private",
        )[0]
        == 0
    )
    code, output = run(runner, "collect", "--json")
    assert code == 0
    summary = json.loads(output[output.index("[") :])
    assert summary[0]["new"] == len(feed["items"]) and summary[0]["status"] == "ok"
    assert run(runner, "process")[0] == 0
    assert run(runner, "index")[0] == 0
    code, output = run(runner, "search", "detainees", "--json")
    result = json.loads(output[output.index("{") :])
    assert result["total"] == 1 and "<mark>" in result["hits"][0]["highlights"]
    assert ["SD", 1] in result["facets"]["country"]
    # a query read only in part gets its notes and no result list, as on the search page
    code, output = run(runner, "search", "(((")
    assert code == 1 and "parenthesis" in output and "could not be read" in output and "hits" not in output
    code, output = run(runner, "search", "country:", "--json")
    assert code == 1 and json.loads(output[output.index("{") :])["warnings"]
    code, output = run(runner, "documents", "show", str(result["hits"][0]["id"]), "--json")
    shown = json.loads(output[output.index("{") :])
    assert shown["versions"][0]["snapshots"][0]["sha256"]
    code, output = run(runner, "index", "--rebuild")
    assert code == 0 and f"index rebuilt with {len(feed['items'])} documents" in output


def test_the_offline_sample_collects_with_its_old_port_taken(runner: CliRunner) -> None:
    import socket

    from portal.demo import SAMPLE_HOST

    blocker = socket.socket()
    blocker.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        blocker.bind(("127.0.0.1", 8765))
        blocker.listen()
    except OSError:
        pass  # something already listens there: the same situation
    try:
        assert run(runner, "demo", "load")[0] == 0
        code, output = run(runner, "collect", "--json")
        summaries = json.loads(output[output.index("[") :])
        assert code == 0 and summaries
        assert all(s["status"] == "ok" and s["new"] > 0 for s in summaries), summaries
        code, output = run(runner, "sources", "list", "--json")
        assert all(SAMPLE_HOST in s["url"] for s in json.loads(output[output.index("[") :]))
        code, output = run(runner, "documents", "show", "1", "--json")
        assert json.loads(output[output.index("{") :])["versions"][0]["text_origin"]
    finally:
        blocker.close()


def test_process_retag_runs_on_an_empty_instance(runner: CliRunner) -> None:
    code, output = run(runner, "process", "--retag")
    assert code == 0
    assert "tagged 0 documents again" in output and "tagged 0 documents" in output


def test_commands_on_a_database_without_this_versions_schema_say_to_upgrade(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy import text

    from portal.db import make_engine
    from portal.migrate import downgrade, upgrade

    monkeypatch.setenv("COI_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("COI_DATABASE_URL", f"sqlite:///{tmp_path / 'coi.sqlite3'}")
    names = tmp_path / "names.csv"
    names.write_text("name\nYusuf Tahir\n", encoding="utf-8")
    runner = CliRunner()
    for args in (("screen", str(names)), ("users", "create", "amira", "--role", "researcher")):
        code, output = run(runner, *args)
        assert code == 1 and "Traceback" not in output
        assert "no schema yet: run `coi db upgrade` first" in output
    engine = make_engine(f"sqlite:///{tmp_path / 'coi.sqlite3'}")
    try:
        upgrade(engine)
        assert run(runner, "screen", str(names))[0] == 0
        downgrade(engine, "-1")
        code, output = run(runner, "screen", str(names))
        assert code == 1 and "older than this version's" in output
        with engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = 'ffff'"))
        code, output = run(runner, "screen", str(names))
        assert code == 1 and "does not know: it was upgraded by a newer one" in output
    finally:
        engine.dispose()
