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


def test_lists_saved_by_spreadsheets_are_read() -> None:
    from portal.screening.service import decode_list

    expected = [("Omar Haddad", ("Umar Hadad", "O. Haddad"), 1981, "SY")]

    def read(text: str) -> list[tuple[object, ...]]:
        return [(q.name, q.aliases, q.birth_year, q.nationality) for q in parse_list(text)]

    # semicolons, as spreadsheets write them where the decimal sign is a comma
    assert (
        read('name;aliases;birth_year;nationality\nOmar Haddad;"Umar Hadad;O. Haddad";1981;SY\n') == expected
    )
    # tabs: cells pasted from a spreadsheet, or saved as "Unicode text" (UTF-16 with its mark)
    tabbed = "name\taliases\tbirth_year\tnationality\r\nOmar Haddad\tUmar Hadad;O. Haddad\t1981\tSY\r\n"
    assert read(tabbed) == expected
    assert read(decode_list(tabbed.encode("utf-16"))) == expected
    assert decode_list("\ufeffname\nعمر حداد\n".encode()) == "name\nعمر حداد\n"
    with pytest.raises(UnicodeDecodeError):
        decode_list("name\nOmar Haddad é\n".encode("cp1252"))
