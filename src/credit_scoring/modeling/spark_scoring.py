"""Batch scoring on Spark, for portfolios that outgrow one machine.

The features are built by the same Ibis definitions on the PySpark engine
(``build_feature_table(prepared, engine="spark")``: the history aggregations,
the heavy part, run on Spark). The feature rows are then scored on the
executors with a pandas UDF (``mapInPandas``): each partition unpickles the
champion once from a broadcast variable and calls the same
:func:`~credit_scoring.modeling.batch.score_frame` as the DuckDB path (the champion's one
scoring path, also the online one), so the probabilities, decisions and reasons are identical.

Known limit: ``build_feature_table`` collects the per-table aggregates and joins
them on the driver before scoring, so the driver must hold the feature table of
the portfolio (about 1 KB per client per 100 features); the aggregations and the
scoring are distributed.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from credit_scoring.core.results import Lang
from credit_scoring.data.loading import DataError, PreparedData
from credit_scoring.modeling.batch import (
    REASONS,
    BatchResult,
    reason_columns,
    score_frame,
    write_scores,
)
from credit_scoring.modeling.scorer import ChampionScorer


def output_schema(top: int = REASONS) -> str:
    """The Spark DDL schema of the scores :func:`score_frame` gives, for ``mapInPandas``.

    Parameters
    ----------
    top : int, default=REASONS
        Reasons in each direction.

    Returns
    -------
    str
        ``"SK_ID_CURR long, probability double, ..."``, then each of
        :func:`~credit_scoring.modeling.batch.reason_columns` as a string.

    Examples
    --------
    >>> output_schema(0)
    'SK_ID_CURR long, probability double, decision string, grade string, points double'
    """
    reasons = [f"{name} string" for name in reason_columns(top)]
    return ", ".join(
        [
            "SK_ID_CURR long",
            "probability double",
            "decision string",
            "grade string",
            "points double",
            *reasons,
        ]
    )


def _spark_ready(features: pd.DataFrame) -> pd.DataFrame:
    """Categories as plain strings (Spark has no categorical type; the scorer re-encodes them)."""
    out = features.copy()
    for col in out.columns:
        if isinstance(out[col].dtype, pd.CategoricalDtype):
            out[col] = out[col].astype(object).where(out[col].notna(), None)
    return out


def score_features_on_spark(
    scorer: ChampionScorer,
    features: pd.DataFrame,
    *,
    lang: Lang = "fr",
    spark: Any = None,
    partitions: int | None = None,
) -> pd.DataFrame:
    """Score a feature table on Spark: ``SK_ID_CURR, probability, decision`` and reasons.

    The champion is pickled once and broadcast; each partition unpickles it and scores its
    rows with :func:`~credit_scoring.modeling.batch.score_frame` on one LightGBM thread
    (Spark runs a task per core), with :data:`~credit_scoring.modeling.batch.REASONS`
    reasons in each direction.

    Parameters
    ----------
    scorer : ChampionScorer
        The champion.
    features : pandas.DataFrame
        Feature rows with ``SK_ID_CURR`` and the model's columns (others are dropped).
    lang : {"fr", "en"}, default="fr"
        Language of the reason texts.
    spark : SparkSession, optional
        The session to use (default: the project's, ``features.engines.spark_session``).
    partitions : int, optional
        Repartition the rows into this many partitions before scoring.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`output_schema`, one row per client, sorted by ``SK_ID_CURR``.
    """
    from credit_scoring.features.engines import spark_session

    spark = spark or spark_session()
    columns = ["SK_ID_CURR", *scorer.feature_names]
    frame = spark.createDataFrame(_spark_ready(features[columns]))
    if partitions:
        frame = frame.repartition(partitions)
    payload = spark.sparkContext.broadcast(pickle.dumps(scorer))

    def score_partition(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        model: ChampionScorer = pickle.loads(payload.value)  # once per partition
        for batch in batches:
            if len(batch):
                # Spark runs a task per core: one LightGBM thread each
                yield score_frame(model, batch, lang=lang, top=REASONS, num_threads=1)

    try:
        result = frame.mapInPandas(score_partition, schema=output_schema()).toPandas()
    finally:
        payload.unpersist()
    return result.sort_values("SK_ID_CURR", kind="stable").reset_index(drop=True)


def score_prepared_on_spark(
    scorer: ChampionScorer,
    prepared: PreparedData,
    out: Path,
    *,
    lang: Lang = "fr",
    on_step: Callable[[str], None] | None = None,
    finish: Callable[[pd.DataFrame], pd.DataFrame] | None = None,
) -> BatchResult:
    """Features on Spark, scores on Spark, for every row of ``application_test``; write the CSV.

    Parameters
    ----------
    scorer : ChampionScorer
        The champion.
    prepared : PreparedData
        The source tables in Kaggle layout, ``application_test`` among them.
    out : Path
        The scores CSV to write (atomically, :func:`~credit_scoring.modeling.batch.write_scores`).
    lang : {"fr", "en"}, default="fr"
        Language of the reason texts.
    on_step : callable, optional
        Called with a message at each step (progress).
    finish : callable, optional
        Applied on the driver to the scores once they come back from Spark, before they
        are written (the CLI passes the credit committee's rules,
        :func:`credit_scoring.lending.batch.apply_policy`, the same as the DuckDB path's).

    Returns
    -------
    BatchResult
        The rows written, the time taken (features and scores) and the file.

    Raises
    ------
    DataError
        If ``prepared`` has no ``application_test`` table.
    """
    import time

    from credit_scoring.features.batch import build_feature_table

    if not prepared.has("application_test"):
        raise DataError(
            prepared.source_dir,
            "has no application_test table.",
            hint="Give a folder in Kaggle layout with application_test.csv(.gz) or .parquet.",
        )
    step = on_step or (lambda _: None)
    started = time.perf_counter()
    table = build_feature_table(prepared, engine="spark", on_step=step)
    ids = prepared.read("application_test", columns=["SK_ID_CURR"])["SK_ID_CURR"]
    features = table[table["SK_ID_CURR"].isin(ids)].reset_index(drop=True)
    step(f"Scoring {len(features):,} clients on Spark")
    result = score_features_on_spark(scorer, features, lang=lang)
    if finish is not None:
        result = finish(result)
    out = write_scores(result, out)
    return BatchResult(rows=len(result), seconds=time.perf_counter() - started, out=out)
