"""What the API relies on from a trained model: the :class:`Scorer` protocol.

:class:`~credit_scoring.modeling.scorer.ChampionScorer` implements it (loaded from the
MLflow registry by alias); the API loads one in its lifespan and calls these methods
only. The result types (reasons, scores) are shared by every layer and live in
:mod:`credit_scoring.core.results`.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np
import pandas as pd

from credit_scoring.core.results import Lang, ScoreResult, SimilarClient
from credit_scoring.features.metadata import FeatureMeta


class Scorer(Protocol):
    """A loaded champion model with its explainer; cheap to call for one client.

    Attributes
    ----------
    model_name, model_version : str
        The registered model and the version served.
    threshold : float
        Probability of default from which a client is refused.
    feature_set_version : str
        The feature definitions it was trained on (``""`` when unknown).
    feature_names : list of str
        The columns read from a feature table.
    metas : dict of str to FeatureMeta
        Descriptions of the columns it explains (may add its own).
    """

    model_name: str
    model_version: str
    threshold: float
    feature_set_version: str  # the definitions it was trained on ("" when unknown)
    feature_names: list[str]  # the columns read from a feature table
    metas: dict[str, FeatureMeta]  # descriptions of the columns it explains (may add its own)

    def with_derived(self, features: pd.DataFrame) -> pd.DataFrame:
        """Return ``features`` plus any columns the model computes itself.

        :meth:`contributions` has one column per feature of the result it uses.

        Parameters
        ----------
        features : DataFrame
            A feature table with :attr:`feature_names` among its columns.

        Returns
        -------
        DataFrame
            The table with the derived columns (e.g. the estimated loan term) added.
        """
        ...

    def predict_proba(self, features: pd.DataFrame) -> np.ndarray:
        """Calibrated probabilities of default, one per row of the feature table.

        Parameters
        ----------
        features : DataFrame
            A feature table with :attr:`feature_names` among its columns.

        Returns
        -------
        ndarray of shape (n_rows,)
            Probabilities of default.
        """
        ...

    def probability_of_log_odds(self, log_odds: np.ndarray) -> np.ndarray:
        """The served probability of raw log-odds: the sigmoid, then the calibration.

        :meth:`predict_proba` is this function of the row sums of :meth:`contributions`;
        the explanation uses it to turn contributions into steps of probability.

        Parameters
        ----------
        log_odds : ndarray
            Raw scores in log-odds (sums of contributions, bias included).

        Returns
        -------
        ndarray
            Probabilities of default, non-decreasing in ``log_odds``.
        """
        ...

    def contributions(self, features: pd.DataFrame) -> pd.DataFrame:
        """Exact per-feature contributions (log-odds), one row per client, plus a 'bias' column.

        Parameters
        ----------
        features : DataFrame
            A feature table with :attr:`feature_names` among its columns.

        Returns
        -------
        DataFrame
            One column per model feature and ``"bias"``; a row sums to the raw log-odds
            (before calibration).
        """
        ...

    def score(
        self, features: pd.DataFrame, *, lang: Lang = "fr", top: int = 4
    ) -> list[ScoreResult]:
        """Probability, decision and top reasons against and for, for each row.

        Parameters
        ----------
        features : DataFrame
            A feature table with :attr:`feature_names` among its columns.
        lang : {"fr", "en"}, default="fr"
            Language of the reasons.
        top : int, default=4
            Number of reasons on each side.

        Returns
        -------
        list of ScoreResult
            One result per row, in order.
        """
        ...

    def similar(self, features: pd.DataFrame, *, k: int = 10) -> list[SimilarClient]:
        """The k nearest known clients of the first row (features that matter most, scaled).

        Parameters
        ----------
        features : DataFrame
            A feature table; only its first row is used.
        k : int, default=10
            Number of neighbours.

        Returns
        -------
        list of SimilarClient
            The neighbours found (none when the model indexed no clients).
        """
        ...
