"""Document-country scoring: where do the events happen, which countries are only mentioned.

Pure functions over linked mentions; no spaCy. Evidence is collected per
country in two pools:

* place evidence: cities, regions, named areas ("Darfur") and coordinates,
  country names, and the country tags a source supplies (ReliefWeb); other
  locations (streets, sites) only borrow the text's country and prove nothing;
* actor evidence: nationalities ("Russian"), state forces ("Russian
  airstrikes"), armed groups, and country names used for their government
  ("Russia said", passed as ``acting`` offsets).

A country is the *focus* when its place evidence is at least half of the best
place evidence. Actor evidence alone never makes a foreign actor the focus:
"Russian warplanes pound Hama countryside" is about Syria. Only when a
document has no place evidence at all does a single-country armed group or a
country's own ground forces ("Syrian army", not "Russian airstrikes") make
that country the focus, at half its share (:data:`ACTOR_ONLY_FACTOR`), so that a
threshold on the score keeps place-grounded answers first. Groups marked
``transnational`` in ``armed_groups.json`` have no home country and give none.
Everything else with evidence is *mentioned*.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Mapping

from nlp.records import CountryScore, Mention

PLACE_WEIGHTS = {"city": 3.0, "region": 3.0, "location": 2.0, "country": 2.0}
ACTOR_WEIGHTS = {"nationality": 0.75, "state_force": 0.75, "armed_group": 1.0}
ACTING_WEIGHT = ACTOR_WEIGHTS["state_force"]
TITLE_FACTOR = 2.0
SOURCE_WEIGHT = 3.0
FOCUS_SHARE = 0.5
# A focus read from actors alone (no place named) is a guess: its score is scaled down so that
# a threshold on the score keeps place-grounded answers first.
ACTOR_ONLY_FACTOR = 0.5

#: A source's home country is read from at least this many of its tagged documents ...
HOME_MIN_DOCUMENTS = 5
#: ... when more than this share of them have it as their best focus country.
HOME_SHARE = 0.5

Evidence = dict[str, list[float]]  # code -> [place, actor]


def home_country(focus: Iterable[str | None]) -> str | None:
    """The country a source mostly writes about, from the best focus country of each of its
    documents (None for a document without one), or None when no country has most of them.

    A town name in a local paper is more likely a town of the paper's own country than a
    better-known one abroad; an agency that writes about the whole world has no home country.
    """
    codes = list(focus)
    if len(codes) < HOME_MIN_DOCUMENTS:
        return None
    counted = Counter(code for code in codes if code)
    if not counted:
        return None
    code, n = counted.most_common(1)[0]
    return code if n / len(codes) > HOME_SHARE else None


def home_province(provinces: Iterable[str | None]) -> str | None:
    """The first-level division a source mostly writes about, from the main province of each of
    its documents (:func:`main_province`; None for a document without one), or None when no
    province has most of them: a local paper's, not an agency's."""
    return home_country(provinces)


def main_province(codes: Iterable[str]) -> str | None:
    """The province most of a document's place mentions lie in (the first named on a tie)."""
    counted = Counter(codes)
    return counted.most_common(1)[0][0] if counted else None


def collect_evidence(
    mentions: Iterable[Mention],
    *,
    title_end: int = 0,
    source_countries: Iterable[str] = (),
    group_countries: Mapping[str, tuple[str, ...]] | None = None,
    acting: Collection[tuple[int, int]] = (),
) -> Evidence:
    """Weighted evidence per country from linked mentions.

    Mentions starting before ``title_end`` (the title) weigh double. Armed
    groups active in several countries spread their weight over them. Country
    and city mentions whose (start, end) is in ``acting`` (a state named for its
    government: "Russia said", "Ankara said") are actor evidence.
    """
    evidence: Evidence = {}
    for mention in mentions:
        factor = TITLE_FACTOR if mention.start < title_end else 1.0
        if mention.kind in ("country", "city") and mention.country and (mention.start, mention.end) in acting:
            evidence.setdefault(mention.country, [0.0, 0.0])[1] += ACTING_WEIGHT * factor
        elif mention.kind in PLACE_WEIGHTS and mention.country:
            if mention.kind == "location" and mention.entity_id.startswith("location:"):
                # countries guessed from context are not evidence; named areas ("area:")
                # and coordinates ("point:") know their own country
                continue
            evidence.setdefault(mention.country, [0.0, 0.0])[0] += PLACE_WEIGHTS[mention.kind] * factor
        elif mention.kind in ACTOR_WEIGHTS:
            if group_countries and group_countries.get(mention.entity_id) == ():
                # a transnational group: the country given to it is borrowed from the places
                # near it, which count already ("in Iraq and Syria" would favour the first)
                continue
            codes: tuple[str, ...] = (mention.country,) if mention.country else ()
            if not codes and group_countries:
                codes = group_countries.get(mention.entity_id, ())
            for code in codes:
                evidence.setdefault(code, [0.0, 0.0])[1] += ACTOR_WEIGHTS[mention.kind] * factor / len(codes)
    for code in source_countries:
        if code:
            evidence.setdefault(code.upper(), [0.0, 0.0])[0] += SOURCE_WEIGHT
    return evidence


def merge_evidence(parts: Iterable[Evidence]) -> Evidence:
    total: Evidence = {}
    for part in parts:
        for code, (place, actor) in part.items():
            slot = total.setdefault(code, [0.0, 0.0])
            slot[0] += place
            slot[1] += actor
    return total


def country_scores(
    evidence: Mapping[str, list[float]],
    *,
    local_actor_countries: Iterable[str] = (),
) -> tuple[CountryScore, ...]:
    """Focus and mentioned countries with scores in [0, 1] (share of all evidence), best first;
    countries of equal score in the order of ``evidence`` (the order the text names them).

    ``local_actor_countries`` lists countries whose actor evidence comes from a
    domestic actor (an armed group active in one country only, or the
    country's own forces); they can become the focus when no place is named.
    """
    if not evidence:
        return ()
    total = sum(place + actor for place, actor in evidence.values()) or 1.0
    best_place = max(place for place, _ in evidence.values())
    focus: set[str] = set()
    factor = 1.0
    if best_place > 0:
        focus = {
            code for code, (place, _) in evidence.items() if place >= FOCUS_SHARE * best_place and place > 0
        }
    else:
        local = [code for code in local_actor_countries if code in evidence]
        if local:
            best_actor = max(evidence[c][1] for c in local)
            focus = {c for c in local if evidence[c][1] >= best_actor}
            if len(focus) > 1:
                focus = set()
            factor = ACTOR_ONLY_FACTOR
    scores = [
        CountryScore(
            code,
            "focus" if code in focus else "mentioned",
            round((place + actor) / total * (factor if code in focus else 1.0), 4),
        )
        for code, (place, actor) in evidence.items()
    ]
    # equal scores in the order the text first gives evidence of them: "the Nepal-India border"
    first = {code: i for i, code in enumerate(evidence)}
    scores.sort(key=lambda s: (s.role != "focus", -s.score, first[s.code]))
    return tuple(scores)
