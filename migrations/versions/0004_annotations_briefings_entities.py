"""Daily work: annotations anchored to documents, briefing desks, briefings with their items, and
entity types and merges.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 16:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("entities", schema=None) as batch_op:
        batch_op.add_column(sa.Column("entity_type", sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column("merged_into_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_entities_merged_into_id_entities"), "entities", ["merged_into_id"], ["id"]
        )

    op.create_table(
        "annotations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("exact", sa.Text(), nullable=False),
        sa.Column("prefix", sa.String(length=100), nullable=False),
        sa.Column("suffix", sa.String(length=100), nullable=False),
        sa.Column("orphaned", sa.Boolean(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("shared", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name=op.f("fk_annotations_document_id_documents"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_annotations_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_annotations")),
    )
    with op.batch_alter_table("annotations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_annotations_document_id"), ["document_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_annotations_user_id"), ["user_id"], unique=False)

    op.create_table(
        "desks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("countries", sa.JSON(), nullable=False),
        sa.Column("topics", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_desks")),
        sa.UniqueConstraint("key", name=op.f("uq_desks_key")),
    )

    op.create_table(
        "briefings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("desk_key", sa.String(length=60), nullable=False),
        sa.Column("desk_name", sa.String(length=200), nullable=False),
        sa.Column("countries", sa.JSON(), nullable=False),
        sa.Column("for_date", sa.Date(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["published_by_id"], ["users.id"], name=op.f("fk_briefings_published_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["supersedes_id"], ["briefings.id"], name=op.f("fk_briefings_supersedes_id_briefings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_briefings")),
        sa.UniqueConstraint("desk_key", "for_date", "version", name=op.f("uq_briefings_desk_key_for_date_version")),
    )
    with op.batch_alter_table("briefings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_briefings_desk_key"), ["desk_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_briefings_for_date"), ["for_date"], unique=False)
        batch_op.create_index(batch_op.f("ix_briefings_published_at"), ["published_at"], unique=False)

    op.create_table(
        "briefing_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("briefing_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("cluster_id", sa.Integer(), nullable=True),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("annotation_ids", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["briefing_id"], ["briefings.id"], name=op.f("fk_briefing_items_briefing_id_briefings"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name=op.f("fk_briefing_items_document_id_documents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_briefing_items")),
    )
    with op.batch_alter_table("briefing_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_briefing_items_briefing_id"), ["briefing_id"], unique=False)


def downgrade() -> None:
    op.drop_table("briefing_items")
    op.drop_table("briefings")
    op.drop_table("desks")
    op.drop_table("annotations")
    with op.batch_alter_table("entities", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_entities_merged_into_id_entities"), type_="foreignkey")
        batch_op.drop_column("merged_into_id")
        batch_op.drop_column("entity_type")
