from __future__ import annotations

import io
import json

import pytest

from nlp import tag_jsonl
from nlp.jsonl import BadLineError, parse_line
from nlp.pipeline import split_chunks, tag
from nlp.records import TagInput

ENTITY_KEYS = {
    "start",
    "end",
    "text",
    "kind",
    "entity_id",
    "canonical",
    "country",
    "ucdp",
    "province",
    "actor",
}


def run(lines: list[str]) -> tuple[int, list[dict[str, object]]]:
    out = io.StringIO()
    count = tag_jsonl(io.StringIO("".join(lines)), out, model="none")
    return count, [json.loads(line) for line in out.getvalue().splitlines()]


def test_contract_of_a_good_line(blank_pipeline: object) -> None:
    text = "IS fighters attacked Deir ez-Zor. Journalists were detained and tortured."
    count, rows = run([json.dumps({"id": "a1", "text": text}) + "\n"])
    assert count == 1
    (row,) = rows
    assert set(row) == {"id", "language", "entities", "countries", "topics"}
    assert row["id"] == "a1" and row["language"] == "en"
    assert all(set(e) == ENTITY_KEYS for e in row["entities"])
    assert all(text[e["start"] : e["end"]] == e["text"] for e in row["entities"])
    assert {"code": "SY", "role": "focus", "score": 1.0} in row["countries"]
    topic_ids = {t["id"] for t in row["topics"]}
    assert "torture-detention" in topic_ids
    assert all(t["evidence"] for t in row["topics"])


def test_bad_lines_give_error_lines_in_order(blank_pipeline: object) -> None:
    lines = [
        json.dumps({"id": "1", "text": "Kabul"}) + "\n",
        "{not json\n",
        json.dumps({"id": "3"}) + "\n",
        json.dumps(["a", "list"]) + "\n",
        "\n",
        json.dumps({"id": 5, "text": "Mosul"}) + "\n",
        json.dumps({"text": "no id"}) + "\n",
    ]
    count, rows = run(lines)
    assert count == 2
    assert [r.get("id") for r in rows] == ["1", None, "3", None, "5", None]
    assert [("error" in r) for r in rows] == [False, True, True, True, False, True]
    assert "invalid JSON" in str(rows[1]["error"])
    assert "text" in str(rows[2]["error"])


def test_many_lines_stream_through_one_pipeline(blank_pipeline: object) -> None:
    lines = [json.dumps({"id": str(i), "text": f"Item {i}: shelling in Aleppo."}) + "\n" for i in range(1200)]
    count, rows = run(lines)
    assert count == 1200
    assert [r["id"] for r in rows] == [str(i) for i in range(1200)]
    assert all(r["countries"][0]["code"] == "SY" for r in rows)


def test_parse_line_reads_optional_fields() -> None:
    item = parse_line(json.dumps({"id": "x", "text": "t", "title": "T", "source_countries": ["SY"]}))
    assert item == TagInput("x", "t", "T", ("SY",))
    item = parse_line(json.dumps({"id": "x", "text": "t", "home_country": "LB"}))
    assert item == TagInput("x", "t", home_country="LB")
    with pytest.raises(BadLineError, match="home_country"):
        parse_line(json.dumps({"id": "x", "text": "t", "home_country": "Lebanon"}))
    item = parse_line(json.dumps({"id": "x", "text": "t", "home_province": "SY-ID"}))
    assert item == TagInput("x", "t", home_province="SY-ID")
    with pytest.raises(BadLineError, match="home_province"):
        parse_line(json.dumps({"id": "x", "text": "t", "home_province": ["SY-ID"]}))


def test_long_texts_are_chunked_with_true_offsets(blank_pipeline: object) -> None:
    paragraph = "Shelling hit Aleppo and Homs. " * 40 + "\n\n"
    text = paragraph * 30 + "Finally the Free Syrian Army entered Raqqa."
    chunks = split_chunks(text, size=2000)
    assert len(chunks) > 1
    assert "".join(piece for _, piece in chunks) == text
    (result,) = tag([TagInput("long", text)], model="none")
    assert all(text[m.start : m.end] == m.text for m in result.entities)
    assert result.entities[-1].text == "Raqqa"


def test_title_is_used_but_offsets_stay_in_the_text(blank_pipeline: object) -> None:
    (result,) = tag([TagInput("t", "Fighting continued.", title="Idlib truce talks stall")], model="none")
    assert result.entities == ()
    assert result.countries[0].code == "SY"


def test_invisible_marks_glued_to_a_name_keep_offsets(blank_pipeline: object) -> None:
    text = (
        "Once Mosul\u200e was retaken, forces moved to \u2067Raqqa\u2069 and Deir ez-Zor\ufeff."
        "\u00a0 \u00a0Near\u00a0Sinjar, shelling went on."
    )
    (result,) = tag([TagInput("marks", text)], model="none")
    assert [m.text for m in result.entities] == ["Mosul", "Raqqa", "Deir ez-Zor", "Sinjar"]
    assert all(text[m.start : m.end] == m.text for m in result.entities)
