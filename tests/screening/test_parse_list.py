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


def test_other_names_and_a_year_written_in_the_name_cell_are_read_as_such() -> None:
    queries = parse_list(
        "name,aliases,birth_year\n"
        '"Omar Haddad a.k.a. Abu Layla (born 1981)",,\n'
        '"HADDAD, Omar (Abu Layla); O. Haddad",Umar Hadad,1980\n'
        "Omar Haddad (Syrian),,\n"
    )
    read = [(q.name, q.aliases, q.birth_year) for q in queries]
    assert read[0] == ("Omar Haddad", ("Abu Layla",), 1981)
    # the columns keep their word: the year given there, the aliases given there first
    assert read[1] == ("HADDAD, Omar", ("Umar Hadad", "O. Haddad", "Abu Layla"), 1980)
    assert read[2][0] == "Omar Haddad"
