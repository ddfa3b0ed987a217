"""A digest arrives in its recipient's interface language: words, dates, countries and topics."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from portal.config import Settings
from portal.db import transaction
from portal.digests.send import DigestConfig, DigestSender
from portal.models import User

if TYPE_CHECKING:
    from conftest import Clock, Corpus, Mailbox, People

TUESDAY = datetime(2026, 12, 1, tzinfo=UTC)


def bodies(msg: object) -> tuple[str, str]:
    from email.message import EmailMessage

    assert isinstance(msg, EmailMessage)
    text = msg.get_body(preferencelist=("plain",))
    html = msg.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    return text.get_content(), html.get_content()


def test_a_dutch_user_gets_a_dutch_digest_and_an_english_user_an_english_one(
    factory: sessionmaker[Session],
    settings: Settings,
    mailbox: Mailbox,
    clock: Clock,
    corpus: Corpus,
    people: People,
) -> None:
    settings = mailbox.configure(settings)
    for name in ("joost", "grace"):
        people.add(name, f"{name}@example.org")
        people.saved_search(name, "Grenswacht", "border guards", {})
        people.subscribe(
            name,
            TUESDAY - timedelta(days=10),
            countries=["SY"],
            topics=["human-trafficking"],
            saved_searches=["Grenswacht"],
            send_at="08:00",
        )
    with transaction(factory) as session:
        session.execute(update(User).where(User.username == "joost").values(locale="nl"))
    evening = TUESDAY - timedelta(hours=9)
    corpus.add("Convoy stopped near Homs", evening, countries=("SY",))
    corpus.add("Brokers along the coast", evening, countries=("LY",), topics=("human-trafficking",))
    corpus.add(
        "Patrols at the river crossing", evening, countries=("TR",), text="The border guards turned back."
    )

    clock.set(datetime(2026, 12, 1, 7, 0, tzinfo=UTC))  # 08:00 in Amsterdam
    config = DigestConfig(send_empty=False, sender="digests@coi.example.org")
    report = DigestSender(factory, settings, config=config, clock=clock).run()
    assert report.sent == 2
    mails = {r.recipients[0]: r.message for r in mailbox.received}

    dutch = mails["joost@example.org"]
    assert dutch["Subject"] == "Dagelijks COI-overzicht 2026-12-01: 3 nieuwe documenten"
    text, html = bodies(dutch)
    for part in (text, html):
        assert "Beste joost," in part
        assert "Syrië" in part and "Mensenhandel" in part
        assert "opgeslagen zoekopdracht “Grenswacht”" in part
        assert "30 november 2026" in part  # the documents' date, as Dutch writes it
        assert "Afmelden voor dit overzicht" in part
        for english in ("Hello", "Matches", "Unsubscribe", "saved search", "November", "Syria"):
            assert english not in part, english
    assert '<html lang="nl">' in html

    english = mails["grace@example.org"]
    assert english["Subject"] == "Daily COI digest 2026-12-01: 3 new documents"
    text, html = bodies(english)
    for part in (text, html):
        assert "Hello grace," in part and "Syria" in part and "Human trafficking" in part
        assert "saved search “Grenswacht”" in part and "30 November 2026" in part
