"""The daily flows walked as users in Chromium, counting their actions.

A new researcher finds this week's documents on one country, adds two to a draft briefing,
attaches an annotation, publishes and downloads the DOCX and the PDF; an officer opens a country
from the start page. Every click, fill, choice or tick counts as one action (log-in excluded).
"""

from __future__ import annotations

import io
import re
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from docx import Document as WordDocument
from playwright.sync_api import Page, expect
from pypdf import PdfReader
from sqlalchemy import select

from portal.annotations.models import Annotation
from portal.briefings.models import Briefing
from portal.db import transaction
from portal.models import Document, DocumentCountry, User, utcnow

MAX_RESEARCHER_ACTIONS = 12


class Actions:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, result: Any = None) -> Any:
        self.count += 1
        return result


def test_new_researcher_from_a_week_on_one_country_to_exported_briefing(
    page: Page, portal: Any, log_in: Any
) -> None:
    now = utcnow()
    week_ago = now - timedelta(days=7)
    with transaction(portal.factory) as session:
        # a colleague's shared annotations on this week's Sudan documents, and a desk draft
        admin = session.scalars(select(User).where(User.username == "admin")).one()
        docs = session.scalars(
            select(Document)
            .join(DocumentCountry, DocumentCountry.document_id == Document.id)
            .where(DocumentCountry.country_code == "SD", Document.published_at >= week_ago)
        ).all()
        assert len(docs) >= 2
        for doc in docs:
            session.add(
                Annotation(
                    document_id=doc.id,
                    user_id=admin.id,
                    version=doc.version,
                    start=0,
                    end=min(60, len(doc.text)),
                    exact=doc.text[: min(60, len(doc.text))],
                    comment="Sample annotation for the test.",
                    tags=[],
                    shared=True,
                )
            )
        session.add(
            Briefing(
                desk_key="desk-horn-test",
                desk_name="Horn of Africa desk (sample)",
                countries=["SD", "ER"],
                for_date=now.astimezone(
                    ZoneInfo(portal.settings.timezone)
                ).date(),  # today, where the desk is
                title="Horn of Africa desk (sample): week briefing",
                summary="",
                status="draft",
                created_at=now,
                updated_at=now,
            )
        )
    log_in("researcher")
    act = Actions()
    filters = page.locator("fieldset.filter-picker")
    act(filters.get_by_label("Country").select_option(label="Sudan"))
    act(filters.get_by_label("From").fill(week_ago.date().isoformat()))
    act(page.get_by_role("button", name="Search", exact=True).click())
    hits = page.locator("li.hit")
    expect(hits.first).to_be_visible()
    assert hits.count() >= 2
    added = [hits.nth(i).locator("h2 a").inner_text() for i in range(2)]
    for i in range(2):
        act(hits.nth(i).locator("form.add-to-briefing button").click())
        expect(page.locator(".flash")).to_contain_text("Added to")
    act(page.locator(".flash a", has_text="Horn of Africa desk (sample)").click())
    expect(page.get_by_role("heading", level=1)).to_contain_text("Horn of Africa desk (sample)")
    act(page.locator("form.attach-annotation button").first.click())
    expect(page.locator(".briefing-item figure.annotation").first).to_be_visible()
    act(page.get_by_label("I have checked this briefing and want to publish it").check())
    act(page.get_by_role("button", name="Publish").click())
    expect(page.locator(".flash")).to_contain_text("Published version 1.")
    with page.expect_download() as word_download:
        act(page.get_by_role("link", name="Word (DOCX)").click())
    with page.expect_download() as pdf_download:
        act(page.get_by_role("link", name="PDF", exact=True).click())
    print(f"\nresearcher actions: {act.count}")
    assert act.count <= MAX_RESEARCHER_ACTIONS

    with transaction(portal.factory) as session:
        b = session.scalars(select(Briefing).where(Briefing.desk_key == "desk-horn-test")).one()
        assert b.status == "published"
        items = [(i.document.title, i.document.url) for i in b.items]
        assert [t for t, _ in items] == added
    word = WordDocument(io.BytesIO(word_download.value.path().read_bytes()))
    text = "\n".join(p.text for p in word.paragraphs)
    pdf = PdfReader(io.BytesIO(pdf_download.value.path().read_bytes()))
    pdf_text = re.sub(r"\s+", "", "".join(p.extract_text() for p in pdf.pages))
    for n, (title, url) in enumerate(items, start=1):
        assert title in text and url in text and f"[{n}]" in text
        assert re.sub(r"\s+", "", url) in pdf_text
    assert text.count("stored copy http") == len(items)
    assert pdf_text.count("storedcopyhttp") == len(items)


def test_officer_opens_a_country_from_the_start_page_in_one_action(
    page: Page, portal: Any, log_in: Any
) -> None:
    log_in("officer")
    act = Actions()
    first = page.locator(".country-panel h2 a").first
    name = first.inner_text()
    act(first.click())
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)
    print(f"\nofficer actions: {act.count}")
    assert act.count == 1
