"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-21 13:02:53.087374
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from credit_scoring.db.models import TABLE_PREFIX as P

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        f"{P}champion_history",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("model_name", sa.String(length=128), nullable=False),
        sa.Column("model_version", sa.String(length=64), nullable=False),
        sa.Column("since", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=(f"pk_{P}champion_history")),
    )
    op.create_table(
        f"{P}client_scores",
        sa.Column("sk_id_curr", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("model_version", sa.String(length=64), nullable=False),
        sa.Column("probability", sa.Float(), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("sk_id_curr", "model_version", name=(f"pk_{P}client_scores")),
    )
    op.create_index(
        f"ix_{P}client_scores_version", f"{P}client_scores", ["model_version"], unique=False
    )

    op.create_table(
        f"{P}clients",
        sa.Column("sk_id_curr", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("is_train", sa.Boolean(), nullable=False),
        sa.Column("target", sa.Integer(), nullable=True),
        sa.Column("gender", sa.String(length=8), nullable=True),
        sa.Column("age_years", sa.Float(), nullable=True),
        sa.Column("income_total", sa.Float(), nullable=True),
        sa.Column("contract_type", sa.String(length=32), nullable=True),
        sa.Column("amount_credit", sa.Float(), nullable=True),
        sa.Column("family_status", sa.String(length=64), nullable=True),
        sa.Column("children", sa.Integer(), nullable=True),
        sa.Column("education", sa.String(length=64), nullable=True),
        sa.Column("income_type", sa.String(length=64), nullable=True),
        sa.Column("occupation", sa.String(length=64), nullable=True),
        sa.Column("years_employed", sa.Float(), nullable=True),
        sa.Column("owns_car", sa.Boolean(), nullable=True),
        sa.Column("owns_realty", sa.Boolean(), nullable=True),
        sa.Column("application_json", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("sk_id_curr", name=(f"pk_{P}clients")),
    )
    op.create_index(f"ix_{P}clients_age_years", f"{P}clients", ["age_years"], unique=False)
    op.create_index(f"ix_{P}clients_contract_type", f"{P}clients", ["contract_type"], unique=False)
    op.create_index(f"ix_{P}clients_gender", f"{P}clients", ["gender"], unique=False)
    op.create_index(f"ix_{P}clients_income_total", f"{P}clients", ["income_total"], unique=False)

    op.create_table(
        f"{P}decisions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("sk_id_curr", sa.BigInteger(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("decision", sa.String(length=8), nullable=False),
        sa.Column("model_decision", sa.String(length=8), nullable=False),
        sa.Column("probability", sa.Float(), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("model_version", sa.String(length=64), nullable=False),
        sa.Column("override", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=(f"pk_{P}decisions")),
    )
    op.create_index(f"ix_{P}decisions_client", f"{P}decisions", ["sk_id_curr"], unique=False)

    op.create_table(
        f"{P}feature_sets",
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("columns", sa.JSON(), nullable=False),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("version", name=(f"pk_{P}feature_sets")),
    )
    op.create_table(
        f"{P}score_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("route", sa.String(length=64), nullable=False),
        sa.Column("sk_id_curr", sa.BigInteger(), nullable=True),
        sa.Column("inputs_digest", sa.String(length=64), nullable=False),
        sa.Column("model_version", sa.String(length=64), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("probability", sa.Float(), nullable=False),
        sa.Column("decision", sa.String(length=8), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=(f"pk_{P}score_log")),
    )
    op.create_table(
        f"{P}users",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=(f"pk_{P}users")),
        sa.UniqueConstraint("username", name=(f"uq_{P}users_username")),
    )
    op.create_table(
        f"{P}feature_vectors",
        sa.Column("sk_id_curr", sa.BigInteger(), nullable=False),
        sa.Column("feature_set", sa.String(length=64), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["feature_set"],
            [f"{P}feature_sets.version"],
            name=(f"fk_{P}feature_vectors_feature_set"),
        ),
        sa.ForeignKeyConstraint(
            ["sk_id_curr"], [f"{P}clients.sk_id_curr"], name=(f"fk_{P}feature_vectors_sk_id_curr")
        ),
        sa.PrimaryKeyConstraint("sk_id_curr", "feature_set", name=(f"pk_{P}feature_vectors")),
    )
    op.create_table(
        f"{P}loans",
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("loan_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("sk_id_curr", sa.BigInteger(), nullable=False),
        sa.Column("contract_type", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=True),
        sa.Column("amount_credit", sa.Float(), nullable=True),
        sa.Column("amount_annuity", sa.Float(), nullable=True),
        sa.Column("days_start", sa.Float(), nullable=True),
        sa.Column("days_end", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["sk_id_curr"], [f"{P}clients.sk_id_curr"], name=(f"fk_{P}loans_sk_id_curr")
        ),
        sa.PrimaryKeyConstraint("source", "loan_id", name=(f"pk_{P}loans")),
    )
    op.create_index(f"ix_{P}loans_client", f"{P}loans", ["sk_id_curr"], unique=False)

    op.create_table(
        f"{P}transactions",
        sa.Column("sk_id_curr", sa.BigInteger(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("months_balance", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("loans", sa.Integer(), nullable=False),
        sa.Column("balance", sa.Float(), nullable=True),
        sa.Column("payment", sa.Float(), nullable=True),
        sa.Column("max_days_past_due", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["sk_id_curr"], [f"{P}clients.sk_id_curr"], name=(f"fk_{P}transactions_sk_id_curr")
        ),
        sa.PrimaryKeyConstraint(
            "sk_id_curr", "source", "months_balance", name=(f"pk_{P}transactions")
        ),
    )


def downgrade() -> None:
    # Dropping a table drops its indexes (MariaDB refuses to drop an FK's index first).
    op.drop_table(f"{P}transactions")

    op.drop_table(f"{P}loans")
    op.drop_table(f"{P}feature_vectors")
    op.drop_table(f"{P}users")
    op.drop_table(f"{P}score_log")
    op.drop_table(f"{P}feature_sets")

    op.drop_table(f"{P}decisions")

    op.drop_table(f"{P}clients")

    op.drop_table(f"{P}client_scores")
    op.drop_table(f"{P}champion_history")
