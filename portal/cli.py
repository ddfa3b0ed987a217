"""The ``coi`` command line: a thin layer over the portal's functions, for people and scripts."""

from __future__ import annotations

import json
import logging
import os
import sys
from typing import Any

import click
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from portal import pipeline
from portal.config import Settings
from portal.db import make_engine, make_session_factory, transaction
from portal.models import Document, Role, Source, User, json_default

log = logging.getLogger("coi")


class Context:
    def __init__(self) -> None:
        try:
            self.settings = Settings.from_env()
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None
        self._factory: sessionmaker[Session] | None = None
        self._engine: Engine | None = None
        click.get_current_context().call_on_close(self.close)

    @property
    def factory(self) -> sessionmaker[Session]:
        """Sessions of the instance's database, once its schema is this version's."""
        if self._factory is None:
            from portal.migrate import schema_problem

            self.settings.ensure_instance()
            self._engine = make_engine(self.settings.db_url)
            problem = schema_problem(self._engine)
            if problem is not None:
                raise click.ClickException(problem)
            self._factory = make_session_factory(self._engine)
        return self._factory

    def close(self) -> None:
        """Release the database connections when the command ends."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
            self._factory = None


pass_ctx = click.make_pass_decorator(Context, ensure=True)


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=json_default))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", is_flag=True, help="Log more detail.")
def main(verbose: bool) -> None:
    """Country-of-origin information portal: collect, tag, index and serve."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    # Alembic names each of its plugins as it loads them, on every command that reads the schema
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)


# ---------------------------------------------------------------- database


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
@pass_ctx
def db_upgrade(ctx: Context, revision: str) -> None:
    """Apply the Alembic revisions."""
    from portal.migrate import upgrade

    ctx.settings.ensure_instance()
    engine = make_engine(ctx.settings.db_url)
    try:
        upgrade(engine, revision)
    finally:
        engine.dispose()
    click.echo(f"database at {revision}: {engine.url.render_as_string()}")


# ---------------------------------------------------------------- users


@db.command("copy-to")
@click.argument("url")
@pass_ctx
def db_copy_to(ctx: Context, url: str) -> None:
    """Copy this instance's database, every row, into the empty database at URL (e.g. PostgreSQL)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, OperationalError

    from portal.cluster.copy import TargetNotEmptyError, copy_database

    try:
        make_url(url)
    except ArgumentError:
        raise click.ClickException(f"not a database URL: {url!r}") from None
    try:
        source = make_engine(ctx.settings.db_url)
        try:
            counts = copy_database(source, url)
        finally:
            source.dispose()
    except TargetNotEmptyError as exc:
        raise click.ClickException(str(exc)) from None
    except OperationalError as exc:
        reason = str(exc.orig or exc).strip().splitlines()[0]
        raise click.ClickException(f"could not use the target database: {reason}") from None
    for name, n in counts.items():
        click.echo(f"{name}: {n}")


@main.group()
def users() -> None:
    """User accounts."""


@users.command("create")
@click.argument("name")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--email", default=None)
@click.option("--password", default=None, help="Otherwise one is generated and printed once.")
@click.option("--if-missing", is_flag=True, help="Do nothing when the user exists.")
@pass_ctx
def users_create(
    ctx: Context, name: str, role: str, email: str | None, password: str | None, if_missing: bool
) -> None:
    """Create a user."""
    from portal.auth.passwords import generate_password, hash_password

    generated = password is None
    password = password or generate_password()
    try:
        hashed = hash_password(password)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    with transaction(ctx.factory) as session:
        if session.scalar(select(User).where(User.username == name)) is not None:
            if if_missing:
                click.echo(f"user {name} exists; left as it is")
                return
            raise click.ClickException(f"a user named {name!r} exists already")
        session.add(User(username=name, email=email, role=Role(role), password_hash=hashed))
    click.echo(f"created {role} {name}")
    if generated:
        click.echo(f"password (shown once): {password}")


@users.command("password")
@click.argument("name")
@click.option("--password", default=None, help="Otherwise one is generated and printed once.")
@pass_ctx
def users_password(ctx: Context, name: str, password: str | None) -> None:
    """Set a user's password; every session the user has open ends."""
    from portal.auth.passwords import generate_password
    from portal.auth.sessions import change_password

    generated = password is None
    password = password or generate_password()
    with transaction(ctx.factory) as session:
        user = session.scalar(select(User).where(User.username == name))
        if user is None:
            raise click.ClickException(f"no user named {name!r}")
        try:
            change_password(user, password)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(f"password of {name} changed; their sessions have ended")
    if generated:
        click.echo(f"password (shown once): {password}")


@users.command("bootstrap")
@pass_ctx
def users_bootstrap(ctx: Context) -> None:
    """Create the first admin ("admin") unless an admin exists: password from COI_ADMIN_PASSWORD,
    otherwise generated and printed once."""
    from portal.auth.passwords import generate_password, hash_password

    with transaction(ctx.factory) as session:
        if session.scalar(select(User.id).where(User.role == Role.admin).limit(1)) is not None:
            click.echo("an admin account exists already")
            return
        password = ctx.settings.admin_password or generate_password()
        try:
            hashed = hash_password(password)
        except ValueError as exc:
            raise click.ClickException(f"COI_ADMIN_PASSWORD: {exc}") from None
        session.add(User(username="admin", role=Role.admin, password_hash=hashed))
    click.echo("created admin account 'admin'")
    if not ctx.settings.admin_password:
        click.echo(f"password (shown once, set COI_ADMIN_PASSWORD to choose it): {password}")


@main.group()
def tokens() -> None:
    """API tokens."""


@tokens.command("create")
@click.argument("user")
@click.option("--name", default="", help="What the token is for.")
@pass_ctx
def tokens_create(ctx: Context, user: str, name: str) -> None:
    """Create an API token for USER and print it (it is shown only once)."""
    from portal.api.tokens import create_token

    with transaction(ctx.factory) as session:
        row = session.scalar(select(User).where(User.username == user))
        if row is None:
            raise click.ClickException(f"no user named {user!r}")
        token = create_token(session, row, name)
    click.echo(token)


# ---------------------------------------------------------------- sources


@main.group()
def sources() -> None:
    """Sources to collect from."""


@sources.command("add")
@click.argument("name")
@click.argument("url")
@click.option("--kind", type=click.Choice(["rss", "atom", "html", "reliefweb"]), required=True)
@click.option("--publisher", default="")
@click.option("--publisher-type", default="", help="igo, ngo, government, media, research")
@click.option("--language", default="en", show_default=True)
@click.option(
    "--interval",
    "update_minutes",
    type=click.IntRange(1, 100000),
    default=60,
    show_default=True,
    help="Minutes between runs.",
)
@click.option("--allow-private", is_flag=True, help="Allow loopback and private addresses (tests, demo).")
@click.option("--no-fulltext", is_flag=True, help="Keep the feed's text; do not fetch each item's page.")
@click.option("--option", "options", multiple=True, help="KEY=VALUE, e.g. item=CSS selector or appname=NAME.")
@pass_ctx
def sources_add(
    ctx: Context,
    name: str,
    url: str,
    kind: str,
    publisher: str,
    publisher_type: str,
    language: str,
    update_minutes: int,
    allow_private: bool,
    no_fulltext: bool,
    options: tuple[str, ...],
) -> None:
    """Add a source."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise click.ClickException(f"not an http(s) URL: {url!r}")
    opts: dict[str, str] = {}
    for item in options:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise click.ClickException(f"--option needs KEY=VALUE, not {item!r}")
        opts[key.strip()] = value.strip()
    if kind == "reliefweb" and "appname" not in opts:
        raise click.ClickException("a reliefweb source needs --option appname=NAME")
    try:
        with transaction(ctx.factory) as session:
            session.add(
                Source(
                    name=name,
                    url=url,
                    kind=kind,
                    publisher=publisher,
                    publisher_type=publisher_type,
                    language=language,
                    update_minutes=update_minutes,
                    allow_private=allow_private,
                    fetch_fulltext=not no_fulltext,
                    options=opts,
                    countries=[],
                    themes=[],
                )
            )
    except IntegrityError:
        raise click.ClickException(f"a source named {name!r} exists already") from None
    click.echo(f"added source {name}")


def source_dict(s: Source) -> dict[str, Any]:
    return {
        "id": s.id,
        "name": s.name,
        "kind": s.kind,
        "url": s.url,
        "publisher": s.publisher,
        "publisher_type": s.publisher_type,
        "language": s.language,
        "countries": s.countries,
        "themes": s.themes,
        "update_minutes": s.update_minutes,
        "enabled": s.enabled,
        "allow_private": s.allow_private,
        "healthy": s.healthy,
        "consecutive_failures": s.consecutive_failures,
        "last_error": s.last_error,
        "last_success_at": s.last_success_at,
        "next_attempt_at": s.next_attempt_at,
        "assessment": {
            "mandate": s.mandate,
            "methodology": s.methodology,
            "reliability_note": s.reliability_note,
            "last_reviewed": s.last_reviewed,
            "notes": s.assessment_notes,
        },
    }


@sources.command("list")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def sources_list(ctx: Context, as_json: bool) -> None:
    """List sources with their health."""
    with transaction(ctx.factory) as session:
        rows = [source_dict(s) for s in session.scalars(select(Source).order_by(Source.name))]
    if as_json:
        emit_json(rows)
        return
    for r in rows:
        health = "ok" if r["healthy"] else f"FAILING x{r['consecutive_failures']}: {r['last_error']}"
        click.echo(f"{r['id']:>4}  {r['kind']:<9} {r['name']:<40} {health}")


@sources.command("import")
@click.argument("path", required=False, type=click.Path(exists=True, dir_okay=False))
@pass_ctx
def sources_import(ctx: Context, path: str | None) -> None:
    """Import the default catalogue of public COI sources (or another catalogue file)."""
    from collectors.catalogue import load_catalogue

    try:
        entries = load_catalogue(path)
    except (ValueError, OSError) as exc:
        raise click.ClickException(f"catalogue not usable: {exc}") from None
    added = 0
    with transaction(ctx.factory) as session:
        existing = set(session.scalars(select(Source.name)))
        for e in entries:
            if e.name in existing:
                continue
            session.add(
                Source(
                    name=e.name,
                    kind=e.kind,
                    url=e.url,
                    publisher=e.publisher,
                    publisher_type=e.publisher_type,
                    language=e.language,
                    countries=list(e.countries),
                    themes=list(e.themes),
                    options=dict(e.options),
                    update_minutes=e.update_frequency_minutes,
                    mandate=e.assessment.mandate,
                    methodology=e.assessment.methodology,
                    reliability_note=e.assessment.reliability_note,
                    last_reviewed=e.assessment.last_reviewed,
                )
            )
            added += 1
    click.echo(f"imported {added} sources ({len(entries) - added} already present)")


# ---------------------------------------------------------------- pipeline


@main.command()
@click.argument("source", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the per-source run summary as JSON.")
@pass_ctx
def collect(ctx: Context, source: str | None, as_json: bool) -> None:
    """Collect every enabled source, or one by name (a named source is run even while backing off)."""
    with transaction(ctx.factory) as session:
        query = (
            select(Source).where(Source.enabled.is_(True))
            if source is None
            else select(Source).where(Source.name == source)
        )
        targets = [(s.id, s.name) for s in session.scalars(query.order_by(Source.name))]
    if source is not None and not targets:
        raise click.ClickException(f"no source named {source!r}")
    client = pipeline.default_client(ctx.settings.user_agent_contact)
    summaries = []
    with click.progressbar(
        targets, label="collecting", file=sys.stderr, item_show_func=lambda t: t[1] if t else None
    ) as bar:
        for source_id, _name in bar:
            summary = pipeline.run_source(ctx.factory, source_id, ctx.settings, client, respect_backoff=False)
            if summary is not None:
                summaries.append(summary.as_dict())
    if as_json:
        emit_json(summaries)
    else:
        for s in summaries:
            click.echo(
                f"{s['source']}: {s['status']}, {s['seen']} seen, {s['new']} new, {s['updated']} updated, "
                f"{s['duplicate']} duplicate" + (f", {len(s['errors'])} errors" if s["errors"] else "")
            )
    if summaries and all(s["status"] == "failed" for s in summaries):
        sys.exit(1)


@main.command()
@click.option("--limit", type=int, default=None)
@click.option("--batch-size", type=click.IntRange(1, 10000), default=64, show_default=True)
@click.option(
    "--retag",
    is_flag=True,
    help="Tag every document again, e.g. after the tagger or its data changed (fills in provinces).",
)
@pass_ctx
def process(ctx: Context, limit: int | None, batch_size: int, retag: bool) -> None:
    """Tag documents that are new or changed (countries, entities, topics, language).

    With --retag, the documents tagged before are tagged again first; each keeps its old tags
    until the new ones are stored, and its tagging time (digests do not send it again).
    """
    if retag:
        with transaction(ctx.factory) as session:
            tagged = (
                session.scalar(
                    select(func.count()).select_from(Document).where(Document.processed_at.is_not(None))
                )
                or 0
            )
        with click.progressbar(length=tagged, label="tagging again", file=sys.stderr) as bar:
            again = pipeline.retag_documents(
                ctx.factory, model=ctx.settings.spacy_model, batch_size=batch_size, progress=bar.update
            )
        click.echo(f"tagged {again} documents again")
    with transaction(ctx.factory) as session:
        pending = (
            session.scalar(select(func.count()).select_from(Document).where(Document.processed_at.is_(None)))
            or 0
        )
    total = pending if limit is None else min(pending, limit)
    with click.progressbar(length=total, label="tagging", file=sys.stderr) as bar:
        done = pipeline.process_pending(
            ctx.factory,
            model=ctx.settings.spacy_model,
            batch_size=batch_size,
            limit=limit,
            progress=bar.update,
        )
    click.echo(f"tagged {done} documents")


@main.command()
@click.option("--rebuild", is_flag=True, help="Rebuild the whole index from the database.")
@pass_ctx
def index(ctx: Context, rebuild: bool) -> None:
    """Bring the search index up to date (the only writer of the index)."""
    idx = ctx.settings.search_index()
    click.get_current_context().call_on_close(idx.close)
    if rebuild:
        with click.progressbar(length=0, label="rebuilding", file=sys.stderr, show_pos=True) as bar:

            def progress(n: int) -> None:
                bar.update(n)

            count = pipeline.rebuild_index(ctx.factory, idx, progress=progress)
        click.echo(f"index rebuilt with {count} documents")
        return
    try:
        count = pipeline.update_index(ctx.factory, idx)
    except Exception as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"index updated: {count} changes")


@main.command()
@click.argument("query")
@click.option("--sort", type=click.Choice(["relevance", "newest"]), default="relevance")
@click.option("--page", type=click.IntRange(1, 10000), default=1)
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def search(ctx: Context, query: str, sort: str, page: int, as_json: bool) -> None:
    """Search the index, as the portal does."""
    from nlp.lookup import resolve_country, resolve_group
    from nlp.topics import resolve_topic
    from search_index import MAX_QUERY_CHARS
    from search_index.records import Resolvers

    if len(query) > MAX_QUERY_CHARS:
        click.echo(f"warning: the query was cut to its first {MAX_QUERY_CHARS} characters", err=True)
        query = query[:MAX_QUERY_CHARS]
    idx = ctx.settings.search_index(
        Resolvers(country=resolve_country, group=resolve_group, topic=resolve_topic), reading=True
    )
    click.get_current_context().call_on_close(idx.close)
    try:
        res = idx.search(query, page=page, sort=sort, texts=pipeline.document_texts(ctx.factory))  # type: ignore[arg-type]
    except Exception as exc:
        raise click.ClickException(str(exc)) from None
    data = {
        "query": res.query,
        "total": res.total,
        "page": res.page,
        "warnings": list(res.warnings),
        "suggestion": res.suggestion,
        "hits": [
            {"id": h.id, "title": h.title, "score": round(h.score, 4), "highlights": h.highlights}
            for h in res.hits
        ],
        "facets": {k: [[v, c] for v, c in vals] for k, vals in res.facets.items()},
    }
    if as_json:
        emit_json(data)
        if res.warnings:
            sys.exit(1)
        return
    if res.warnings:
        # as on the search page: a query read only in part is not answered with a result list
        for w in res.warnings:
            click.echo(f"note: {w}", err=True)
        raise click.ClickException("the query could not be read; correct it (see the notes above)")
    click.echo(f"{res.total} hits")
    for h in res.hits:
        click.echo(f"{h.id:>7}  {h.score:7.3f}  {h.title}")


# ---------------------------------------------------------------- documents


@main.group()
def documents() -> None:
    """Stored documents."""


def document_dict(d: Document, full: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": d.id,
        "url": d.url,
        "title": d.title,
        "source": d.source.name,
        "published_at": d.published_at,
        "retrieved_at": d.retrieved_at,
        "language": d.language,
        "declared_language": d.declared_language,
        "type": d.document_type,
        "version": d.version,
        "content_sha256": d.content_sha256,
        "cluster_id": d.cluster_id,
    }
    if full:
        data["versions"] = [
            {
                "version": v.version,
                "title": v.title,
                "retrieved_at": v.retrieved_at,
                "content_sha256": v.content_sha256,
                "text_origin": v.text_origin,
                "text_candidates": v.text_candidates or {},
                "snapshots": [
                    {
                        "id": s.id,
                        "role": s.role,
                        "url": s.url,
                        "sha256": s.sha256,
                        "content_type": s.content_type,
                        "size": s.size,
                        "fetched_at": s.fetched_at,
                        "http_date": s.http_date,
                    }
                    for s in v.snapshots
                ],
            }
            for v in d.versions
        ]
        data["countries"] = [{"code": c.country_code, "role": c.role, "score": c.score} for c in d.countries]
        data["topics"] = [{"id": t.topic_id, "score": t.score, "evidence": t.evidence} for t in d.topics]
        data["source_tags"] = d.source_tags
        data["text"] = d.text
    return data


@documents.command("list")
@click.option("--source", default=None)
@click.option("--limit", type=click.IntRange(1, 100000), default=100)
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def documents_list(ctx: Context, source: str | None, limit: int, as_json: bool) -> None:
    """List documents, newest first."""
    with transaction(ctx.factory) as session:
        query = select(Document).join(Source).order_by(Document.id.desc()).limit(limit)
        if source:
            if session.scalar(select(Source.id).where(Source.name == source)) is None:
                raise click.ClickException(f"no source named {source!r}")
            query = query.where(Source.name == source)
        rows = [document_dict(d) for d in session.scalars(query)]
    if as_json:
        emit_json(rows)
        return
    for r in rows:
        click.echo(f"{r['id']:>7}  {r['source'][:25]:<25}  {r['title']}")


@documents.command("show")
@click.argument("doc_id", type=int)
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def documents_show(ctx: Context, doc_id: int, as_json: bool) -> None:
    """Show one document with its versions and stored copies."""
    with transaction(ctx.factory) as session:
        doc = session.get(Document, doc_id)
        if doc is None:
            raise click.ClickException(f"no document with id {doc_id}")
        data = document_dict(doc, full=True)
    if as_json:
        emit_json(data)
        return
    click.echo(f"{data['title']}\n{data['url']}\nsource: {data['source']}  accessed: {data['retrieved_at']}")
    for v in data["versions"]:
        for s in v["snapshots"]:
            click.echo(f"  v{v['version']} copy {s['id']}: {s['content_type']} sha256 {s['sha256']}")


# ---------------------------------------------------------------- nlp


@main.group("nlp")
def nlp_group() -> None:
    """The tagger."""


@nlp_group.command("tag")
@click.argument("file", required=False, type=click.File("r", encoding="utf-8"))
@pass_ctx
def nlp_tag(ctx: Context, file: Any) -> None:
    """Tag JSON lines {"id", "text"} from FILE (or stdin); write one JSON line per item."""
    from nlp import tag_jsonl

    tag_jsonl(file or sys.stdin, sys.stdout, model=ctx.settings.spacy_model)


# ---------------------------------------------------------------- demo, serving


@main.group()
def demo() -> None:
    """Offline sample sources (invented content, marked as sample data)."""


@demo.command("load")
@pass_ctx
def demo_load(ctx: Context) -> None:
    """Add the sample sources, served by a loopback server the CLI starts when collecting."""
    from portal.demo import load_demo_sources

    added = load_demo_sources(ctx.factory)
    click.echo(f"added {added} sample sources")


def _serve(ctx: Context, host: str, port: int, debug: bool) -> None:
    from portal.app import create_app
    from portal.serving import PortInUseError, ServerOptions, serve_debug, serve_production

    if debug:
        serve_debug(create_app(settings=ctx.settings), host, port)
        return
    settings = ctx.settings
    options = ServerOptions(
        host,
        port,
        workers=settings.web_workers,
        threads=settings.web_threads,
        keepalive=settings.web_keepalive,
    )
    try:
        serve_production(lambda: create_app(settings=settings), options)
    except PortInUseError as exc:
        raise click.ClickException(str(exc)) from None


serve_options = [
    click.option("--host", default="127.0.0.1", show_default=True),
    click.option("--port", type=click.IntRange(1, 65535), default=5000, show_default=True),
    click.option(
        "--debug", is_flag=True, help="Werkzeug's development server and debugger, never in production."
    ),
]


def _with_serve_options(f: Any) -> Any:
    for option in reversed(serve_options):
        f = option(f)
    return f


@main.command()
@click.argument("file", type=click.File("rb"))
@click.option("--json", "as_json", is_flag=True, help="One JSON line per input name.")
@click.option("--limit", type=click.IntRange(1, 50), default=5, show_default=True)
@pass_ctx
def screen(ctx: Context, file: Any, as_json: bool, limit: int) -> None:
    """Screen a CSV list of names (header name,aliases,birth_year,nationality,unit) against the
    persons the sources mention."""
    from portal.audit import record
    from portal.screening.service import ScreeningError, decode_list, parse_list
    from portal.screening.service import screen as run_screen

    try:
        queries = parse_list(decode_list(file.read()))
    except UnicodeDecodeError:
        raise click.ClickException("the list is not UTF-8 (or UTF-16) text: save it as CSV UTF-8") from None
    except ScreeningError as exc:
        raise click.ClickException(str(exc)) from None
    with transaction(ctx.factory) as session:
        answers = run_screen(session, queries, limit=limit)
        record(session, "screening.cli", target=getattr(file, "name", "-"), details={"names": len(queries)})
    for answer in answers:
        if as_json:
            click.echo(json.dumps(answer, ensure_ascii=False))
            continue
        click.echo(answer["query"])
        for c in answer["candidates"]:
            flag = "MATCH" if c["match"] else "     "
            click.echo(f"  {flag} {c['score']:.2f} {c['name']}  documents {c['documents'][:10]}")


@main.command()
@_with_serve_options
@pass_ctx
def serve(ctx: Context, host: str, port: int, debug: bool) -> None:
    """Serve the portal with gunicorn (COI_WEB_WORKERS, COI_WEB_THREADS; SIGHUP reloads gracefully).

    No scheduler: run `coi worker` beside it."""
    _serve(ctx, host, port, debug)


@main.command()
@pass_ctx
def worker(ctx: Context) -> None:
    """Run the scheduler: collecting, tagging, indexing.

    One per instance on SQLite; any number on PostgreSQL.
    """
    from portal.cluster.leader import is_postgres
    from portal.jobs import SchedulerLock, SchedulerLockedError, build_scheduler

    # collecting, tagging and indexing give way to the people the web server answers on the same
    # machine: they take the processor when it has time to spare, not in the middle of a search
    if ctx.settings.worker_nice and hasattr(os, "nice"):
        os.nice(ctx.settings.worker_nice)
    if is_postgres(ctx.settings.db_url):
        _cluster_worker(ctx.settings)
        return
    lock = SchedulerLock(ctx.settings.instance_path / "scheduler.lock")
    try:
        lock.acquire()
    except SchedulerLockedError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo("scheduler started; Ctrl-C stops it", err=True)
    try:
        build_scheduler(ctx.settings, blocking=True).start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        lock.release()


def _cluster_worker(settings: Any) -> None:
    import signal
    import threading

    from portal.cluster.worker import run_worker

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    click.echo("worker started: tags claimed batches, leads the scheduler when it holds the lock", err=True)
    try:
        run_worker(settings, stop, retry=float(os.environ.get("COI_LEADER_RETRY_SECONDS") or 15))
    except KeyboardInterrupt:
        stop.set()


@main.command()
@_with_serve_options
@pass_ctx
def run(ctx: Context, host: str, port: int, debug: bool) -> None:
    """Serve the portal and run the scheduler beside it (the single-machine default).

    The scheduler runs in its own `coi worker` process, started here, so that it runs once however
    many web workers serve; its lock file keeps it to one per instance."""
    import subprocess

    from portal.serving import PortInUseError, check_port_free

    try:
        check_port_free(host, port)  # before the scheduler starts
    except PortInUseError as exc:
        raise click.ClickException(str(exc)) from None
    scheduler = subprocess.Popen([sys.executable, "-c", "from portal.cli import main; main()", "worker"])
    click.echo(f"portal at http://{host}:{port}/", err=True)
    try:
        _serve(ctx, host, port, debug)
    finally:
        scheduler.terminate()
        try:
            scheduler.wait(timeout=30)
        except subprocess.TimeoutExpired:
            scheduler.kill()


from portal.digests.cli import digest_group, jobs_command, subscriptions_group  # noqa: E402

main.add_command(subscriptions_group)
main.add_command(digest_group)
main.add_command(jobs_command)
