"""Database URLs of the integration tests: the CI servers' ``test`` databases by default.

``CREDIT_SCORING_TEST_MARIADB`` and ``CREDIT_SCORING_TEST_POSTGRESQL`` point them at other
databases, so that two checkouts can run their integration tests side by side.
"""

from __future__ import annotations

import os

MARIADB_URL = os.environ.get(
    "CREDIT_SCORING_TEST_MARIADB", "mysql+pymysql://root@127.0.0.1:3306/test"
)
POSTGRESQL_URL = os.environ.get(
    "CREDIT_SCORING_TEST_POSTGRESQL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
BACKENDS: dict[str, str | None] = {
    "sqlite": None,
    "mariadb": MARIADB_URL,
    "postgresql": POSTGRESQL_URL,
}
