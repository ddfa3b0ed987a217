"""The interface language: English or Dutch, chosen per user (Flask-Babel).

Catalogues live as ``translations/<lang>/LC_MESSAGES/messages.po`` in this package; they are
compiled into the instance folder when the app starts, so no compiled file is kept in the source.
"""

from __future__ import annotations

import tempfile
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from flask import Flask, g, request
from flask_babel import Babel, get_locale, get_translations
from flask_login import current_user

LANGUAGES = {"en": "English", "nl": "Nederlands"}
SOURCE = Path(__file__).with_name("translations")

babel = Babel()


def browser_language() -> str:
    """The language the browser asks for first among ours; English when it asks for none of them."""
    return request.accept_languages.best_match(list(LANGUAGES)) or "en"


def select_locale() -> str:
    """The user's chosen language; before they choose one, and before log-in, the browser's."""
    if current_user and current_user.is_authenticated and current_user.locale in LANGUAGES:
        return str(current_user.locale)
    return browser_language()


def feed_language(user: object) -> str:
    """The language of what is made for a user outside their session (feeds, e-mails)."""
    locale = getattr(user, "locale", None)
    return locale if isinstance(locale, str) and locale in LANGUAGES else "en"


def compile_catalogues(target: Path) -> Path:
    """Compile every .po catalogue into ``target`` when its .mo is missing or older.

    Several processes of one instance start at once (web workers, the scheduler's worker): each
    writes a file of its own and moves it into place, so none reads or removes a half-written one.
    """
    for po in SOURCE.glob("*/LC_MESSAGES/messages.po"):
        mo = target / po.relative_to(SOURCE).with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        mo.parent.mkdir(parents=True, exist_ok=True)
        with po.open("rb") as source:
            catalog = read_po(source)
        with tempfile.NamedTemporaryFile(
            dir=mo.parent, prefix="messages.", suffix=".tmp", delete=False
        ) as out:
            write_mo(out, catalog)
        Path(out.name).replace(mo)
    return target


def interface_locale() -> Locale | None:
    """Flask-Babel's locale for the request (or for a ``force_locale`` block); None outside an
    app context.

    Once Flask-Babel has chosen it, it is read with one look into the request's globals, where
    ``get_locale`` looks three times on every call; a page of results asks a hundred times (each
    country tag, date and label).
    """
    try:
        chosen: Locale | None = getattr(g.get("_flask_babel"), "babel_locale", None)
    except RuntimeError:  # no app context
        return None
    return chosen if chosen is not None else get_locale()


ENGLISH = Locale("en")


def interface_locale_or_english() -> Locale:
    """:func:`interface_locale`, English outside an app context (the source language)."""
    return interface_locale() or ENGLISH


def _catalogue() -> NullTranslations:
    """The catalogue of the current language, looked up once per request and language.

    Flask-Babel looks it up anew for each string, through several context objects, and a page
    translates some fifty strings. The language is Flask-Babel's own choice for the request
    (or the one a ``force_locale`` block sets), so the catalogue follows it when it changes.
    """
    locale = getattr(g.get("_flask_babel"), "babel_locale", None)
    cached = g.get("_coi_catalogue")
    if cached is not None and locale is not None and cached[0] is locale:
        catalogue: NullTranslations = cached[1]
        return catalogue
    catalogue = get_translations()
    g._coi_catalogue = (getattr(g.get("_flask_babel"), "babel_locale", None), catalogue)
    return catalogue


def init_app(app: Flask) -> None:
    compiled = compile_catalogues(Path(app.instance_path) / "translations")
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(compiled))
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "en")
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: _catalogue().ugettext(s),
        ngettext=lambda s, p, n: _catalogue().ungettext(s, p, n),
        pgettext=lambda c, s: _catalogue().upgettext(c, s),
        npgettext=lambda c, s, p, n: _catalogue().unpgettext(c, s, p, n),
        newstyle=True,
    )
    app.jinja_env.globals["LANGUAGES"] = LANGUAGES

    @app.context_processor
    def locale_context() -> dict[str, str]:
        return {"current_locale": interface_locale_or_english().language}


@lru_cache(maxsize=8)
def translations(language: str) -> NullTranslations:
    """The catalogue of ``language`` for work outside a request (e-mails sent by the worker);
    English, the source language, has none."""
    po = SOURCE / language / "LC_MESSAGES" / "messages.po"
    if language not in LANGUAGES or not po.exists():
        return NullTranslations()
    with po.open("rb") as source:
        catalog = read_po(source)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(fp=compiled)
