"""Alembic environment: the URL and connection come from the caller (``db.migrate``)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from credit_scoring.db.models import Base

config = context.config
target_metadata = Base.metadata
_VERSION_TABLE = config.get_main_option("version_table") or "alembic_version"


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            version_table=_VERSION_TABLE,
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as conn:
        context.configure(
            connection=conn,
            target_metadata=target_metadata,
            render_as_batch=conn.dialect.name == "sqlite",
            version_table=_VERSION_TABLE,
        )
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
