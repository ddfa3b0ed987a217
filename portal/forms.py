"""The base of every form in the portal: Flask-WTF's, with WTForms' own messages ("This field is
required.") in the interface language from a catalogue read once per language.

Flask-WTF reads that catalogue from disk again for every request that builds a form; most pages
build one (the search box's "save this search", the notes form of a document page).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from babel.support import NullTranslations, Translations
from flask_babel import get_locale
from flask_wtf import FlaskForm
from wtforms.i18n import messages_path


@lru_cache(maxsize=8)
def wtforms_catalogue(language: str) -> NullTranslations:
    """WTForms' messages in ``language`` (English, their source language, when it has none)."""
    return Translations.load(messages_path(), [language], domain="wtforms")


class Form(FlaskForm):
    class Meta:
        def get_translations(self, form: Any) -> NullTranslations:
            locale = get_locale()
            return wtforms_catalogue(str(locale) if locale is not None else "en")
