"""The start page per role, and search without syntax: pickers, labels, broken queries."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask.testing import FlaskClient


def test_researcher_start_page_lists_newest_documents_and_drafts(
    populated: dict[str, object], logged_in: Callable[[str], FlaskClient]
) -> None:
    page = logged_in("researcher").get("/").get_data(as_text=True)
    assert "Newest on your desks" in page
    assert "Drafts waiting" in page
    assert re.search(r'<a href="/documents/\d+">', page)
    # filters usable before a first query
    assert '<select name="country">' in page and 'name="from"' in page
    assert "Sudan" in page


def test_officer_start_page_links_countries(
    populated: dict[str, object], logged_in: Callable[[str], FlaskClient]
) -> None:
    page = logged_in("officer").get("/").get_data(as_text=True)
    assert "Published briefings" in page
    assert re.search(r'<h2 id="c-[A-Z]{2}"><a href="/countries/[A-Z]{2}">', page)
    assert "Newest on your desks" not in page


def test_filters_without_query_and_readable_labels(
    populated: dict[str, object], logged_in: Callable[[str], FlaskClient]
) -> None:
    client = logged_in("researcher")
    page = client.get("/", query_string={"country": "SD", "sort": "newest"}).get_data(as_text=True)
    assert re.search(r'<h2><a href="/documents/\d+">', page)
    assert '<option value="SD" selected>' in page
    facet = re.search(r'data-facet="lang">(.*?)</section>', page, re.S)
    assert facet and "English" in facet.group(1) and ">en<" not in facet.group(1)
    months = re.search(r'data-facet="ym">(.*?)</section>', page, re.S)
    assert months and re.search(r">\w+ 20\d\d</a>", months.group(1))


def test_plain_country_name_offers_the_filter(
    populated: dict[str, object], logged_in: Callable[[str], FlaskClient]
) -> None:
    page = logged_in("researcher").get("/", query_string={"q": "Sudan"}).get_data(as_text=True)
    assert "Search country: Sudan instead?" in page
    assert "country=SD" in page


def test_broken_query_shows_error_and_no_results(
    populated: dict[str, object], logged_in: Callable[[str], FlaskClient]
) -> None:
    page = logged_in("researcher").get("/", query_string={"q": "country:("}).get_data(as_text=True)
    assert "The query could not be read" in page
    assert "<code>country:(</code>" in page
    assert 'class="hits"' not in page


def test_no_save_on_zero_hits(populated: dict[str, object], logged_in: Callable[[str], FlaskClient]) -> None:
    page = logged_in("researcher").get("/", query_string={"q": "zzqqxxnothing"}).get_data(as_text=True)
    assert "0 documents" in page
    assert "Save this search" not in page
