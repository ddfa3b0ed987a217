"""The name parts of person entities, for screening.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 13:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "person_name_parts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("spelling", sa.String(length=300), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("part", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["entity_id"],
            ["entities.id"],
            name=op.f("fk_person_name_parts_entity_id_entities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_name_parts")),
    )
    with op.batch_alter_table("person_name_parts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_person_name_parts_entity_id"), ["entity_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_person_name_parts_part"), ["part"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("person_name_parts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_name_parts_part"))
        batch_op.drop_index(batch_op.f("ix_person_name_parts_entity_id"))
    op.drop_table("person_name_parts")
