"""Term and interest rate of a new cash loan, learned from the lender's past contracts.

An application states the credit amount, the monthly annuity and the price of the goods,
but not the number of monthly payments, so not the price of the loan: an annuity of 10 %
of the credit is 12 payments at a high rate or 11 at a low one. The previous applications
do state their number of payments (``CNT_PAYMENT``). A small LightGBM regression learns it
from the amounts of past cash and consumer loans; for a new cash loan the estimated term
then gives the interest rate that makes the annuity repay the credit (the annuity formula,
solved by Newton's method), and the total interest relative to the credit.

The model learns no default outcome (no ``TARGET``), so it cannot leak one into the
folds. It is fitted once per training run and carried by the champion, which adds its
columns to any feature table it scores (:class:`~credit_scoring.modeling.scorer.ChampionScorer`).
On the real sample the three columns raise the out-of-fold ROC AUC by about 0.002 to 0.003
(see ``bench/README.md``).
"""

from __future__ import annotations

from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd

from credit_scoring.explain.treeshap import compiled_forest, predict_raw
from credit_scoring.features.metadata import FeatureMeta, monotone_direction
from credit_scoring.modeling.derived import DerivedColumns

INPUTS = ("AMT_CREDIT", "AMT_ANNUITY", "AMT_GOODS_PRICE")
CASH_FLAG = "NAME_CONTRACT_TYPE_CASH_LOANS"  # one-hot column of the feature table
PREVIOUS_COLUMNS = (*INPUTS, "CNT_PAYMENT", "NAME_CONTRACT_TYPE")
MIN_CONTRACTS = 500  # fewer past contracts with a term: no model, no columns
_GROUP = "PAYMENT_RATE"  # the annuity relative to the credit, like PAYMENT_RATE


def _meta(name: str, en: str, fr: str, unit: str) -> FeatureMeta:
    return FeatureMeta(
        name=name,
        source="previous_application",
        description_en=en,
        description_fr=fr,
        unit=unit,
        group=_GROUP,
        monotone=monotone_direction(name),
    )


METAS: dict[str, FeatureMeta] = {
    m.name: m
    for m in (
        _meta(
            "LOAN_TERM_EST",
            "Estimated number of monthly payments of the loan",
            "Nombre estimé de mensualités du prêt",
            "count",
        ),
        _meta(
            "LOAN_RATE_EST",
            "Estimated yearly interest rate of the loan",
            "Taux d'intérêt annuel estimé du prêt",
            "share",
        ),
        _meta(
            "LOAN_INTEREST_SHARE_EST",
            "Estimated total interest relative to the credit amount",
            "Intérêts totaux estimés rapportés au montant du crédit",
            "share",
        ),
    )
}
NAMES = list(METAS)

_PARAMS: dict[str, Any] = {
    # squared error: on the real sample's held-out past contracts its mean absolute error is
    # 0.58 payments against 0.66 for the absolute-error objective, whose sign-only gradients
    # cannot split two terms that are both below the current estimate
    "objective": "regression",
    "learning_rate": 0.05,
    "num_leaves": 63,
    "min_child_samples": 20,
    "verbosity": -1,
    "seed": 42,
    "deterministic": True,
    "force_col_wise": True,
}
_ROUNDS = 600


def _inputs(credit: Any, annuity: Any, goods: Any, cash: Any) -> np.ndarray:
    credit, annuity, goods, cash = (
        np.asarray(v, dtype=float) for v in (credit, annuity, goods, cash)
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(annuity > 0, credit / annuity, np.nan)
        goods_share = np.where(credit > 0, goods / credit, np.nan)
    return np.column_stack([credit, annuity, goods, ratio, goods_share, cash])


def monthly_rate(ratio: np.ndarray, term: np.ndarray, *, steps: int = 40) -> np.ndarray:
    """The monthly rate r with (1 - (1 + r) ** -term) / r == ratio (credit over annuity).

    Zero when the annuities do not exceed the credit; missing where either input is.

    Parameters
    ----------
    ratio : ndarray
        Credit over monthly annuity.
    term : ndarray
        Number of monthly payments, same shape as ``ratio``.
    steps : int, default=40
        Most Newton steps (it stops earlier once no rate moves any more).

    Returns
    -------
    ndarray
        The monthly rate, in [1e-7, 1] where solved; 0 where ``ratio >= term``; NaN where
        an input is missing, not finite or not positive.

    Examples
    --------
    >>> import numpy as np
    >>> monthly_rate(np.array([12.0, 10.0]), np.array([12.0, 12.0])).round(4)
    array([0.    , 0.0292])
    """
    ratio = np.asarray(ratio, dtype=float)
    term = np.asarray(term, dtype=float)
    known = np.isfinite(ratio) & np.isfinite(term) & (ratio > 0) & (term > 0)
    out = np.full(ratio.shape, np.nan)
    free = known & (ratio >= term)
    out[free] = 0.0
    todo = known & ~free
    q, n = ratio[todo], term[todo]
    r = np.maximum(2.0 * (n - q) / (n * (n + 1.0)), 1e-6)  # first-order start: from below
    for _ in range(steps):  # converges in a few steps: stop when no rate moves any more
        growth = (1.0 + r) ** -n
        f = (1.0 - growth) / r - q
        slope = n * growth / (r * (1.0 + r)) - (1.0 - growth) / r**2
        new = np.clip(r - f / slope, 1e-7, 1.0)
        done = bool(np.all(np.abs(new - r) <= 1e-12))
        r = new
        if done:
            break
    out[todo] = r
    return out


class LoanTermModel(DerivedColumns):
    """Estimates a cash loan's number of payments, interest rate and total interest.

    Created empty; :meth:`fit` learns it. It pickles as the booster's text dump (the
    booster is rebuilt on first use).

    Attributes
    ----------
    booster_text : str
        The LightGBM regression as text (``""`` before :meth:`fit`).
    n_contracts : int
        Number of past contracts it was fitted on.
    """

    metas = METAS
    needed = (*INPUTS, CASH_FLAG)
    what = "loan term and rate"

    def __init__(self) -> None:
        self.booster_text = ""
        self._booster: lgb.Booster | None = None
        self.n_contracts = 0

    def __getstate__(self) -> dict[str, Any]:
        """Pickle state without the booster object, rebuilt from :attr:`booster_text`."""
        state = self.__dict__.copy()
        state["_booster"] = None  # rebuilt from the text dump
        state.pop("_forest", None)  # rebuilt from the booster
        return state

    def _predict(self, X: np.ndarray, num_threads: int) -> np.ndarray:
        """The booster's predictions for the inputs ``X``.

        Compiled (:func:`~credit_scoring.explain.treeshap.predict_raw`: LightGBM's numbers bit
        for bit), or LightGBM's own for a booster the compiled reader does not cover.

        Returns
        -------
        ndarray of shape (n_rows,)
            The estimated number of payments.
        """
        if "_forest" not in self.__dict__:
            self.__dict__["_forest"] = compiled_forest(self.booster)
        return predict_raw(self.__dict__["_forest"], X, num_threads=num_threads)

    @property
    def booster(self) -> lgb.Booster:
        """The fitted regression (rebuilt from :attr:`booster_text` after unpickling)."""
        if self._booster is None:
            self._booster = lgb.Booster(model_str=self.booster_text)
        return self._booster

    @staticmethod
    def usable(previous: pd.DataFrame) -> pd.DataFrame:
        """Past cash and consumer loans with amounts and a positive number of payments.

        Parameters
        ----------
        previous : DataFrame
            ``previous_application`` rows.

        Returns
        -------
        DataFrame
            The :data:`PREVIOUS_COLUMNS` of the cash and consumer loans with a positive
            number of payments, annuity and credit; no rows when a column is missing.
        """
        if not set(PREVIOUS_COLUMNS) <= set(previous.columns):
            return previous.iloc[:0]
        rows = previous[list(PREVIOUS_COLUMNS)]
        keep = (
            rows["NAME_CONTRACT_TYPE"].isin(["Cash loans", "Consumer loans"])
            & (pd.to_numeric(rows["CNT_PAYMENT"], errors="coerce") > 0)
            & (pd.to_numeric(rows["AMT_ANNUITY"], errors="coerce") > 0)
            & (pd.to_numeric(rows["AMT_CREDIT"], errors="coerce") > 0)
        )
        return rows[keep]

    def fit(self, previous: pd.DataFrame, *, n_threads: int = 1) -> LoanTermModel:
        """Learn the number of payments from past contracts (``previous_application`` rows).

        Parameters
        ----------
        previous : DataFrame
            ``previous_application`` rows with the :data:`PREVIOUS_COLUMNS`.
        n_threads : int, default=1
            LightGBM threads.

        Returns
        -------
        LoanTermModel
            ``self``, fitted.

        Raises
        ------
        ValueError
            Fewer than :data:`MIN_CONTRACTS` usable past contracts (:meth:`usable`).
        """
        rows = self.usable(previous)
        if len(rows) < MIN_CONTRACTS:
            raise ValueError(
                f"only {len(rows):,} past cash or consumer loans with a number of payments "
                f"(at least {MIN_CONTRACTS:,} are needed to learn loan terms)."
            )
        X = _inputs(
            rows["AMT_CREDIT"],
            rows["AMT_ANNUITY"],
            rows["AMT_GOODS_PRICE"],
            rows["NAME_CONTRACT_TYPE"].eq("Cash loans"),
        )
        y = pd.to_numeric(rows["CNT_PAYMENT"]).to_numpy(dtype=float)
        booster = lgb.train(
            {**_PARAMS, "num_threads": n_threads}, lgb.Dataset(X, y), num_boost_round=_ROUNDS
        )
        self.booster_text = booster.model_to_string()
        self._booster = booster
        self.n_contracts = len(rows)
        return self

    def derive(self, features: pd.DataFrame) -> np.ndarray:
        """The :data:`NAMES` columns for each row of a feature table.

        A row's values are missing unless it is a cash loan with a credit and a positive
        annuity; a table without the contract-type column is taken as cash loans.

        Parameters
        ----------
        features : DataFrame
            A feature table with :data:`INPUTS` and, usually, :data:`CASH_FLAG`.

        Returns
        -------
        ndarray of shape (n_rows, 3)
            Estimated term (payments), yearly interest rate (12 times the monthly rate)
            and total interest relative to the credit.
        """
        # one selection of the four columns (a missing contract type: taken as cash loans)
        block = features.reindex(columns=[*INPUTS, CASH_FLAG]).to_numpy(dtype=float)
        credit, annuity, goods, cash = block.T
        return self.derive_arrays(
            credit, annuity, goods, cash if CASH_FLAG in features.columns else None
        )

    def derive_arrays(
        self,
        credit: np.ndarray,
        annuity: np.ndarray,
        goods: np.ndarray,
        cash: np.ndarray | None,
        *,
        num_threads: int = 1,
    ) -> np.ndarray:
        """:meth:`derive` from the input columns as arrays (no frame to select from).

        Parameters
        ----------
        credit, annuity, goods : ndarray of shape (n_rows,)
            ``AMT_CREDIT``, ``AMT_ANNUITY`` and ``AMT_GOODS_PRICE``.
        cash : ndarray of shape (n_rows,) or None
            The cash-loan flag (:data:`CASH_FLAG`); None takes every row as a cash loan.
        num_threads : int, default=1
            LightGBM threads (one online; the same numbers on any number).

        Returns
        -------
        ndarray of shape (n_rows, 3)
            As :meth:`derive`.
        """
        n = len(credit)
        if cash is None:
            cash = np.ones(n)
        out = np.full((n, len(NAMES)), np.nan)
        rows = (cash == 1) & np.isfinite(credit) & np.isfinite(annuity) & (annuity > 0)
        if not rows.any():
            return out
        X = _inputs(credit[rows], annuity[rows], goods[rows], np.ones(int(rows.sum())))
        term = self._predict(X, num_threads)
        ratio = X[:, 3]
        out[rows, 0] = term
        out[rows, 1] = 12.0 * monthly_rate(ratio, term)
        out[rows, 2] = term / ratio - 1.0
        return out
