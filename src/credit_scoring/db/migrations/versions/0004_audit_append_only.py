"""audit tables append-only and hash-chained; data-access events; feature vector versions

Revision ID: 0004_audit_append_only
Revises: 0003_auth_security

Upgrades a populated database in place: existing decisions and score log records are
chained in id order (before the triggers exist), existing feature vectors get their sha.
On MariaDB the audit tables' times keep microseconds and their probabilities full doubles,
so that a record's hash matches what is read back.
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

from credit_scoring.db.append_only import protect, unprotect
from credit_scoring.db.audit_chain import start_chain
from credit_scoring.db.models import TABLE_PREFIX as P

revision = "0004_audit_append_only"
down_revision = "0003_auth_security"
branch_labels = None
depends_on = None

CHAINED = ("decisions", "score_log", "data_access_events", "auth_events")
_TIME = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")


def _hash_columns() -> list[sa.Column]:
    return [sa.Column("prev_hash", sa.String(64)), sa.Column("row_hash", sa.String(64))]


def _backfill_vector_sha(bind: sa.Connection) -> None:
    fv = sa.table(
        f"{P}feature_vectors",
        sa.column("sk_id_curr", sa.BigInteger),
        sa.column("feature_set", sa.String),
        sa.column("vector", sa.LargeBinary),
        sa.column("vector_sha", sa.String),
    )
    result = bind.execute(sa.select(fv.c.sk_id_curr, fv.c.feature_set, fv.c.vector))
    while rows := result.fetchmany(5_000):
        bind.execute(
            sa.update(fv)
            .where(fv.c.sk_id_curr == sa.bindparam("_id"), fv.c.feature_set == sa.bindparam("_set"))
            .values(vector_sha=sa.bindparam("_sha")),
            [
                {
                    "_id": r[0],
                    "_set": r[1],
                    "_sha": hashlib.sha256(r[1].encode() + bytes(r[2])).hexdigest(),
                }
                for r in rows
            ],
        )


def upgrade() -> None:
    bind = op.get_bind()
    op.create_table(
        f"{P}data_access_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("route", sa.String(64), nullable=False),
        sa.Column("sk_id_curr", sa.BigInteger(), nullable=True),
        *_hash_columns(),
        sa.PrimaryKeyConstraint("id", name=f"pk_{P}data_access_events"),
    )
    op.create_index(f"ix_{P}data_access_events_client", f"{P}data_access_events", ["sk_id_curr"])
    op.create_table(
        f"{P}audit_chain_heads",
        sa.Column("table_name", sa.String(64), nullable=False),
        sa.Column("records", sa.BigInteger(), nullable=False),
        sa.Column("last_id", sa.BigInteger(), nullable=False),
        sa.Column("last_hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("table_name", name=f"pk_{P}audit_chain_heads"),
    )
    op.create_table(
        f"{P}audit_spool_progress",
        sa.Column("segment", sa.String(255), nullable=False),
        sa.Column("shipped_bytes", sa.BigInteger(), nullable=False),
        sa.Column("shipped_records", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("segment", name=f"pk_{P}audit_spool_progress"),
    )
    op.create_table(
        f"{P}feature_vector_versions",
        sa.Column("sk_id_curr", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("feature_set", sa.String(64), nullable=False),
        sa.Column("vector_sha", sa.String(64), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.Column("replaced_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint(
            "sk_id_curr", "feature_set", "vector_sha", name=f"pk_{P}feature_vector_versions"
        ),
    )
    op.add_column(f"{P}feature_vectors", sa.Column("vector_sha", sa.String(64), nullable=True))
    _backfill_vector_sha(bind)

    for name in ("decisions", "score_log", "auth_events"):
        for hash_column in _hash_columns():
            op.add_column(f"{P}{name}", hash_column)
    op.add_column(f"{P}score_log", sa.Column("features_sha", sa.String(64), nullable=True))
    if bind.dialect.name in ("mysql", "mariadb"):
        for name in ("decisions", "score_log"):
            op.alter_column(
                f"{P}{name}", "created_at", type_=mysql.DATETIME(fsp=6), existing_nullable=False
            )
            for column in ("probability", "threshold"):
                op.alter_column(f"{P}{name}", column, type_=sa.Double(), existing_nullable=False)
        op.alter_column(
            f"{P}auth_events", "created_at", type_=mysql.DATETIME(fsp=6), existing_nullable=False
        )
    for name in CHAINED:
        start_chain(bind, name)
        protect(bind, f"{P}{name}")


def downgrade() -> None:
    bind = op.get_bind()
    for name in CHAINED:
        unprotect(bind, f"{P}{name}")
    if bind.dialect.name in ("mysql", "mariadb"):
        for name in ("decisions", "score_log"):
            op.alter_column(
                f"{P}{name}", "created_at", type_=sa.DateTime(), existing_nullable=False
            )
            for column in ("probability", "threshold"):
                op.alter_column(f"{P}{name}", column, type_=sa.Float(), existing_nullable=False)
        op.alter_column(
            f"{P}auth_events", "created_at", type_=sa.DateTime(), existing_nullable=False
        )
    with op.batch_alter_table(f"{P}auth_events") as batch:
        for column in ("prev_hash", "row_hash"):
            batch.drop_column(column)
    with op.batch_alter_table(f"{P}score_log") as batch:
        for column in ("features_sha", "prev_hash", "row_hash"):
            batch.drop_column(column)
    with op.batch_alter_table(f"{P}decisions") as batch:
        for column in ("prev_hash", "row_hash"):
            batch.drop_column(column)
    with op.batch_alter_table(f"{P}feature_vectors") as batch:
        batch.drop_column("vector_sha")
    op.drop_table(f"{P}feature_vector_versions")
    op.drop_table(f"{P}audit_spool_progress")
    op.drop_table(f"{P}audit_chain_heads")
    op.drop_table(f"{P}data_access_events")
    if bind.dialect.name == "postgresql":
        op.execute(f"DROP FUNCTION IF EXISTS {P}audit_refuse_change()")
