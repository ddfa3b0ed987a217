"""Many requests at once against a real threaded server: no request holds a write lock while it reads."""

from __future__ import annotations

import json
import threading
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.serving import make_server

from portal.config import Settings
from portal.db import transaction
from portal.models import ApiToken, AuditEvent, Role, Source
from tests.portal.test_api import token_for


@pytest.fixture
def server_url(settings: Settings, populated: dict[str, object]) -> Iterator[str]:
    from portal.app import create_app

    app = create_app({"TESTING": False}, settings=settings)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    app.extensions["coi_engine"].dispose()


def _get(url: str, token: str) -> tuple[int, dict[str, object]]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def test_twenty_concurrent_api_searches_with_a_source_filter_all_answer(
    server_url: str, factory: sessionmaker[Session], users: dict[str, Role]
) -> None:
    token = token_for(factory, "officer")
    with transaction(factory) as session:
        name = session.scalars(select(Source.name).order_by(Source.id)).first()
    assert name
    word = name.split()[0]
    url = f"{server_url}/api/v1/search?q={quote(f'source:{word!r}'.replace(chr(39), chr(34)))}"
    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(lambda _: _get(url, token), range(20)))
    statuses = [status for status, _ in answers]
    assert statuses == [200] * 20, [body for status, body in answers if status != 200][:3]
    assert all(body["total"] for _, body in answers), "the source filter matched nothing"
    with transaction(factory) as session:
        searches = session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "search")
        )
        used = session.scalar(select(ApiToken.last_used_at))
    assert searches == 20  # every search was audit-logged, at the commit point
    assert used is not None
