"""Digest fixtures: a real SMTP server on 127.0.0.1, a controllable clock, users and documents.

The root conftest's autouse fixture ``_no_unexpected_mail`` makes any SMTP connection fail the test
unless the test asked for the ``mailbox`` fixture defined here.
"""

from __future__ import annotations

import email
import email.policy
import socket
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import sessionmaker

from portal.config import Settings
from portal.db import transaction
from portal.digests import subscriptions as subs
from portal.models import Document, DocumentCountry, DocumentTopic, Role, SavedSearch, Source, Topic, User

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SMTP_USER = "digest-sender"
SMTP_PASSWORD = "mail password 42"


# ---------------------------------------------------------------- the SMTP server


class _Handler:
    def __init__(self, box: Mailbox) -> None:
        self.box = box

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address in self.box.refused:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_MAIL(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if not session.authenticated:
            return "530 5.7.0 authentication required"
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.box.on_data is not None:
            self.box.on_data(envelope)
        if self.box.fail_data:
            self.box.fail_data -= 1
            return "451 4.3.0 try again later"
        raw = envelope.content if isinstance(envelope.content, bytes) else str(envelope.content).encode()
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(msg, EmailMessage)
        with self.box.lock:
            self.box.received.append(Received(envelope.mail_from or "", list(envelope.rcpt_tos), msg, raw))
        return "250 2.0.0 accepted"


def _authenticate(
    server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
) -> AuthResult:
    ok = (
        isinstance(data, LoginPassword)
        and data.login == SMTP_USER.encode()
        and data.password == SMTP_PASSWORD.encode()
    )
    return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd replies 535 itself


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage
    raw: bytes


@dataclass
class Mailbox:
    """A real SMTP server (aiosmtpd) with log-in, which can be stopped and started on its port."""

    port: int
    received: list[Received] = field(default_factory=list)
    refused: set[str] = field(default_factory=set)
    fail_data: int = 0
    on_data: Any = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    controller: Controller | None = None
    security: str = "none"  # none | starttls | ssl, as COI_SMTP_SECURITY

    def start(self) -> None:
        assert self.controller is None
        tls: dict[str, Any] = {}
        if self.security != "none":
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(FIXTURES / "smtp-test-cert.pem", FIXTURES / "smtp-test-key.pem")
            if self.security == "starttls":
                tls = {"tls_context": context, "require_starttls": True}
            else:
                tls = {"ssl_context": context}
        self.controller = Controller(
            _Handler(self),
            hostname="127.0.0.1",
            port=self.port,
            # AUTH offered without TLS on loopback (the MAIL handler checks it was used)
            # (with implicit TLS aiosmtpd does not see the TLS layer, so it must not insist)
            auth_require_tls=self.security == "starttls",
            authenticator=_authenticate,
            **tls,
        )
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def configure(self, settings: Settings) -> Settings:
        return settings.with_overrides(
            smtp_host="127.0.0.1",
            smtp_port=self.port,
            smtp_user=SMTP_USER,
            smtp_password=SMTP_PASSWORD,
            smtp_security=self.security,
            base_url="https://coi.example.org",
        )

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if address in r.recipients]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox(port=_free_port())
    box.start()
    try:
        yield box
    finally:
        box.stop()


# ---------------------------------------------------------------- the clock


class Clock:
    """A clock the test moves by hand (always timezone-aware, UTC)."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def set(self, moment: datetime) -> None:
        self.now = moment.astimezone(UTC)

    def advance(self, **delta: float) -> datetime:
        self.now = self.now + timedelta(**delta)
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 3, 2, 4, 0, tzinfo=UTC))


# ---------------------------------------------------------------- data


class People:
    """Adds users, their saved searches and their digest subscriptions."""

    def __init__(self, factory: sessionmaker[DbSession]) -> None:
        self.factory = factory

    def add(self, name: str, email_address: str | None, role: Role = Role.officer) -> int:
        from portal.auth.passwords import hash_password

        with transaction(self.factory) as session:
            user = User(
                username=name,
                email=email_address,
                role=role,
                password_hash=hash_password("correct horse battery"),
            )
            session.add(user)
            session.flush()
            return user.id

    def subscribe(self, username: str, created_at: datetime, **choices: Any) -> None:
        choices.setdefault("timezone", "Europe/Amsterdam")
        with transaction(self.factory) as session:
            user = session.scalar(select(User).where(User.username == username))
            assert user is not None
            sub = subs.save(session, user, subs.validate(session, user, **choices))
            sub.created_at = created_at

    def saved_search(self, username: str, name: str, query: str, filters: dict[str, list[str]]) -> int:
        with transaction(self.factory) as session:
            user = session.scalar(select(User).where(User.username == username))
            assert user is not None
            row = SavedSearch(user_id=user.id, name=name, query=query, filters=filters)
            session.add(row)
            session.flush()
            return row.id


@pytest.fixture
def people(factory: sessionmaker[DbSession]) -> People:
    return People(factory)


class Corpus:
    """Writes sources and tagged documents straight into the database."""

    def __init__(self, factory: sessionmaker[DbSession]) -> None:
        self.factory = factory
        self.count = 0
        with transaction(factory) as session:
            for name in ("Refugee Agency Reports", "Conflict Monitor"):
                session.add(
                    Source(name=name, kind="rss", url=f"https://{name.split()[0].lower()}.example/feed")
                )

    def add(
        self,
        title: str,
        processed_at: datetime,
        *,
        countries: tuple[str, ...] = (),
        topics: tuple[str, ...] = (),
        text: str = "",
        source: str = "Refugee Agency Reports",
        version: int = 1,
    ) -> int:
        self.count += 1
        with transaction(self.factory) as session:
            src = session.scalar(select(Source).where(Source.name == source))
            assert src is not None
            for tid in topics:
                if session.get(Topic, tid) is None:
                    session.add(Topic(id=tid, label_en=tid.replace("-", " ")))
            session.flush()
            doc = Document(
                source_id=src.id,
                url=f"https://{source.split()[0].lower()}.example/items/{self.count}",
                title=title,
                text=text or f"{title}. A report written for the digest tests.",
                content_sha256=f"{self.count:064x}",
                published_at=processed_at - timedelta(hours=3),
                retrieved_at=processed_at - timedelta(minutes=30),
                processed_at=processed_at,
                version=version,
                language="en",
            )
            session.add(doc)
            session.flush()
            for i, code in enumerate(countries):
                session.add(
                    DocumentCountry(
                        document_id=doc.id, country_code=code, role="focus" if i == 0 else "mentioned"
                    )
                )
            for tid in topics:
                session.add(DocumentTopic(document_id=doc.id, topic_id=tid, score=1.0))
            return doc.id


@pytest.fixture
def corpus(factory: sessionmaker[DbSession]) -> Corpus:
    return Corpus(factory)
