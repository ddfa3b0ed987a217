"""``coi subscriptions``, ``coi digest`` and ``coi jobs``: thin commands over the digest functions.

Added to the ``coi`` group at the end of :mod:`portal.cli`.
"""

from __future__ import annotations

import json
from typing import Any

import click
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from portal.config import Settings
from portal.db import make_engine, make_session_factory, transaction
from portal.digests import subscriptions as subs
from portal.digests.schedule import WEEKDAYS
from portal.models import User, json_default


class DigestContext:
    def __init__(self) -> None:
        try:
            self.settings = Settings.from_env()
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None
        self._factory: sessionmaker[Session] | None = None

    @property
    def factory(self) -> sessionmaker[Session]:
        if self._factory is None:
            self.settings.ensure_instance()
            engine = make_engine(self.settings.db_url)
            click.get_current_context().call_on_close(engine.dispose)
            self._factory = make_session_factory(engine)
        return self._factory


pass_dctx = click.make_pass_decorator(DigestContext, ensure=True)


def _json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=json_default))


def _user(session: Session, name: str) -> User:
    user = session.scalar(select(User).where(User.username == name))
    if user is None:
        raise click.ClickException(f"no user named {name!r}")
    return user


# ---------------------------------------------------------------- subscriptions


@click.group("subscriptions")
def subscriptions_group() -> None:
    """Users' e-mail digest subscriptions."""


@subscriptions_group.command("add")
@click.argument("user")
@click.option("--country", "countries", multiple=True, help="ISO alpha-2 code, e.g. SY (repeatable).")
@click.option("--topic", "topics", multiple=True, help="Topic id, e.g. human-trafficking (repeatable).")
@click.option("--saved-search", "saved", multiple=True, help="Name of one of the user's saved searches.")
@click.option("--briefings", is_flag=True, default=None, help="Include published briefings.")
@click.option("--frequency", type=click.Choice(["daily", "weekly"]), default=None)
@click.option("--weekday", type=click.Choice(WEEKDAYS), default=None, help="For weekly digests.")
@click.option("--at", "send_at", default=None, help="Local time HH:MM.")
@click.option("--timezone", default=None, help="IANA time zone (default: COI_TIMEZONE).")
@pass_dctx
def subscriptions_add(
    ctx: DigestContext,
    user: str,
    countries: tuple[str, ...],
    topics: tuple[str, ...],
    saved: tuple[str, ...],
    briefings: bool | None,
    frequency: str | None,
    weekday: str | None,
    send_at: str | None,
    timezone: str | None,
) -> None:
    """Add countries, topics, saved searches or briefings to USER's digest, and set its timing."""
    with transaction(ctx.factory) as session:
        account = _user(session, user)
        current = subs.get_subscription(session, account.id)
        wanted = subs.merge(
            current,
            countries=list(countries),
            topics=list(topics),
            saved_searches=list(saved),
            briefings=briefings,
            frequency=frequency,
            weekday=weekday,
            send_at=send_at,
            timezone=timezone,
        )
        wanted.setdefault("timezone", ctx.settings.timezone)
        try:
            choices = subs.validate(session, account, **wanted)
        except subs.SubscriptionError as exc:
            raise click.ClickException(str(exc)) from None
        sub = subs.save(session, account, choices)
        data = subs.describe(sub)
    click.echo(f"digest of {user}: {_line(data)}")
    if not data["email"]:
        click.echo(f"warning: {user} has no e-mail address; no digest can be sent", err=True)


def _line(data: dict[str, Any]) -> str:
    follows = [*data["countries"], *data["topics"], *(f"“{s}”" for s in data["saved_searches"])]
    if data["briefings"]:
        follows.append("briefings")
    when = data["frequency"] + (f" on {data['weekday']}" if data["weekday"] else "")
    state = "" if data["active"] else " (off)"
    return f"{', '.join(follows) or 'nothing'}; {when} at {data['at']} {data['timezone']}{state}"


@subscriptions_group.command("list")
@click.argument("user", required=False)
@click.option("--json", "as_json", is_flag=True)
@pass_dctx
def subscriptions_list(ctx: DigestContext, user: str | None, as_json: bool) -> None:
    """List the subscriptions (of every user, or of USER)."""
    from sqlalchemy.orm import selectinload

    from portal.digests.models import DigestSubscription

    with transaction(ctx.factory) as session:
        query = (
            select(DigestSubscription)
            .join(User, User.id == DigestSubscription.user_id)
            .options(selectinload(DigestSubscription.saved_searches), selectinload(DigestSubscription.user))
            .order_by(User.username)
        )
        if user is not None:
            query = query.where(DigestSubscription.user_id == _user(session, user).id)
        rows = [subs.describe(s) for s in session.scalars(query)]
    if as_json:
        _json(rows)
        return
    for r in rows:
        click.echo(f"{r['user']}: {_line(r)}")


@subscriptions_group.command("remove")
@click.argument("user")
@click.option("--country", "countries", multiple=True)
@click.option("--topic", "topics", multiple=True)
@click.option("--saved-search", "saved", multiple=True)
@click.option("--briefings", is_flag=True, help="Stop including briefings.")
@click.option("--all", "remove_all", is_flag=True, help="Delete the whole subscription.")
@pass_dctx
def subscriptions_remove(
    ctx: DigestContext,
    user: str,
    countries: tuple[str, ...],
    topics: tuple[str, ...],
    saved: tuple[str, ...],
    briefings: bool,
    remove_all: bool,
) -> None:
    """Remove items from USER's digest, or (--all) the digest itself."""
    if not (countries or topics or saved or briefings or remove_all):
        raise click.ClickException(
            "say what to remove (--country, --topic, --saved-search, --briefings) or --all"
        )
    with transaction(ctx.factory) as session:
        account = _user(session, user)
        sub = subs.get_subscription(session, account.id)
        if sub is None:
            raise click.ClickException(f"{user} has no digest subscription")
        if remove_all:
            session.delete(sub)
            message = f"deleted the digest subscription of {user}"
        else:
            subs.remove_items(
                sub, countries=countries, topics=topics, saved_searches=saved, briefings=briefings
            )
            message = f"digest of {user}: {_line(subs.describe(sub))}"
    click.echo(message)


# ---------------------------------------------------------------- sending


@click.group("digest")
def digest_group() -> None:
    """E-mail digests."""


@digest_group.command("send")
@click.option("--user", "username", default=None, help="Only this user's digest.")
@click.option("--dry-run", is_flag=True, help="Show what would be sent; change and send nothing.")
@click.option(
    "--resend-uncertain",
    is_flag=True,
    help="Re-send digests whose earlier transmission had an unknown outcome (may give a second copy).",
)
@click.option("--json", "as_json", is_flag=True)
@pass_dctx
def digest_send(
    ctx: DigestContext, username: str | None, dry_run: bool, resend_uncertain: bool, as_json: bool
) -> None:
    """Claim and send the digests that are due now (what the scheduler does every minute)."""
    from portal.digests.send import DigestSender

    user_id = None
    if username is not None:
        with transaction(ctx.factory) as session:
            user_id = _user(session, username).id
    try:
        report = DigestSender(ctx.factory, ctx.settings).run(
            user_id=user_id, dry_run=dry_run, resend_uncertain=resend_uncertain
        )
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        _json(report.as_dict())
        return
    if dry_run:
        for p in report.previews:
            verdict = "would send" if p["would_send"] else "would not send"
            counts = f"{p['documents']} documents, {p['briefings']} briefings"
            click.echo(f"{p['user']} {p['period']}: {counts}; {verdict}")
        click.echo(f"dry run: {len(report.previews)} digests due or pending; nothing sent")
        return
    click.echo(report.summary())
    if report.retrying or report.failed:
        raise SystemExit(1)


# ---------------------------------------------------------------- jobs


@click.command("jobs")
@click.option("--json", "as_json", is_flag=True)
@pass_dctx
def jobs_command(ctx: DigestContext, as_json: bool) -> None:
    """List every scheduled job with its next run and last result."""
    from portal.jobs import job_overview

    overview = job_overview(ctx.settings, ctx.factory)
    if as_json:
        _json(overview)
        return
    click.echo(
        "scheduler running" if overview["scheduler_running"] else "no scheduler running (planned runs shown)"
    )
    for job in overview["jobs"]:
        last = job["last_run"]
        if last is None:
            outcome = "never ran"
        elif last["ok"] is None:
            outcome = "running"
        else:
            outcome = "ok" if last["ok"] else f"FAILED: {last['error']}"
        nxt = job["next_run_at"].isoformat(timespec="seconds") if job["next_run_at"] else "-"
        click.echo(f"{job['id']:<16} next {nxt:<26} last: {outcome}")
