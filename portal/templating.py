"""Template filters and globals shared by every area."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any
from urllib.parse import quote_plus

from babel import Locale
from babel.dates import format_date, format_time
from flask import Flask, current_app, g, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from portal.briefings.citations import Wording
from portal.i18n import interface_locale_or_english


def country_name(code: str | None) -> str:
    """The country's name in the interface language: Babel's (CLDR) name outside English, the
    gazetteer's English name otherwise."""
    if not code:
        return ""
    return _country_name(code, interface_locale_or_english().language)


@lru_cache(maxsize=2048)
def _country_name(code: str, language: str) -> str:
    from nlp.lookup import country_name as lookup

    if language != "en":
        localised = Locale(language).territories.get(code.upper())
        if localised:
            return str(localised)
    try:
        return lookup(code)
    except Exception:
        return code


# Stored codes shown to people: their names in the interface language.
ROLE_LABELS = {"admin": _l("admin"), "researcher": _l("researcher"), "officer": _l("officer")}
COUNTRY_ROLES = {"focus": _l("main country"), "mentioned": _l("mentioned")}
SNAPSHOT_ROLES = {"page": _l("page"), "attachment": _l("attachment"), "entry": _l("feed entry")}
BRIEFING_STATUS = {"draft": _l("draft"), "published": _l("published")}
DELIVERY_STATUS = {
    "pending": _l("pending"),
    "sending": _l("sending"),
    "transmitting": _l("being handed over"),
    "sent": _l("sent"),
    "failed": _l("failed"),
    "uncertain": _l("uncertain"),
    "refused": _l("refused"),
    "empty": _l("nothing new"),
}
PUBLISHER_TYPES = {
    "igo": _l("Intergovernmental"),
    "ngo": _l("NGO"),
    "government": _l("Government"),
    "media": _l("Media"),
    "research": _l("Research"),
}
RUN_STATUS = {
    "running": _l("running"),
    "ok": _l("ok"),
    "partial": _l("partly failed"),
    "failed": _l("failed"),
    "not_modified": _l("not modified"),
    "interrupted": _l("interrupted"),
}


JOB_LABELS = {
    "sources": _l("re-read the sources and their intervals"),
    "process": _l("tag new documents"),
    "index": _l("update the search index"),
    "digests": _l("send the e-mail digests"),
    "briefings": _l("draft the morning briefings"),
    "statistics": _l("vacuum and refresh the query planner's statistics"),
}
_COLLECT_JOB = re.compile(r"collect source (\d+) every (\d+) min")


def job_label(job_id: str, name: str) -> str:
    """What a scheduled job does, in the interface language (its own name when unknown)."""
    from flask_babel import gettext

    label = JOB_LABELS.get(job_id)
    if label is not None:
        return str(label)
    match = _COLLECT_JOB.fullmatch(name)
    if match:
        return gettext(
            "collect source %(id)s every %(minutes)s min", id=match.group(1), minutes=match.group(2)
        )
    return name


def role_label(value: str) -> str:
    label = ROLE_LABELS.get(value)
    return str(label) if label is not None else value


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
    # ISO 3166-2 (SY-ID) or, for a division without one, GeoNames' admin1 code (DE.02)
    prefix = code[:2] if len(code) > 3 and code[2] in "-." else ""
    country = country_name(prefix) if prefix else ""
    if not name:
        return code
    if not country or country == prefix:
        return name
    return gettext("%(province)s (%(country)s)", province=name, country=country)


DATE_PATTERN = "d MMMM y"  # 3 December 2026, 3 december 2026
TIME_PATTERN = "HH:mm"


@lru_cache(maxsize=4096)
def _day(day: date, locale: str) -> str:
    """A day in a language, formatted once (a result page shows twenty, mostly the same few)."""
    return format_date(day, DATE_PATTERN, locale=Locale.parse(locale))


def fmt_date(value: date | datetime | None, with_time: bool = False) -> str:
    """A date the way the interface language writes it, the time (UTC) after it when asked."""
    if value is None:
        return "–"
    locale = interface_locale_or_english()
    day = value.date() if isinstance(value, datetime) else value
    text = _day(day, str(locale))
    if with_time and isinstance(value, datetime):
        text += " " + format_time(value, TIME_PATTERN, tzinfo=UTC, locale=locale) + " UTC"
    return text


def topic_label(topic: Any) -> str:
    """A topic's name in the interface language (its English name when no Dutch one is known)."""
    locale = interface_locale_or_english()
    if locale.language == "nl" and getattr(topic, "label_nl", None):
        return str(topic.label_nl)
    return str(topic.label_en)


def _kind_labels() -> dict[str, Any]:
    from portal.documents.render import KIND_LABELS

    return dict(KIND_LABELS)


def citation_wording() -> Wording:
    """How citations read in the interface language."""
    from flask_babel import gettext

    return Wording(
        line=gettext(
            "%(publisher)s, “%(title)s”, %(published)s, %(kept)s, accessed %(accessed)s; original %(url)s"
        ),
        kept=gettext("stored copy %(url)s (SHA-256 %(sha)s)"),
        undated=gettext("undated"),
        day=fmt_date,
    )


def url_with(**changes: Any) -> str:
    """The current URL with some query parameters replaced (None removes one)."""
    # a results page makes some forty of these links: the current query is encoded once
    current: dict[str, list[str]] | None = g.get("coi_encoded_args")
    if current is None:
        current = g.coi_encoded_args = {key: _encoded(key, values) for key, values in request.args.lists()}
    args = dict(current)
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = _encoded(key, value if isinstance(value, list) else [value])
    query = "&".join(pair for pairs in args.values() for pair in pairs)
    return request.path + ("?" + query if query else "")


#: how many layout parts a process keeps (a part per language, role and mount point)
LAYOUT_PARTS_KEPT = 64


def layout_part(name: str) -> Markup:
    """``templates/layout/<name>.html`` rendered once per language, role and mount point.

    The menu, the head's links and the footer's links are the same on every page a user of one
    role sees in one language; a page would otherwise translate and build their thirty-odd
    strings and links anew. The part sees ``role`` (empty before log-in) and nothing of the
    request beyond that. Kept for the life of the process, or not at all when templates are
    reloaded on change (``--debug``).
    """
    role = current_user.role.value if current_user.is_authenticated else ""
    key = (name, str(interface_locale_or_english()), role, request.script_root)
    parts: dict[tuple[str, str, str, str], Markup] = current_app.extensions.setdefault("coi_layout_parts", {})
    part = parts.get(key)
    if part is None:
        template = current_app.jinja_env.get_template(f"layout/{name}.html")
        part = Markup(template.render(role=role))  # noqa: S704  (an autoescaped template of ours)
        if not current_app.jinja_env.auto_reload:
            if len(parts) >= LAYOUT_PARTS_KEPT:
                parts.clear()
            parts[key] = part
    return part


def _encoded(key: str, values: list[Any]) -> list[str]:
    name = quote_plus(key)
    return [f"{name}={quote_plus(str(value))}" for value in values]


def init_app(app: Flask) -> None:
    app.jinja_env.filters["country_name"] = country_name
    app.jinja_env.filters["province_label"] = province_label
    app.jinja_env.filters["date"] = fmt_date
    app.jinja_env.filters["topic_label"] = topic_label
    from portal.search.labels import month_name

    app.jinja_env.filters["month_name"] = month_name
    app.jinja_env.globals.update(
        role_label=role_label,
        job_label=job_label,
        country_roles=COUNTRY_ROLES,
        snapshot_roles=SNAPSHOT_ROLES,
        briefing_status=BRIEFING_STATUS,
        run_status=RUN_STATUS,
        publisher_types=PUBLISHER_TYPES,
        delivery_status=DELIVERY_STATUS,
        Markup=Markup,
        kind_labels=_kind_labels(),
    )
    app.jinja_env.globals["url_with"] = url_with
    app.jinja_env.globals["layout_part"] = layout_part
    from portal.markdown import render_markdown

    app.jinja_env.filters["markdown"] = render_markdown
