"""outcomes: what became of each granted loan (append-only, hash-chained)

Revision ID: 0007_outcomes
Revises: 0006_decision_category

A new, empty table: ``credit-scoring outcomes load`` and ``POST /outcomes`` append to it,
``db load`` of a Kaggle train folder records ``TARGET`` there. Append-only (triggers) and
chained like the other audit tables, so a back-test reads outcomes nobody rewrote.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

from credit_scoring.db.append_only import protect, unprotect
from credit_scoring.db.audit_chain import start_chain
from credit_scoring.db.models import TABLE_PREFIX as P

revision = "0007_outcomes"
down_revision = "0006_decision_category"
branch_labels = None
depends_on = None

_TIME = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")


def upgrade() -> None:
    bind = op.get_bind()
    op.create_table(
        f"{P}outcomes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("sk_id_curr", sa.BigInteger(), nullable=False),
        sa.Column("defaulted", sa.Boolean(), nullable=False),
        sa.Column("observed_on", sa.Date(), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("source", sa.String(255), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=True),
        sa.Column("row_hash", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=f"pk_{P}outcomes"),
    )
    op.create_index(f"ix_{P}outcomes_application", f"{P}outcomes", ["application_id"])
    start_chain(bind, "outcomes")
    protect(bind, f"{P}outcomes")


def downgrade() -> None:
    bind = op.get_bind()
    unprotect(bind, f"{P}outcomes")
    op.execute(
        sa.text(f"DELETE FROM {P}audit_chain_heads WHERE table_name = :name").bindparams(
            name="outcomes"
        )
    )
    op.drop_index(f"ix_{P}outcomes_application", table_name=f"{P}outcomes")
    op.drop_table(f"{P}outcomes")
