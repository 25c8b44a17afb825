"""Audit tables the database itself keeps append-only: triggers refusing UPDATE and DELETE.

``protect(bind, table)`` installs the triggers on SQLite, MariaDB and PostgreSQL (and
TRUNCATE on PostgreSQL); ``unprotect`` removes them. A migration that creates a new audit
table calls ``protect(op.get_bind(), f"{P}table")`` after creating it (and
``audit_chain.start_chain`` to give it a hash chain), and lists it in ``AUDIT_TABLES``.

A new audit table declares its times with ``models.AuditTime`` and its floats with
``models.AuditFloat`` (MariaDB's plain DATETIME and FLOAT round what the hash covered),
and its rows are written with ``audit_chain.append`` (never ``session.add``).

``grant_statements`` writes the grants of a database user that may only read and append
the audit tables (the API's user in compose), for MariaDB and PostgreSQL.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

from credit_scoring.db.models import TABLE_PREFIX

# Audit tables, without the prefix; each has a hash chain (see audit_chain) and triggers.
# Other areas add theirs here (applications' immutable scores, authentication events).
AUDIT_TABLES: tuple[str, ...] = (
    "decisions",
    "score_log",
    "data_access_events",
    "auth_events",
    "scores",
    "outcomes",
    "shadow_scores",
    "applicant_access_events",
)
# What the API may write besides appending to the audit tables (it reads every table).
# Other areas add their tables here (login state, token denylist...).
API_WRITES: dict[str, str] = {
    "users": "INSERT, UPDATE",  # failed logins, lock-out
    "applications": "INSERT, UPDATE",  # intake; status scored -> referred -> decided
    "clients": "INSERT",  # new applicants become clients
    "feature_vectors": "INSERT",  # the new applicant's features (what their score used)
    "champion_history": "INSERT",
    "audit_chain_heads": "UPDATE",  # the chains' last links (never deleted)
    "audit_spool_progress": "INSERT, UPDATE, DELETE",  # how far each spool segment is shipped
    "applicant_access_codes": "INSERT, UPDATE",  # issued, failures counted, revoked
    "applicant_sessions": "INSERT, UPDATE",  # sign-in, logout
    "review_requests": "INSERT, UPDATE",  # asked by the applicant, closed by a decision
    "rectification_requests": "INSERT",
}


def _function_name() -> str:
    return f"{TABLE_PREFIX}audit_refuse_change"


def protect_statements(dialect: str, table: str) -> list[str]:
    """DDL that makes ``table`` (prefixed name) refuse UPDATE and DELETE on this dialect."""
    if dialect == "sqlite":
        return [
            f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {op} refused'); END"
            for op in ("UPDATE", "DELETE")
        ]
    if dialect in ("mysql", "mariadb"):
        return [
            f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table} FOR EACH ROW "
            f"SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '{table} is append-only: {op} refused'"
            for op in ("UPDATE", "DELETE")
        ]
    if dialect == "postgresql":
        function = _function_name()
        return [
            f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP "
            "USING ERRCODE = 'insufficient_privilege'; END $$",
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {function}()",
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
        ]
    raise ValueError(f"append-only triggers are not written for the {dialect} dialect")


def unprotect_statements(dialect: str, table: str) -> list[str]:
    if dialect in ("sqlite", "mysql", "mariadb"):
        return [f"DROP TRIGGER IF EXISTS {table}_no_{op}" for op in ("update", "delete")]
    if dialect == "postgresql":
        return [
            f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
            f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}",
        ]
    raise ValueError(f"append-only triggers are not written for the {dialect} dialect")


def protect(bind: Connection, table: str) -> None:
    """Install the append-only triggers on ``table`` (prefixed name) through ``bind``."""
    for sql in protect_statements(bind.dialect.name, table):
        bind.execute(text(sql))


def unprotect(bind: Connection, table: str) -> None:
    for sql in unprotect_statements(bind.dialect.name, table):
        bind.execute(text(sql))


def grant_statements(dialect: str, user: str, *, database: str | None = None) -> list[str]:
    """Grants of an application user: SELECT and INSERT only on the audit tables.

    ``user`` is quoted as the dialect wants it (``'api'@'%'`` on MariaDB, ``api`` on
    PostgreSQL); ``database`` is the MariaDB schema (PostgreSQL grants in the current one).
    Other tables get what the API needs; the migration user owns the schema.
    """
    p = TABLE_PREFIX
    writes = {f"{p}{t}": "INSERT" for t in AUDIT_TABLES}
    writes |= {f"{p}{t}": rights for t, rights in API_WRITES.items()}
    if dialect in ("mysql", "mariadb"):
        schema = f"`{database}`." if database else ""
        out = [f"GRANT SELECT ON {schema}* TO {user}"]
        return out + [f"GRANT {r} ON {schema}{t} TO {user}" for t, r in writes.items()]
    if dialect == "postgresql":
        out = [f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {user}"]
        out += [f"GRANT {r} ON {t} TO {user}" for t, r in writes.items()]
        out.append(f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {user}")
        return out
    raise ValueError(f"grants are not written for the {dialect} dialect")
