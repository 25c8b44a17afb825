"""Execution engines for the feature expressions: DuckDB (default) and local PySpark.

Nothing starts at import time: the Spark session is created on first use, once
per process, with settings sized for a laptop (two cores, few shuffle partitions,
no web UI, quiet logs).
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

import ibis

from credit_scoring.config import ImportTimeSettings

if TYPE_CHECKING:
    from ibis.backends import BaseBackend

ENGINES = ("duckdb", "spark")
DUCKDB_THREADS = 2
DUCKDB_MEMORY_LIMIT = ImportTimeSettings().duckdb_memory


def duckdb_backend(
    *, threads: int = DUCKDB_THREADS, memory_limit: str = DUCKDB_MEMORY_LIMIT
) -> BaseBackend:
    """A fresh in-memory DuckDB backend with bounded threads and memory (spills to disk)."""
    return ibis.duckdb.connect(
        threads=threads, memory_limit=memory_limit, preserve_insertion_order=False
    )


@lru_cache(maxsize=1)
def spark_session() -> Any:
    """The process-wide local SparkSession (``local[2]``), created lazily."""
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("credit-scoring-features")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.default.parallelism", "2")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.memory", ImportTimeSettings().spark_memory)
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return session


def spark_backend() -> BaseBackend:
    return ibis.pyspark.connect(spark_session())


def backend(engine: str) -> BaseBackend:
    if engine == "duckdb":
        return duckdb_backend()
    if engine == "spark":
        return spark_backend()
    raise ValueError(f"unknown engine {engine!r}: choose one of {', '.join(ENGINES)}")
