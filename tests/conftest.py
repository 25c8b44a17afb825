"""Fixtures and hooks shared by every test folder."""

from __future__ import annotations

import pytest


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Start Spark's JVM before any test runs when Spark tests are selected.

    PySpark launches its Java gateway with ``Popen(preexec_fn=...)``, which is not safe once
    other threads exist (DuckDB, LightGBM, the API's log writer started by earlier tests):
    the forked child can crash and Spark reports JAVA_GATEWAY_EXITED. Started here, in a
    process that has no extra threads yet, the one session serves every Spark test.
    """
    if any(item.get_closest_marker("spark") for item in items):
        from credit_scoring.features.engines import spark_session

        spark_session()
