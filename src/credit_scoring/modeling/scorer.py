"""The served champion: one LightGBM booster, its calibrator, threshold and explainers.

Implements the :class:`~credit_scoring.modeling.contracts.Scorer` protocol. It is
pickled whole (the booster as its text dump) and predicts with one thread, which
is much faster than LightGBM's thread pool for one client.

There is one scoring path, :meth:`ChampionScorer.score_block`: probability from the summed
TreeSHAP contributions, decision against the threshold, grade, points and reasons, all
vectorised over a block of clients. :meth:`ChampionScorer.score` (one client, online) and
the batch scoring of :mod:`credit_scoring.modeling.batch` are both made of it; only the
number of threads differs (one online, the machine's cores in batch). The contributions come
from the compiled TreeSHAP of :mod:`credit_scoring.explain.treeshap` (LightGBM's numbers,
computed once per distinct path of a tree), or from LightGBM's own ``pred_contrib`` for a
booster that kernel does not cover.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd

from credit_scoring.core.grades import grades_of, points_of
from credit_scoring.core.results import Lang, ScoreResult, SimilarClient
from credit_scoring.explain.reasons import ReasonBlock, ReasonBuilder
from credit_scoring.explain.similar import SimilarityIndex
from credit_scoring.explain.treeshap import TreeShap, UnsupportedModelError
from credit_scoring.features.metadata import FeatureMeta
from credit_scoring.modeling import external_scores as ext
from credit_scoring.modeling import loan_terms as terms
from credit_scoring.modeling.calibration import Calibrator
from credit_scoring.modeling.external_scores import ExternalScoreModel
from credit_scoring.modeling.loan_terms import LoanTermModel

# the columns a champion may derive from a feature table, by the model that derives them
DERIVED_NAMES = [*terms.NAMES, *ext.NAMES]


class FeatureMismatchError(ValueError):
    """The feature table given to the model lacks columns the model was trained on."""


@dataclass
class ScoredBlock:
    """Scores of a block of clients, in the block's order.

    Made by :meth:`ChampionScorer.score_block`; :meth:`ChampionScorer.result` turns one of
    its rows into the API's :class:`~credit_scoring.core.results.ScoreResult`.

    Attributes
    ----------
    probability : ndarray of shape (n_clients,)
        Calibrated probability of default of each client.
    decision : ndarray of str, shape (n_clients,)
        ``"refuse"`` at or above the scorer's threshold, else ``"grant"``.
    grade : ndarray of str, shape (n_clients,)
        Rating grade of the master scale (:func:`~credit_scoring.core.grades.grades_of`).
    points : ndarray of shape (n_clients,)
        Scorecard points (:func:`~credit_scoring.core.grades.points_of`).
    reasons : ReasonBlock
        The top reasons against and for each client, with their catalogue codes.
    """

    probability: np.ndarray  # calibrated probability of default
    decision: np.ndarray  # "refuse" at or above the threshold, else "grant"
    grade: np.ndarray  # rating grade of the master scale
    points: np.ndarray  # scorecard points
    reasons: ReasonBlock

    def __len__(self) -> int:
        """The number of clients in the block."""
        return len(self.probability)


class ChampionScorer:
    """A trained model ready to score, explain and compare clients.

    ``feature_names`` are the columns it reads from a feature table. With a fitted
    :class:`~credit_scoring.modeling.loan_terms.LoanTermModel` it adds the estimated loan
    term and interest rate to them, and with a fitted
    :class:`~credit_scoring.modeling.external_scores.ExternalScoreModel` the external scores
    with the missing ones estimated: ``model_columns`` are the booster's columns, the
    feature-table ones then the derived ones, and contributions and reasons cover them all.

    Parameters
    ----------
    booster : lightgbm.Booster
        The trained booster; kept as its text dump (``booster_text``) and rebuilt from it
        after unpickling.
    calibrator : Calibrator
        Maps the booster's raw probabilities to calibrated probabilities of default.
    threshold : float
        Probability of default from which a client is refused.
    feature_names : list of str
        The columns read from a feature table, in training order.
    metas : dict of str to FeatureMeta
        Descriptions of the columns (the groups and wording of the reasons).
    quantiles : dict of str to ndarray
        Percentiles of each numeric column in the training population, quoted by the
        reasons (:func:`~credit_scoring.explain.reasons.population_quantiles`).
    categories : dict of str to list
        The categories of each categorical column as at training (a code is a position in
        the list).
    similarity : SimilarityIndex or None
        The index of known clients for :meth:`similar`, or None (no similar clients).
    model_name : str
        The registered model's name.
    model_version : str, default=""
        The version served.
    feature_set_version : str, default=""
        The feature definitions it was trained on (``""`` when unknown), named when a
        feature table lacks columns.
    num_threads : int, default=1
        Threads of LightGBM and of the TreeSHAP kernel (one when served: faster than a
        thread pool for one client).
    loan_terms : LoanTermModel, optional
        Estimates the loan term and interest rate; kept only when ``derived`` names its
        columns.
    external_scores : ExternalScoreModel, optional
        Estimates the missing external scores; kept only when ``derived`` names its columns.
    derived : list of str, optional
        The derived columns added to the feature table's, among :data:`DERIVED_NAMES`.

    Raises
    ------
    ValueError
        If ``derived`` names an unknown column, or columns of a model not given.
    """

    def __init__(
        self,
        *,
        booster: lgb.Booster,
        calibrator: Calibrator,
        threshold: float,
        feature_names: list[str],
        metas: dict[str, FeatureMeta],
        quantiles: dict[str, np.ndarray],
        categories: dict[str, list[Any]],
        similarity: SimilarityIndex | None,
        model_name: str,
        model_version: str = "",
        feature_set_version: str = "",
        num_threads: int = 1,
        loan_terms: LoanTermModel | None = None,
        external_scores: ExternalScoreModel | None = None,
        derived: list[str] | None = None,
    ) -> None:
        derived = list(derived or ())
        unknown = set(derived).difference(DERIVED_NAMES)
        if unknown:
            raise ValueError(f"unknown derived columns {sorted(unknown)}: use {DERIVED_NAMES}")
        for names, model, what in (
            (terms.NAMES, loan_terms, "a loan-term model"),
            (ext.NAMES, external_scores, "an external-score model"),
        ):
            if model is None and set(names).intersection(derived):
                raise ValueError(f"derived columns {sorted(set(names) & set(derived))} need {what}")
        self.booster_text = booster.model_to_string()
        self._booster: lgb.Booster | None = booster
        self.calibrator = calibrator
        self.threshold = float(threshold)
        self.feature_names = list(feature_names)
        self.metas = metas
        self.quantiles = quantiles
        self.categories = categories
        self.similarity = similarity
        self.model_name = model_name
        self.model_version = model_version
        self.feature_set_version = feature_set_version
        self.num_threads = num_threads
        self.loan_terms = loan_terms if set(terms.NAMES).intersection(derived) else None
        self.external_scores = external_scores if set(ext.NAMES).intersection(derived) else None
        self.derived = derived
        self.reason_builder = ReasonBuilder(self.model_columns, metas)

    def __getstate__(self) -> dict[str, Any]:
        """The pickled state: without the booster object (its text dump is kept) or caches."""
        state = self.__dict__.copy()
        state["_booster"] = None  # rebuilt from booster_text: the text dump is portable
        state.pop("_labels", None)  # a cache of labels()
        state.pop("_positions", None)  # a cache of _column_positions()
        state.pop("_treeshap", None)  # rebuilt from the booster
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Restore a pickled scorer, filling the attributes older pickles lack."""
        self.__dict__.update(state)
        if "derived" not in state:  # pickled before loan terms were estimated
            self.loan_terms, self.derived = None, []
        if "external_scores" not in state:  # pickled before external scores were estimated
            self.external_scores = None
        if "reason_builder" not in state:  # pickled before the reason-code catalogue
            self.reason_builder = ReasonBuilder(self.model_columns, self.metas)

    @property
    def model_columns(self) -> list[str]:
        """The booster's columns: the feature table's, then the derived ones."""
        return [*self.feature_names, *self.derived]

    def _derived_block(self, features: pd.DataFrame) -> np.ndarray:
        """The :attr:`derived` columns of a feature table (selected by name)."""
        n = len(features)
        return self._select_derived(
            self.loan_terms.derive(features) if self.loan_terms else None,
            self.external_scores.derive(features) if self.external_scores else None,
            n,
        )

    def _select_derived(
        self, loan: np.ndarray | None, scores: np.ndarray | None, n: int
    ) -> np.ndarray:
        """The :attr:`derived` columns among the blocks of the two models (None: no model)."""
        block = np.hstack(
            [
                np.full((n, len(names)), np.nan) if part is None else part
                for part, names in ((loan, terms.NAMES), (scores, ext.NAMES))
            ]
        )
        return block[:, [DERIVED_NAMES.index(name) for name in self.derived]]

    def with_derived(self, features: pd.DataFrame) -> pd.DataFrame:
        """``features`` with the derived columns added (unchanged when there are none).

        Parameters
        ----------
        features : DataFrame
            A feature table with the loan-term inputs among its columns when the scorer
            derives columns.

        Returns
        -------
        DataFrame
            ``features`` itself when nothing is derived, else a new frame with any derived
            column already present replaced, the derived columns last.
        """
        if not self.derived:
            return features
        block = pd.DataFrame(
            self._derived_block(features), columns=self.derived, index=features.index
        )
        return pd.concat([features.drop(columns=self.derived, errors="ignore"), block], axis=1)

    @property
    def booster(self) -> lgb.Booster:
        """The LightGBM booster, rebuilt from ``booster_text`` on first use after unpickling."""
        if self._booster is None:
            self._booster = lgb.Booster(model_str=self.booster_text)
        return self._booster

    def _check_columns(self, features: pd.DataFrame | pd.Index) -> None:
        columns = features if isinstance(features, pd.Index) else features.columns
        missing = sorted(set(self.feature_names).difference(columns))
        if missing:
            raise FeatureMismatchError(
                f"the feature table lacks {len(missing)} of the model's columns "
                f"(for example {', '.join(missing[:5])}); build it with the feature-set version "
                f"{self.feature_set_version or 'used at training'} or retrain the model."
            )

    def frame(self, features: pd.DataFrame) -> pd.DataFrame:
        """The model's columns in training order and types (categories as at training).

        Parameters
        ----------
        features : DataFrame
            A feature table with :attr:`feature_names` among its columns.

        Returns
        -------
        DataFrame
            A copy with the :attr:`model_columns`, categorical columns as
            :class:`pandas.Categorical` of the training categories, the others as floats
            (text that is not a number becomes NaN).

        Raises
        ------
        FeatureMismatchError
            If ``features`` lacks some of :attr:`feature_names`.
        """
        self._check_columns(features)
        frame = self.with_derived(features)[self.model_columns].copy()
        for name in self.feature_names:
            if name in self.categories:
                frame[name] = pd.Categorical(
                    frame[name].astype(object).where(frame[name].notna()),
                    categories=self.categories[name],
                )
            elif not pd.api.types.is_float_dtype(frame[name]):
                frame[name] = pd.to_numeric(frame[name], errors="coerce").astype(float)
        return frame

    def matrix(self, features: pd.DataFrame, *, num_threads: int = 1) -> np.ndarray:
        """The model's input as floats (categories as their training codes); fast for one row.

        A frame of numbers only is read by column positions (cached per column layout);
        any other frame column by column.

        Parameters
        ----------
        features : DataFrame
            A feature table with :attr:`feature_names` among its columns.
        num_threads : int, default=1
            LightGBM threads of the loan-term model, when the scorer derives columns.

        Returns
        -------
        ndarray of shape (n_rows, n_model_columns)
            The :attr:`model_columns` in order; a missing value or unknown category is NaN.

        Raises
        ------
        FeatureMismatchError
            If ``features`` lacks some of :attr:`feature_names`.
        """
        fast = self._numeric_matrix(features, num_threads)
        if fast is not None:
            return fast
        self._check_columns(features)
        base = self._table_matrix(features[self.feature_names])
        if not self.derived:
            return base
        return np.hstack([base, self._derived_block(features)])

    def _column_positions(
        self, columns: pd.Index
    ) -> tuple[np.ndarray, list[int | None], list[int | None]]:
        """Where the model's columns and the derived columns' inputs are in ``columns``.

        Cached: a service sees one or two column layouts, the stored vectors' and the
        rebuilt rows'.

        Returns
        -------
        tuple of (ndarray, list of int or None, list of int or None)
            The positions of :attr:`feature_names`, of the loan-term inputs and cash flag,
            and of the external-score model's inputs then the three scores (None where
            ``columns`` lacks one).
        """
        cache: dict[tuple[str, ...], tuple[np.ndarray, list[int | None], list[int | None]]] = (
            self.__dict__.setdefault("_positions", {})
        )
        key = tuple(columns)
        found = cache.get(key)
        if found is None:
            self._check_columns(columns)
            where = {name: j for j, name in enumerate(key)}
            model = np.array([where[name] for name in self.feature_names], dtype=np.intp)
            inputs = [where.get(name) for name in (*terms.INPUTS, terms.CASH_FLAG)]
            scores = self.external_scores
            score_inputs = [
                where.get(name) for name in (*(scores.inputs if scores else ()), *ext.SCORES)
            ]
            found = cache[key] = (model, inputs, score_inputs)
            if len(cache) > 16:  # bounded: layouts are few, never one per request
                cache.pop(next(iter(cache)))
        return found

    def _numeric_matrix(self, features: pd.DataFrame, num_threads: int = 1) -> np.ndarray | None:
        """:meth:`matrix` of a frame of numbers only, by positions (no column selection).

        Returns
        -------
        ndarray or None
            The model's input (column-major), or None for a scorer with categories or a
            frame that holds text.
        """
        if self.categories:
            return None
        try:
            values = features.to_numpy(dtype=np.float64)
        except (TypeError, ValueError):
            return None
        model, inputs, score_inputs = self._column_positions(features.columns)
        # built feature by feature (a feature's values contiguous), as TreeSHAP reads them;
        # pandas' array of a frame of floats is already column-major
        by_feature = np.empty((len(model) + len(self.derived), len(values)))
        np.take(values.T, model, axis=0, out=by_feature[: len(model)])
        if self.derived:
            n = len(values)
            nan = np.full(n, np.nan)
            loan = scores = None
            if self.loan_terms is not None:
                credit, annuity, goods, cash = (nan if j is None else values[:, j] for j in inputs)
                loan = self.loan_terms.derive_arrays(
                    credit, annuity, goods, None if inputs[-1] is None else cash,
                    num_threads=num_threads,
                )  # fmt: skip
            if self.external_scores is not None:
                known = [j for j, pos in enumerate(score_inputs) if pos is not None]
                block = np.full((n, len(score_inputs)), np.nan)
                block[:, known] = values[:, [score_inputs[j] for j in known]]
                split = len(self.external_scores.inputs)
                scores = self.external_scores.derive_arrays(
                    block[:, :split], block[:, split:], num_threads=num_threads
                )
            by_feature[len(model) :] = self._select_derived(loan, scores, n).T
        return by_feature.T

    def _table_matrix(self, sub: pd.DataFrame) -> np.ndarray:
        if not self.categories:
            try:
                return sub.to_numpy(dtype=float)
            except (TypeError, ValueError):
                pass
        out = np.empty(sub.shape, dtype=float)
        numeric = [j for j, name in enumerate(self.feature_names) if name not in self.categories]
        block = sub.iloc[:, numeric]
        try:
            out[:, numeric] = block.to_numpy(dtype=float)
        except (TypeError, ValueError):
            out[:, numeric] = block.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
        for j, name in enumerate(self.feature_names):
            if name in self.categories:
                codes = pd.Categorical(sub[name], categories=self.categories[name]).codes
                out[:, j] = np.where(codes < 0, np.nan, codes)
        return out

    def raw_scores(self, features: pd.DataFrame) -> np.ndarray:
        """Uncalibrated probabilities of the booster.

        Parameters
        ----------
        features : DataFrame
            A feature table with :attr:`feature_names` among its columns.

        Returns
        -------
        ndarray of shape (n_rows,)
            The booster's probabilities, before calibration.
        """
        return np.asarray(self.booster.predict(self.matrix(features), num_threads=self.num_threads))

    def predict_proba(
        self, features: pd.DataFrame, *, num_threads: int | None = None
    ) -> np.ndarray:
        """Calibrated probabilities of default, one per row, as :meth:`score_block` gives them.

        The probability is the calibrated sum of the exact TreeSHAP contributions, the same
        numbers bit for bit as the scores served with reasons: a score stored without its
        reasons (``client_scores``, monitoring baselines, offers) never differs from the one
        shown with them.

        Parameters
        ----------
        features : DataFrame
            A feature table with :attr:`feature_names` among its columns.
        num_threads : int, optional
            Threads for the contributions (default: the scorer's ``num_threads``).

        Returns
        -------
        ndarray of shape (n_rows,)
            Probabilities of default.
        """
        threads = self.num_threads if num_threads is None else num_threads
        return self._probability(self._contrib(self.matrix(features, num_threads=threads), threads))

    def _probability(self, contrib: np.ndarray) -> np.ndarray:
        # contributions (bias included) add up to the raw log-odds
        return self.probability_of_log_odds(contrib.sum(axis=1))

    def probability_of_log_odds(self, log_odds: np.ndarray) -> np.ndarray:
        """The calibrated probability of raw log-odds (what :meth:`predict_proba` serves).

        Parameters
        ----------
        log_odds : ndarray
            Raw scores in log-odds (sums of contributions, bias included).

        Returns
        -------
        ndarray
            Calibrated probabilities of default.
        """
        raw = 1.0 / (1.0 + np.exp(-np.asarray(log_odds, dtype=float)))
        return np.asarray(self.calibrator.predict(raw))

    @property
    def treeshap(self) -> TreeShap | None:
        """The compiled TreeSHAP of the booster (None when it does not cover this model)."""
        if "_treeshap" not in self.__dict__:
            try:
                self.__dict__["_treeshap"] = TreeShap.from_booster(self.booster)
            except UnsupportedModelError:
                self.__dict__["_treeshap"] = None
        kernel: TreeShap | None = self.__dict__["_treeshap"]
        return kernel

    def warm_up(self, num_threads: int = 1) -> None:
        """Load the compiled TreeSHAP and loan-term kernels, so no score pays for it.

        The compiled functions load from Numba's disk cache (compiled there the first
        time); the API calls this at start-up, batch scoring before its clock starts.

        Parameters
        ----------
        num_threads : int, default=1
            Also load the parallel kernels when more than one (batch scoring).
        """
        rows = 2 if num_threads > 1 else 1
        empty = np.full((rows, len(self.model_columns)), np.nan)
        self._contrib(empty[:1])
        if rows > 1:
            self._contrib(empty, num_threads)
        for n in range(1, rows + 1):
            one = np.ones(n)
            if self.loan_terms is not None:
                self.loan_terms.derive_arrays(one, one, one, one, num_threads=num_threads)
            if self.external_scores is not None:
                self.external_scores.derive_arrays(
                    np.ones((n, len(self.external_scores.inputs))),
                    np.full((n, len(ext.SCORES)), np.nan),
                    num_threads=num_threads,
                )

    def _contrib(self, matrix: np.ndarray, num_threads: int | None = None) -> np.ndarray:
        """Exact TreeSHAP contributions of a model matrix, the bias last.

        The compiled kernel (:class:`~credit_scoring.explain.treeshap.TreeShap`) when it
        covers the booster, else LightGBM's ``pred_contrib``; ``num_threads`` default to the
        scorer's.

        Returns
        -------
        ndarray of shape (n_rows, n_model_columns + 1)
            The contributions in log-odds, the bias last; a row sums to the raw score.
        """
        threads = self.num_threads if num_threads is None else num_threads
        kernel = self.treeshap
        if kernel is None:
            return np.asarray(self.booster.predict(matrix, pred_contrib=True, num_threads=threads))
        return kernel.contributions(matrix, num_threads=threads)

    def contributions(self, features: pd.DataFrame) -> pd.DataFrame:
        """Exact per-feature contributions (TreeSHAP, log-odds), one row per client.

        Parameters
        ----------
        features : DataFrame
            A feature table with :attr:`feature_names` among its columns.

        Returns
        -------
        DataFrame
            One column per model column and ``"bias"``, indexed as ``features``; a row sums
            to the raw log-odds (before calibration).
        """
        values = self._contrib(self.matrix(features))
        return pd.DataFrame(values, columns=[*self.model_columns, "bias"], index=features.index)

    def decisions(self, probabilities: np.ndarray) -> np.ndarray:
        """The model's decision of each probability: refuse at or above the threshold.

        Parameters
        ----------
        probabilities : array-like of float
            Calibrated probabilities of default.

        Returns
        -------
        ndarray of str
            ``"refuse"`` where a probability is at or above the threshold, else ``"grant"``.
        """
        return np.where(np.asarray(probabilities) >= self.threshold, "refuse", "grant")

    def labels(self) -> dict[int, list[Any]]:
        """The category labels of each categorical column, by its index in :meth:`matrix`.

        The reasons quote a client's label, not its code. Cached (not pickled).

        Returns
        -------
        dict of int to list
            The training categories of each categorical column, keyed by its position.
        """
        cached = self.__dict__.get("_labels")
        if cached is None:
            cached = self.__dict__["_labels"] = {
                j: self.categories[name]
                for j, name in enumerate(self.model_columns)
                if name in self.categories
            }
        return cached

    def score_block(
        self,
        features: pd.DataFrame,
        *,
        lang: Lang = "fr",
        top: int = 4,
        num_threads: int | None = None,
    ) -> ScoredBlock:
        """The one scoring path: probability, decision, grade and points of a block, vectorised.

        Probability, decision, grade, points and the top ``top`` reasons against and for
        each client of a block of feature rows. The probability is the calibrated sum of
        the TreeSHAP contributions (they add up to the raw log-odds), so one pass over the
        trees gives both the score and its reasons.

        ``num_threads`` are the threads of the contributions (TreeSHAP over the whole
        block); the scorer's own ``num_threads`` (one when served) by default. Every number
        of a row is computed the same way whatever the block's size, so a client scored
        alone (:meth:`score`) and in a batch gets the same result.

        Parameters
        ----------
        features : DataFrame
            Feature rows with :attr:`feature_names` among their columns.
        lang : {"fr", "en"}, default="fr"
            Language of the reasons.
        top : int, default=4
            Most reasons on each side.
        num_threads : int, optional
            Threads for the contributions (default: the scorer's ``num_threads``).

        Returns
        -------
        ScoredBlock
            The scores and reasons of each row, in the rows' order.

        Raises
        ------
        FeatureMismatchError
            If ``features`` lacks some of :attr:`feature_names`.
        """
        threads = self.num_threads if num_threads is None else num_threads
        matrix = self.matrix(features, num_threads=threads)
        contrib = self._contrib(matrix, threads)
        probability = self._probability(contrib)
        reasons = self.reason_builder.block(
            contrib[:, :-1],
            matrix,
            quantiles=self.quantiles,
            labels=self.labels(),
            lang=lang,
            top=top,
        )
        return ScoredBlock(
            probability=probability,
            decision=self.decisions(probability),
            grade=grades_of(probability),
            points=points_of(probability),
            reasons=reasons,
        )

    def result(self, block: ScoredBlock, i: int) -> ScoreResult:
        """Row ``i`` of a scored block as the API's :class:`ScoreResult`.

        Parameters
        ----------
        block : ScoredBlock
            A block scored by :meth:`score_block`.
        i : int
            The row's position in the block.

        Returns
        -------
        ScoreResult
            The row's probability, decision, grade, points and reasons, with the scorer's
            threshold, model name and version.
        """
        against, favour = block.reasons.reasons(i)
        return ScoreResult(
            probability=float(block.probability[i]),
            decision=str(block.decision[i]),  # type: ignore[arg-type]
            threshold=self.threshold,
            model_name=self.model_name,
            model_version=self.model_version,
            reasons_against=against,
            reasons_for=favour,
            grade=str(block.grade[i]),
            points=float(block.points[i]),
        )

    def score(
        self, features: pd.DataFrame, *, lang: Lang = "fr", top: int = 4
    ) -> list[ScoreResult]:
        """Each client's score with its reasons (online: one client, one thread).

        The online entry point of the :class:`~credit_scoring.modeling.contracts.Scorer`
        protocol: the rows of :meth:`score_block` (on the scorer's own ``num_threads``) as
        :meth:`result`, so a client scored online gets what the batch gives.

        Parameters
        ----------
        features : DataFrame
            Feature rows with :attr:`feature_names` among their columns.
        lang : {"fr", "en"}, default="fr"
            Language of the reasons.
        top : int, default=4
            Most reasons on each side.

        Returns
        -------
        list of ScoreResult
            One result per row, in order.

        Raises
        ------
        FeatureMismatchError
            If ``features`` lacks some of :attr:`feature_names`.
        """
        block = self.score_block(features, lang=lang, top=top)
        return [self.result(block, i) for i in range(len(block))]

    def similar(self, features: pd.DataFrame, *, k: int = 10) -> list[SimilarClient]:
        """The ``k`` nearest known clients of the first row of ``features``.

        The client itself (its ``SK_ID_CURR``, when given) is left out; derived columns are
        added first when the index uses them.

        Parameters
        ----------
        features : DataFrame
            A feature table; only its first row is used.
        k : int, default=10
            Number of neighbours.

        Returns
        -------
        list of SimilarClient
            The neighbours found, nearest first (none without a similarity index).
        """
        if self.similarity is None:
            return []
        exclude = int(features["SK_ID_CURR"].iloc[0]) if "SK_ID_CURR" in features.columns else None
        if set(self.derived).intersection(self.similarity.features):
            features = self.with_derived(features.iloc[:1])
        return self.similarity.query(features, k=k, exclude_id=exclude)
