"""Name matching across spellings, scripts, particles and order; facts raise or lower scores."""

from __future__ import annotations

from nlp.names import DEFAULT_THRESHOLD, NameIndex, NameQuery, StoredName, name_parts, part_similarity


def test_particles_and_compounds_give_the_same_parts() -> None:
    expected = ("yusuf", "abdkarim", "tahir")
    assert name_parts("Yusuf Abd al-Karim al-Tahir") == expected
    assert name_parts("Yusuf Abdel Karim el-Tahir") == expected
    assert name_parts("Yusuf Abdulkarim bin Tahir") == expected


def test_spellings_of_one_part_are_close_and_different_names_are_not_equal() -> None:
    assert part_similarity("yusuf", "youssef")[0] >= 0.9
    assert part_similarity("karim", "kareem")[0] >= 0.9
    assert part_similarity("tahir", "omar")[0] < 0.8


def _index() -> NameIndex:
    return NameIndex(
        [
            StoredName("p1", "Youssef Abdulkarim Tahir", birth_year=1981, nationality="SY"),
            StoredName("p2", "Yusuf Salim", birth_year=1960),
            StoredName("p3", "Omar Farid Haddad"),
        ]
    )


def test_order_script_and_spelling_do_not_hide_the_person() -> None:
    index = _index()
    for query in ("Tahir, Yusuf Abd al-Karim", "Юсуф Абдулкарим Тахир", "Yousef Abdel Kareem al-Taher"):
        best = index.search(NameQuery(query))[0]
        assert best.key == "p1", (query, best)
        assert best.score >= DEFAULT_THRESHOLD and best.reasons


def test_facts_move_the_score_but_never_remove_a_candidate() -> None:
    index = _index()
    plain = index.search(NameQuery("Yusuf Tahir"))
    agreeing = index.search(NameQuery("Yusuf Tahir", birth_year=1981, nationality="SY"))
    disagreeing = index.search(NameQuery("Yusuf Tahir", birth_year=1950))
    score = {c.key: c.score for c in plain}["p1"]
    assert {c.key: c.score for c in agreeing}["p1"] > score
    assert {c.key: c.score for c in disagreeing}["p1"] < score
    assert any("birth year differs" in r for c in disagreeing if c.key == "p1" for r in c.reasons)
