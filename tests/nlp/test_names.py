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


# invented parts, some of them spellings of one another, some written without vowels
PARTS = [
    "samir", "sameer", "smr", "kadir", "qadir", "qader", "nadia", "nadya", "farouk", "faruq",
    "lina", "leena", "boutros", "butrus", "ilyas", "elias", "hamdan", "hamdane", "zaid", "zayd",
    "abdnur", "abdelnour", "tarik", "tariq", "trq", "mus", "mustafa", "moustapha", "ab", "abu",
]  # fmt: skip


def test_pairable_finds_every_pair_part_similarity_pairs() -> None:
    import random

    from nlp.names import PAIR_MIN, pairable

    rng = random.Random(3)
    letters = "abdeiklmnoqrstuyz"
    made = ["".join(rng.choice(letters) for _ in range(rng.randint(2, 9))) for _ in range(400)]
    # a part that begins a very long one: only the prefix rule pairs them
    long_ones = ["tar", "tariqhamdanbutrusfaroukzaydnadia"]
    choices = PARTS + long_ones + made
    queries = PARTS + long_ones + made[:60]
    found = pairable(queries, choices)
    pairs_seen = 0
    for row, part in enumerate(queries):
        for number, choice in enumerate(choices):
            if part_similarity(part, choice)[0] >= PAIR_MIN:
                pairs_seen += 1
                assert number in found[row], (part, choice, part_similarity(part, choice))
    assert pairs_seen > len(queries)  # more than each part paired with itself


def test_search_scores_are_those_of_compare_best_first() -> None:
    import random

    from nlp.names import compare

    rng = random.Random(5)
    stored = [StoredName(str(n), " ".join(rng.sample(PARTS, rng.randint(1, 4)))) for n in range(600)]
    index = NameIndex(stored)
    names = {s.key: s.name for s in stored}
    for _ in range(40):
        query = " ".join(rng.sample(PARTS, rng.randint(1, 3)))
        found = index.search(NameQuery(query), limit=50)
        assert found
        for candidate in found:
            score, reasons = compare(name_parts(query), name_parts(names[candidate.key]))
            assert candidate.score == round(score, 4)
            assert candidate.reasons == tuple(reasons)
        assert [(-c.score, c.name) for c in found] == sorted((-c.score, c.name) for c in found)


def test_an_index_built_again_reuses_the_parts_and_finds_the_same() -> None:
    first = _index()
    again = NameIndex([*first._names, StoredName("p4", "Samir Qadir")], reuse=first)
    assert again.search(NameQuery("Sameer Kadir"))[0].key == "p4"
    assert [c.key for c in again.search(NameQuery("Yusuf Tahir"))][:1] == ["p1"]
