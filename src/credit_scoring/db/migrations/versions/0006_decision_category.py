"""decisions record the category of a refusal against the model's grant

Revision ID: 0006_decision_category
Revises: 0005_applications

A refusal by an advisor of what the model would grant names a category (income not
proven, documents missing...) that the letter gives the applicant instead of the model's
factors. The column is nullable: existing decisions keep their hashes (a record's hash
covers its non-null columns) and read back with no category.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from credit_scoring.db.append_only import protect, unprotect
from credit_scoring.db.models import TABLE_PREFIX as P

revision = "0006_decision_category"
down_revision = "0005_applications"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN (no table copy on SQLite): the append-only triggers stay in place.
    op.add_column(f"{P}decisions", sa.Column("reason_category", sa.String(32), nullable=True))


def downgrade() -> None:
    bind = op.get_bind()
    # SQLite copies a table to drop a column: lift the triggers for the copy, then restore.
    unprotect(bind, f"{P}decisions")
    with op.batch_alter_table(f"{P}decisions") as batch:
        batch.drop_column("reason_category")
    protect(bind, f"{P}decisions")
