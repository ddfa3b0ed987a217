"""Helpers the templates call: links that change one parameter of the current query."""

from __future__ import annotations

from urllib.parse import parse_qsl

from flask import Flask
from flask.testing import FlaskClient

from portal.templating import url_with


def test_url_with_replaces_adds_and_removes_parameters_and_keeps_the_rest() -> None:
    path = "/?q=r%C3%A9fugi%C3%A9s+%26+camps&country=SY&country=IQ&page=3"
    with Flask(__name__).test_request_context(path):
        removed = url_with(page=None)
        assert removed == "/?q=r%C3%A9fugi%C3%A9s+%26+camps&country=SY&country=IQ"
        added = url_with(topic=["human trafficking"], page=None)
        assert parse_qsl(added.partition("?")[2]) == [
            ("q", "réfugiés & camps"),
            ("country", "SY"),
            ("country", "IQ"),
            ("topic", "human trafficking"),
        ]
        replaced = url_with(country=["SY"], page=4)
        assert parse_qsl(replaced.partition("?")[2]) == [
            ("q", "réfugiés & camps"),
            ("country", "SY"),
            ("page", "4"),
        ]
        # the links made before are not changed by the ones made after
        assert url_with() == path
        assert url_with(q=None, country=None, page=None) == "/"


def test_url_with_encodes_what_it_is_given() -> None:
    with Flask(__name__).test_request_context("/countries/SY"):
        assert url_with(q='a"b<c>/?', page=2) == "/countries/SY?q=a%22b%3Cc%3E%2F%3F&page=2"
        assert url_with(country=[]) == "/countries/SY"


def test_the_layout_kept_per_process_follows_role_language_and_mount_point(
    app: Flask, users: dict[str, object]
) -> None:
    """The menu and footer are rendered once and kept: each role, language and mount point
    still gets its own."""
    from tests.conftest import csrf_token, login

    def menu(client: FlaskClient) -> str:
        page = client.get("/").get_data(as_text=True)
        return page.partition('<nav id="main-menu"')[2].partition("</nav>")[0]

    admin, officer = app.test_client(), app.test_client()
    login(admin, "admin")
    login(officer, "officer")
    assert 'href="/admin/audit"' in menu(admin) and ">Audit log<" in menu(admin)
    assert "/admin/" not in menu(officer) and 'href="/screening/"' not in menu(officer)
    assert 'href="/admin/audit"' in menu(admin)  # the officer's menu did not replace it
    officer.post("/language", data={"locale": "nl", "csrf_token": csrf_token(officer, "/"), "next": "/"})
    assert ">Zoeken<" in menu(officer) and ">Search<" not in menu(officer)
    assert ">Search<" in menu(admin)
    footer = officer.get("/").get_data(as_text=True).partition("<footer")[2]
    assert ">Hulp<" in footer
    # under another mount point (a proxy's SCRIPT_NAME) the links carry it
    mounted = admin.get("/", environ_overrides={"SCRIPT_NAME": "/coi"}).get_data(as_text=True)
    assert 'href="/coi/admin/audit"' in mounted and 'href="/coi/static/style.css"' in mounted
    assert 'href="/admin/audit"' in menu(admin)
