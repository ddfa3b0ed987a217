"""Annotating in the browser: select, comment, find the highlight after a reload and a new version."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect
from sqlalchemy import select

from portal.annotations.service import reanchor
from portal.db import transaction
from portal.models import Document

SELECT_JS = """(needle) => {
  const paragraphs = Array.from(document.querySelectorAll('#doc-text p'));
  for (const p of paragraphs) {
    const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
    let node;
    while ((node = walker.nextNode())) {
      const at = node.textContent.indexOf(needle);
      if (at >= 0) {
        const range = document.createRange();
        range.setStart(node, at);
        range.setEnd(node, at + needle.length);
        const selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        return true;
      }
    }
  }
  return false;
}"""


def new_version(portal: Any, doc_id: int, change: Any) -> None:
    with transaction(portal.factory) as session:
        doc = session.get(Document, doc_id)
        doc.text = change(doc.text)
        doc.version += 1
        reanchor(session, doc)


def test_annotate_reload_and_survive_a_new_version(page: Page, portal: Any, log_in: Any) -> None:
    with transaction(portal.factory) as session:
        doc_id = session.scalar(select(Document.id).where(Document.title.contains("Sinjar")))
    log_in("researcher")
    page.goto(portal.url + f"/documents/{doc_id}")
    needle = "could not replace lost civil registration papers"
    assert page.evaluate(SELECT_JS, needle)
    expect(page.locator("#annotate-preview")).to_have_text(needle)
    page.get_by_label("Comment (Markdown)").fill("Civil documentation gap: relevant for **identity** checks.")
    page.get_by_label("Tags, separated by commas").fill("documents, returnees")
    page.get_by_role("button", name="Save annotation").click()
    expect(page.locator("mark.anno")).to_have_text(needle)
    page.reload()
    expect(page.locator("mark.anno")).to_have_text(needle)
    expect(page.locator(".annotation .comment strong")).to_have_text("identity")

    # a new version with text added before the passage: the highlight follows it
    new_version(portal, doc_id, lambda text: "Correction appended on review.\n" + text)
    page.reload()
    expect(page.locator("mark.anno")).to_have_text(needle)
    expect(page.locator(".annotation.orphaned")).to_have_count(0)

    # a new version without the passage: the annotation is shown as orphaned
    new_version(portal, doc_id, lambda text: text.replace(needle, "had their papers replaced"))
    page.reload()
    expect(page.locator("mark.anno")).to_have_count(0)
    expect(page.locator(".annotation.orphaned")).to_contain_text("Orphaned")
