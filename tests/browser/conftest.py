"""A live portal on 127.0.0.1 for the browser tests, and Playwright driving Debian's Chromium."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.serving import make_server

from portal import pipeline
from portal.auth.passwords import hash_password
from portal.config import Settings
from portal.db import make_engine, make_session_factory, transaction
from portal.demo import feed_url, site_data
from portal.demo import make_server as make_sample_site
from portal.migrate import upgrade
from portal.models import Role, Source, User
from search_index import SearchIndex

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "correct horse battery"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "permissions": ["clipboard-read", "clipboard-write"]}


class Portal:
    def __init__(self, url: str, factory: sessionmaker[Session], settings: Settings) -> None:
        self.url = url
        self.factory = factory
        self.settings = settings


@pytest.fixture(scope="session")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    """The real app on a free port, populated from the sample site through the real pipeline."""
    from portal.app import create_app

    instance = tmp_path_factory.mktemp("instance")
    settings = Settings(
        instance_path=instance,
        database_url=f"sqlite:///{instance / 'portal.sqlite3'}",
        spacy_model=None,
        secret_key="browser-tests",
    )
    engine = make_engine(settings.db_url)
    upgrade(engine)
    factory = make_session_factory(engine)
    site = make_sample_site(port=0)
    threading.Thread(target=site.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{site.server_address[1]}"
    with transaction(factory) as session:
        for name, role in [("admin", Role.admin), ("researcher", Role.researcher), ("officer", Role.officer)]:
            session.add(User(username=name, role=role, password_hash=hash_password(PASSWORD)))
        for feed in site_data()["feeds"]:
            session.add(
                Source(
                    name=feed["name"],
                    kind=feed["format"],
                    url=feed_url(base, feed),
                    allow_private=True,
                    publisher=feed["publisher"],
                    publisher_type=feed["publisher_type"],
                    countries=[],
                    themes=[],
                    options={},
                )
            )
    with transaction(factory) as session:
        ids = [s.id for s in session.query(Source).all()]
    client = pipeline.default_client("tests", min_delay=0.0)
    for source_id in ids:
        pipeline.collect_source(factory, source_id, client)
    pipeline.process_pending(factory, model=None)
    pipeline.update_index(factory, SearchIndex(settings.index_path))

    app = create_app({"TESTING": False}, settings=settings)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield Portal(f"http://127.0.0.1:{server.server_port}", factory, settings)
    server.shutdown()
    site.shutdown()
    site.server_close()
    engine.dispose()


@pytest.fixture
def log_in(page: Any, portal: Portal) -> Any:
    """Log in through the real form as one of the three users."""

    def do(name: str) -> Any:
        page.goto(portal.url + "/login")
        page.get_by_label("User name").fill(name)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(portal.url + "/")
        return page

    return do
