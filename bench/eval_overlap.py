"""Find strings of the project's own sources that quote the evaluation data.

Tests, word lists and comment examples must be written for the project, never copied from
``../shared/eval``: a rule fitted to a sentence of the eval data makes its score meaningless. This
script lists the copies so that they can be replaced.

**Candidates.** From each ``.py`` file: every string literal (adjacent literals joined, as Python
joins them; f-strings in pieces between their fields), every comment block, and every quoted example
("...", '...', “...”, ``...``) inside either. From a ``.json`` file every string value; from any
other text file every paragraph and every quoted example inside it. A candidate has at least three
words or at least 20 characters.

**Hits.** Candidates and eval texts (a JSON string value, a line of a CSV or TSV file, or a whole
other file, HTML and XML without their markup; the folder's READMEs, SOURCE and licence files and
Python code are no data and are skipped) are folded the same way (case, typographic quotes and
dashes, whitespace) and split into words and punctuation. A candidate is a hit when

* an eval text holds it whole, unless it is a bare name that the project's gazetteers list
  (``nlp/data``, built from documented sources: a name is a fact, not a quote) or it has no word
  beyond spaCy's English stop words ("one of the"); or
* it holds a run of ``--min-words`` words (default 4), two of them no stop words, that at most
  ``--max-texts`` eval texts hold (default 3): a distinctive phrase, as names, ages and odd wordings
  make it, not a common one ("in the vicinity of"); or a run of twice that many words that any eval
  text holds.

The eval folder is read once: the token trigrams of the candidates are looked up as the eval texts
stream past, and a run is searched for only in the texts that hold its rarest trigram. The script
does not judge intent; a hit is a string to rewrite in one's own words.

Usage: ``python bench/eval_overlap.py [--eval DIR] PATH...`` (files or folders). Prints one line
per hit, ``file:line: "candidate"`` and, for a run, ``holds "run"``, then the counts; exits 1 when
there is a hit, 0 when there is none or when the eval folder is absent.
"""

from __future__ import annotations

import argparse
import ast
import gzip
import html
import io
import json
import os
import re
import sys
import tokenize
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spacy.lang.en.stop_words import STOP_WORDS

ROOT = Path(__file__).resolve().parents[1]
EVAL_DIR = Path(os.environ.get("COI_EVAL_DIR", ROOT.parent / "shared" / "eval"))

MIN_WORDS = 3
MIN_CHARS = 20
SOURCE_SUFFIXES = {".py", ".json", ".txt", ".md", ".xml", ".html", ".csv", ".tsv", ".jsonl"}
# What the eval folder says about its data, and the code of copied test suites: no data.
EVAL_DOC_FILES = ("README", "SOURCE", "LICENSE", "ATTRIBUTION", "original_README")
EVAL_DOC_DIRS = {"original_licences"}
SKIP_DIRS = {"__pycache__", ".git", ".venv", "node_modules", ".mypy_cache", ".ruff_cache", ".pytest_cache"}

_TRANSLATE = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2033": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
        "\u00a0": " ",
    }
)
_TOKEN = re.compile(r"\w+|[^\w\s]")
_TAG = re.compile(r"<[^>]*>")
# Quoted examples inside prose: double quotes, typographic quotes, reST literals, and single quotes
# that are not apostrophes (no letter right outside them).
_QUOTED = (
    re.compile(r'"([^"\n]+)"'),
    re.compile(r"\u201c([^\u201d]+)\u201d"),
    re.compile(r"\u2018([^\u2019]+)\u2019(?!\w)"),
    re.compile(r"``([^`]+)``"),
    re.compile(r"(?<!\w)'([^'\n]+)'(?!\w)"),
)


def fold(text: str) -> tuple[str, ...]:
    """Tokens of ``text`` after folding case, compatibility forms, typographic quotes and dashes."""
    text = unicodedata.normalize("NFKC", text).translate(_TRANSLATE).casefold()
    return tuple(_TOKEN.findall(text))


def is_candidate(text: str) -> bool:
    stripped = " ".join(text.split())
    return len(stripped.split()) >= MIN_WORDS or len(stripped) >= MIN_CHARS


@dataclass(frozen=True)
class Candidate:
    path: str
    line: int
    text: str
    tokens: tuple[str, ...]


# --- candidates from the project's sources -------------------------------------------------------


def quoted_parts(text: str) -> Iterator[str]:
    for pattern in _QUOTED:
        for match in pattern.finditer(text):
            yield match.group(1)


def python_strings(source: str) -> Iterator[tuple[int, str]]:
    """(line, value) of every string literal; f-strings give their literal pieces."""
    tree = ast.parse(source)
    inside_fstring: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            for part in node.values:
                inside_fstring.add(id(part))
                if isinstance(part, ast.Constant) and isinstance(part.value, str):
                    yield node.lineno, part.value
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in inside_fstring:
            yield node.lineno, node.value


def python_comments(source: str) -> Iterator[tuple[int, str]]:
    """(first line, text) of every block of comments on consecutive lines."""
    block: list[str] = []
    first = last = 0
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type != tokenize.COMMENT:
            continue
        line = token.start[0]
        if block and line != last + 1:
            yield first, " ".join(block)
            block = []
        if not block:
            first = line
        block.append(token.string.lstrip("#").strip())
        last = line
    if block:
        yield first, " ".join(block)


def json_strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from json_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from json_strings(item)


def json_lines(text: str) -> dict[str, int]:
    """First line on which each JSON string appears, for the report (0 when not found)."""
    lines: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), 1):
        for match in re.finditer(r'"((?:[^"\\]|\\.)*)"', line):
            try:
                value = json.loads(f'"{match.group(1)}"')
            except json.JSONDecodeError:
                continue
            lines.setdefault(value, number)
    return lines


def file_texts(path: Path) -> Iterator[tuple[int, str]]:
    """(line, text) of every piece of ``path`` that may quote an example."""
    text = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix == ".py":
        for line, value in python_strings(text):
            yield line, value
            for part in quoted_parts(value):
                # A quoted example's own line inside a multi-line literal.
                offset = value.find(part)
                yield line + value.count("\n", 0, max(offset, 0)), part
        for line, comment in python_comments(text):
            yield line, comment
            for part in quoted_parts(comment):
                yield line, part
    elif path.suffix in {".json", ".jsonl"}:
        lines = json_lines(text)
        records = (
            [json.loads(line) for line in text.splitlines() if line.strip()]
            if path.suffix == ".jsonl"
            else [json.loads(text)]
        )
        for record in records:
            for value in json_strings(record):
                yield lines.get(value, 0), value
    else:
        # Paragraphs, so that prose and quotes run across line breaks.
        first = 1
        for block in re.split(r"(\n[ \t]*\n)", text):
            if block.strip() and not block.isspace():
                lead = len(block) - len(block.lstrip("\n"))
                yield first + lead, block
                for part in quoted_parts(block):
                    yield first + block.count("\n", 0, max(block.find(part), 0)), part
            first += block.count("\n")


def source_files(paths: Iterable[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_file():
            yield path
        elif path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
                for name in sorted(files):
                    if Path(name).suffix in SOURCE_SUFFIXES:
                        yield Path(root) / name


def candidates(paths: Iterable[Path]) -> list[Candidate]:
    found: dict[tuple[str, str], Candidate] = {}
    for path in source_files(paths):
        shown = os.path.relpath(path)
        for line, text in file_texts(path):
            if not is_candidate(text):
                continue
            tokens = fold(text)
            if tokens and (shown, " ".join(tokens)) not in found:
                found[(shown, " ".join(tokens))] = Candidate(shown, line, " ".join(text.split()), tokens)
    return list(found.values())


# --- texts of the eval folder ---------------------------------------------------------------------


def eval_texts(root: Path) -> Iterator[tuple[str, str]]:
    """(file, text) of every text under ``root``, one per JSON string value, CSV line or file."""
    for dirpath, dirs, files in os.walk(root):
        dirs.sort()
        dirs[:] = [d for d in dirs if d not in EVAL_DOC_DIRS]
        for name in sorted(files):
            path = Path(dirpath) / name
            if name.startswith(EVAL_DOC_FILES) or path.suffix == ".py":
                continue
            shown = str(path.relative_to(root))
            data = path.read_bytes()
            suffixes = path.suffixes
            if suffixes and suffixes[-1] == ".gz":
                try:
                    data = gzip.decompress(data)
                except (OSError, EOFError):
                    continue
                suffixes = suffixes[:-1]
            if b"\0" in data[:4096]:
                continue
            text = data.decode("utf-8", errors="replace")
            suffix = suffixes[-1] if suffixes else ""
            if suffix == ".jsonl":
                for line in text.splitlines():
                    try:
                        record = json.loads(line)
                    except json.JSONDecodeError:
                        yield shown, line
                        continue
                    for value in json_strings(record):
                        yield shown, value
            elif suffix == ".json":
                try:
                    record = json.loads(text)
                except json.JSONDecodeError:
                    yield shown, text
                    continue
                for value in json_strings(record):
                    yield shown, value
            elif suffix in {".csv", ".tsv"}:
                for line in text.splitlines():
                    yield shown, line
            elif suffix in {".html", ".htm", ".xml", ".rss", ".atom", ".rdf"}:
                yield shown, html.unescape(_TAG.sub(" ", text))
            else:
                yield shown, text


def grams(tokens: tuple[str, ...]) -> list[tuple[str, ...]]:
    size = min(3, len(tokens))
    return [tokens[i : i + size] for i in range(len(tokens) - size + 1)]


@dataclass(frozen=True)
class Hit:
    candidate: Candidate
    shared: tuple[str, ...]
    eval_file: str

    @property
    def whole(self) -> bool:
        return self.shared == self.candidate.tokens


def words(tokens: tuple[str, ...]) -> int:
    """Words among ``tokens``: a letter alone (a regex's ``[A-Z]``, an initial) is none."""
    return sum(1 for token in tokens if token.isdigit() or (token.isalnum() and len(token) > 1))


def content_words(tokens: tuple[str, ...]) -> int:
    return sum(1 for token in tokens if token.isalnum() and len(token) > 1 and token not in STOP_WORDS)


def gazetteer_names(data: Path) -> set[tuple[str, ...]]:
    """Folded names of the gazetteer files under ``data`` (every string of places, aliases, groups,
    peoples and organisations)."""
    names: set[tuple[str, ...]] = set()
    for name in ("places", "place_aliases", "armed_groups", "peoples", "organisations"):
        path = data / f"{name}.json"
        if path.is_file():
            for value in json_strings(json.loads(path.read_text(encoding="utf-8"))):
                names.add(fold(value))
    return names


class EvalIndex:
    """The folded eval texts, and for each wanted token gram the texts that hold it."""

    def __init__(self, root: Path, wanted: Iterable[tuple[str, ...]]) -> None:
        by_size: dict[int, set[tuple[str, ...]]] = defaultdict(set)
        for gram in wanted:
            by_size[len(gram)].add(gram)
        self.texts: list[tuple[str, str]] = []
        self.holders: dict[tuple[str, ...], list[int]] = defaultdict(list)
        for shown, text in eval_texts(root):
            tokens = fold(text)
            if not tokens:
                continue
            index = len(self.texts)
            self.texts.append((shown, " " + " ".join(tokens) + " "))
            for size, sized in by_size.items():
                present = {tokens[i : i + size] for i in range(len(tokens) - size + 1)} & sized
                for gram in present:
                    self.holders[gram].append(index)

    def find(self, tokens: tuple[str, ...], limit: int = 1) -> list[str]:
        """Eval files of up to ``limit`` texts that hold ``tokens``."""
        lists = [self.holders.get(gram, []) for gram in grams(tokens)]
        if not lists or not all(lists):
            return []
        needle = " " + " ".join(tokens) + " "
        found = []
        for index in min(lists, key=len):
            shown, text = self.texts[index]
            if needle in text:
                found.append(shown)
                if len(found) >= limit:
                    break
        return found


@dataclass(frozen=True)
class Rules:
    min_words: int
    max_texts: int
    names: frozenset[tuple[str, ...]]


def shared_run(candidate: Candidate, index: EvalIndex, rules: Rules) -> Hit | None:
    """The hit ``candidate`` makes (see the module's doc), with its longest reportable run."""
    tokens = candidate.tokens
    if tokens not in rules.names and content_words(tokens) >= 1:
        whole = index.find(tokens)
        if whole:
            return Hit(candidate, tokens, whole[0])
    if words(tokens) < rules.min_words or len(tokens) < 3:
        return None
    # Only inside runs of consecutive trigrams that some eval text holds can a shared run lie.
    present = [bool(index.holders.get(gram)) for gram in grams(tokens)]
    windows = []
    start = None
    for i, here in enumerate([*present, False]):
        if here and start is None:
            start = i
        elif not here and start is not None:
            windows.append((start, i + 2))
            start = None
    best: Hit | None = None
    for first, end in windows:
        for length in range(end - first, 2, -1):
            if best is not None and length <= len(best.shared):
                break
            for begin in range(first, end - length + 1):
                piece = tokens[begin : begin + length]
                count = words(piece)
                if count < rules.min_words or content_words(piece) < 2:
                    continue
                held = index.find(piece, limit=rules.max_texts + 1)
                if held and (count >= 2 * rules.min_words or len(held) <= rules.max_texts):
                    best = Hit(candidate, piece, held[0])
                    break
    return best


def overlaps(found: list[Candidate], root: Path, rules: Rules) -> list[Hit]:
    wanted = {gram for candidate in found for gram in grams(candidate.tokens)}
    index = EvalIndex(root, wanted)
    hits = []
    for candidate in found:
        hit = shared_run(candidate, index, rules)
        if hit is not None:
            hits.append(hit)
    return hits


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--eval", type=Path, default=EVAL_DIR, help="evaluation data folder")
    parser.add_argument("--min-words", type=int, default=4, help="words of a distinctive shared run")
    parser.add_argument("--max-texts", type=int, default=3, help="eval texts that may hold such a run")
    parser.add_argument("paths", nargs="+", type=Path, help="source files or folders")
    args = parser.parse_args(argv)
    if not args.eval.is_dir():
        print(f"no eval folder at {args.eval}: nothing to compare")
        return 0
    rules = Rules(args.min_words, args.max_texts, frozenset(gazetteer_names(ROOT / "nlp" / "data")))
    found = candidates(args.paths)
    hits = overlaps(found, args.eval, rules)
    for hit in sorted(hits, key=lambda hit: (hit.candidate.path, hit.candidate.line)):
        where = f"{hit.candidate.path}:{hit.candidate.line}"
        if hit.whole:
            print(f'{where}: "{hit.candidate.text}"  <- {hit.eval_file}')
        else:
            print(f'{where}: "{hit.candidate.text}" holds "{" ".join(hit.shared)}"  <- {hit.eval_file}')
    whole = sum(hit.whole for hit in hits)
    print(
        f"{len(hits)} of {len(found)} candidate strings quote {args.eval}: "
        f"{whole} occur there whole, {len(hits) - whole} hold a distinctive run"
    )
    return 1 if hits else 0


if __name__ == "__main__":
    sys.exit(main())
