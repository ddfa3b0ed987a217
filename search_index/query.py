"""The search query language: a small tokenizer and recursive-descent parser.

Accepted: words, "quoted phrases", AND / OR / NOT (upper case) and a leading ``-``,
parentheses, wildcards (``traffick*``), fields (``country:SY``, ``country:Syria``,
``focus:SY``, ``group:HTS``, ``topic:"human trafficking"``, ``province:SY-ID``,
``province:Idlib``, ``source:``, ``lang:``, ``type:``, ``actor:``, ``title:``), dates
(``published:2026-01-01..2026-03-31``, ``published:2026-01..2026-03``, ``published:2026``,
open ends ``2026-01..``) and
``since:24h`` / ``since:7d`` / ``since:2w`` / ``since:3m`` / ``since:1y``.

The parser never raises on user input but one: whatever it cannot read becomes a friendly
warning and the rest of the query is still used. The exception is nesting (parentheses, NOT)
deeper than :data:`MAX_DEPTH`, which raises :class:`QueryTooDeep` with the warning to show:
there is no sensible "rest of the query" to use then. It produces a tree of plain nodes; matching them
against the index is :mod:`search_index.engine`'s job.

Phrases are matched without positions, as word pairs: "a b c" finds documents holding the
words a, b and c and the adjacent pairs (a b) and (b c). Pairs are indexed as one of 2**17
hash buckets of the folded, unstemmed words, so a document holding the words apart and an
unrelated pair in the same bucket also matches (about 0.2% of such documents); no position
check follows. Stop words are dropped on both sides, so "rule of law" also matches "rule in
law". A quoted single word is matched like an unquoted one (stemmed).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from search_index.analysis import fold, words
from search_index.records import Resolvers


@dataclass(frozen=True)
class Words:
    """Documents containing all these (folded) words; several words mean a phrase."""

    tokens: tuple[str, ...]
    title_only: bool = False
    phrase: bool = False


@dataclass(frozen=True)
class Wildcard:
    pattern: str  # folded, with * and ?
    title_only: bool = False


@dataclass(frozen=True)
class Facet:
    field: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class DateRange:
    start: datetime | None  # inclusive, naive UTC
    end: datetime | None  # exclusive


@dataclass(frozen=True)
class And:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    item: Node


@dataclass(frozen=True)
class MatchAll:
    pass


# What the parser says about a query it could not read fully, by code. The portal shows these
# through its translation catalogue (search_index itself has no notion of a language); every
# other client reads the English text, which is the warning's ``str``.
WARNING_TEXTS: dict[str, str] = {
    "quote_open": "A quotation mark is not closed; the rest was read as a phrase.",
    "field_quote_open": 'The quoted value of "{field}:" is not closed; read to the end.',
    "paren_unopened": "A closing parenthesis has no opening one; it was ignored.",
    "paren_unclosed": "A parenthesis is not closed; it was closed at the end.",
    "or_alone": '"OR" needs a search term on both sides; it was ignored.',
    "and_alone": '"AND" needs a search term on both sides; it was ignored.',
    "not_alone": '"NOT" needs a search term after it; it was ignored.',
    "too_deep": "The query nests parentheses or NOT more than {depth} levels deep; simplify it.",
    "wildcard_short": '"{text}": a wildcard needs at least two letters before * or ?; ignored.',
    "field_unknown": 'There is no field "{field}:"; "{field}:{value}" was searched as words.',
    "field_empty": '"{field}:" has no value; it was ignored.',
    "date_unreadable": (
        'Could not read the date "{value}"; use e.g. '
        "published:2026-01-01..2026-03-31 or published:2026-01..2026-03."
    ),
    "since_unreadable": 'Could not read "since:{value}"; use e.g. since:24h, since:7d or since:2w.',
    "country_unknown": 'Unknown country "{value}".',
    "value_unknown": 'Unknown {field} "{value}"; searched as typed.',
    "facet_unknown": 'There is no facet "{name}".',
    "filter_unknown": 'There is no filter "{name}"; it was ignored.',
}


class QueryWarning(str):
    """One warning: its English text, plus the ``code`` and ``params`` a translation needs."""

    code: str
    params: dict[str, str]

    def __new__(cls, code: str, **params: object) -> QueryWarning:
        texts = {key: str(value) for key, value in params.items()}
        self = super().__new__(cls, WARNING_TEXTS[code].format(**texts))
        self.code = code
        self.params = texts
        return self

    def __getnewargs_ex__(self) -> tuple[tuple[str], dict[str, str]]:  # type: ignore[override]
        return (self.code,), self.params


Node = Words | Wildcard | Facet | DateRange | And | Or | Not | MatchAll


@dataclass
class ParsedQuery:
    node: Node
    warnings: list[str] = field(default_factory=list)
    free_words: list[str] = field(default_factory=list)  # unquoted words, for "did you mean"


FIELD_ALIASES: dict[str, str] = {
    "country": "country",
    "focus": "focus_country",
    "group": "group",
    "topic": "topic",
    "source": "source",
    "lang": "lang",
    "language": "lang",
    "type": "type",
    "actor": "actor",
    "province": "province",
    "publisher": "publisher_type",
    "ym": "ym",
    "title": "title",
    "published": "published",
    "date": "published",
    "since": "since",
}

_FIELD_RE = re.compile(r"^([A-Za-z_]+):(.*)$", re.DOTALL)
#: an ISO 3166-2 code ("SY-ID", "US-TX", "GB-ABC") or a county's ("US-06037"), taken as typed
_PROVINCE_CODE_RE = re.compile(r"^[A-Za-z]{2}-[A-Za-z0-9]{1,5}$")
_SINCE_RE = re.compile(r"^(\d{1,4})\s*(h|d|w|m|y)$")
_UNITS = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}
_UNITS.update({"m": timedelta(days=30), "y": timedelta(days=365)})


@dataclass(frozen=True)
class _Tok:
    kind: str  # "(", ")", "AND", "OR", "NOT", "TERM"
    text: str = ""
    quoted: bool = False
    field: str | None = None


def tokenize(text: str, warnings: list[str]) -> list[_Tok]:
    toks: list[_Tok] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
            continue
        if c in "()":
            toks.append(_Tok(c))
            i += 1
            continue
        if c == '"':
            end = text.find('"', i + 1)
            if end < 0:
                warnings.append(QueryWarning("quote_open"))
                end = n
            toks.append(_Tok("TERM", text[i + 1 : end], quoted=True))
            i = end + 1
            continue
        j = i
        while j < n and not text[j].isspace() and text[j] not in '()"':
            j += 1
        word = text[i:j]
        i = j
        negate = False
        if word[:1] in "-+" and len(word) > 1:
            negate = word[0] == "-"
            word = word[1:]
        elif word in {"-", "+"}:
            continue
        if negate:
            toks.append(_Tok("NOT"))
        if word in {"AND", "&&"}:
            toks.append(_Tok("AND"))
            continue
        if word in {"OR", "||"}:
            toks.append(_Tok("OR"))
            continue
        if word == "NOT":
            toks.append(_Tok("NOT"))
            continue
        m = _FIELD_RE.match(word)
        if m:
            fname = m.group(1).lower()
            value = m.group(2)
            if value == "" and i < n and text[i] == '"':
                end = text.find('"', i + 1)
                if end < 0:
                    warnings.append(QueryWarning("field_quote_open", field=fname))
                    end = n
                toks.append(_Tok("TERM", text[i + 1 : end], quoted=True, field=fname))
                i = end + 1
                continue
            toks.append(_Tok("TERM", value, field=fname))
            continue
        toks.append(_Tok("TERM", word))
    return toks


def _month_end(d: datetime) -> datetime:
    return datetime(d.year + (d.month == 12), d.month % 12 + 1, 1)


def parse_date_bound(text: str, upper: bool) -> datetime:
    """`2026`, `2026-03` or `2026-03-31` as a start (or, with `upper`, an exclusive end)."""
    parts = text.strip().split("-")
    if not 1 <= len(parts) <= 3 or not all(p.isdigit() for p in parts):
        raise ValueError(text)
    nums = [int(p) for p in parts]
    if len(parts[0]) != 4:
        raise ValueError(text)
    if len(nums) == 1:
        start = datetime(nums[0], 1, 1)
        return datetime(nums[0] + 1, 1, 1) if upper else start
    if len(nums) == 2:
        start = datetime(nums[0], nums[1], 1)
        return _month_end(start) if upper else start
    start = datetime(nums[0], nums[1], nums[2])
    return start + timedelta(days=1) if upper else start


def parse_date_range(text: str) -> DateRange:
    if ".." in text:
        lo, hi = text.split("..", 1)
        start = parse_date_bound(lo, False) if lo.strip() else None
        end = parse_date_bound(hi, True) if hi.strip() else None
        if start is None and end is None:
            raise ValueError(text)
        if start is not None and end is not None and end <= start:
            raise ValueError(text)
        return DateRange(start, end)
    return DateRange(parse_date_bound(text, False), parse_date_bound(text, True))


MAX_DEPTH = 40
MAX_QUERY_CHARS = 1000  # what the web, the API and the CLI read of a query


class QueryTooDeep(ValueError):  # noqa: N818 (reads as the condition it names)
    """The query nests deeper than :data:`MAX_DEPTH`; ``str(exc)`` is the warning for the user."""


class Parser:
    def __init__(self, resolvers: Resolvers, now: datetime) -> None:
        self.depth = 0
        self.resolvers = resolvers
        self.now = now
        self.warnings: list[str] = []
        self.free_words: list[str] = []
        self.toks: list[_Tok] = []
        self.pos = 0

    def parse(self, text: str) -> ParsedQuery:
        self.toks = tokenize(text, self.warnings)
        self.pos = 0
        parts: list[Node] = []
        while True:
            node = self._or()
            if node is not None:
                parts.append(node)
            if self.pos >= len(self.toks):
                break
            # only a stray ")" stops _or() before the end
            self.warnings.append(QueryWarning("paren_unopened"))
            self.pos += 1
        node_all: Node
        if not parts:
            node_all = MatchAll()
        elif len(parts) == 1:
            node_all = parts[0]
        else:
            node_all = And(tuple(parts))
        return ParsedQuery(node_all, self.warnings, self.free_words)

    def _peek(self) -> _Tok | None:
        return self.toks[self.pos] if self.pos < len(self.toks) else None

    def _or(self) -> Node | None:
        items: list[Node] = []
        first = self._and()
        if first is not None:
            items.append(first)
        while (tok := self._peek()) is not None and tok.kind == "OR":
            self.pos += 1
            nxt = self._peek()
            if not items or nxt is None or nxt.kind in {")", "OR", "AND"}:
                self.warnings.append(QueryWarning("or_alone"))
            item = self._and()
            if item is not None:
                items.append(item)
        if not items:
            return None
        return items[0] if len(items) == 1 else Or(tuple(items))

    def _and(self) -> Node | None:
        items: list[Node] = []
        while (tok := self._peek()) is not None and tok.kind not in {")", "OR"}:
            if tok.kind == "AND":
                self.pos += 1
                nxt = self._peek()
                if not items or nxt is None or nxt.kind in {")", "OR", "AND"}:
                    self.warnings.append(QueryWarning("and_alone"))
                continue
            item = self._unary()
            if item is not None:
                items.append(item)
        if not items:
            return None
        return items[0] if len(items) == 1 else And(tuple(items))

    def _deeper(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise QueryTooDeep(QueryWarning("too_deep", depth=MAX_DEPTH))

    def _unary(self) -> Node | None:
        tok = self._peek()
        assert tok is not None
        if tok.kind == "NOT":
            self.pos += 1
            nxt = self._peek()
            if nxt is None or nxt.kind in {")", "OR", "AND"}:
                self.warnings.append(QueryWarning("not_alone"))
                return None
            self._deeper()
            inner = self._unary()
            self.depth -= 1
            return Not(inner) if inner is not None else None
        return self._primary()

    def _primary(self) -> Node | None:
        tok = self._peek()
        assert tok is not None
        self.pos += 1
        if tok.kind == "(":
            self._deeper()
            inner = self._or()
            self.depth -= 1
            nxt = self._peek()
            if nxt is not None and nxt.kind == ")":
                self.pos += 1
            else:
                self.warnings.append(QueryWarning("paren_unclosed"))
            return inner
        if tok.kind == ")":  # unreachable: callers stop at ")"
            return None
        if tok.field is not None:
            return self._field(tok)
        return self._text(tok.text, tok.quoted, title_only=False, free=not tok.quoted)

    def _text(self, text: str, quoted: bool, *, title_only: bool, free: bool) -> Node | None:
        if not quoted and ("*" in text or "?" in text):
            pattern = fold(text)
            literal = re.split(r"[*?]", pattern, maxsplit=1)[0]
            if len(re.sub(r"\W", "", literal)) < 2:
                self.warnings.append(QueryWarning("wildcard_short", text=text))
                return None
            return Wildcard(pattern, title_only=title_only)
        toks = words(text)
        if not toks:
            return None
        if free and len(toks) == 1:
            self.free_words.append(toks[0])
        return Words(tuple(toks), title_only=title_only, phrase=len(toks) > 1)

    def _resolve(self, kind: str, value: str) -> list[str]:
        fn: Callable[[str], list[str]] | None = getattr(self.resolvers, kind, None)
        if fn is None:
            return []
        try:
            return [v for v in fn(value) if v]
        except Exception:  # a resolver fault must not break the search
            return []

    def _field(self, tok: _Tok) -> Node | None:
        assert tok.field is not None
        name = FIELD_ALIASES.get(tok.field)
        value = tok.text.strip()
        if name is None:
            self.warnings.append(QueryWarning("field_unknown", field=tok.field, value=value))
            return self._text(f"{tok.field} {value}", tok.quoted, title_only=False, free=False)
        if not value:
            self.warnings.append(QueryWarning("field_empty", field=tok.field))
            return None
        if name == "title":
            return self._text(value, tok.quoted, title_only=True, free=False)
        if name == "published":
            try:
                return parse_date_range(value)
            except ValueError:
                self.warnings.append(QueryWarning("date_unreadable", value=value))
                return None
        if name == "since":
            m = _SINCE_RE.match(value.lower())
            if not m:
                self.warnings.append(QueryWarning("since_unreadable", value=value))
                return None
            return DateRange(self.now - int(m.group(1)) * _UNITS[m.group(2)], None)
        return Facet(name, tuple(self._facet_values(tok.field, name, value)))

    def _facet_values(self, typed: str, name: str, value: str) -> list[str]:
        if name in {"country", "focus_country"}:
            found = self._resolve("country", value)
            if found:
                return found
            if len(value) == 2 and value.isalpha():
                return [value.upper()]
            self.warnings.append(QueryWarning("country_unknown", value=value))
            return [value]
        if name in {"group", "topic", "source"}:
            found = self._resolve(name, value)
            if found:
                return found
            if getattr(self.resolvers, name, None) is not None:
                self.warnings.append(QueryWarning("value_unknown", field=typed, value=value))
            return [value]
        if name == "province":
            found = self._resolve("province", value)
            if found:
                return found
            if _PROVINCE_CODE_RE.match(value):
                return [value.upper()]
            self.warnings.append(f'Unknown province "{value}"; use its name or a code such as SY-ID.')
            return [value]
        if name == "lang":
            return [value.lower()]
        return [value]


def parse_query(text: str, resolvers: Resolvers | None = None, now: datetime | None = None) -> ParsedQuery:
    """Parse `text`; raises only :class:`QueryTooDeep`, for any input string."""
    return Parser(resolvers or Resolvers(), now or datetime.now(UTC).replace(tzinfo=None)).parse(text)
