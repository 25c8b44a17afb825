"""applications and their immutable scores; decisions and score log records name the score

Revision ID: 0005_applications
Revises: 0004_audit_append_only

Upgrades a populated database in place: the new tables start empty (``db load`` turns each
loaded client's current application into an application with its score), and the new
columns of ``decisions`` and ``score_log`` are nullable, so existing records keep their
hashes (a record's hash covers its non-null columns) and stay readable as they were.
``scores`` is append-only (triggers) and hash-chained like the other audit tables.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

from credit_scoring.db.append_only import protect, unprotect
from credit_scoring.db.audit_chain import start_chain
from credit_scoring.db.models import TABLE_PREFIX as P

revision = "0005_applications"
down_revision = "0004_audit_append_only"
branch_labels = None
depends_on = None

_TIME = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")


def upgrade() -> None:
    bind = op.get_bind()
    op.create_table(
        f"{P}applications",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("sk_id_curr", sa.BigInteger(), nullable=False),
        sa.Column("source", sa.String(8), nullable=False),
        sa.Column("new_client", sa.Boolean(), nullable=False),
        sa.Column("contract_type", sa.String(32), nullable=True),
        sa.Column("amount_credit", sa.Float(), nullable=True),
        sa.Column("amount_goods_price", sa.Float(), nullable=True),
        sa.Column("term_months", sa.Integer(), nullable=True),
        sa.Column("monthly_annuity", sa.Float(), nullable=True),
        sa.Column("declared", sa.JSON(), nullable=False),
        sa.Column("application_row", sa.JSON(), nullable=False),
        sa.Column("entered_by", sa.String(64), nullable=False),
        sa.Column("entered_at", _TIME, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("decided_at", _TIME, nullable=True),
        sa.Column("idempotency_key", sa.String(128), nullable=True),
        sa.PrimaryKeyConstraint("id", name=f"pk_{P}applications"),
        sa.UniqueConstraint("entered_by", "idempotency_key", name=f"uq_{P}applications_idem"),
    )
    op.create_index(f"ix_{P}applications_client", f"{P}applications", ["sk_id_curr"])
    op.create_index(f"ix_{P}applications_status", f"{P}applications", ["status", "entered_at"])
    op.create_table(
        f"{P}scores",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("model_name", sa.String(128), nullable=False),
        sa.Column("model_version", sa.String(64), nullable=False),
        sa.Column("feature_set", sa.String(64), nullable=True),
        sa.Column("features_sha", sa.String(64), nullable=True),
        sa.Column("inputs_digest", sa.String(64), nullable=False),
        sa.Column("probability", sa.Double(), nullable=False),
        sa.Column("threshold", sa.Double(), nullable=False),
        sa.Column("model_decision", sa.String(8), nullable=False),
        sa.Column("decision", sa.String(8), nullable=False),
        sa.Column("grade", sa.String(2), nullable=True),
        sa.Column("points", sa.Double(), nullable=True),
        sa.Column("policy_version", sa.String(64), nullable=True),
        sa.Column("policy", sa.JSON(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("lang", sa.String(2), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=True),
        sa.Column("row_hash", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=f"pk_{P}scores"),
    )
    op.create_index(f"ix_{P}scores_application", f"{P}scores", ["application_id"])
    # Plain ADD COLUMN (no table copy on SQLite): the append-only triggers stay in place.
    op.add_column(f"{P}decisions", sa.Column("application_id", sa.Integer(), nullable=True))
    op.add_column(f"{P}decisions", sa.Column("score_id", sa.Integer(), nullable=True))
    op.add_column(f"{P}score_log", sa.Column("score_id", sa.Integer(), nullable=True))
    start_chain(bind, "scores")
    protect(bind, f"{P}scores")


def downgrade() -> None:
    bind = op.get_bind()
    unprotect(bind, f"{P}scores")
    # SQLite copies a table to drop a column: lift the triggers for the copy, then restore.
    for name, columns in (
        ("decisions", ("application_id", "score_id")),
        ("score_log", ("score_id",)),
    ):
        unprotect(bind, f"{P}{name}")
        with op.batch_alter_table(f"{P}{name}") as batch:
            for column in columns:
                batch.drop_column(column)
        protect(bind, f"{P}{name}")
    op.execute(
        sa.text(f"DELETE FROM {P}audit_chain_heads WHERE table_name = :name").bindparams(
            name="scores"
        )
    )
    op.drop_index(f"ix_{P}scores_application", table_name=f"{P}scores")
    op.drop_table(f"{P}scores")
    op.drop_index(f"ix_{P}applications_status", table_name=f"{P}applications")
    op.drop_index(f"ix_{P}applications_client", table_name=f"{P}applications")
    op.drop_table(f"{P}applications")
