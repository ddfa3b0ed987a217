"""The comparable name parts of each person entity, kept so that screening can find a person by part."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ForeignKey, Integer, String, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from nlp.names import name_parts
from portal.db import Base
from portal.models import Entity


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
