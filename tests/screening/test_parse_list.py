"""Reading a screening list: a broken CSV line is a clear error, never a crash."""

from __future__ import annotations

import pytest

from portal.screening.service import ScreeningError, parse_list


def test_a_stray_carriage_return_is_a_clear_error() -> None:
    with pytest.raises(ScreeningError, match="not readable CSV"):
        parse_list('name\nOmar Haddad\r"x\n')


def test_a_plain_list_is_read() -> None:
    queries = parse_list("name,birth_year\nOmar Haddad,1981\n")
    assert [(q.name, q.birth_year) for q in queries] == [("Omar Haddad", 1981)]
