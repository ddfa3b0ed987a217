"""Screening's tables: the name parts of each person entity, and the screening lists researchers keep.

A screening list names applicants: it belongs to its author (admins see it too), it is never put in
the search index (nothing here writes an ``IndexChange``), and deleting it deletes its entries,
candidates and decisions with it (foreign keys cascade, and so do the ORM relationships).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    delete,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from nlp.names import name_parts
from portal.db import Base
from portal.models import Entity, User, UTCDateTime, utcnow

#: what a researcher may decide about a candidate
DECISIONS = ("match", "no_match", "unsure")


class PersonNamePart(Base):
    """One part of one spelling (canonical name or alias) of a person, as :func:`name_parts` gives it."""

    __tablename__ = "person_name_parts"

    id: Mapped[int] = mapped_column(primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id", ondelete="CASCADE"), index=True)
    spelling: Mapped[str] = mapped_column(String(300))
    position: Mapped[int] = mapped_column(Integer)
    part: Mapped[str] = mapped_column(String(100), index=True)


def store_person_parts(session: Session, entity_ids: Iterable[int]) -> None:
    """Replace the name parts of the person entities among ``entity_ids`` by those of their spellings."""
    ids = sorted(set(entity_ids))
    if not ids:
        return
    people = session.scalars(select(Entity).where(Entity.id.in_(ids), Entity.kind == "person")).all()
    if not people:
        return
    session.execute(delete(PersonNamePart).where(PersonNamePart.entity_id.in_([p.id for p in people])))
    for person in people:
        for spelling in dict.fromkeys([person.canonical_name, *person.aliases]):
            for position, part in enumerate(name_parts(spelling)):
                session.add(
                    PersonNamePart(
                        entity_id=person.id, spelling=spelling[:300], position=position, part=part[:100]
                    )
                )


class ScreeningList(Base):
    """A list of names a researcher screened, with the rows exactly as they were handed in."""

    __tablename__ = "screening_lists"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: the input rows as given: the CSV's lines as lists of cells, the header first
    rows: Mapped[list[list[str]]] = mapped_column(JSON, default=list)

    author: Mapped[User] = relationship()
    entries: Mapped[list[ScreeningEntry]] = relationship(
        back_populates="screening_list",
        order_by="ScreeningEntry.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class ScreeningEntry(Base):
    """One input name of a list, with the facts given beside it."""

    __tablename__ = "screening_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("screening_lists.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(300))
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    birth_year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    nationality: Mapped[str | None] = mapped_column(String(100), nullable=True)
    unit: Mapped[str | None] = mapped_column(String(300), nullable=True)

    screening_list: Mapped[ScreeningList] = relationship(back_populates="entries")
    candidates: Mapped[list[ScreeningCandidate]] = relationship(
        back_populates="entry",
        order_by="ScreeningCandidate.rank",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class ScreeningCandidate(Base):
    """A person entity found for an entry, as the matcher scored it when the list was screened."""

    __tablename__ = "screening_candidates"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("screening_entries.id", ondelete="CASCADE"), index=True)
    rank: Mapped[int] = mapped_column(Integer)
    #: the entity; empty once the entity itself is gone (the name and score stay)
    entity_id: Mapped[int | None] = mapped_column(
        ForeignKey("entities.id", ondelete="SET NULL"), nullable=True, index=True
    )
    name: Mapped[str] = mapped_column(String(300))
    score: Mapped[float] = mapped_column(Float)
    match: Mapped[bool] = mapped_column(Boolean, default=False)
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    documents: Mapped[list[int]] = mapped_column(JSON, default=list)

    entry: Mapped[ScreeningEntry] = relationship(back_populates="candidates")
    entity: Mapped[Entity | None] = relationship()
    decision: Mapped[ScreeningDecision | None] = relationship(
        back_populates="candidate", cascade="all, delete-orphan", passive_deletes=True, uselist=False
    )


class ScreeningDecision(Base):
    """What the researcher concluded about one candidate: match, no match or unsure."""

    __tablename__ = "screening_decisions"
    __table_args__ = (CheckConstraint("decision IN ('match', 'no_match', 'unsure')", name="decision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("screening_candidates.id", ondelete="CASCADE"), unique=True
    )
    decision: Mapped[str] = mapped_column(String(10))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    username: Mapped[str] = mapped_column(String(80), default="")
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    comment: Mapped[str] = mapped_column(Text, default="")

    candidate: Mapped[ScreeningCandidate] = relationship(back_populates="decision")
