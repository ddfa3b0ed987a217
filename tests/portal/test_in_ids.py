"""``in_ids``: a column in a list of ids bound at execution, the same rows on both databases
(an array of the column's type on PostgreSQL, an expanding IN list elsewhere)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from portal.db import in_ids, transaction
from portal.models import Role, Topic, User

_USERS = select(User.username).where(in_ids(User.id)).order_by(User.username)
_TOPICS = select(Topic.id).where(in_ids(Topic.id))


def test_the_rows_of_the_bound_ids_on_every_execution(
    factory: sessionmaker[Session], users: dict[str, Role]
) -> None:
    with transaction(factory) as session:
        ids = {name: session.scalar(select(User.id).where(User.username == name)) for name in users}
        assert session.scalars(_USERS, {"ids": [ids["admin"], ids["officer"]]}).all() == ["admin", "officer"]
        assert session.scalars(_USERS, {"ids": [ids["researcher"]]}).all() == ["researcher"]
        assert session.scalars(_USERS, {"ids": [*ids.values(), 999_999]}).all() == sorted(users)
        assert session.scalars(_USERS, {"ids": []}).all() == []


def test_statements_on_other_columns_keep_their_own_compiled_form(
    factory: sessionmaker[Session], users: dict[str, Role]
) -> None:
    with transaction(factory) as session:
        user_ids = list(session.scalars(select(User.id)))
        assert session.scalars(_USERS, {"ids": user_ids}).all() == sorted(users)
        # topics have names for ids, and none is stored here: a statement that reused the users'
        # compiled form would find rows, or fail on the type of its parameter
        assert session.scalars(_TOPICS, {"ids": ["admin", "officer"]}).all() == []
