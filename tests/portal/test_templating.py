"""Helpers the templates call: links that change one parameter of the current query."""

from __future__ import annotations

from urllib.parse import parse_qsl

from flask import Flask

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
