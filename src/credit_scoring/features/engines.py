"""Execution engines for the feature expressions: DuckDB (default) and local PySpark.

Nothing starts at import time: the Spark session is created on first use, once
per process, with settings sized for a laptop (two cores, few shuffle partitions,
no web UI, quiet logs).
"""

from __future__ import annotations

import os
import sys
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
    """The process-wide local SparkSession (``local[2]``), created lazily.

    Spark's Python workers run the interpreter that runs this process
    (``sys.executable``), not the first ``python3`` on ``PATH``: a scheduler that
    calls ``<venv>/bin/credit-scoring`` by its path, without the virtual environment
    on ``PATH``, would otherwise start workers that cannot import ``credit_scoring``.
    """
    from pyspark.sql import SparkSession

    # Read when the JVM and its worker factory start; the conf key below wins over the
    # environment, the environment covers code that reads it directly (pyspark's own).
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
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
        .config("spark.pyspark.python", sys.executable)
        .config("spark.pyspark.driver.python", sys.executable)
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
