"""Template filters and globals shared by every area."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from flask import Flask, request


def country_name(code: str | None) -> str:
    """The country's name in the interface language: Babel's (CLDR) name outside English, the
    gazetteer's English name otherwise."""
    if not code:
        return ""
    from flask_babel import get_locale

    from nlp.lookup import country_name as lookup

    locale = get_locale()
    if locale is not None and locale.language != "en":
        localised = locale.territories.get(code.upper())
        if localised:
            return str(localised)

    try:
        return lookup(code)
    except Exception:
        return code


def province_label(code: str | None, name: str | None = None) -> str:
    """A first-level division with its country, for people: "Idlib (Syria)".

    ``name`` is the division's name as stored with a mention; without it the gazetteer's is used,
    and the code itself when neither knows it.
    """
    if not code:
        return ""
    from flask_babel import gettext

    from nlp.lookup import province_name

    try:
        name = name or province_name(code)
    except Exception:
        name = None
    country = country_name(code.split("-", 1)[0]) if "-" in code else ""
    if not name:
        return code
    if not country or country == code.split("-", 1)[0]:
        return name
    return gettext("%(province)s (%(country)s)", province=name, country=country)


def fmt_date(value: datetime | None, with_time: bool = False) -> str:
    if value is None:
        return "–"
    return value.strftime("%Y-%m-%d %H:%M UTC" if with_time else "%Y-%m-%d")


def url_with(**changes: Any) -> str:
    """The current URL with some query parameters replaced (None removes one)."""
    args = request.args.to_dict(flat=False)
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        elif isinstance(value, list):
            args[key] = value
        else:
            args[key] = [str(value)]
    return request.path + ("?" + urlencode(args, doseq=True) if args else "")


def init_app(app: Flask) -> None:
    app.jinja_env.filters["country_name"] = country_name
    app.jinja_env.filters["province_label"] = province_label
    app.jinja_env.filters["date"] = fmt_date
    app.jinja_env.globals["url_with"] = url_with
    from portal.markdown import render_markdown

    app.jinja_env.filters["markdown"] = render_markdown
