"""The matcher's reasons in the reader's language.

:mod:`nlp.names` writes its reasons in English ("hasan ~ hassan (sounds alike, 0.98)", "not found:
karimi", "birth year agrees (1979)"): they are stored with the list and answered as they are by the
API and the CSV export, which scripts read. The page and the Word document show them through
:func:`reason_text`, which translates the fixed words and keeps the names, years and nationalities
as written. A reason of a shape it does not know is shown as it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from babel.numbers import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from nlp.names import HOW_LABELS, LEFT_OUT
from portal.i18n import interface_locale_or_english

#: how two parts were found alike (:data:`nlp.names.HOW_LABELS`)
HOW = {
    "same": _l("same"),
    "sounds alike": _l("sounds alike"),
    "same consonants": _l("same consonants"),
    "same consonants and long vowels": _l("same consonants and long vowels"),
    "close spelling": _l("close spelling"),
    "written as one": _l("written as one"),
    "faintly alike": _l("faintly alike"),
    "without the article": _l("without the article"),
    "read another way": _l("read another way"),
    "as said in Persian": _l("as said in Persian"),
    "as Somali spelling writes it": _l("as Somali spelling writes it"),
    "as Turkish spelling writes it": _l("as Turkish spelling writes it"),
    "another form of the name": _l("another form of the name"),
    "as Russian romanises it": _l("as Russian romanises it"),
    "as Kurdish writes it": _l("as Kurdish writes it"),
    "as Persian romanises it": _l("as Persian romanises it"),
    "without Abd": _l("without Abd"),
    "without Ben or Bin": _l("without Ben or Bin"),
    "an initial": _l("an initial"),
}
assert set(HOW) == set(HOW_LABELS), "every way the matcher names has its words here"


def _pair(m: re.Match[str]) -> str:
    labels = m["how"].split(", ")
    if not all(label in HOW for label in labels):
        return m.group()
    how = ", ".join(str(HOW[label]) for label in labels)
    similarity = format_decimal(float(m["similarity"]), "0.00", locale=interface_locale_or_english())
    return f"{m['query']} ~ {m['found']} ({how}, {similarity})"


#: each reason with words of its own, the words it keeps, and how it is said in the reader's language
_SHAPES: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (
        re.compile(r"(?P<query>.+) ~ (?P<found>.+) \((?P<how>[a-zA-Z ,]+), (?P<similarity>[01]\.\d\d)\)"),
        _pair,
    ),
    (re.compile(r"not found: (?P<parts>.+)"), lambda m: _("not found: %(parts)s", parts=m["parts"])),
    (
        re.compile(re.escape(LEFT_OUT) + r" (?P<parts>.+)"),
        lambda m: _("only in one name, between its first and last parts: %(parts)s", parts=m["parts"]),
    ),
    (re.compile(r"as alias (?P<alias>.+)"), lambda m: _("as alias %(alias)s", alias=m["alias"])),
    (
        re.compile(r"birth year agrees \((?P<year>\d+)\)"),
        lambda m: _("birth year agrees (%(year)s)", year=m["year"]),
    ),
    (
        re.compile(r"birth year differs \((?P<year>\d+)\)"),
        lambda m: _("birth year differs (%(year)s)", year=m["year"]),
    ),
    (
        re.compile(r"nationality differs \((?P<nationality>.+)\)"),
        lambda m: _("nationality differs (%(nationality)s)", nationality=m["nationality"]),
    ),
]
_FIXED = {
    "one part each, not the same: no more than a lead": _l(
        "one part each, not the same: no more than a lead"
    ),
    "nationality agrees": _l("nationality agrees"),
    "unit co-mentioned": _l("unit co-mentioned"),
}


def reason_text(reason: str) -> str:
    """One reason of the matcher in the interface language."""
    fixed = _FIXED.get(reason)
    if fixed is not None:
        return str(fixed)
    for shape, say in _SHAPES:
        m = shape.fullmatch(reason)
        if m is not None:
            return say(m)
    return reason
