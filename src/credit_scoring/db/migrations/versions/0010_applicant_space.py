"""applicant space: access codes, sessions, access events, review and rectification requests

Revision ID: 0010_applicant_space
Revises: 0009_user_language

An applicant signs in to their own space with the application number, the personal code
of their letter (only its hash is stored) and their birth date. Every access is an
applicant access event: append-only (triggers) and hash-chained like the other audit
tables. Review requests (GDPR Art. 22(3)) and rectification requests (Art. 16) are the
applicant's writes; a review is closed by the advisor's next decision.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

from credit_scoring.db.append_only import protect, unprotect
from credit_scoring.db.audit_chain import start_chain
from credit_scoring.db.models import TABLE_PREFIX as P

revision = "0010_applicant_space"
down_revision = "0009_user_language"
branch_labels = None
depends_on = None

_TIME = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")


def upgrade() -> None:
    bind = op.get_bind()
    op.create_table(
        f"{P}applicant_access_codes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(255), nullable=False),
        sa.Column("issued_by", sa.String(64), nullable=False),
        sa.Column("issued_at", _TIME, nullable=False),
        sa.Column("revoked_at", _TIME, nullable=True),
        sa.Column("revoked_reason", sa.String(32), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("id", name=f"pk_{P}applicant_access_codes"),
    )
    op.create_index(
        f"ix_{P}applicant_access_codes_application",
        f"{P}applicant_access_codes",
        ["application_id"],
    )
    op.create_table(
        f"{P}applicant_sessions",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("code_id", sa.Integer(), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("expires_at", _TIME, nullable=False),
        sa.Column("ended_at", _TIME, nullable=True),
        sa.PrimaryKeyConstraint("id", name=f"pk_{P}applicant_sessions"),
    )
    op.create_table(
        f"{P}applicant_access_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=True),
        sa.Column("session_id", sa.String(32), nullable=True),
        sa.Column("actor", sa.String(64), nullable=True),
        sa.Column("event", sa.String(16), nullable=False),
        sa.Column("route", sa.String(64), nullable=True),
        sa.Column("target_id", sa.Integer(), nullable=True),
        sa.Column("client_address", sa.String(45), nullable=True),
        sa.Column("detail", sa.String(255), nullable=True),
        sa.Column("prev_hash", sa.String(64), nullable=True),
        sa.Column("row_hash", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=f"pk_{P}applicant_access_events"),
    )
    op.create_index(
        f"ix_{P}applicant_access_events_application",
        f"{P}applicant_access_events",
        ["application_id"],
    )
    start_chain(bind, "applicant_access_events")
    protect(bind, f"{P}applicant_access_events")
    op.create_table(
        f"{P}review_requests",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("requested_at", _TIME, nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("attachments", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(8), nullable=False, server_default="open"),
        sa.Column("closed_at", _TIME, nullable=True),
        sa.Column("decision_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=f"pk_{P}review_requests"),
    )
    op.create_index(f"ix_{P}review_requests_application", f"{P}review_requests", ["application_id"])
    op.create_table(
        f"{P}rectification_requests",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("item", sa.String(64), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name=f"pk_{P}rectification_requests"),
    )
    op.create_index(
        f"ix_{P}rectification_requests_application",
        f"{P}rectification_requests",
        ["application_id"],
    )


def downgrade() -> None:
    bind = op.get_bind()
    for name in ("rectification_requests", "review_requests"):
        op.drop_index(f"ix_{P}{name}_application", table_name=f"{P}{name}")
        op.drop_table(f"{P}{name}")
    unprotect(bind, f"{P}applicant_access_events")
    op.execute(
        sa.text(f"DELETE FROM {P}audit_chain_heads WHERE table_name = :name").bindparams(
            name="applicant_access_events"
        )
    )
    op.drop_index(
        f"ix_{P}applicant_access_events_application", table_name=f"{P}applicant_access_events"
    )
    op.drop_table(f"{P}applicant_access_events")
    op.drop_table(f"{P}applicant_sessions")
    op.drop_index(
        f"ix_{P}applicant_access_codes_application", table_name=f"{P}applicant_access_codes"
    )
    op.drop_table(f"{P}applicant_access_codes")
