"""Place mentions keep the first-level division they lie in.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 14:50:00

Existing mentions stay without a province until their documents are tagged again
(``coi process --retag``).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("mentions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("province_code", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("province_name", sa.String(length=200), nullable=True))
        batch_op.create_index(batch_op.f("ix_mentions_province_code"), ["province_code"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("mentions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mentions_province_code"))
        batch_op.drop_column("province_name")
        batch_op.drop_column("province_code")
