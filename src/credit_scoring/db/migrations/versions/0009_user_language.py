"""users.language: the dashboard language a user chose, kept across sessions

Revision ID: 0009_user_language
Revises: 0008_shadow_scores

The dashboard's language is a property of the session and, once the user is logged in,
of the user: the next login starts in the language they last chose. Null means "not
chosen yet" (the login page's language applies).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from credit_scoring.db.models import TABLE_PREFIX as P

revision = "0009_user_language"
down_revision = "0008_shadow_scores"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table(f"{P}users") as batch:
        batch.add_column(sa.Column("language", sa.String(2), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table(f"{P}users") as batch:
        batch.drop_column("language")
