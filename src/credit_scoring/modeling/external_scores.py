"""Missing external credit scores estimated from the application, learned without outcomes.

The three external scores (``EXT_SOURCE_1`` to ``_3``) are the strongest inputs of the
model, but ``EXT_SOURCE_1`` is missing for about half of the applications and
``EXT_SOURCE_3`` for a fifth. A LightGBM regression per score learns it from the
application's own features (age, employment, amounts, region...) on every
application of the training folder that has it, labelled or not: the score itself is the
target, never the default outcome (no ``TARGET``), so nothing can leak from the folds.

The champion then sees, beside the raw scores (still missing where they are), the estimate
of scores 1 and 3 where the file lacks them (``_IMPUTED``: missing where the client has the
score), and the mean and product of the three scores *filled* (the client's own where
known, else the estimate). The application features with a declared direction on the risk
(income and the affordability ratios) are not inputs of the estimates, so the champion
stays monotone in them. On the real sample the four columns raise the out-of-fold ROC AUC
(``bench/README.md``). The estimates are only ever contributions to the external-score
reason (R01): their values are never quoted to an applicant as a score
(``explain.reasons``), and a client with no score at all hears what is missing and how to
supply it.

Fitted once per training run and carried by the champion, which adds the columns to any
feature table it scores (:class:`~credit_scoring.modeling.scorer.ChampionScorer`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd

from credit_scoring.explain.treeshap import Forest, compiled_forest, predict_raw
from credit_scoring.features.metadata import FeatureMeta, monotone_direction
from credit_scoring.modeling.derived import DerivedColumns

SCORES = ("EXT_SOURCE_1", "EXT_SOURCE_2", "EXT_SOURCE_3")
MIN_ROWS = 1_000  # fewer applications with a score: that score is not estimated
_GROUP = "EXT_SOURCE"  # the external-score fact (reason R01)


def _meta(name: str, en: str, fr: str) -> FeatureMeta:
    return FeatureMeta(
        name=name,
        source="application",
        description_en=en,
        description_fr=fr,
        unit="score",
        group=_GROUP,
        monotone=monotone_direction(name),
    )


METAS: dict[str, FeatureMeta] = {
    m.name: m
    for m in (
        _meta(
            "EXT_SOURCE_1_IMPUTED",
            "External score 1 estimated from the application, when missing",
            "Score externe 1 estimé d'après la demande, s'il manque",
        ),
        _meta(
            "EXT_SOURCE_3_IMPUTED",
            "External score 3 estimated from the application, when missing",
            "Score externe 3 estimé d'après la demande, s'il manque",
        ),
        _meta(
            "EXT_SOURCES_MEAN_FILLED",
            "Mean of the external scores, missing ones estimated",
            "Moyenne des scores externes, ceux qui manquent estimés",
        ),
        _meta(
            "EXT_SOURCES_PROD_FILLED",
            "Product of the external scores, missing ones estimated",
            "Produit des scores externes, ceux qui manquent estimés",
        ),
    )
}
NAMES = list(METAS)

_PARAMS: dict[str, Any] = {
    "objective": "regression",
    "learning_rate": 0.05,
    "num_leaves": 31,
    "min_child_samples": 100,
    "feature_fraction": 0.5,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "verbosity": -1,
    "seed": 1,
    "deterministic": True,
    "force_col_wise": True,
}
_ROUNDS = 400


def input_columns(columns: Sequence[str], metas: Mapping[str, FeatureMeta]) -> list[str]:
    """The application's own features, but for the external scores and declared directions.

    Parameters
    ----------
    columns : sequence of str
        A feature table's columns.
    metas : mapping of str to FeatureMeta
        Their metadata (the source table and group of each).

    Returns
    -------
    list of str
        The columns whose source is the application, whose group is not an external score
        and whose direction on the risk is not declared (so an estimate cannot undo a
        monotone constraint), in table order.
    """
    return [
        c
        for c in columns
        if (meta := metas.get(c)) is not None
        and meta.source == "application"
        and not meta.group.startswith(_GROUP)
        and not meta.monotone
    ]


class ExternalScoreModel(DerivedColumns):
    """Estimates each external score from the application's features.

    Created empty; :meth:`fit` learns it. It pickles as the boosters' text dumps (the
    boosters are rebuilt on first use).

    Attributes
    ----------
    inputs : list of str
        The feature-table columns the regressions read, in order.
    booster_texts : dict of str to str
        Per estimated score, its LightGBM regression as text.
    n_rows : dict of str to int
        Per estimated score, the number of applications it was fitted on.
    """

    metas = METAS
    needed = SCORES
    needs_all = False
    what = "external scores"

    def __init__(self) -> None:
        self.inputs: list[str] = []
        self.booster_texts: dict[str, str] = {}
        self.n_rows: dict[str, int] = {}

    def __getstate__(self) -> dict[str, Any]:
        """Pickle state without the compiled trees, rebuilt from :attr:`booster_texts`."""
        state = self.__dict__.copy()
        state.pop("_compiled", None)
        return state

    def _forests(self) -> dict[str, Forest | lgb.Booster]:
        """Per score, its compiled trees (or the booster, when the reader does not cover it)."""
        if "_compiled" not in self.__dict__:
            self.__dict__["_compiled"] = {
                score: compiled_forest(lgb.Booster(model_str=text))
                for score, text in self.booster_texts.items()
            }
        forests: dict[str, Forest | lgb.Booster] = self.__dict__["_compiled"]
        return forests

    def fit(
        self,
        table: pd.DataFrame,
        metas: Mapping[str, FeatureMeta],
        *,
        n_threads: int = 1,
        min_rows: int = MIN_ROWS,
    ) -> ExternalScoreModel:
        """Learn each external score from the applications that have it.

        Parameters
        ----------
        table : DataFrame
            The feature table of every application of the folder (labelled or not).
        metas : mapping of str to FeatureMeta
            Its metadata (:func:`input_columns`).
        n_threads : int, default=1
            LightGBM threads.
        min_rows : int, default=MIN_ROWS
            Fewest known values of a score to estimate it.

        Returns
        -------
        ExternalScoreModel
            ``self``, fitted.

        Raises
        ------
        ValueError
            No external score has ``min_rows`` known values, or the table has no
            application feature to learn from.
        """
        numeric = [c for c in table.columns if pd.api.types.is_numeric_dtype(table[c])]
        inputs = [
            c for c in input_columns(numeric, metas) if table[c].notna().any()
        ]  # a column that is never known teaches nothing
        if not inputs:
            raise ValueError("the table has no application feature to estimate scores from")
        X = table[inputs].to_numpy(dtype=float)
        texts, counts = {}, {}
        for score in SCORES:
            if score not in table:
                continue
            target = pd.to_numeric(table[score], errors="coerce").to_numpy(dtype=float)
            known = np.isfinite(target)
            if known.sum() < min_rows:
                continue
            booster = lgb.train(
                {**_PARAMS, "num_threads": n_threads},
                lgb.Dataset(X[known], target[known], feature_name=inputs),
                num_boost_round=_ROUNDS,
            )
            texts[score], counts[score] = booster.model_to_string(), int(known.sum())
        if not texts:
            raise ValueError(f"no external score has {min_rows:,} known values to learn it from")
        self.inputs, self.booster_texts, self.n_rows = inputs, texts, counts
        self.__dict__.pop("_compiled", None)
        return self

    def derive(self, features: pd.DataFrame) -> np.ndarray:
        """The :data:`NAMES` columns for each row of a feature table.

        Parameters
        ----------
        features : DataFrame
            A feature table; a missing input column counts as unknown values.

        Returns
        -------
        ndarray of shape (n_rows, 4)
            The estimates of external scores 1 and 3 where missing (else NaN), then the
            mean and product of the three scores filled with the estimates.
        """
        return self.derive_arrays(
            features.reindex(columns=self.inputs).to_numpy(dtype=float),
            features.reindex(columns=list(SCORES)).to_numpy(dtype=float),
        )

    def derive_arrays(
        self, inputs: np.ndarray, scores: np.ndarray, *, num_threads: int = 1
    ) -> np.ndarray:
        """:meth:`derive` from the input columns as arrays (no frame to select from).

        Parameters
        ----------
        inputs : ndarray of shape (n_rows, len(inputs))
            The :attr:`inputs` columns.
        scores : ndarray of shape (n_rows, 3)
            ``EXT_SOURCE_1``, ``_2`` and ``_3`` (NaN where missing).
        num_threads : int, default=1
            Threads of the compiled trees (one online; the same numbers on any number).

        Returns
        -------
        ndarray of shape (n_rows, 4)
            As :meth:`derive`: a score with no estimate (too few known values at training)
            stays missing where the client has none.
        """
        filled = np.array(scores, dtype=float, copy=True, ndmin=2)
        forests = self._forests()
        for j, score in enumerate(SCORES):
            forest = forests.get(score)
            rows = np.flatnonzero(np.isnan(filled[:, j]))
            if forest is None or not len(rows):
                continue
            filled[rows, j] = predict_raw(
                forest, np.atleast_2d(inputs)[rows], num_threads=num_threads
            )
        out = np.empty((len(filled), len(NAMES)))
        known_before = np.isfinite(np.atleast_2d(scores))
        out[:, 0] = np.where(known_before[:, 0], np.nan, filled[:, 0])
        out[:, 1] = np.where(known_before[:, 2], np.nan, filled[:, 2])
        known = np.isfinite(filled)
        count = known.sum(axis=1)
        total = np.where(known, filled, 0.0).sum(axis=1)
        out[:, 2] = np.where(count > 0, total / np.maximum(count, 1), np.nan)
        out[:, 3] = np.where(known.all(axis=1), filled.prod(axis=1), np.nan)
        return out
