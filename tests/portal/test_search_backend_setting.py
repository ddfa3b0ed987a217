"""COI_SEARCH_BACKEND picks the index every process of an instance opens."""

from __future__ import annotations

from pathlib import Path

import pytest

from portal.config import Settings
from search_index import SearchIndex


def test_whoosh_is_the_default_and_lives_in_the_instance_folder(tmp_path: Path) -> None:
    settings = Settings.from_env({"COI_INSTANCE_PATH": str(tmp_path)})
    assert settings.search_backend == "whoosh"
    index = settings.search_index()
    assert isinstance(index, SearchIndex)
    assert index.path == tmp_path.resolve() / "index"


def test_postgres_backend_reads_from_the_replica_and_writes_to_the_primary(tmp_path: Path) -> None:
    from search_index.pg import PostgresSearchIndex

    settings = Settings.from_env(
        {
            "COI_INSTANCE_PATH": str(tmp_path),
            "COI_SEARCH_BACKEND": "Postgres",
            "COI_DATABASE_URL": "postgresql+psycopg://coi@db-primary/coi",
            "COI_DATABASE_REPLICA_URL": "postgresql+psycopg://coi@db-standby/coi",
        }
    )
    reader = settings.search_index(reading=True)
    writer = settings.search_index()
    assert isinstance(reader, PostgresSearchIndex) and isinstance(writer, PostgresSearchIndex)
    assert reader.url == writer.url == writer.read_url == "postgresql://coi@db-primary/coi"
    assert reader.read_url == "postgresql://coi@db-standby/coi"


def test_unknown_backend_and_postgres_on_sqlite_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="COI_SEARCH_BACKEND must be whoosh or postgres"):
        Settings.from_env({"COI_SEARCH_BACKEND": "solr"})
    settings = Settings.from_env({"COI_INSTANCE_PATH": str(tmp_path), "COI_SEARCH_BACKEND": "postgres"})
    with pytest.raises(ValueError, match="needs COI_DATABASE_URL to be a PostgreSQL database"):
        settings.search_index()
