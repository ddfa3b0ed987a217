"""Documents are indexed by their date as lists order them.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 03:40:00

The start page and the country pages list the newest documents by their publication date,
else the date they were fetched; with this index they read the newest few instead of sorting
every document.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_documents_date", "documents", [sa.text("coalesce(published_at, retrieved_at)"), "id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_documents_date", table_name="documents")
