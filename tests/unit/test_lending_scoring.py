"""One builder for the stored score of an application, whichever path scored it."""

from __future__ import annotations

import math

import numpy as np

from credit_scoring.lending.policy import Policy, PolicyHit, policy_facts
from credit_scoring.lending.scoring import ModelScore, inputs_digest, json_safe, score_row

ROW = {
    "SK_ID_CURR": 100001,
    "DAYS_BIRTH": -15_000,
    "DAYS_EMPLOYED": -2_000,
    "AMT_INCOME_TOTAL": 2_500.0,  # a month
    "AMT_ANNUITY": 1_400.0,  # 56 % of it: P03 refuses
    "AMT_CREDIT": 15_000.0,
    "NAME_CONTRACT_TYPE": "Cash loans",
    "EXT_SOURCE_1": None,
}


def _model(decision: str = "grant") -> ModelScore:
    return ModelScore(
        model_name="credit-default",
        model_version="3",
        probability=0.04,
        threshold=0.1,
        decision=decision,  # type: ignore[arg-type]
        grade="B",
        points=612.0,
        reasons=[{"code": "R01", "text": "x", "direction": "for"}],
    )


def test_the_row_holds_the_model_proposal_and_the_decision_after_the_rules() -> None:
    policy = Policy.load()
    hits = policy.evaluate(policy_facts(ROW, 6))
    assert [h.code for h in hits] == ["P03"]
    row = score_row(
        _model("grant"),
        hits,
        policy_version=policy.version,
        row=ROW,
        feature_set="fs1",
        features_sha=None,
        username="advisor",
        lang="fr",
    )
    assert (row["model_decision"], row["decision"]) == ("grant", "refuse")
    assert [p["code"] for p in row["policy"]] == ["P03"]
    assert row["policy_version"] == policy.version
    assert row["reasons"] == _model().reasons
    assert row["inputs_digest"] == inputs_digest(ROW, "fs1")
    assert len(row["inputs_digest"]) == 64


def test_a_referral_turns_the_proposal_into_refer_and_no_rule_keeps_it() -> None:
    refer = PolicyHit("P04", "refer", "a", "a", "a", "a")
    kwargs = {
        "policy_version": "v",
        "row": ROW,
        "feature_set": "fs1",
        "features_sha": "abc",
        "username": "db-load",
        "lang": "fr",
    }
    assert score_row(_model("refuse"), [refer], **kwargs)["decision"] == "refer"  # type: ignore[arg-type]
    kept = score_row(_model("refuse"), [], **kwargs)  # type: ignore[arg-type]
    assert (kept["decision"], kept["policy"], kept["features_sha"]) == ("refuse", [], "abc")


def test_the_digest_reads_missing_values_alike_whatever_their_form() -> None:
    """db load reads the row back from JSON (None), intake from pandas (NaN, numpy)."""
    from_pandas = {
        **ROW,
        "EXT_SOURCE_1": math.nan,
        "SK_ID_CURR": np.int64(100001),
        "AMT_CREDIT": np.float64(15_000.0),
    }
    assert inputs_digest(from_pandas, "fs1") == inputs_digest(ROW, "fs1")
    assert inputs_digest(ROW, "fs2") != inputs_digest(ROW, "fs1")
    assert json_safe({"a": np.float64("inf"), "b": np.int64(2)}) == {"a": None, "b": 2}
