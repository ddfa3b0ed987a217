"""Small hand-written documents and a fresh index per test, on each backend.

``index`` runs a test on Whoosh and on PostgreSQL (when COI_TEST_DATABASE_URL is set); the
PostgreSQL index lives in a schema of its own, dropped after the test. ``whoosh_index`` is for
the tests of Whoosh's own files and locks.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from pathlib import Path

import pytest

from search_index import Index, SearchIndex
from search_index.records import Change, IndexDoc, Resolvers

PG_URL = os.environ.get("COI_TEST_DATABASE_URL")

COUNTRIES = {"syria": ["SY"], "somalia": ["SO"], "sudan": ["SD"], "iraq": ["IQ"], "turkey": ["TR"]}
GROUPS = {
    "hts": ["hts"],
    "hayat tahrir al-sham": ["hts"],
    "al-shabaab": ["shabaab"],
    "rsf": ["rsf"],
    "rapid support forces": ["rsf"],
}
TOPICS = {"human trafficking": ["trafficking"], "trafficking": ["trafficking"], "detention": ["detention"]}


def _lookup(table: Mapping[str, list[str]]) -> Callable[[str], list[str]]:
    return lambda value: list(table.get(value.strip().lower(), []))


RESOLVERS = Resolvers(country=_lookup(COUNTRIES), group=_lookup(GROUPS), topic=_lookup(TOPICS))

DOCS: tuple[IndexDoc, ...] = (
    IndexDoc(
        id=101,
        title="Human trafficking networks around Aleppo",
        body=(
            "Local monitors describe human trafficking networks that move displaced women "
            "from camps near Aleppo towards the Turkish border. Smugglers charge families "
            "for forged papers."
        ),
        url="https://example.org/101",
        source="Syria Monitor",
        published_at=datetime(2026, 1, 10, 9, 0),
        publisher_type="ngo",
        language="en",
        doc_type="report",
        focus_countries=("SY",),
        mentioned_countries=("TR",),
        topics=("trafficking",),
        groups=(),
        cluster_id=1,
    ),
    IndexDoc(
        id=102,
        title="Checkpoints in Idlib tightened",
        body=(
            "Hayat Tahrir al-Sham tightened checkpoints in Idlib after clashes. Residents "
            "report arbitrary detention of young men at the checkpoints."
        ),
        url="https://example.org/102",
        source="Syria Monitor",
        published_at=datetime(2026, 2, 14, 12, 30),
        publisher_type="ngo",
        language="en",
        doc_type="news",
        focus_countries=("SY",),
        topics=("detention",),
        groups=("hts",),
        cluster_id=2,
    ),
    IndexDoc(
        id=103,
        title="Trafficking of fuel across Idlib front lines",
        body=(
            "Traders say the trafficking of fuel across the front lines near Idlib has "
            "grown; human costs are rising as prices climb."
        ),
        url="https://example.org/103",
        source="Levant Wire",
        published_at=datetime(2026, 3, 2, 8, 0),
        publisher_type="media",
        language="en",
        doc_type="news",
        focus_countries=("SY",),
        topics=("trafficking",),
        groups=("hts",),
        cluster_id=2,
    ),
    IndexDoc(
        id=104,
        title="Al-Shabaab attack on Mogadishu hotel",
        body=(
            "An attack claimed by al-Shabaab on a hotel in Mogadishu killed at least twelve "
            "civilians. Security forces ended the siege after eight hours."
        ),
        url="https://example.org/104",
        source="Horn Daily",
        published_at=datetime(2025, 12, 20, 18, 0),
        publisher_type="media",
        language="en",
        doc_type="news",
        focus_countries=("SO",),
        groups=("shabaab",),
    ),
    IndexDoc(
        id=105,
        title="Forced recruitment of children by al-Shabaab",
        body=(
            "Families in Lower Shabelle report forced recruitment of children; some fled "
            "to Mogadishu to escape recruiters."
        ),
        url="https://example.org/105",
        source="Horn Daily",
        published_at=datetime(2026, 2, 20, 7, 0),
        publisher_type="media",
        language="en",
        doc_type="report",
        focus_countries=("SO",),
        groups=("shabaab",),
    ),
    IndexDoc(
        id=106,
        title="El Fasher under siege by the Rapid Support Forces",
        body=(
            "The Rapid Support Forces besieged El Fasher; aid agencies report famine "
            "conditions and looting of markets. Some residents were trafficked to farms."
        ),
        url="https://example.org/106",
        source="Darfur Voice",
        published_at=datetime(2026, 3, 5, 16, 0),
        publisher_type="media",
        language="en",
        doc_type="news",
        focus_countries=("SD",),
        mentioned_countries=("TD",),
        groups=("rsf",),
        topics=("trafficking",),
    ),
    IndexDoc(
        id=107,
        title="Rapport sur la détention à Alep",
        body=(
            "Des témoins décrivent la détention arbitraire de jeunes hommes à Alep et "
            "l'extorsion aux points de contrôle."
        ),
        url="https://example.org/107",
        source="Observatoire Levant",
        published_at=datetime(2026, 3, 6, 10, 0),
        publisher_type="ngo",
        language="fr",
        doc_type="report",
        focus_countries=("SY",),
        topics=("detention",),
    ),
    IndexDoc(
        id=108,
        title="Mosul reconstruction stalls",
        body=(
            "Reconstruction in Mosul's old city stalls; returnees lack documents and "
            "<script>alert(1)</script> access to compensation remains slow."
        ),
        url="https://example.org/108",
        source="Tigris Report",
        published_at=None,
        publisher_type="media",
        language="en",
        doc_type="news",
        focus_countries=("IQ",),
    ),
)

NOW = datetime(2026, 3, 7, 12, 0)
BODIES = {d.id: d.body for d in DOCS}


def texts(ids: list[int]) -> dict[int, str]:
    return {i: BODIES[i] for i in ids if i in BODIES}


def upserts(docs: tuple[IndexDoc, ...] | list[IndexDoc]) -> list[Change]:
    return [Change("upsert", d.id, d) for d in docs]


MakeIndex = Callable[..., Index]


@pytest.fixture(params=["whoosh", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgres" and not PG_URL:
        pytest.skip("COI_TEST_DATABASE_URL is not set: PostgreSQL tests need a server")
    return str(request.param)


@pytest.fixture
def make_index(backend: str, tmp_path: Path) -> Iterator[MakeIndex]:
    """Opens empty indexes of the test's backend; ``make_index(name)`` again is a second handle."""
    made: list[Index] = []
    schemas: set[str] = set()
    token = secrets.token_hex(4)

    def make(name: str = "index", resolvers: Resolvers = RESOLVERS) -> Index:
        ix: Index
        if backend == "whoosh":
            ix = SearchIndex(tmp_path / name, resolvers)
        else:
            from search_index.pg import PostgresSearchIndex

            assert PG_URL is not None
            schema = f"search_test_{token}_{name}"
            schemas.add(schema)
            ix = PostgresSearchIndex(PG_URL, resolvers, schema=schema, pool_size=2)
        made.append(ix)
        return ix.open()

    yield make
    for ix in made:
        ix.close()
    if schemas:
        import psycopg

        assert PG_URL is not None
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            for schema in schemas:
                conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture
def index(make_index: MakeIndex) -> Index:
    ix = make_index()
    ix.apply(upserts(DOCS))
    return ix


@pytest.fixture
def whoosh_index(tmp_path: Path) -> SearchIndex:
    ix = SearchIndex(tmp_path / "index", RESOLVERS).open()
    ix.apply(upserts(DOCS))
    return ix


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture
def docs() -> tuple[IndexDoc, ...]:
    return DOCS


@pytest.fixture(name="texts")
def texts_fixture() -> Callable[[list[int]], dict[int, str]]:
    return texts


@pytest.fixture
def resolvers() -> Resolvers:
    return RESOLVERS
