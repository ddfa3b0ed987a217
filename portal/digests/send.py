"""Delivering digests exactly once: claim, compose, send over SMTP, record.

The delivery log (:class:`~portal.digests.models.DigestDelivery`) has one row per (user,
period), kept unique by the database. A run:

1. **recovers** rows left by a crashed sender: ``sending`` rows (taken, but the message never
   reached SMTP's DATA phase) go back to ``pending``; ``transmitting`` rows (the message was
   being handed over, so the server may or may not have accepted it) become ``uncertain``;
2. **claims** the due periods: for each active subscription whose local send time has passed,
   a ``pending`` row is inserted and committed; a concurrent claim of the same (user, period)
   fails on the unique constraint and is skipped, so no period is claimed twice. The row fixes
   the window (from the previous digest's end to now), so retries send the same content;
3. **delivers** the pending rows that are due: a batch is taken (``sending``, with a claim
   token; a row taken by someone else is left alone), composed from the database, then each
   message is marked ``transmitting`` (committed) just before SMTP's DATA command and ``sent``
   after the server's reply. Mail is only sent after the row's transaction committed.

Retries: a failure that certainly left the message undelivered (no connection, a refusal
before DATA, or a reply rejecting the message) puts the row back to ``pending`` with a growing
back-off (``attempts``, ``next_attempt_at``); a permanent refusal (5xx) makes it ``failed``. A
failure while the message was being transmitted, or a crash then, leaves the outcome unknown:
the row becomes ``uncertain`` and is **not** re-sent automatically, because a second copy is
worse than a late one for this audience; ``coi digest send --resend-uncertain`` re-sends such
rows deliberately, with the same Message-ID so that mail programs can recognise the copy.

Nothing is sent for a period with nothing new (status ``empty``) unless COI_DIGEST_SEND_EMPTY
is on. The scheduler only ever runs one sender; a hand-run ``coi digest send`` beside it is
safe for the same reasons.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import smtplib
import ssl
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload, sessionmaker

from portal.config import Settings
from portal.db import transaction
from portal.digests.compose import Corpus, Digest, SavedQuery, compose, message_id_for, render
from portal.digests.models import DigestDelivery, DigestSubscription
from portal.digests.schedule import due_slot
from portal.digests.subscriptions import unsubscribe_token
from portal.models import User, utcnow

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=10)
BATCH = 50
FIRST_BACKOFF = timedelta(minutes=2)
MAX_BACKOFF = timedelta(hours=6)
_TRUE = {"1", "true", "yes", "on"}


def backoff(attempts: int) -> timedelta:
    """Wait before the next attempt: 2 min, 6 min, 18 min, … at most 6 hours."""
    wait: timedelta = FIRST_BACKOFF * (3 ** min(10, max(0, attempts - 1)))
    return min(MAX_BACKOFF, wait)


@dataclass(frozen=True)
class DigestConfig:
    """Digest settings beside :class:`~portal.config.Settings`.

    ``COI_DIGEST_SEND_EMPTY`` (off by default) sends a digest even when nothing is new;
    ``COI_MAIL_FROM`` is the sender address (default ``coi-portal@<host of COI_BASE_URL>``).
    ``Settings.extra`` keys ``digest_send_empty`` and ``mail_from`` take precedence.
    """

    send_empty: bool
    sender: str

    @classmethod
    def from_settings(cls, settings: Settings, env: Mapping[str, str] | None = None) -> DigestConfig:
        env = os.environ if env is None else env
        from portal.digests.compose import mail_domain

        raw_empty = settings.extra.get("digest_send_empty", env.get("COI_DIGEST_SEND_EMPTY", ""))
        send_empty = raw_empty if isinstance(raw_empty, bool) else str(raw_empty).strip().lower() in _TRUE
        sender = str(
            settings.extra.get("mail_from")
            or env.get("COI_MAIL_FROM")
            or f"coi-portal@{mail_domain(settings.base_url)}"
        )
        return cls(send_empty=send_empty, sender=sender)


# ---------------------------------------------------------------- SMTP


class DeliveryError(Exception):
    """A message was not delivered. ``certain``: it certainly was not; ``permanent``: do not retry."""

    def __init__(self, message: str, *, certain: bool, permanent: bool = False) -> None:
        super().__init__(message)
        self.certain = certain
        self.permanent = permanent


class ServerUnavailableError(DeliveryError):
    """The mail server cannot be reached or refuses the log-in: no message of the run can go."""

    def __init__(self, message: str) -> None:
        super().__init__(message, certain=True)


def _dot_stuff(data: bytes) -> bytes:
    data = re.sub(rb"\r\n|\n|\r", b"\r\n", data)
    data = re.sub(rb"(?m)^\.", b"..", data)
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    return data + b".\r\n"


class SmtpMailer:
    """One SMTP connection, opened on first use and reused for a run's messages.

    ``send`` calls ``before_data`` right before the DATA command: from then on a failure leaves
    the outcome unknown (``DeliveryError(certain=False)``); before it, failures are certain.
    """

    def __init__(self, settings: Settings, *, timeout: float = 30.0) -> None:
        self.settings = settings
        self.timeout = timeout
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> SmtpMailer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                self._smtp.close()
            self._smtp = None

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        smtp: smtplib.SMTP | None = None
        try:
            if s.smtp_security == "ssl":
                smtp = smtplib.SMTP_SSL(
                    s.smtp_host, s.smtp_port, timeout=self.timeout, context=ssl.create_default_context()
                )
            else:
                smtp = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=self.timeout)
            smtp.ehlo()
            if s.smtp_security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if s.smtp_user:
                smtp.login(s.smtp_user, s.smtp_password or "")
        except smtplib.SMTPAuthenticationError as exc:
            smtp.close()  # type: ignore[union-attr]
            raise ServerUnavailableError(f"SMTP log-in refused: {exc}") from exc
        except (smtplib.SMTPException, OSError) as exc:
            if smtp is not None:
                smtp.close()
            raise ServerUnavailableError(
                f"cannot reach the mail server {s.smtp_host}:{s.smtp_port}: {exc}"
            ) from exc
        return smtp

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is not None:
            try:
                code, _ = self._smtp.noop()
                if code == 250:
                    return self._smtp
            except (smtplib.SMTPException, OSError):
                pass
            self._smtp.close()
            self._smtp = None
        self._smtp = self._connect()
        return self._smtp

    def _drop(self) -> None:
        if self._smtp is not None:
            self._smtp.close()
            self._smtp = None

    def send(self, msg: EmailMessage, sender: str, recipient: str, before_data: Callable[[], None]) -> None:
        smtp = self._connection()
        try:
            code, reply = smtp.mail(sender)
            if code != 250:
                smtp.rset()
                raise DeliveryError(f"sender refused: {code} {reply!r}", certain=True, permanent=code >= 500)
            code, reply = smtp.rcpt(recipient)
            if code not in (250, 251):
                smtp.rset()
                raise DeliveryError(
                    f"recipient {recipient} refused: {code} {reply!r}", certain=True, permanent=code >= 500
                )
        except (smtplib.SMTPException, OSError) as exc:
            self._drop()
            raise DeliveryError(f"SMTP failed before the message was sent: {exc}", certain=True) from exc
        data = _dot_stuff(msg.as_bytes(policy=SMTP_POLICY))
        try:
            before_data()
        except BaseException:
            try:
                smtp.rset()
            except (smtplib.SMTPException, OSError):
                self._drop()
            raise
        try:
            code, reply = smtp.docmd("DATA")
            if code != 354:
                smtp.rset()
                raise DeliveryError(f"DATA refused: {code} {reply!r}", certain=True, permanent=code >= 500)
            smtp.send(data)
            code, reply = smtp.getreply()
        except DeliveryError:
            raise
        except (smtplib.SMTPException, OSError) as exc:
            self._drop()
            raise DeliveryError(
                f"the connection failed while the message was sent: {exc}", certain=False
            ) from exc
        if code != 250:
            raise DeliveryError(f"message refused: {code} {reply!r}", certain=True, permanent=code >= 500)


# ---------------------------------------------------------------- the run


@dataclass
class RunReport:
    claimed: int = 0
    sent: int = 0
    empty: int = 0
    skipped: int = 0
    retrying: int = 0
    failed: int = 0
    uncertain: int = 0
    recovered: int = 0
    previews: list[dict[str, Any]] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{self.claimed} claimed, {self.sent} sent, {self.empty} empty, {self.skipped} skipped, "
            f"{self.retrying} to retry, {self.failed} failed, {self.uncertain} uncertain"
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "claimed": self.claimed,
            "sent": self.sent,
            "empty": self.empty,
            "skipped": self.skipped,
            "retrying": self.retrying,
            "failed": self.failed,
            "uncertain": self.uncertain,
            "recovered": self.recovered,
            "previews": self.previews,
        }


def _subscriptions(session: Session, user_id: int | None) -> list[DigestSubscription]:
    query = (
        select(DigestSubscription)
        .join(User, User.id == DigestSubscription.user_id)
        .where(DigestSubscription.active.is_(True), User.active.is_(True))
        .options(selectinload(DigestSubscription.saved_searches), selectinload(DigestSubscription.user))
        .order_by(DigestSubscription.user_id)
    )
    if user_id is not None:
        query = query.where(DigestSubscription.user_id == user_id)
    return list(session.scalars(query))


def recover_stale(factory: sessionmaker[Session], now: datetime) -> int:
    """Rows whose sender vanished: back to pending when SMTP never got them, else uncertain."""
    cutoff = now - LEASE
    with transaction(factory) as session:
        back = session.execute(
            update(DigestDelivery)
            .where(DigestDelivery.status == "sending", DigestDelivery.claimed_at < cutoff)
            .values(status="pending", claim_token=None, next_attempt_at=now)
        )
        lost = session.execute(
            update(DigestDelivery)
            .where(DigestDelivery.status == "transmitting", DigestDelivery.claimed_at < cutoff)
            .values(
                status="uncertain",
                claim_token=None,
                last_error="the sender stopped while the message was being transmitted",
            )
        )
    recovered = int(getattr(back, "rowcount", 0) or 0)
    uncertain = int(getattr(lost, "rowcount", 0) or 0)
    if uncertain:
        log.warning("%d digests have an unknown outcome; not re-sent automatically", uncertain)
    return recovered + uncertain


def _previous_ends(session: Session, user_ids: Sequence[int]) -> dict[int, datetime]:
    rows = session.execute(
        select(DigestDelivery.user_id, func.max(DigestDelivery.window_end))
        .where(DigestDelivery.user_id.in_(user_ids))
        .group_by(DigestDelivery.user_id)
    ).all()
    return {user_id: end for user_id, end in rows if end is not None}


def due_claims(
    session: Session, settings: Settings, now: datetime, user_id: int | None = None
) -> list[DigestDelivery]:
    """New delivery rows (not yet added) for the subscriptions due at ``now``."""
    subs = _subscriptions(session, user_id)
    slots = {}
    for sub in subs:
        try:
            slot = due_slot(sub.frequency, sub.send_at, sub.weekday, sub.timezone, now, sub.created_at)
        except ValueError as exc:  # a damaged subscription must not stop the others
            log.error("digest subscription of user %s is not usable: %s", sub.user_id, exc)
            continue
        if slot is not None:
            slots[sub.user_id] = (sub, slot)
    if not slots:
        return []
    claimed = set(
        session.execute(
            select(DigestDelivery.user_id, DigestDelivery.period).where(
                DigestDelivery.user_id.in_(list(slots)),
                DigestDelivery.period.in_({slot.period for _, slot in slots.values()}),
            )
        ).tuples()
    )
    ends = _previous_ends(session, list(slots))
    rows = []
    for uid, (sub, slot) in slots.items():
        if (uid, slot.period) in claimed:
            continue
        start = ends.get(uid, slot.due_at - slot.length)
        rows.append(
            DigestDelivery(
                user_id=uid,
                period=slot.period,
                frequency=sub.frequency,
                status="pending",
                window_start=min(start, now),
                window_end=now,
                message_id=message_id_for(uid, slot.period, settings.base_url),
                recipient=sub.user.email or "",
                attempts=0,
                next_attempt_at=now,
                created_at=now,
                item_count=0,
                document_ids=[],
            )
        )
    return rows


def claim_due(
    factory: sessionmaker[Session], settings: Settings, now: datetime, user_id: int | None = None
) -> int:
    """Insert and commit the pending rows of the due periods; returns how many were claimed."""
    with transaction(factory) as session:
        rows = due_claims(session, settings, now, user_id)
        if not rows:
            return 0
        session.add_all(rows)
        try:
            session.flush()
            return len(rows)
        except IntegrityError:
            session.rollback()
    # another sender claimed some of them at the same moment: claim one by one
    count = 0
    for row in rows:
        try:
            with transaction(factory) as session:
                fresh = [r for r in due_claims(session, settings, now, row.user_id) if r.period == row.period]
                session.add_all(fresh)
                session.flush()
                count += len(fresh)
        except IntegrityError:
            continue
    return count


def _take_batch(
    factory: sessionmaker[Session], now: datetime, token: str, user_id: int | None, ids: Sequence[int] | None
) -> list[int]:
    with transaction(factory) as session:
        query = (
            select(DigestDelivery.id)
            .where(DigestDelivery.status == "pending", DigestDelivery.next_attempt_at <= now)
            .order_by(DigestDelivery.next_attempt_at, DigestDelivery.id)
            .limit(BATCH)
        )
        if user_id is not None:
            query = query.where(DigestDelivery.user_id == user_id)
        if ids is not None:
            query = query.where(DigestDelivery.id.in_(ids))
        candidates = list(session.scalars(query))
        if not candidates:
            return []
        session.execute(
            update(DigestDelivery)
            .where(DigestDelivery.id.in_(candidates), DigestDelivery.status == "pending")
            .values(status="sending", claim_token=token, claimed_at=now, attempts=DigestDelivery.attempts + 1)
        )
    with transaction(factory) as session:
        return list(
            session.scalars(
                select(DigestDelivery.id)
                .where(DigestDelivery.claim_token == token, DigestDelivery.status == "sending")
                .order_by(DigestDelivery.id)
            )
        )


def _finish(factory: sessionmaker[Session], delivery_id: int, token: str, values: dict[str, Any]) -> bool:
    with transaction(factory) as session:
        result = session.execute(
            update(DigestDelivery)
            .where(DigestDelivery.id == delivery_id, DigestDelivery.claim_token == token)
            .values(**values)
        )
    return bool(getattr(result, "rowcount", 0))


@dataclass
class _Prepared:
    delivery_id: int
    attempts: int
    digest: Digest | None
    message: EmailMessage | None
    problem: str | None = None
    error: str | None = None


class DigestSender:
    """Runs the claim-compose-send cycle; one instance per run."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        settings: Settings,
        *,
        config: DigestConfig | None = None,
        clock: Callable[[], datetime] = utcnow,
        mailer_factory: Callable[[], SmtpMailer] | None = None,
    ) -> None:
        self.factory = factory
        self.settings = settings
        self.config = config or DigestConfig.from_settings(settings)
        self.clock = clock
        self.mailer_factory = mailer_factory or (lambda: SmtpMailer(settings))
        self.secret = settings.load_secret_key()
        self._corpus: Corpus | None = None
        self._saved_queries: dict[int, SavedQuery] = {}

    # -------------------------------------------------------------- composing

    def _corpus_for(self, start: datetime, end: datetime) -> Corpus:
        if self._corpus is None or not self._corpus.covers(start, end):
            if self._corpus is not None:
                start, end = min(start, self._corpus.start), max(end, self._corpus.end)
            self._corpus = Corpus(
                self.factory, start, end, stem_phrases=self.settings.search_backend == "postgres"
            )
        return self._corpus

    def unsubscribe_url(self, user_id: int) -> str:
        return f"{self.settings.base_url}/unsubscribe/{unsubscribe_token(self.secret, user_id)}"

    def _prepare(self, ids: Sequence[int], now: datetime) -> list[_Prepared]:
        prepared: list[_Prepared] = []
        with transaction(self.factory) as session:
            rows = list(
                session.scalars(
                    select(DigestDelivery).where(DigestDelivery.id.in_(ids)).order_by(DigestDelivery.id)
                )
            )
            if not rows:
                return []
            self._corpus_for(min(r.window_start for r in rows), max(r.window_end for r in rows))
            assert self._corpus is not None
            subs = {
                s.user_id: s
                for s in session.scalars(
                    select(DigestSubscription)
                    .where(DigestSubscription.user_id.in_([r.user_id for r in rows]))
                    .options(
                        selectinload(DigestSubscription.saved_searches),
                        selectinload(DigestSubscription.user),
                    )
                )
            }
            for row in rows:
                sub = subs.get(row.user_id)
                recipient = (sub.user.email if sub is not None else None) or row.recipient
                if sub is None or not sub.active or not sub.user.active:
                    prepared.append(_Prepared(row.id, row.attempts, None, None, "unsubscribed"))
                    continue
                if not recipient:
                    prepared.append(_Prepared(row.id, row.attempts, None, None, "no e-mail address"))
                    continue
                try:
                    digest = compose(
                        self._corpus,
                        session,
                        sub,
                        recipient=recipient,
                        period=row.period,
                        window_start=row.window_start,
                        window_end=row.window_end,
                        base_url=self.settings.base_url,
                        saved_queries=self._saved_queries,
                    )
                    message = None
                    if not digest.empty or self.config.send_empty:
                        message = render(
                            digest,
                            sender=self.config.sender,
                            message_id=row.message_id,
                            unsubscribe_url=self.unsubscribe_url(row.user_id),
                            base_url=self.settings.base_url,
                            now=now,
                            timezone=sub.timezone,
                        )
                except Exception as exc:  # one digest that cannot be composed must not stop the others
                    log.exception("digest %s of user %s could not be composed", row.period, row.user_id)
                    prepared.append(
                        _Prepared(row.id, row.attempts, None, None, error=f"{type(exc).__name__}: {exc}")
                    )
                    continue
                prepared.append(_Prepared(row.id, row.attempts, digest, message))
        return prepared

    # -------------------------------------------------------------- the cycle

    def run(
        self,
        *,
        user_id: int | None = None,
        dry_run: bool = False,
        resend_uncertain: bool = False,
    ) -> RunReport:
        now = self.clock()
        report = RunReport()
        if dry_run:
            return self._dry_run(now, user_id, report)
        report.recovered = recover_stale(self.factory, now)
        only: list[int] | None = None
        if resend_uncertain:
            only = self._reopen_uncertain(now, user_id)
        else:
            report.claimed = claim_due(self.factory, self.settings, now, user_id)
        self._load_corpus(now, user_id)
        token = secrets.token_hex(16)
        with self.mailer_factory() as mailer:
            while True:
                ids = _take_batch(self.factory, now, token, user_id, only)
                if not ids or not self._deliver(ids, now, token, mailer, report):
                    break
        return report

    def _load_corpus(self, now: datetime, user_id: int | None) -> None:
        """Load the documents of every window due now at once (batches then share them)."""
        with transaction(self.factory) as session:
            query = select(func.min(DigestDelivery.window_start), func.max(DigestDelivery.window_end)).where(
                DigestDelivery.status == "pending", DigestDelivery.next_attempt_at <= now
            )
            if user_id is not None:
                query = query.where(DigestDelivery.user_id == user_id)
            start, end = session.execute(query).one()
        if start is not None and end is not None:
            self._corpus_for(start, end)

    def _reopen_uncertain(self, now: datetime, user_id: int | None) -> list[int]:
        with transaction(self.factory) as session:
            query = select(DigestDelivery.id).where(DigestDelivery.status == "uncertain")
            if user_id is not None:
                query = query.where(DigestDelivery.user_id == user_id)
            ids = list(session.scalars(query))
            if ids:
                session.execute(
                    update(DigestDelivery)
                    .where(DigestDelivery.id.in_(ids))
                    .values(status="pending", next_attempt_at=now)
                )
        return ids

    def _deliver(
        self, ids: list[int], now: datetime, token: str, mailer: SmtpMailer, report: RunReport
    ) -> bool:
        """Send one taken batch; False when the mail server is unavailable (the run stops)."""
        try:
            prepared = self._prepare(ids, now)
        except Exception:
            # composing failed: give the rows back (nothing was sent) and let the job log the error
            with transaction(self.factory) as session:
                session.execute(
                    update(DigestDelivery)
                    .where(DigestDelivery.id.in_(ids), DigestDelivery.claim_token == token)
                    .values(status="pending", claim_token=None, next_attempt_at=now + backoff(1))
                )
            raise
        to_send: list[_Prepared] = []
        for item in prepared:
            if item.error is not None:  # nothing was sent: try again after a pause
                self._failed(item, token, now, DeliveryError(item.error, certain=True), report)
                continue
            if item.problem is not None:
                _finish(
                    self.factory,
                    item.delivery_id,
                    token,
                    {"status": "skipped", "last_error": item.problem, "claim_token": None},
                )
                report.skipped += 1
                continue
            assert item.digest is not None
            if item.message is None:
                _finish(
                    self.factory,
                    item.delivery_id,
                    token,
                    {"status": "empty", "item_count": 0, "document_ids": [], "claim_token": None},
                )
                report.empty += 1
                continue
            to_send.append(item)
        for position, item in enumerate(to_send):
            assert item.digest is not None and item.message is not None
            doc_ids = [i.id for i in item.digest.items]

            def mark_transmitting(delivery_id: int = item.delivery_id) -> None:
                if not _finish(
                    self.factory,
                    delivery_id,
                    token,
                    {"status": "transmitting", "claimed_at": self.clock()},
                ):
                    raise DeliveryError("the delivery was taken over by another sender", certain=True)

            try:
                mailer.send(item.message, self.config.sender, item.digest.recipient, mark_transmitting)
            except ServerUnavailableError as exc:
                # this one and the rest of the batch wait for the server; the run stops
                for rest in to_send[position:]:
                    self._failed(rest, token, now, exc, report)
                return False
            except DeliveryError as exc:
                self._failed(item, token, now, exc, report)
                continue
            _finish(
                self.factory,
                item.delivery_id,
                token,
                {
                    "status": "sent",
                    "sent_at": self.clock(),
                    "item_count": item.digest.total,
                    "document_ids": doc_ids,
                    "last_error": None,
                    "claim_token": None,
                },
            )
            report.sent += 1
        return True

    def _failed(
        self, item: _Prepared, token: str, now: datetime, exc: DeliveryError, report: RunReport
    ) -> None:
        log.warning("digest delivery %s failed: %s", item.delivery_id, exc)
        if not exc.certain:
            values: dict[str, Any] = {"status": "uncertain", "last_error": str(exc), "claim_token": None}
            report.uncertain += 1
        elif exc.permanent:
            values = {"status": "failed", "last_error": str(exc), "claim_token": None}
            report.failed += 1
        else:
            values = {
                "status": "pending",
                "last_error": str(exc),
                "claim_token": None,
                "next_attempt_at": now + backoff(item.attempts),
            }
            report.retrying += 1
        _finish(self.factory, item.delivery_id, token, values)

    def _dry_run(self, now: datetime, user_id: int | None, report: RunReport) -> RunReport:
        """What a run would claim and send now; writes nothing, sends nothing."""
        with transaction(self.factory) as session:
            rows = due_claims(session, self.settings, now, user_id)
            query = select(DigestDelivery).where(
                DigestDelivery.status == "pending", DigestDelivery.next_attempt_at <= now
            )
            if user_id is not None:
                query = query.where(DigestDelivery.user_id == user_id)
            pending = list(session.scalars(query))
            session.expunge_all()
            session.rollback()
        candidates = [*pending, *rows]
        report.claimed = len(rows)
        if not candidates:
            return report
        self._corpus_for(min(r.window_start for r in candidates), max(r.window_end for r in candidates))
        assert self._corpus is not None
        with transaction(self.factory) as session:
            subs = {
                s.user_id: s
                for s in session.scalars(
                    select(DigestSubscription)
                    .where(DigestSubscription.user_id.in_([r.user_id for r in candidates]))
                    .options(
                        selectinload(DigestSubscription.saved_searches),
                        selectinload(DigestSubscription.user),
                    )
                )
            }
            for row in candidates:
                sub = subs.get(row.user_id)
                if sub is None:
                    continue
                digest = compose(
                    self._corpus,
                    session,
                    sub,
                    recipient=sub.user.email or "",
                    period=row.period,
                    window_start=row.window_start,
                    window_end=row.window_end,
                    base_url=self.settings.base_url,
                    saved_queries=self._saved_queries,
                )
                report.previews.append(
                    {
                        "user": sub.user.username,
                        "recipient": sub.user.email,
                        "period": row.period,
                        "documents": digest.total,
                        "briefings": len(digest.briefings),
                        "would_send": bool(sub.user.email) and (not digest.empty or self.config.send_empty),
                    }
                )
            session.rollback()
        return report


def send_digests(
    factory: sessionmaker[Session],
    settings: Settings,
    *,
    now: datetime | None = None,
    user_id: int | None = None,
    dry_run: bool = False,
) -> RunReport:
    """One run of the digest cycle (the scheduler's job and ``coi digest send``)."""
    clock = (lambda: now) if now is not None else utcnow
    return DigestSender(factory, settings, clock=clock).run(user_id=user_id, dry_run=dry_run)
