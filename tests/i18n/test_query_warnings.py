"""The parser's warnings carry a code the portal shows through its catalogue."""

from __future__ import annotations

import pickle
import re
from typing import Any

from flask_babel import force_locale

from portal.search.labels import WARNING_MESSAGES, warning_text
from search_index.query import WARNING_TEXTS, QueryTooDeep, QueryWarning, parse_query


def sample(code: str) -> QueryWarning:
    names = re.findall(r"\{(\w+)\}", WARNING_TEXTS[code])
    return QueryWarning(code, **{name: f"x{i}" for i, name in enumerate(names)})


def test_every_warning_reads_the_same_in_english_and_differs_in_dutch(app: Any) -> None:
    assert set(WARNING_MESSAGES) == set(WARNING_TEXTS)
    with app.test_request_context("/"):
        for code in WARNING_TEXTS:
            warning = sample(code)
            with force_locale("en"):
                assert warning_text(warning) == str(warning), code
            with force_locale("nl"):
                assert warning_text(warning) != str(warning), code


def test_parsed_warnings_keep_their_code_and_survive_a_copy(app: Any) -> None:
    parsed = parse_query('"open end AND')
    codes = [getattr(w, "code", None) for w in parsed.warnings]
    assert "quote_open" in codes
    copied = pickle.loads(pickle.dumps(parsed.warnings))
    assert copied == parsed.warnings and [w.code for w in copied] == codes
    deep = "(" * 60 + "a" + ")" * 60
    try:
        parse_query(deep)
    except QueryTooDeep as exc:
        with app.test_request_context("/"), force_locale("nl"):
            assert "niveaus diep" in warning_text(exc.args[0])
    else:
        raise AssertionError("a query nested 60 deep is refused")
    assert warning_text("a plain message") == "a plain message"
