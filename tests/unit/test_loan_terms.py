"""Loan term and rate estimated from past contracts, and the champion that carries them."""

from __future__ import annotations

import pickle

import lightgbm as lgb
import numpy as np
import pandas as pd
import pytest

from credit_scoring.explain.reasons import population_quantiles
from credit_scoring.features.metadata import FeatureMeta
from credit_scoring.modeling.calibration import Calibrator
from credit_scoring.modeling.loan_terms import METAS, NAMES, LoanTermModel, monthly_rate
from credit_scoring.modeling.scorer import ChampionScorer

TERMS = np.array([12, 24, 36, 60])
RATES = {12: 0.030, 24: 0.022, 36: 0.018, 60: 0.012}  # monthly, one per term: learnable


def _annuity(credit: np.ndarray, rate: np.ndarray, term: np.ndarray) -> np.ndarray:
    return credit * rate / (1 - (1 + rate) ** -term)


def test_monthly_rate_solves_the_annuity_formula() -> None:
    rate = np.array([0.005, 0.01, 0.02, 0.03, 0.05, 0.1])
    term = np.array([12, 24, 36, 60, 6, 10], dtype=float)
    ratio = 1 / _annuity(np.ones(6), rate, term)  # credit over annuity
    assert np.allclose(monthly_rate(ratio, term), rate, atol=1e-10)
    # annuities that do not exceed the credit: no interest; unknown inputs: unknown rate
    assert monthly_rate(np.array([12.0, 13.0]), np.array([12.0, 12.0])).tolist() == [0.0, 0.0]
    out = monthly_rate(np.array([np.nan, 10.0, 10.0]), np.array([12.0, np.nan, 0.0]))
    assert np.isnan(out).all()


def _contracts(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    term = rng.choice(TERMS, size=n)
    rate = np.array([RATES[t] for t in term])
    credit = rng.uniform(50_000, 900_000, size=n).round(-2)
    return pd.DataFrame(
        {
            "AMT_CREDIT": credit,
            "AMT_ANNUITY": _annuity(credit, rate, term),
            "AMT_GOODS_PRICE": credit * rng.uniform(0.8, 1.0, size=n),
            "CNT_PAYMENT": term.astype(float),
            "NAME_CONTRACT_TYPE": rng.choice(["Cash loans", "Consumer loans"], size=n),
        }
    )


@pytest.fixture(scope="module")
def model() -> LoanTermModel:
    past = _contracts(3_000, seed=1)
    revolving = past.head(200).assign(NAME_CONTRACT_TYPE="Revolving loans", CNT_PAYMENT=0.0)
    return LoanTermModel().fit(pd.concat([past, revolving]), n_threads=1)


def test_learns_terms_and_rates_of_past_contracts(model: LoanTermModel) -> None:
    assert model.n_contracts == 3_000  # revolving lines and terms of 0 are left out
    new = _contracts(500, seed=2)
    table = pd.DataFrame(
        {
            "AMT_CREDIT": new["AMT_CREDIT"],
            "AMT_ANNUITY": new["AMT_ANNUITY"],
            "AMT_GOODS_PRICE": new["AMT_GOODS_PRICE"],
            "NAME_CONTRACT_TYPE_CASH_LOANS": 1.0,
        }
    )
    derived = pd.DataFrame(model.derive(table), columns=NAMES)
    assert (np.abs(derived["LOAN_TERM_EST"] - new["CNT_PAYMENT"]) < 1.0).mean() > 0.95
    true_yearly = 12 * new["CNT_PAYMENT"].map(RATES)
    assert (np.abs(derived["LOAN_RATE_EST"] - true_yearly) < 0.01).mean() > 0.95
    interest = new["AMT_ANNUITY"] * new["CNT_PAYMENT"] / new["AMT_CREDIT"] - 1
    assert (np.abs(derived["LOAN_INTEREST_SHARE_EST"] - interest) < 0.05).mean() > 0.95


def test_only_cash_loans_with_an_annuity_get_estimates(model: LoanTermModel) -> None:
    table = pd.DataFrame(
        {
            "AMT_CREDIT": [300_000.0, 300_000.0, 300_000.0, np.nan],
            "AMT_ANNUITY": [20_000.0, 20_000.0, np.nan, 20_000.0],
            "AMT_GOODS_PRICE": [270_000.0, np.nan, 270_000.0, 270_000.0],
            "NAME_CONTRACT_TYPE_CASH_LOANS": [1.0, 0.0, 1.0, 1.0],
        }
    )
    derived = model.derive(table)
    assert np.isfinite(derived[0]).all() and np.isnan(derived[1:]).all()
    added = model.add_to(table)
    assert list(added.columns) == [*table.columns, *NAMES]
    assert np.array_equal(added[NAMES].to_numpy(), derived, equal_nan=True)
    # a table without the contract type is taken as cash loans (the only instalment kind)
    assert np.isfinite(model.derive(table.drop(columns="NAME_CONTRACT_TYPE_CASH_LOANS"))[1]).all()


def test_too_few_or_unusable_contracts_are_refused() -> None:
    with pytest.raises(ValueError, match="at least 500"):
        LoanTermModel().fit(_contracts(100, seed=3))
    with pytest.raises(ValueError, match="only 0 past"):
        LoanTermModel().fit(_contracts(800, seed=3).drop(columns="CNT_PAYMENT"))


def test_champion_adds_the_estimates_to_any_feature_table(model: LoanTermModel) -> None:
    rng = np.random.default_rng(4)
    past = _contracts(800, seed=5)
    table = pd.DataFrame(
        {
            "SK_ID_CURR": np.arange(800),
            "AMT_CREDIT": past["AMT_CREDIT"],
            "AMT_ANNUITY": past["AMT_ANNUITY"],
            "AMT_GOODS_PRICE": past["AMT_GOODS_PRICE"],
            "NAME_CONTRACT_TYPE_CASH_LOANS": 1.0,
        }
    )
    inputs = [c for c in table.columns if c != "SK_ID_CURR"]
    X = model.add_to(table[inputs])
    # defaults rise with the price of the loan: the estimated rate carries the signal
    risk = -3 + 60 * (X["LOAN_RATE_EST"] - 0.25)
    y = (rng.uniform(size=800) < 1 / (1 + np.exp(-risk))).to_numpy(dtype=float)
    booster = lgb.train(
        {"objective": "binary", "verbosity": -1, "num_threads": 1, "min_data_in_leaf": 20},
        lgb.Dataset(X, y),
        num_boost_round=20,
    )
    metas = {n: FeatureMeta(n, "application", n, n, "currency", n) for n in inputs} | METAS
    scorer = ChampionScorer(
        booster=booster,
        calibrator=Calibrator(method="sigmoid").fit(booster.predict(X), y),
        threshold=0.2,
        feature_names=inputs,
        metas=metas,
        quantiles=population_quantiles(X),
        categories={},
        similarity=None,
        model_name="credit-default",
        loan_terms=model,
        derived=NAMES,
    )
    assert scorer.model_columns == [*inputs, *NAMES]
    assert np.allclose(scorer.matrix(table), X.to_numpy(), equal_nan=True)
    assert list(scorer.contributions(table.head(3)).columns) == [*inputs, *NAMES, "bias"]
    assert np.allclose(scorer.predict_proba(table), scorer.calibrator.predict(booster.predict(X)))

    restored = pickle.loads(pickle.dumps(scorer))
    assert np.allclose(restored.predict_proba(table), scorer.predict_proba(table))
    riskiest = table.iloc[[int(np.argmax(X["LOAN_RATE_EST"]))]]
    reasons = restored.score(riskiest, lang="en", top=4)[0].reasons_against
    # the estimates count for the loan's fact (R11) but are never quoted: an applicant is
    # told the amounts of their file, not a model's guess of their term or rate
    loan = [r for r in reasons if "LOAN_RATE_EST" in r.features]
    assert loan and loan[0].code == "R11", reasons
    assert not any(r.text.startswith("Estimated") for r in reasons), reasons
    assert restored.with_derived(riskiest)[NAMES].notna().all(axis=None)

    with pytest.raises(ValueError, match="need a loan-term model"):
        ChampionScorer(
            booster=booster,
            calibrator=scorer.calibrator,
            threshold=0.2,
            feature_names=inputs,
            metas=metas,
            quantiles={},
            categories={},
            similarity=None,
            model_name="credit-default",
            derived=NAMES,
        )


def test_training_learns_terms_from_the_folders_previous_applications(tmp_path) -> None:
    from credit_scoring.data.loading import prepare
    from credit_scoring.data.synth import generate
    from credit_scoring.training.pipeline import fit_loan_terms

    data = tmp_path / "data"
    generate(data, clients=600, seed=11)
    said: list[str] = []
    model = fit_loan_terms(prepare(data, tmp_path / "cache"), said.append)
    assert model is not None and model.n_contracts >= 500
    assert said == [f"Learned loan terms from {model.n_contracts:,} past contracts"]

    previous = pd.read_csv(data / "previous_application.csv")
    previous.drop(columns="CNT_PAYMENT").to_csv(data / "previous_application.csv", index=False)
    said.clear()
    assert fit_loan_terms(prepare(data, tmp_path / "cache2"), said.append) is None
    assert "lacks ['CNT_PAYMENT']" in said[0]

    (data / "previous_application.csv").unlink()
    said.clear()
    assert fit_loan_terms(prepare(data, tmp_path / "cache3"), said.append) is None
    assert said == ["No previous applications: loan terms and rates not estimated"]
