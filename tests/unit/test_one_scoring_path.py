"""One scoring path: a client scored online (``ChampionScorer.score``, one row, one thread)
and in a batch (``modeling.batch``, blocks of rows, several threads) gets the same
probability, decision, grade, points and reasons (codes, texts, values, features)."""

from __future__ import annotations

from dataclasses import asdict

import lightgbm as lgb
import numpy as np
import pandas as pd
import pytest
from tiny_champion import tiny_champion

from credit_scoring.data.loading import prepare
from credit_scoring.data.synth import generate
from credit_scoring.explain.reasons import position_phrase, position_phrases
from credit_scoring.features.batch import build_feature_table
from credit_scoring.modeling.batch import reason_columns, score_frame, score_reasons
from credit_scoring.modeling.loan_terms import CASH_FLAG, NAMES, LoanTermModel
from credit_scoring.modeling.scorer import ChampionScorer, FeatureMismatchError


@pytest.fixture(scope="module")
def portfolio(tmp_path_factory: pytest.TempPathFactory) -> tuple[ChampionScorer, pd.DataFrame]:
    root = tmp_path_factory.mktemp("onepath")
    generate(root / "data", clients=400, seed=5, fmt="csv")
    table = build_feature_table(prepare(root / "data", root / "cache"))
    return tiny_champion(table), table.reset_index(drop=True)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_batch_and_online_scores_are_the_same(
    portfolio: tuple[ChampionScorer, pd.DataFrame], lang: str
) -> None:
    scorer, table = portfolio
    clients = table.iloc[:150]
    frame = score_frame(scorer, clients, lang=lang, num_threads=2)  # type: ignore[arg-type]
    scores, reasons = score_reasons(scorer, clients, lang=lang, num_threads=2)  # type: ignore[arg-type]
    assert set(frame["decision"]) == {"grant", "refuse"}
    assert frame["reason_for_1_code"].ne("").any() and frame["reason_against_1_code"].ne("").all()
    for i in range(len(clients)):
        online = scorer.score(clients.iloc[[i]], lang=lang)[0]  # type: ignore[arg-type]
        row = frame.iloc[i]
        assert row["SK_ID_CURR"] == clients["SK_ID_CURR"].iloc[i]
        # the same numbers, not merely close: each row is computed alike in any block
        assert row["probability"] == online.probability == scores["probability"].iloc[i]
        assert row["decision"] == online.decision
        assert row["grade"] == online.grade
        assert row["points"] == online.points
        served = {"against": online.reasons_against, "for": online.reasons_for}
        for kind, chosen in served.items():
            for k in range(4):
                reason = chosen[k] if k < len(chosen) else None
                assert row[f"reason_{kind}_{k + 1}_code"] == (reason.code if reason else "")
                assert row[f"reason_{kind}_{k + 1}"] == (reason.text if reason else "")
        batch = [asdict(r) for r in reasons[i][0] + reasons[i][1]]
        assert batch == [asdict(r) for r in online.reasons_against + online.reasons_for]
    assert list(frame.columns[5:]) == reason_columns()


def test_one_block_scores_like_many_small_ones(
    portfolio: tuple[ChampionScorer, pd.DataFrame],
) -> None:
    scorer, table = portfolio
    whole = score_frame(scorer, table, lang="fr", num_threads=2)
    parts = pd.concat(
        [
            score_frame(scorer, table.iloc[begin : begin + 37], lang="fr", num_threads=1)
            for begin in range(0, len(table), 37)
        ],
        ignore_index=True,
    )
    pd.testing.assert_frame_equal(whole, parts)


def test_position_phrases_word_each_percentile_as_one_by_one() -> None:
    rng = np.random.default_rng(0)
    edges = np.arange(0, 101, 10, dtype=float)
    values = np.concatenate(
        [rng.uniform(0, 100, 2_000), edges, np.nextafter(edges, -1), np.nextafter(edges, 101)]
    )
    for lang in ("fr", "en"):
        expected = [position_phrase(float(p), lang) for p in values]
        assert list(position_phrases(values, lang)) == expected


def test_the_fast_matrix_of_a_numeric_row_is_the_column_wise_one(
    portfolio: tuple[ChampionScorer, pd.DataFrame], tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A frame of numbers (a stored vector, a rebuilt application) goes to the model by
    column positions; the result equals the column-wise path's, loan terms included, whatever
    the frame's column order or extra columns, and with the contract-type flag missing."""
    tiny, table = portfolio
    numeric = [c for c in tiny.feature_names if not isinstance(table[c].dtype, pd.CategoricalDtype)]
    root = tmp_path_factory.mktemp("terms")
    generate(root, clients=300, seed=9, fmt="csv")
    terms = LoanTermModel().fit(pd.read_csv(root / "previous_application.csv"), n_threads=1)
    rows = table[table["TARGET"].notna()]
    X = terms.add_to(rows[numeric])
    booster = lgb.train(
        {"objective": "binary", "num_leaves": 7, "verbosity": -1, "num_threads": 1},
        lgb.Dataset(X, rows["TARGET"].to_numpy(dtype=int)),
        20,
    )
    scorer = ChampionScorer(
        booster=booster,
        calibrator=tiny.calibrator,
        threshold=0.5,
        feature_names=numeric,
        metas=tiny.metas,
        quantiles=tiny.quantiles,
        categories={},
        similarity=None,
        model_name="numeric",
        loan_terms=terms,
        derived=list(NAMES),
    )
    assert CASH_FLAG in table.columns
    extra = ["SK_ID_CURR"] + ([] if CASH_FLAG in numeric else [CASH_FLAG])
    shuffled = table[[*reversed(numeric), *extra]].iloc[:40].astype(float)
    loan_only = shuffled.drop(columns=CASH_FLAG)
    for frame in (shuffled, shuffled.iloc[:1]):
        fast = scorer.matrix(frame)
        slow = np.hstack(
            [frame[numeric].to_numpy(dtype=float), terms.derive(frame)[:, : len(NAMES)]]
        )
        assert fast.shape == (len(frame), len(numeric) + len(NAMES))
        np.testing.assert_array_equal(fast, slow)
    if CASH_FLAG not in numeric:  # the flag read for the loan terms only: absent, cash loans
        np.testing.assert_array_equal(
            scorer.matrix(loan_only)[:, -len(NAMES) :], terms.derive(loan_only)
        )
    with pytest.raises(FeatureMismatchError):
        scorer.matrix(shuffled.drop(columns=numeric[0]))


def test_the_scorer_s_contributions_are_lightgbm_s(
    portfolio: tuple[ChampionScorer, pd.DataFrame],
) -> None:
    """The compiled TreeSHAP serves the champion, with LightGBM's numbers."""
    scorer, table = portfolio
    assert scorer.treeshap is not None
    scorer.warm_up()
    matrix = scorer.matrix(table, num_threads=2)
    ours = scorer._contrib(matrix, 2)
    theirs = scorer.booster.predict(np.ascontiguousarray(matrix), pred_contrib=True)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-12)


def test_a_booster_the_kernel_does_not_cover_is_explained_by_lightgbm(
    portfolio: tuple[ChampionScorer, pd.DataFrame],
) -> None:
    scorer, table = portfolio
    kernel = scorer.score_block(table.iloc[:60], num_threads=2)
    scorer.__dict__["_treeshap"] = None  # as for categorical or linear trees
    try:
        fallback = scorer.score_block(table.iloc[:60], num_threads=2)
    finally:
        del scorer.__dict__["_treeshap"]
    np.testing.assert_allclose(fallback.probability, kernel.probability, rtol=1e-12)
    assert (fallback.reasons.code == kernel.reasons.code).all()
    assert scorer.treeshap is not None  # rebuilt
