"""Composing and publishing a briefing in a real headless Chromium; an officer reads it."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect

from portal.briefings.jobs import draft_briefings


def test_compose_reorder_publish_then_an_officer_reads(
    page: Page, portal, log_in: Callable[[str], Page]
) -> None:  # type: ignore[no-untyped-def]
    draft_briefings(portal.factory, portal.settings)
    log_in("researcher")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Briefings").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Briefings")
    page.get_by_role("link", name="Sudan:").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Edit: Sudan")

    items = page.locator("ol.briefing-items > li")
    expect(items).to_have_count(3)  # two reports from Sudan, and a route through Khartoum
    first = items.nth(0).locator("h3").inner_text()
    second = items.nth(1).locator("h3").inner_text()
    # reorder with the plain buttons: the first story goes down
    page.get_by_role("button", name=f"Move “{first}” down").click()
    expect(items.nth(0).locator("h3")).to_have_text(second)
    expect(items.nth(1).locator("h3")).to_have_text(first)

    # a summary for the story now on top, and an overall summary
    items.nth(0).get_by_label("Summary of this story (Markdown)").fill("Shortages **worsen** in the city.")
    items.nth(0).get_by_role("button", name="Save story summary").click()
    expect(page.locator(".flash")).to_contain_text("Item summary saved.")
    page.get_by_label("Overall summary (Markdown)").fill("Two reports on *Sudan* today.")
    page.get_by_role("button", name="Save summary").click()
    expect(page.locator(".flash")).to_contain_text("Summary saved.")

    page.get_by_label("I have checked this briefing and want to publish it").check()
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".flash")).to_contain_text("Published version 1.")
    expect(page.locator(".briefing-summary em")).to_have_text("Sudan")
    expect(page.locator(".briefing-item strong")).to_have_text("worsen")
    briefing_url = page.url
    # printing leaves out the navigation and the buttons, and keeps the sources' addresses
    page.emulate_media(media="print")
    expect(page.locator("header.top")).to_be_hidden()
    expect(page.get_by_role("button", name="Correct")).to_be_hidden()
    expect(page.locator(".source-url").first).to_be_visible()
    page.emulate_media(media="screen")
    page.get_by_role("button", name="Log out").click()

    log_in("officer")
    page.goto(portal.url + "/briefings/")
    expect(page.get_by_role("heading", name="Drafts")).to_have_count(0)
    expect(page.get_by_role("link", name="Syria:")).to_have_count(0)  # still a draft
    page.get_by_role("link", name="Sudan:").click()
    assert page.url == briefing_url
    expect(page.locator(".briefing-summary")).to_contain_text("Two reports on Sudan today.")
    expect(page.locator("ol.briefing-items > li h3").first).to_have_text(second)
    expect(page.get_by_role("button", name="Correct")).to_have_count(0)
    expect(page.get_by_role("link", name="Edit this draft")).to_have_count(0)
    response = page.goto(briefing_url + "/edit")
    assert response is not None and response.status == 403
