"""Where a version's text came from, the length of each candidate text, and the declared language
beside the detected one.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 12:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("document_versions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("text_origin", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("text_candidates", sa.JSON(), nullable=True))
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("declared_language", sa.String(length=10), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_column("declared_language")
    with op.batch_alter_table("document_versions", schema=None) as batch_op:
        batch_op.drop_column("text_candidates")
        batch_op.drop_column("text_origin")
