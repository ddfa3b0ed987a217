"""A specialist's path through the portal in a real headless Chromium."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect


def test_search_filter_open_cite_copy_logout(page: Page, portal, log_in: Callable[[str], Page]) -> None:  # type: ignore[no-untyped-def]
    log_in("researcher")
    page.get_by_label("Search documents").fill("detainees OR hospitals OR shelling")
    page.get_by_role("button", name="Search").click()
    expect(page.locator(".hit")).not_to_have_count(0)
    total_before = page.locator(".hit").count()
    # filter by the country facet: Sudan
    page.locator('[data-facet="country"] a', has_text="Sudan").first.click()
    expect(page.locator('[data-facet="country"] a.active')).to_contain_text("Sudan")
    assert page.locator(".hit").count() < total_before
    expect(page.locator(".hit").first).to_contain_text("Sample")
    # open a document
    page.get_by_role(
        "link", name="[Sample] Former detainees describe abuse in Khartoum holding sites"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Former detainees")
    expect(page.locator(".accessed")).not_to_be_empty()
    # copy its citation
    page.get_by_role("button", name="Copy citation").click()
    expect(page.locator(".copy-status")).to_have_text("Copied.")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert "accessed on" in copied and "SHA-256" in copied and "Former detainees" in copied
    # open the stored copy
    page.get_by_role("link", name="view stored copy").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Stored copy")
    expect(page.locator(".stored-copy")).to_contain_text("Rapid Support Forces")
    # log out
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    page.goto(portal.url + "/")
    expect(page).to_have_url(portal.url + "/login?next=%2F")


def test_officer_cannot_reach_admin_pages(page: Page, portal, log_in: Callable[[str], Page]) -> None:  # type: ignore[no-untyped-def]
    log_in("officer")
    expect(page.get_by_role("link", name="Sources")).to_have_count(0)
    response = page.goto(portal.url + "/admin/sources")
    assert response is not None and response.status == 403
    response = page.goto(portal.url + "/admin/audit")
    assert response is not None and response.status == 403


def test_stranger_sees_only_the_login_page(page: Page, portal) -> None:  # type: ignore[no-untyped-def]
    for path in ["/", "/admin/sources", "/documents/1", "/saved"]:
        page.goto(portal.url + path)
        expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
        expect(page.locator(".hit")).to_have_count(0)


def test_switch_the_interface_to_dutch(page: Page, portal, log_in: Callable[[str], Page]) -> None:  # type: ignore[no-untyped-def]
    log_in("officer")
    page.get_by_label("Language").select_option("nl")
    page.get_by_role("button", name="Change").click()
    expect(page.get_by_role("link", name="Zoeken", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Afmelden")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    page.get_by_label("Taal").select_option("en")
    page.get_by_role("button", name="Wijzigen").click()
    expect(page.get_by_role("link", name="Search", exact=True)).to_be_visible()
