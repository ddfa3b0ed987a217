"""JSON-lines front end of the tagger (batch jobs and the command line).

Input: one JSON object per line with a string ``id`` and a string ``text``
(``title``, ``source_countries``, ``home_country`` and ``home_province`` are read when
present). Output: one line per input line, in order::

    {"id", "language", "entities": [{"start", "end", "text", "kind", "entity_id",
      "canonical", "country", "ucdp", "province": {"code", "name"} | null, "actor"}],
     "countries": [{"code", "role", "score"}], "topics": [{"id", "score", "evidence": [...]}]}

Entities are sorted by offset; a place inside an organisation name is reported
as well as the organisation, so spans may nest. ``actor`` is true on a country
named for its government ("Egypt condemned ..."), which is not where events take
place, and false on every other entity. A line that cannot be read or
tagged gives ``{"id": ..., "error": "..."}``
(``id`` is null when unknown) and processing goes on. Blank lines are skipped.
The model is loaded once; lines are streamed in blocks, so memory stays flat
for large files. Run as ``python -m nlp.jsonl < in.jsonl > out.jsonl``.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from itertools import islice
from typing import Any, TextIO

from nlp.records import TagInput, TagResult

log = logging.getLogger(__name__)

BLOCK_LINES = 512
MAX_TEXT_CHARS = 2_000_000


class BadLineError(ValueError):
    def __init__(self, item_id: Any, message: str) -> None:
        super().__init__(message)
        self.item_id = item_id


def parse_line(line: str) -> TagInput:
    """A :class:`TagInput` from one JSON line, or :class:`BadLineError`."""
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise BadLineError(None, f"invalid JSON: {exc.msg} at column {exc.colno}") from None
    if not isinstance(data, dict):
        raise BadLineError(None, "a line must hold a JSON object")
    item_id = data.get("id")
    if isinstance(item_id, bool) or not isinstance(item_id, (str, int)) or str(item_id) == "":
        raise BadLineError(item_id if isinstance(item_id, (str, int)) else None, "missing or invalid 'id'")
    text = data.get("text")
    if not isinstance(text, str):
        raise BadLineError(item_id, "missing or non-string 'text'")
    if len(text) > MAX_TEXT_CHARS:
        raise BadLineError(item_id, f"text longer than {MAX_TEXT_CHARS} characters")
    title = data.get("title") or ""
    if not isinstance(title, str):
        raise BadLineError(item_id, "non-string 'title'")
    sources = data.get("source_countries") or []
    if not isinstance(sources, list) or not all(isinstance(c, str) for c in sources):
        raise BadLineError(item_id, "'source_countries' must be a list of strings")
    home = data.get("home_country") or None
    if home is not None and not (isinstance(home, str) and len(home) == 2 and home.isalpha()):
        raise BadLineError(item_id, "'home_country' must be a two-letter country code")
    province = data.get("home_province") or None
    if province is not None and not (isinstance(province, str) and 3 < len(province) <= 20):
        raise BadLineError(item_id, "'home_province' must be a province code such as 'SY-ID'")
    return TagInput(
        id=str(item_id),
        text=text,
        title=title,
        source_countries=tuple(sources),
        home_country=home,
        home_province=province,
    )


def result_to_dict(result: TagResult) -> dict[str, Any]:
    return {
        "id": result.id,
        "language": result.language,
        "entities": [
            {
                "start": m.start,
                "end": m.end,
                "text": m.text,
                "kind": m.kind,
                "entity_id": m.entity_id,
                "canonical": m.canonical,
                "country": m.country,
                "ucdp": m.ucdp,
                "province": {"code": m.province.code, "name": m.province.name} if m.province else None,
                "actor": m.actor,
            }
            for m in result.entities
        ],
        "countries": [{"code": c.code, "role": c.role, "score": c.score} for c in result.countries],
        "topics": [{"id": t.id, "score": t.score, "evidence": list(t.evidence)} for t in result.topics],
    }


def _write(outfile: TextIO, obj: dict[str, Any]) -> None:
    outfile.write(json.dumps(obj, ensure_ascii=False) + "\n")


def _tag_block(inputs: list[TagInput], model: str | None, batch_size: int) -> Iterator[TagResult | Exception]:
    from nlp.pipeline import tag

    try:
        yield from list(tag(inputs, model=model, batch_size=batch_size))
        return
    except Exception as exc:  # one bad document must not sink the block: retry one by one
        log.warning("tagging a block failed (%s); retrying item by item", exc)
    for item in inputs:
        try:
            yield from list(tag([item], model=model, batch_size=1))
        except Exception as exc:  # reported on the item's own line
            log.exception("tagging item %r failed", item.id)
            yield exc


def tag_jsonl(infile: TextIO, outfile: TextIO, *, model: str | None = None, batch_size: int = 32) -> int:
    """Tag every line of ``infile`` into ``outfile``; returns the number of items tagged without error."""
    tagged = 0
    lines = iter(infile)
    while True:
        block = list(islice(lines, BLOCK_LINES))
        if not block:
            break
        parsed: list[TagInput | BadLineError] = []
        for line in block:
            if not line.strip():
                continue
            try:
                parsed.append(parse_line(line))
            except BadLineError as exc:
                parsed.append(exc)
        good = [p for p in parsed if isinstance(p, TagInput)]
        results = iter(_tag_block(good, model, batch_size)) if good else iter(())
        for entry in parsed:
            if isinstance(entry, BadLineError):
                _write(outfile, {"id": entry.item_id, "error": str(entry)})
                continue
            outcome = next(results)
            if isinstance(outcome, Exception):
                _write(outfile, {"id": entry.id, "error": f"tagging failed: {outcome}"})
            else:
                _write(outfile, result_to_dict(outcome))
                tagged += 1
    return tagged


def main() -> int:
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    count = tag_jsonl(sys.stdin, sys.stdout)
    log.info("tagged %d items", count)
    return 0


if __name__ == "__main__":
    sys.exit(main())
