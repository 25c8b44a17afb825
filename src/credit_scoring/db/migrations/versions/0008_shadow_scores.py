"""shadow_scores: the challenger's scores beside the champion's (append-only, hash-chained)

Revision ID: 0008_shadow_scores
Revises: 0007_outcomes

A new, empty table: when a model holds the ``challenger`` alias, the API scores every
application the champion scores with it too, in the background, and appends the result here
(never shown, never deciding). The back-test compares both models on the same applications
once outcomes mature. Append-only (triggers) and chained like the other audit tables.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

from credit_scoring.db.append_only import protect, unprotect
from credit_scoring.db.audit_chain import start_chain
from credit_scoring.db.models import TABLE_PREFIX as P

revision = "0008_shadow_scores"
down_revision = "0007_outcomes"
branch_labels = None
depends_on = None

_TIME = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")


def upgrade() -> None:
    bind = op.get_bind()
    op.create_table(
        f"{P}shadow_scores",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("score_id", sa.Integer(), nullable=False),
        sa.Column("model_name", sa.String(128), nullable=False),
        sa.Column("model_version", sa.String(64), nullable=False),
        sa.Column("probability", sa.Double(), nullable=False),
        sa.Column("threshold", sa.Double(), nullable=False),
        sa.Column("model_decision", sa.String(8), nullable=False),
        sa.Column("grade", sa.String(2), nullable=True),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=True),
        sa.Column("row_hash", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=f"pk_{P}shadow_scores"),
    )
    op.create_index(f"ix_{P}shadow_scores_application", f"{P}shadow_scores", ["application_id"])
    start_chain(bind, "shadow_scores")
    protect(bind, f"{P}shadow_scores")


def downgrade() -> None:
    bind = op.get_bind()
    unprotect(bind, f"{P}shadow_scores")
    op.execute(
        sa.text(f"DELETE FROM {P}audit_chain_heads WHERE table_name = :name").bindparams(
            name="shadow_scores"
        )
    )
    op.drop_index(f"ix_{P}shadow_scores_application", table_name=f"{P}shadow_scores")
    op.drop_table(f"{P}shadow_scores")
