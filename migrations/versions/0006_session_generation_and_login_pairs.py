"""Server-side session validity and log-in throttling by (account, address) pair.

``users.session_generation`` is raised to end every session of a user at once (log-out, password
change, deactivation); each request compares it with the generation its session cookie carries.
An index on (username, ip, at) serves the throttle's per-pair count.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 12:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("session_generation", sa.Integer(), server_default="0", nullable=False))
    with op.batch_alter_table("login_attempts", schema=None) as batch_op:
        batch_op.create_index("ix_login_attempts_pair", ["username", "ip", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("login_attempts", schema=None) as batch_op:
        batch_op.drop_index("ix_login_attempts_pair")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("session_generation")
