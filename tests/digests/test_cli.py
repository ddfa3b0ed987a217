"""``coi subscriptions``, ``coi digest send`` and ``coi jobs`` as scripts use them."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from portal.cli import main
from portal.config import Settings
from portal.db import transaction
from portal.digests.models import DigestDelivery, JobRun
from portal.jobs import briefings_job
from portal.models import utcnow

if TYPE_CHECKING:
    from conftest import Corpus, Mailbox, People


@pytest.fixture
def coi(settings: Settings) -> CliRunner:
    return CliRunner(
        env={
            "COI_DATABASE_URL": settings.db_url,
            "COI_INSTANCE_PATH": str(settings.instance_path),
            "COI_SECRET_KEY": settings.secret_key or "",
            "COI_SPACY_MODEL": "none",
            "COI_TIMEZONE": "Europe/Amsterdam",
        }
    )


def run(coi: CliRunner, *args: str) -> Result:
    return coi.invoke(main, list(args), catch_exceptions=False)


def test_subscriptions_add_list_remove(
    coi: CliRunner, factory: sessionmaker[Session], people: People
) -> None:
    people.add("uma", "uma@example.org")
    people.saved_search("uma", "Eritrea", "conscription", {"country": ["ER"]})
    added = run(
        coi,
        "subscriptions",
        "add",
        "uma",
        "--country",
        "SY",
        "--country",
        "er",
        "--topic",
        "human-trafficking",
        "--saved-search",
        "Eritrea",
        "--briefings",
        "--frequency",
        "weekly",
        "--weekday",
        "mon",
        "--at",
        "07:30",
    )
    assert added.exit_code == 0, added.output
    again = run(coi, "subscriptions", "add", "uma", "--country", "AF", "--timezone", "Asia/Kabul")
    assert again.exit_code == 0, again.output
    listed = run(coi, "subscriptions", "list", "--json")
    [row] = json.loads(listed.output)
    assert row == {
        "user": "uma",
        "email": "uma@example.org",
        "active": True,
        "countries": ["AF", "ER", "SY"],
        "topics": ["human-trafficking"],
        "saved_searches": ["Eritrea"],
        "briefings": True,
        "frequency": "weekly",
        "weekday": "mon",
        "at": "07:30",
        "timezone": "Asia/Kabul",
    }
    removed = run(coi, "subscriptions", "remove", "uma", "--country", "SY", "--saved-search", "Eritrea")
    assert removed.exit_code == 0
    [row] = json.loads(run(coi, "subscriptions", "list", "uma", "--json").output)
    assert row["countries"] == ["AF", "ER"] and row["saved_searches"] == []
    assert run(coi, "subscriptions", "remove", "uma", "--all").exit_code == 0
    assert json.loads(run(coi, "subscriptions", "list", "--json").output) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--country", "XX"], "not an ISO 3166 alpha-2 country code"),
        (["--topic", "weather"], "unknown topic"),
        (["--saved-search", "missing"], "no saved search named"),
        (["--at", "7h30"], "HH:MM"),
        (["--timezone", "Mars/Olympus"], "unknown time zone"),
    ],
)
def test_subscriptions_add_refuses_bad_input(
    coi: CliRunner, people: People, args: list[str], message: str
) -> None:
    people.add("vic", "vic@example.org")
    result = run(coi, "subscriptions", "add", "vic", *args)
    assert result.exit_code == 1
    assert message in result.output
    assert json.loads(run(coi, "subscriptions", "list", "--json").output) == []


def test_digest_send_dry_run_changes_nothing_then_sends(
    coi: CliRunner,
    settings: Settings,
    factory: sessionmaker[Session],
    people: People,
    corpus: Corpus,
    mailbox: Mailbox,
) -> None:
    now = utcnow()
    people.add("wil", "wil@example.org")
    people.add("xan", "xan@example.org")
    for name in ("wil", "xan"):
        people.subscribe(name, now - timedelta(days=3), countries=["UA"], send_at="00:00", timezone="UTC")
    corpus.add("Kharkiv", now - timedelta(hours=1), countries=("UA",))
    dry = run(coi, "digest", "send", "--dry-run")
    assert "wil " in dry.output and "1 documents, 0 briefings; would send" in dry.output
    with transaction(factory) as session:
        assert session.scalar(select(func.count()).select_from(DigestDelivery)) == 0
    assert mailbox.received == []

    env = {"COI_SMTP_HOST": "127.0.0.1", "COI_SMTP_PORT": str(mailbox.port)}
    env |= {"COI_SMTP_USER": "digest-sender", "COI_SMTP_PASSWORD": "mail password 42"}
    sent = coi.invoke(main, ["digest", "send", "--user", "wil", "--json"], env=env, catch_exceptions=False)
    assert json.loads(sent.output)["sent"] == 1
    assert [r.recipients for r in mailbox.received] == [["wil@example.org"]]
    later = coi.invoke(main, ["digest", "send"], env=env, catch_exceptions=False)
    assert later.output.startswith("1 claimed, 1 sent")
    assert sorted(r.recipients[0] for r in mailbox.received) == ["wil@example.org", "xan@example.org"]


def test_jobs_json_lists_every_job_with_next_run_and_last_result(
    coi: CliRunner, factory: sessionmaker[Session], corpus: Corpus
) -> None:
    with transaction(factory) as session:
        session.add(
            JobRun(job_id="digests", started_at=utcnow(), finished_at=utcnow(), ok=False, error="SMTP down")
        )
    data = json.loads(run(coi, "jobs", "--json").output)
    assert data["scheduler_running"] is False
    jobs = {j["id"]: j for j in data["jobs"]}
    assert {"sources", "process", "index", "digests", "collect:1", "collect:2"} <= set(jobs)
    assert ("briefings" in jobs) == (briefings_job() is not None)  # only with portal.briefings.jobs
    assert all(j["next_run_at"] for j in jobs.values())
    assert jobs["digests"]["last_run"]["ok"] is False and jobs["digests"]["last_run"]["error"] == "SMTP down"
    assert jobs["index"]["last_run"] is None
    text = run(coi, "jobs").output
    assert "digests" in text and "FAILED: SMTP down" in text
