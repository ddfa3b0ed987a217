"""Screening lists: the names a researcher screened, the candidates found and the decisions taken.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 15:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "screening_lists",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rows", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_screening_lists_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screening_lists")),
    )
    with op.batch_alter_table("screening_lists", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_screening_lists_user_id"), ["user_id"], unique=False)

    op.create_table(
        "screening_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("list_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.Column("birth_year", sa.Integer(), nullable=True),
        sa.Column("nationality", sa.String(length=100), nullable=True),
        sa.Column("unit", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(
            ["list_id"],
            ["screening_lists.id"],
            name=op.f("fk_screening_entries_list_id_screening_lists"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screening_entries")),
    )
    with op.batch_alter_table("screening_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_screening_entries_list_id"), ["list_id"], unique=False)

    op.create_table(
        "screening_candidates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("match", sa.Boolean(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("documents", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["screening_entries.id"],
            name=op.f("fk_screening_candidates_entry_id_screening_entries"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["entity_id"],
            ["entities.id"],
            name=op.f("fk_screening_candidates_entity_id_entities"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screening_candidates")),
    )
    with op.batch_alter_table("screening_candidates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_screening_candidates_entry_id"), ["entry_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_screening_candidates_entity_id"), ["entity_id"], unique=False)

    op.create_table(
        "screening_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(length=10), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "decision IN ('match', 'no_match', 'unsure')", name=op.f("ck_screening_decisions_decision")
        ),
        sa.ForeignKeyConstraint(
            ["candidate_id"],
            ["screening_candidates.id"],
            name=op.f("fk_screening_decisions_candidate_id_screening_candidates"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_screening_decisions_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screening_decisions")),
        sa.UniqueConstraint("candidate_id", name=op.f("uq_screening_decisions_candidate_id")),
    )


def downgrade() -> None:
    op.drop_table("screening_decisions")
    with op.batch_alter_table("screening_candidates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_screening_candidates_entity_id"))
        batch_op.drop_index(batch_op.f("ix_screening_candidates_entry_id"))
    op.drop_table("screening_candidates")
    with op.batch_alter_table("screening_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_screening_entries_list_id"))
    op.drop_table("screening_entries")
    with op.batch_alter_table("screening_lists", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_screening_lists_user_id"))
    op.drop_table("screening_lists")
