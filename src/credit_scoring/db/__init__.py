"""Operational database: SQLAlchemy models, sessions, migrations, bulk load, repositories."""
