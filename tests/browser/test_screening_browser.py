"""A researcher screens an uploaded list in a real headless Chromium, marks a match and exports the
Word document; the pages fit a phone's width."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from axe_playwright_python.sync_playwright import Axe
from docx import Document as WordDocument
from playwright.sync_api import Page, expect

from tests.screening.seed import LIST_CSV, seed


def _seed_once(portal: Any) -> None:
    """The seed, unless a test before this one in the session's portal stored it."""
    from sqlalchemy import select

    from portal.models import Source

    with portal.factory() as session:
        if session.scalar(select(Source.id).where(Source.name == "Invented monitor")) is None:
            seed(portal.factory)


def test_upload_mark_a_match_and_export_the_docx(
    page: Page, portal: Any, log_in: Callable[[str], Page], tmp_path: Path
) -> None:
    _seed_once(portal)
    listing = tmp_path / "intake.csv"
    listing.write_text(LIST_CSV, encoding="utf-8")
    log_in("researcher")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Screening").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Screening")
    page.get_by_label("Title (optional)").fill("Intake Tuesday")
    page.get_by_label("Or a CSV file").set_input_files(str(listing))
    page.get_by_role("button", name="Screen the list").click()
    page.wait_for_url(re.compile(r".*/screening/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Intake Tuesday")

    candidate = page.locator("article.candidate").filter(
        has=page.get_by_role("heading", name=re.compile("Rashid Anwar Qoubaisi"))
    )
    expect(candidate.locator(".badge-match")).to_have_text("Match")
    expect(candidate.locator("blockquote.passage").first).to_contain_text("was seen at the school")
    candidate.get_by_label("Match", exact=True).check()
    candidate.get_by_label("Comment").fill("served in the regiment named in the file")
    candidate.get_by_role("button", name="Save decision").click()
    expect(page.locator(".flash")).to_contain_text("Decision on Rashid Anwar Qoubaisi saved: Match.")
    expect(candidate.locator(".badge-decision")).to_have_text("Decision: Match")

    with page.expect_download() as info:
        page.get_by_role("link", name="Export as Word (DOCX)").click()
    saved = tmp_path / "list.docx"
    info.value.save_as(saved)
    text = "\n".join(p.text for p in WordDocument(str(saved)).paragraphs)
    assert "Intake Tuesday" in text
    assert "Rashid Anwar Qoubaisi" in text
    assert "Decision: match (researcher" in text and "served in the regiment named in the file" in text

    # no serious accessibility fault on the list's page
    violations = Axe().run(page).response["violations"]
    assert not [v["id"] for v in violations if v["impact"] in ("serious", "critical")], violations

    # at a phone's width neither page scrolls sideways
    page.set_viewport_size({"width": 390, "height": 844})
    for url in (page.url, portal.url + "/screening/"):
        page.goto(url)
        wider = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert wider <= 0, (url, wider)


def test_a_name_pasted_in_arabic_script_finds_its_latin_spelling(
    page: Page, portal: Any, log_in: Callable[[str], Page]
) -> None:
    _seed_once(portal)
    log_in("researcher")
    page.goto(portal.url + "/screening/")
    page.get_by_label("Title (optional)").fill("Arabic script")
    page.get_by_label("Names as CSV").fill("name\nراشد أنور قبيسي\n")
    page.get_by_role("button", name="Screen the list").click()
    page.wait_for_url(re.compile(r".*/screening/\d+$"))
    entry = page.locator("section.screening-entry")
    expect(entry.get_by_role("heading", level=2)).to_have_text("راشد أنور قبيسي")
    best = entry.locator("article.candidate").first
    expect(best.get_by_role("heading", level=3)).to_contain_text("Rashid Anwar Qoubaisi")
    expect(best.locator(".badge-match")).to_have_text("Match")
    expect(best.locator(".reasons")).to_contain_text("same consonants and long vowels")
    page.set_viewport_size({"width": 390, "height": 844})
    wider = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert wider <= 0, wider

    # in Dutch the reasons say how in Dutch, and the longer words still fit a phone's width
    listing = page.url
    _use_language(page, "nl")
    try:
        page.goto(listing)
        reasons = page.locator("section.screening-entry article.candidate").first.locator(".reasons")
        expect(reasons).to_contain_text("zelfde medeklinkers en lange klinkers")
        expect(reasons).not_to_contain_text("same consonants")
        wider = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert wider <= 0, wider
    finally:
        _use_language(page, "en")


def test_ukrainian_and_kurdish_names_find_their_other_forms_with_the_reasons_in_dutch(
    page: Page, portal: Any, log_in: Callable[[str], Page], tmp_path: Path
) -> None:
    """A name pasted in Ukrainian Cyrillic finds the person the sources name in the Russian form,
    and one in Kurdish spelling the person the sources name in the Arabic form, read by a Dutch
    researcher on a phone."""
    _seed_once(portal)
    log_in("researcher")
    page.goto(portal.url + "/screening/")
    _use_language(page, "nl")
    try:
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(portal.url + "/screening/")
        page.locator("#title").fill("Aanvragers")
        page.locator("#names").fill("name\nМикола Дубравець\nReşîd Enwer Qubeysî\n")
        page.locator("form.screening-form button[type=submit]").click()
        page.wait_for_url(re.compile(r".*/screening/\d+$"))
        entries = page.locator("section.screening-entry")
        best = entries.nth(0).locator("article.candidate").first
        expect(best.get_by_role("heading", level=3)).to_contain_text("Nikolay Dubravets")
        expect(best.locator(".badge-match")).to_be_visible()
        expect(best.locator(".reasons")).to_contain_text("een andere vorm van de naam")
        expect(best.locator(".reasons")).not_to_contain_text("another form")
        # the same person in Kurmanji spelling, with its marks
        kurdish = entries.nth(1).locator("article.candidate").first
        expect(kurdish.get_by_role("heading", level=3)).to_contain_text("Rashid Anwar Qoubaisi")
        expect(kurdish.locator(".badge-match")).to_be_visible()
        expect(kurdish.locator(".reasons")).to_contain_text("zoals het Koerdisch het schrijft")
        expect(kurdish.locator(".reasons")).not_to_contain_text("Kurdish")
        wider = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert wider <= 0, wider
        page.screenshot(path=str(tmp_path / "screening-nl-390.png"), full_page=True)
    finally:
        _use_language(page, "en")


def _use_language(page: Page, code: str) -> None:
    page.select_option("#locale", code)
    page.locator("form.language button").click()
    page.wait_for_load_state()
