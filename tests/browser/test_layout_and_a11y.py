"""Every main page at phone width (no sideways scrolling), axe-core in English and Dutch, the API
reference rendering, and screenshots at 1366 and 390 px (kept in the test's temporary folder)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

MAIN_PAGES = [
    "/",
    "/?q=detainees",
    "/saved",
    "/help",
    "/briefings/",
    "/countries/",
    "/countries/SY",
    "/countries/SD",
    "/?province=SD-DN",
    "/entities/",
    "/annotations",
    "/screening/",
    "/settings",
    "/settings/account",
    "/documents/1",
    "/admin/sources",
    "/admin/users",
    "/admin/audit",
    "/admin/jobs",
    "/no/such/page",
]
SERIOUS = {"serious", "critical"}


def _use_language(page: Page, url: str, code: str) -> None:
    page.goto(url + "/")
    page.select_option("#locale", code)
    page.locator("form.language button").click()
    page.wait_for_load_state()


def _sideways(page: Page) -> int:
    width: int = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    return width


@pytest.mark.parametrize(("language", "log_out"), [("en", "Log out"), ("nl", "Afmelden")])
def test_no_main_page_scrolls_sideways_at_390px(
    page: Page, portal: Any, log_in: Callable[[str], Page], language: str, log_out: str
) -> None:
    log_in("admin")
    _use_language(page, portal.url, language)
    page.set_viewport_size({"width": 390, "height": 844})
    overflowing = {}
    for path in MAIN_PAGES:
        page.goto(portal.url + path)
        extra = _sideways(page)
        if extra > 0:
            overflowing[path] = extra
    assert not overflowing, f"pages wider than the screen ({language}, px too wide): {overflowing}"
    # the menu folds behind a button and opens
    page.goto(portal.url + "/")
    expect(page.locator("#main-menu")).to_be_hidden()
    page.get_by_role("button", name="Menu").click()
    expect(page.locator("#main-menu")).to_be_visible()
    expect(page.get_by_role("button", name=log_out)).to_be_in_viewport()


@pytest.mark.parametrize("language", ["en", "nl"])
def test_axe_finds_no_serious_violations(
    page: Page, portal: Any, log_in: Callable[[str], Page], language: str
) -> None:
    log_in("admin")
    _use_language(page, portal.url, language)
    axe = Axe()
    found: dict[str, list[str]] = {}
    counts: dict[str, int] = {}
    for path in MAIN_PAGES:
        page.goto(portal.url + path)
        results = axe.run(page)
        violations = results.response["violations"]
        counts[path] = len(violations)
        bad = [f"{v['id']} ({v['impact']})" for v in violations if v["impact"] in SERIOUS]
        if bad:
            found[path] = bad
    report = Path(os.environ.get("AXE_REPORT", "/dev/null"))
    if report.name != "null":
        with report.open("a") as handle:
            handle.write(f"{language}: pages={len(MAIN_PAGES)} violations_any_impact={counts}\n")
    assert not found, f"serious or critical axe violations ({language}): {found}"


def test_api_reference_renders(page: Page, portal: Any, log_in: Callable[[str], Page]) -> None:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    log_in("researcher")
    page.goto(portal.url + "/api/docs")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible(timeout=15000)
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_screenshots(page: Page, portal: Any, log_in: Callable[[str], Page], tmp_path: Path) -> None:
    target = Path(os.environ.get("SCREENSHOT_DIR", str(tmp_path)))
    target.mkdir(parents=True, exist_ok=True)
    log_in("admin")
    for language in ("en", "nl"):
        _use_language(page, portal.url, language)
        for width in (1366, 390):
            page.set_viewport_size({"width": width, "height": 900})
            for name, path in (
                ("search", "/?q=detainees"),
                ("document", "/documents/1"),
                ("users", "/admin/users"),
            ):
                page.goto(portal.url + path)
                shot = target / f"{name}-{language}-{width}.png"
                page.screenshot(path=str(shot), full_page=False)
                assert shot.stat().st_size > 1000
