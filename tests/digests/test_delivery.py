"""Digests composed from the database and delivered to a real SMTP server, exactly once."""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from portal.config import Settings
from portal.db import transaction
from portal.digests.models import DigestDelivery, DigestSubscription
from portal.digests.send import DigestConfig, DigestSender

if TYPE_CHECKING:
    from conftest import Clock, Corpus, Mailbox, People


MONDAY = datetime(2026, 3, 2, tzinfo=UTC)  # 2 March 2026, a Monday in winter time (UTC+1)


def sender(
    factory: sessionmaker[Session], settings: Settings, clock: Clock, *, send_empty: bool = False
) -> DigestSender:
    config = DigestConfig(send_empty=send_empty, sender="digests@coi.example.org")
    return DigestSender(factory, settings, config=config, clock=clock)


def deliveries(factory: sessionmaker[Session]) -> list[DigestDelivery]:
    with transaction(factory) as session:
        return list(session.scalars(select(DigestDelivery).order_by(DigestDelivery.id)))


def parts(msg: object) -> tuple[str, str]:
    from email.message import EmailMessage

    assert isinstance(msg, EmailMessage)
    text = msg.get_body(preferencelist=("plain",))
    html = msg.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    return text.get_content(), html.get_content()


def test_digest_arrives_with_both_parts_headers_and_links(
    factory: sessionmaker[Session],
    settings: Settings,
    mailbox: Mailbox,
    clock: Clock,
    corpus: Corpus,
    people: People,
    client: FlaskClient,
) -> None:
    settings = mailbox.configure(settings)
    people.add("amina", "amina@example.org")
    people.saved_search("amina", "Eritrea service", "military service", {"country": ["ER"]})
    people.subscribe(
        "amina",
        MONDAY - timedelta(days=10),
        countries=["SY"],
        topics=["human-trafficking"],
        saved_searches=["Eritrea service"],
        send_at="07:30",
    )
    sunday = MONDAY - timedelta(hours=10)
    syria = corpus.add("Aleppo shelling <report>", sunday, countries=("SY", "TR"))
    trafficking = corpus.add(
        "Routes through the Sahel", sunday, countries=("NE",), topics=("human-trafficking",)
    )
    eritrea = corpus.add(
        "National service conscription",
        sunday,
        countries=("ER",),
        text="Indefinite military service continues.",
    )
    corpus.add("Eritrea harvest", sunday, countries=("ER",), text="Crops and rainfall.")
    corpus.add("Elsewhere", sunday, countries=("FR",))
    corpus.add("Too old", MONDAY - timedelta(days=3), countries=("SY",))

    clock.set(datetime(2026, 3, 2, 6, 29, tzinfo=UTC))  # 07:29 in Amsterdam: not yet
    assert sender(factory, settings, clock).run().claimed == 0
    assert mailbox.received == []

    clock.set(datetime(2026, 3, 2, 6, 30, tzinfo=UTC))  # 07:30 in Amsterdam
    report = sender(factory, settings, clock).run()
    assert (report.claimed, report.sent) == (1, 1)
    [got] = mailbox.received
    msg = got.message
    assert got.recipients == ["amina@example.org"]
    assert msg["To"] == "amina@example.org"
    assert msg["From"] == "digests@coi.example.org"
    assert msg["Subject"] == "Daily COI digest 2026-03-02: 3 new documents"
    row = deliveries(factory)[0]
    assert msg["Message-ID"] == row.message_id == "<coi-digest.1.2026-03-02@coi.example.org>"
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert msg.get_content_type() == "multipart/alternative"
    text, html = parts(msg)
    for doc_id in (syria, trafficking, eritrea):
        assert f"https://coi.example.org/documents/{doc_id}" in text
        assert f'href="https://coi.example.org/documents/{doc_id}"' in html
    assert "Aleppo shelling <report>" in text
    assert "Aleppo shelling &lt;report&gt;" in html  # escaped in HTML
    assert "Syria, Türkiye" in text or "Syria, Turkey" in text
    assert "Eritrea harvest" not in text and "Elsewhere" not in text and "Too old" not in text
    assert "saved search “Eritrea service”" in text
    assert "Refugee Agency Reports" in text
    assert (
        row.status == "sent"
        and row.item_count == 3
        and sorted(row.document_ids) == sorted([syria, trafficking, eritrea])
    )

    # the unsubscribe link works without a log-in: GET asks, POST (one-click) unsubscribes
    [link] = re.findall(r"<(https://coi\.example\.org/unsubscribe/[^>]+)>", msg["List-Unsubscribe"])
    path = link.removeprefix("https://coi.example.org")
    assert path in text and path in html
    page = client.get(path)
    assert page.status_code == 200 and "Unsubscribe" in page.get_data(as_text=True)
    with transaction(factory) as session:
        assert session.scalar(select(DigestSubscription.active)) is True
    done = client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    with transaction(factory) as session:
        assert session.scalar(select(DigestSubscription.active)) is False
    assert client.post(path[:-3] + "xyz").status_code == 404

    # the next day nothing is sent to someone who unsubscribed
    corpus.add("Damascus detentions", clock.now + timedelta(hours=3), countries=("SY",))
    clock.advance(days=1)
    assert sender(factory, settings, clock).run().claimed == 0
    assert len(mailbox.received) == 1


def test_same_period_is_sent_once_and_next_window_continues(
    factory: sessionmaker[Session],
    settings: Settings,
    mailbox: Mailbox,
    clock: Clock,
    corpus: Corpus,
    people: People,
) -> None:
    settings = mailbox.configure(settings)
    people.add("bo", "bo@example.org")
    people.subscribe("bo", MONDAY - timedelta(days=2), countries=["AF"], send_at="08:00")
    first = corpus.add("Kabul one", MONDAY + timedelta(hours=1), countries=("AF",))
    clock.set(MONDAY + timedelta(hours=7))  # 08:00 local
    assert sender(factory, settings, clock).run().sent == 1
    second = corpus.add("Kabul two", MONDAY + timedelta(hours=7, minutes=30), countries=("AF",))
    for minutes in (1, 30, 600):  # later runs the same day claim nothing
        clock.set(MONDAY + timedelta(hours=7, minutes=minutes))
        assert sender(factory, settings, clock).run().claimed == 0
    clock.set(MONDAY + timedelta(days=1, hours=7))
    assert sender(factory, settings, clock).run().sent == 1
    texts = [parts(r.message)[0] for r in mailbox.to("bo@example.org")]
    assert len(texts) == 2
    assert f"/documents/{first}" in texts[0] and f"/documents/{second}" not in texts[0]
    assert f"/documents/{second}" in texts[1] and f"/documents/{first}" not in texts[1]
    rows = deliveries(factory)
    assert [r.period for r in rows] == ["2026-03-02", "2026-03-03"]
    assert rows[1].window_start == rows[0].window_end


def test_nothing_new_sends_nothing_unless_configured(
    factory: sessionmaker[Session],
    settings: Settings,
    mailbox: Mailbox,
    clock: Clock,
    corpus: Corpus,
    people: People,
) -> None:
    settings = mailbox.configure(settings)
    people.add("cy", "cy@example.org")
    people.add("di", "di@example.org")
    people.subscribe("cy", MONDAY - timedelta(days=2), countries=["SO"], send_at="07:00")
    corpus.add("Unrelated", MONDAY, countries=("FR",))
    clock.set(MONDAY + timedelta(hours=6))
    report = sender(factory, settings, clock).run()
    assert (report.claimed, report.sent, report.empty) == (1, 0, 1)
    assert mailbox.received == []
    assert deliveries(factory)[0].status == "empty"

    people.subscribe("di", MONDAY - timedelta(days=2), countries=["SO"], send_at="07:00")
    report = sender(factory, settings, clock, send_empty=True).run()
    assert report.sent == 1
    [got] = mailbox.received
    assert got.message["Subject"] == "Daily COI digest 2026-03-02: nothing new"


def test_send_empty_setting_is_read_from_the_environment(settings: Settings) -> None:
    assert DigestConfig.from_settings(settings, env={}).send_empty is False
    assert DigestConfig.from_settings(settings, env={"COI_DIGEST_SEND_EMPTY": "1"}).send_empty is True
    assert DigestConfig.from_settings(settings, env={"COI_DIGEST_SEND_EMPTY": "off"}).send_empty is False


def test_smtp_down_then_up_delivers_each_digest_exactly_once(
    factory: sessionmaker[Session],
    settings: Settings,
    mailbox: Mailbox,
    clock: Clock,
    corpus: Corpus,
    people: People,
) -> None:
    settings = mailbox.configure(settings)
    names = ["eva", "fay", "gus"]
    for name in names:
        people.add(name, f"{name}@example.org")
        people.subscribe(name, MONDAY - timedelta(days=2), topics=["returnees"], send_at="07:00")
    people.add("hugo", "hugo@example.org")  # follows nothing that is new: needs no server
    people.subscribe("hugo", MONDAY - timedelta(days=2), countries=["CU"], send_at="07:00")
    corpus.add("Returns from Lebanon", MONDAY, countries=("SY",), topics=("returnees",))

    mailbox.stop()
    clock.set(MONDAY + timedelta(hours=6))
    report = sender(factory, settings, clock).run()
    assert report.claimed == 4 and report.sent == 0 and report.retrying == 3 and report.empty == 1
    rows = [r for r in deliveries(factory) if r.recipient != "hugo@example.org"]
    assert {r.status for r in rows} == {"pending"}
    assert all(r.attempts == 1 and r.next_attempt_at == clock.now + timedelta(minutes=2) for r in rows)
    assert "cannot reach the mail server" in (rows[0].last_error or "")

    clock.advance(minutes=1)  # before the back-off ends: no attempt
    assert sender(factory, settings, clock).run().retrying == 0
    assert all(r.attempts == 1 for r in deliveries(factory))

    mailbox.start()
    clock.advance(minutes=2)
    report = sender(factory, settings, clock).run()
    assert report.sent == 3 and report.claimed == 0
    for _ in range(3):
        clock.advance(minutes=5)
        assert sender(factory, settings, clock).run().sent == 0
    for name in names:
        [got] = mailbox.to(f"{name}@example.org")
        assert got.message["X-COI-Digest-Period"] == "2026-03-02"
    assert [(r.status, r.attempts) for r in deliveries(factory)] == [("sent", 2)] * 3 + [("empty", 1)]


def test_temporary_refusal_is_retried_and_permanent_refusal_is_not(
    factory: sessionmaker[Session],
    settings: Settings,
    mailbox: Mailbox,
    clock: Clock,
    corpus: Corpus,
    people: People,
) -> None:
    settings = mailbox.configure(settings)
    people.add("hal", "hal@example.org")
    people.add("ivy", "ivy@nowhere.example.org")
    for name in ("hal", "ivy"):
        people.subscribe(name, MONDAY - timedelta(days=2), countries=["IQ"], send_at="07:00")
    corpus.add("Mosul", MONDAY, countries=("IQ",))
    mailbox.refused.add("ivy@nowhere.example.org")
    mailbox.fail_data = 1  # hal's message gets a 451 once

    clock.set(MONDAY + timedelta(hours=6))
    report = sender(factory, settings, clock).run()
    assert (report.sent, report.retrying, report.failed) == (0, 1, 1)
    by_user = {r.recipient: r for r in deliveries(factory)}
    assert by_user["hal@example.org"].status == "pending"
    assert "451" in (by_user["hal@example.org"].last_error or "")
    assert by_user["ivy@nowhere.example.org"].status == "failed"

    clock.advance(minutes=3)
    assert sender(factory, settings, clock).run().sent == 1
    clock.advance(hours=7)
    assert sender(factory, settings, clock).run().sent == 0
    assert len(mailbox.to("hal@example.org")) == 1
    assert mailbox.to("ivy@nowhere.example.org") == []


def test_row_is_committed_as_transmitting_before_the_message_is_handed_over(
    factory: sessionmaker[Session],
    settings: Settings,
    mailbox: Mailbox,
    clock: Clock,
    corpus: Corpus,
    people: People,
) -> None:
    settings = mailbox.configure(settings)
    people.add("jo", "jo@example.org")
    people.subscribe("jo", MONDAY - timedelta(days=2), countries=["YE"], send_at="07:00")
    corpus.add("Sanaa", MONDAY, countries=("YE",))
    seen: list[str] = []

    def check(_envelope: object) -> None:  # runs in the SMTP server's thread, own connection
        with transaction(factory) as session:
            seen.append(session.scalar(select(DigestDelivery.status)) or "")

    mailbox.on_data = check
    clock.set(MONDAY + timedelta(hours=6))
    assert sender(factory, settings, clock).run().sent == 1
    assert seen == ["transmitting"]
    assert deliveries(factory)[0].status == "sent"


def test_crash_before_smtp_is_retried_crash_during_transmission_is_not(
    factory: sessionmaker[Session],
    settings: Settings,
    mailbox: Mailbox,
    clock: Clock,
    corpus: Corpus,
    people: People,
) -> None:
    settings = mailbox.configure(settings)
    people.add("kim", "kim@example.org")
    people.add("lou", "lou@example.org")
    for name in ("kim", "lou"):
        people.subscribe(name, MONDAY - timedelta(days=2), countries=["LY"], send_at="07:00")
    corpus.add("Tripoli", MONDAY, countries=("LY",))
    clock.set(MONDAY + timedelta(hours=6))
    # a sender claimed both periods, took them and died: kim's before SMTP, lou's during DATA
    from portal.digests.send import claim_due

    assert claim_due(factory, settings, clock.now) == 2
    with transaction(factory) as session:
        ids = {r.recipient: r.id for r in session.scalars(select(DigestDelivery))}
        session.execute(
            update(DigestDelivery)
            .where(DigestDelivery.id == ids["kim@example.org"])
            .values(status="sending", claim_token="dead", claimed_at=clock.now, attempts=1)
        )
        session.execute(
            update(DigestDelivery)
            .where(DigestDelivery.id == ids["lou@example.org"])
            .values(status="transmitting", claim_token="dead", claimed_at=clock.now, attempts=1)
        )
    clock.advance(minutes=5)  # within the lease: nobody touches them
    assert sender(factory, settings, clock).run().sent == 0
    clock.advance(minutes=10)
    report = sender(factory, settings, clock).run()
    assert report.sent == 1
    assert len(mailbox.to("kim@example.org")) == 1
    assert mailbox.to("lou@example.org") == []
    by_user = {r.recipient: r for r in deliveries(factory)}
    assert by_user["lou@example.org"].status == "uncertain"
    for _ in range(3):
        clock.advance(hours=1)
        sender(factory, settings, clock).run()
    assert mailbox.to("lou@example.org") == [] and len(mailbox.to("kim@example.org")) == 1

    # re-sending an uncertain digest is a deliberate act, with the same Message-ID
    report = sender(factory, settings, clock).run(resend_uncertain=True)
    assert report.sent == 1
    [copy] = mailbox.to("lou@example.org")
    assert copy.message["Message-ID"] == by_user["lou@example.org"].message_id


def test_two_senders_at_once_send_each_digest_once(
    factory: sessionmaker[Session],
    settings: Settings,
    mailbox: Mailbox,
    clock: Clock,
    corpus: Corpus,
    people: People,
) -> None:
    settings = mailbox.configure(settings)
    names = [f"user{i}" for i in range(12)]
    for name in names:
        people.add(name, f"{name}@example.org")
        people.subscribe(name, MONDAY - timedelta(days=2), countries=["SD"], send_at="07:00")
    corpus.add("Khartoum", MONDAY, countries=("SD",))
    clock.set(MONDAY + timedelta(hours=6))
    errors: list[BaseException] = []

    def run() -> None:
        try:
            sender(factory, settings, clock).run()
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert sorted(r.recipients[0] for r in mailbox.received) == sorted(f"{n}@example.org" for n in names)
    assert {r.status for r in deliveries(factory)} == {"sent"}


def test_user_without_address_is_skipped(
    factory: sessionmaker[Session],
    settings: Settings,
    mailbox: Mailbox,
    clock: Clock,
    corpus: Corpus,
    people: People,
) -> None:
    settings = mailbox.configure(settings)
    people.add("max", None)
    people.subscribe("max", MONDAY - timedelta(days=2), countries=["ML"], send_at="07:00")
    corpus.add("Bamako", MONDAY, countries=("ML",))
    clock.set(MONDAY + timedelta(hours=6))
    report = sender(factory, settings, clock).run()
    assert (report.claimed, report.skipped, report.sent) == (1, 1, 0)
    assert deliveries(factory)[0].status == "skipped"
    assert mailbox.received == []


def test_one_damaged_subscription_does_not_stop_the_others(
    factory: sessionmaker[Session],
    settings: Settings,
    mailbox: Mailbox,
    clock: Clock,
    corpus: Corpus,
    people: People,
) -> None:
    settings = mailbox.configure(settings)
    for name in ("ned", "ora"):
        people.add(name, f"{name}@example.org")
        people.subscribe(name, MONDAY - timedelta(days=2), countries=["MM"], send_at="07:00")
    with transaction(factory) as session:  # a zone that the system no longer knows
        session.execute(
            update(DigestSubscription).where(DigestSubscription.user_id == 1).values(timezone="Nowhere/Gone")
        )
    corpus.add("Rakhine", MONDAY, countries=("MM",))
    clock.set(MONDAY + timedelta(hours=6))
    report = sender(factory, settings, clock).run()
    assert (report.claimed, report.sent) == (1, 1)
    assert [r.recipients for r in mailbox.received] == [["ora@example.org"]]


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_delivery_over_tls_with_log_in(
    factory: sessionmaker[Session],
    settings: Settings,
    mailbox: Mailbox,
    clock: Clock,
    corpus: Corpus,
    people: People,
    monkeypatch: pytest.MonkeyPatch,
    security: str,
) -> None:
    mailbox.stop()
    mailbox.security = security
    mailbox.start()
    monkeypatch.setenv("SSL_CERT_FILE", str(Path(__file__).parent / "fixtures" / "smtp-test-cert.pem"))
    settings = mailbox.configure(settings)
    assert settings.smtp_security == security
    people.add("pia", "pia@example.org")
    people.subscribe("pia", MONDAY - timedelta(days=2), countries=["CD"], send_at="07:00")
    corpus.add("Goma", MONDAY, countries=("CD",))
    clock.set(MONDAY + timedelta(hours=6))
    assert sender(factory, settings, clock).run().sent == 1
    assert len(mailbox.to("pia@example.org")) == 1


def test_wrong_smtp_password_is_retried_not_lost(
    factory: sessionmaker[Session],
    settings: Settings,
    mailbox: Mailbox,
    clock: Clock,
    corpus: Corpus,
    people: People,
) -> None:
    settings = mailbox.configure(settings).with_overrides(smtp_password="not the password")
    people.add("raf", "raf@example.org")
    people.subscribe("raf", MONDAY - timedelta(days=2), countries=["CD"], send_at="07:00")
    corpus.add("Bukavu", MONDAY, countries=("CD",))
    clock.set(MONDAY + timedelta(hours=6))
    report = sender(factory, settings, clock).run()
    assert (report.sent, report.retrying) == (0, 1)
    [row] = deliveries(factory)
    assert row.status == "pending" and "log-in refused" in (row.last_error or "")
    assert mailbox.received == []


def test_published_briefings_are_in_the_digest_with_absolute_links(
    factory: sessionmaker[Session],
    settings: Settings,
    mailbox: Mailbox,
    clock: Clock,
    corpus: Corpus,
    people: People,
) -> None:
    from portal.briefings.models import Briefing

    settings = mailbox.configure(settings)
    people.add("sol", "sol@example.org")
    people.add("tia", "tia@example.org")
    people.subscribe("sol", MONDAY - timedelta(days=2), briefings=True, send_at="07:00")
    people.subscribe("tia", MONDAY - timedelta(days=2), countries=["CD"], send_at="07:00")
    corpus.add("Anything", MONDAY, countries=("FR",))
    with transaction(factory) as session:
        for desk, title, status, published in (
            ("horn", "Horn of Africa, 2 March", "published", MONDAY + timedelta(hours=5)),
            ("sahel", "Sahel draft", "draft", None),
            ("horn", "Last week", "published", MONDAY - timedelta(days=3)),
        ):
            session.add(
                Briefing(
                    desk_key=desk,
                    desk_name=desk.title(),
                    countries=["ER", "ET"],
                    for_date=(published or MONDAY).date(),
                    status=status,
                    title=title,
                    summary="Conscription and returns.",
                    published_at=published,
                )
            )
    clock.set(MONDAY + timedelta(hours=6))
    report = sender(factory, settings, clock).run()
    assert (report.claimed, report.sent, report.empty) == (2, 1, 1)  # tia: nothing new on CD
    [got] = mailbox.received
    assert got.recipients == ["sol@example.org"]
    assert got.message["Subject"] == "Daily COI digest 2026-03-02: 1 briefing"
    text, html = parts(got.message)
    assert "Horn of Africa, 2 March" in text and "Sahel draft" not in text and "Last week" not in text
    with transaction(factory) as session:
        bid = session.scalar(select(Briefing.id).where(Briefing.title == "Horn of Africa, 2 March"))
    assert f"https://coi.example.org/briefings/{bid}" in text
    assert f'href="https://coi.example.org/briefings/{bid}"' in html


def test_sending_without_the_mailbox_fixture_fails_the_test(
    factory: sessionmaker[Session], settings: Settings, clock: Clock, corpus: Corpus, people: People
) -> None:
    """The autouse guard of this folder: mail leaves only towards the test SMTP server."""
    people.add("uli", "uli@example.org")
    people.subscribe("uli", MONDAY - timedelta(days=2), countries=["HT"], send_at="07:00")
    corpus.add("Port-au-Prince", MONDAY, countries=("HT",))
    clock.set(MONDAY + timedelta(hours=6))
    with pytest.raises(AssertionError, match="without asking for the mailbox fixture"):
        sender(factory, settings, clock).run()
    [row] = deliveries(factory)
    assert row.status == "sending"  # never handed to SMTP: a later run takes it up again
