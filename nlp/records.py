"""Records produced by the tagger. Importable without spaCy."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

EntityKind = Literal[
    "country",
    "region",
    "city",
    "location",
    "nationality",
    "armed_group",
    "state_force",
    "person",
    "organisation",
]


@dataclass(frozen=True)
class Province:
    """A first-level administrative division: ISO 3166-2 code ("SY-HL") and English name."""

    code: str
    name: str


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    text: str
    kind: EntityKind
    entity_id: str  # stable id, e.g. "country:SY", "group:islamic-state", "city:170654"
    canonical: str
    country: str | None  # ISO 3166-1 alpha-2
    ucdp: str | None = None
    province: Province | None = None  # set on place mentions the gazetteer can place in a division
    #: a country or a large city named for its government ("France condemned ...", "Ankara said"):
    #: actor, not place, of events
    actor: bool = False


@dataclass(frozen=True)
class CountryScore:
    code: str
    role: Literal["focus", "mentioned"]
    score: float


@dataclass(frozen=True)
class TopicHit:
    id: str
    score: float
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class TagInput:
    id: str
    text: str
    title: str = ""
    source_countries: tuple[str, ...] = ()  # country tags supplied by the source (ReliefWeb)
    #: the country the source mostly writes about (:func:`nlp.scoring.home_country`): a town name
    #: that several countries have leans to it; unlike a tag it says nothing of this text's focus
    home_country: str | None = None
    language: str | None = None  # the document's language when already known; detected otherwise
    #: the first-level division the source mostly writes about (:func:`nlp.scoring.home_province`,
    #: a province code as mentions carry it): a town name several provinces of one country share
    #: leans to it
    home_province: str | None = None


@dataclass(frozen=True)
class TagResult:
    id: str
    language: str
    entities: tuple[Mention, ...]
    countries: tuple[CountryScore, ...]
    topics: tuple[TopicHit, ...]
