"""Every main page at 1366 px wide, as a researcher and as an officer see it.

``make screenshots`` runs this file with ``COI_SCREENSHOT_DIR=docs/screenshots``; otherwise the
pictures go to a temporary folder and the test only checks that each page rendered.
"""

from __future__ import annotations

import os
import struct
from pathlib import Path
from typing import Any

from playwright.sync_api import Page
from sqlalchemy import select

from portal.briefings.jobs import draft_briefings
from portal.briefings.models import Briefing
from portal.db import transaction
from portal.models import Document

TARGET = os.environ.get("COI_SCREENSHOT_DIR")  # read at import: the tests' fixtures clear COI_*
WIDTH = 1366


def png_width(path: Path) -> int:
    return int(struct.unpack(">I", path.read_bytes()[16:20])[0])


def test_screenshots_of_the_main_pages(page: Page, portal: Any, log_in: Any, tmp_path: Path) -> None:
    out = Path(TARGET) if TARGET else tmp_path
    out.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": WIDTH, "height": 900})
    draft_briefings(portal.factory, portal.settings)
    with transaction(portal.factory) as session:
        doc_id = session.scalar(select(Document.id).order_by(Document.id))
        draft_id = session.scalar(select(Briefing.id).where(Briefing.status == "draft").order_by(Briefing.id))
    shots: list[Path] = []

    def shot(name: str, path: str | None = None) -> None:
        if path is not None:
            page.goto(portal.url + path)
        target = out / f"{name}.png"
        page.screenshot(path=str(target), full_page=True)
        shots.append(target)

    page.goto(portal.url + "/login")
    shot("01-login")
    log_in("researcher")
    shot("02-start-researcher")
    shot("03-search-results", "/?country=SD&sort=newest")
    shot("04-search-plain-name", "/?q=Sudan")
    shot("05-search-broken-query", "/?q=country%3A%28")
    shot("06-document", f"/documents/{doc_id}")
    shot("07-briefings", "/briefings/")
    if draft_id is not None:
        shot("08-briefing-edit", f"/briefings/{draft_id}/edit")
    shot("09-annotations", "/annotations")
    shot("10-saved-searches", "/saved")
    page.get_by_role("button", name="Log out").click()
    log_in("officer")
    shot("11-start-officer")
    shot("12-countries", "/countries/")
    shot("13-country", "/countries/SD")
    shot("14-entities", "/entities/")
    for path in shots:
        assert path.stat().st_size > 5000, path
        assert png_width(path) == WIDTH, path
