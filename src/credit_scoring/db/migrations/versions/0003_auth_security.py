"""auth security: token versions and login times on users, the auth_events table

Revision ID: 0003_auth_security
Revises: 0001
Create Date: 2026-12-03 07:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from credit_scoring.db.models import TABLE_PREFIX as P

revision = "0003_auth_security"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing users keep working: their tokens carry no version and are refused once
    # (they log in again), their counters start at zero.
    with op.batch_alter_table(f"{P}users") as batch:
        batch.add_column(
            sa.Column("token_version", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("last_failed_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("last_login_at", sa.DateTime(), nullable=True))
    op.create_table(
        f"{P}auth_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("event", sa.String(length=16), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=True),
        sa.Column("client_address", sa.String(length=45), nullable=True),
        sa.Column("detail", sa.String(length=255), nullable=True),
        sa.PrimaryKeyConstraint("id", name=f"pk_{P}auth_events"),
    )
    op.create_index(f"ix_{P}auth_events_username", f"{P}auth_events", ["username"], unique=False)


def downgrade() -> None:
    op.drop_index(f"ix_{P}auth_events_username", table_name=f"{P}auth_events")
    op.drop_table(f"{P}auth_events")
    with op.batch_alter_table(f"{P}users") as batch:
        batch.drop_column("last_login_at")
        batch.drop_column("last_failed_at")
        batch.drop_column("token_version")
