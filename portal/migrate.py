"""Applying the Alembic revisions from code (the CLI, the tests, ``make run``)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)


def downgrade(engine: Engine, revision: str) -> None:
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, revision)


def schema_problem(engine: Engine) -> str | None:
    """Why this code cannot use the database at ``engine`` (no schema, or a revision other than the
    code's last one), in words for the person who runs it; None when it can."""
    with engine.connect() as connection:
        current: set[str] = set()
        if inspect(connection).has_table("alembic_version"):
            current = set(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())
    where = engine.url.render_as_string()
    scripts = ScriptDirectory.from_config(alembic_config(where))
    heads = set(scripts.get_heads())
    if not current:
        return f"the database at {where} has no schema yet: run `coi db upgrade` first"
    if current != heads:
        known = {revision.revision for revision in scripts.walk_revisions()}
        if current - known:
            return (
                f"the database at {where} is at revision {', '.join(sorted(current))}, "
                "which this version of the portal does not know: it was upgraded by a newer one"
            )
        return (
            f"the database at {where} is at revision {', '.join(sorted(current))}, "
            f"older than this version's {', '.join(sorted(heads))}: run `coi db upgrade` first"
        )
    return None
