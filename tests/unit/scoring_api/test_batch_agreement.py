"""One decision everywhere: the batch scores file gives each client the decision of the
application ``db load`` stores for them, and the one an application entered through the
API gets (a real tiny champion, the committee's rules with thresholds that fire often on
synthetic clients)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score
from sqlalchemy import func, select
from tiny_champion import tiny_champion

from credit_scoring.data.loading import prepare
from credit_scoring.db import models as m
from credit_scoring.features.online import build_features_for_frames
from credit_scoring.lending.batch import apply_policy
from credit_scoring.lending.loaded import load_applications
from credit_scoring.lending.outcomes import record_loaded_targets
from credit_scoring.lending.policy import FACT_COLUMNS, Policy
from credit_scoring.modeling.batch import score_features
from credit_scoring.modeling.scorer import ChampionScorer
from credit_scoring.monitoring.backtest_report import backtest, backtest_frame

from .conftest import Bank, TestClient, bank_fixture, served, tokens_for

EXAMPLE = Path(__file__).resolve().parents[3] / "docs" / "examples" / "new-application.json"

bank = bank_fixture("batch-agreement")


@pytest.fixture(scope="module")
def scorer(bank: Bank) -> ChampionScorer:
    return tiny_champion(bank.features)


@pytest.fixture(scope="module")
def policy(tmp_path_factory: pytest.TempPathFactory) -> Policy:
    """The packaged rules with lower affordability thresholds: on synthetic clients (median
    payment-to-income 0.15) P03 then refuses and P04 refers about a quarter each."""
    data = json.loads(Policy.load().path.read_text(encoding="utf-8"))
    for rule in data["rules"]:
        if rule["code"] in ("P03", "P04"):
            rule["when"] = rule["when"].replace("0.50", "0.22").replace("0.35", "0.12")
    path = tmp_path_factory.mktemp("rules") / "rules.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return Policy.load(path)


def _rows(bank: Bank) -> pd.DataFrame:
    """The folder's application rows (train and test): what ``db load`` stores per client."""
    prepared = prepare(bank.data_dir, bank.settings.cache_dir)
    columns = ["SK_ID_CURR", *FACT_COLUMNS]
    return pd.concat(
        [prepared.read(t, columns=columns) for t in ("application_train", "application_test")],
        ignore_index=True,
    )


def _stored(bank: Bank) -> pd.DataFrame:
    """Each client's load application: its latest score's decision, proposal and rules."""
    s, a = m.Score, m.Application
    last = select(func.max(s.id).label("id")).group_by(s.application_id).subquery()
    with bank.engine.connect() as conn:
        rows = conn.execute(
            select(a.sk_id_curr, s.decision, s.model_decision, s.policy, s.probability)
            .join(s, s.application_id == a.id)
            .join(last, last.c.id == s.id)
            .where(a.source == "load")
        ).all()
    return pd.DataFrame(
        [
            {
                "SK_ID_CURR": int(r[0]),
                "decision": r[1],
                "model_decision": r[2],
                "policy_codes": " ".join(p["code"] for p in r[3]),
                "probability": r[4],
            }
            for r in rows
        ]
    )


def test_db_load_and_the_batch_file_give_every_client_the_same_decision(
    bank: Bank, scorer: ChampionScorer, policy: Policy, tmp_path: Path
) -> None:
    report = load_applications(bank.engine, scorer, policy=policy)
    assert report.created == len(bank.features)
    rows = _rows(bank)
    # the batch file's path (credit-scoring score): the model, then the committee's rules
    result = score_features(
        scorer,
        bank.features,
        tmp_path / "scores.csv",
        lang="fr",
        finish=lambda frame: apply_policy(frame, rows, policy, lang="fr"),
    )
    batch = pd.read_csv(result.out, keep_default_na=False)
    stored = _stored(bank)
    both = batch.merge(stored, on="SK_ID_CURR", suffixes=("_batch", "_load"), validate="1:1")
    assert len(both) == len(bank.features) == len(rows)
    disagreements = both[both["decision_batch"] != both["decision_load"]]
    assert disagreements.empty, disagreements.head().to_dict("records")
    assert (both["model_decision_batch"] == both["model_decision_load"]).all()
    assert (both["policy_codes_batch"] == both["policy_codes_load"]).all()
    assert both["probability_batch"].to_numpy() == pytest.approx(
        both["probability_load"].to_numpy(), abs=1e-6
    )
    # the rules made a difference, in each direction they can
    decisions = set(both["decision_batch"])
    assert decisions == {"grant", "refuse", "refer"}
    overruled = both[both["decision_batch"] != both["model_decision_batch"]]
    assert not overruled.empty and (overruled["policy_codes_batch"] != "").all()
    # the rules that fired come first among the reasons, with the advisor's text
    fired = batch[batch["policy_codes"] != ""]
    first = fired["policy_codes"].str.split(" ").str[0]
    assert (fired["reason_against_1_code"] == first).all()
    p03 = fired[first == "P03"]
    assert (p03["reason_against_1"] == "Mensualité supérieure à 50 % du revenu mensuel").all()
    assert (batch.loc[batch["policy_codes"] == "", "reason_against_1_code"] != "P03").all()


def test_the_backtest_of_a_loaded_train_folder_agrees_with_scikit_learn(
    bank: Bank, scorer: ChampionScorer, policy: Policy, tmp_path: Path
) -> None:
    """db load records TARGET as each train client's outcome; the back-test's AUC is the
    one scikit-learn gives on the batch file of the same clients (issue 23)."""
    load_applications(bank.engine, scorer, policy=policy)  # loaded once: nothing new
    first = record_loaded_targets(bank.engine)
    again = record_loaded_targets(bank.engine)
    train = prepare(bank.data_dir, bank.settings.cache_dir).read(
        "application_train", columns=["SK_ID_CURR", "TARGET"]
    )
    assert first.appended == len(train) and first.already_known == 0
    assert again.appended == 0 and again.already_known == len(train)
    result = score_features(scorer, bank.features, tmp_path / "scores.csv", lang="fr")
    batch = pd.read_csv(result.out).merge(train, on="SK_ID_CURR", validate="1:1")
    expected = roc_auc_score(batch["TARGET"], batch["probability"])
    report = backtest(backtest_frame(bank.engine), development_auc=None, auc_floor=0.5, boot=0)
    assert report["clients"] == len(train)
    assert report["defaults"] == int(train["TARGET"].sum())
    assert abs(report["auc"] - expected) < 0.001


@pytest.fixture(scope="module")
def client(bank: Bank, scorer: ChampionScorer, policy: Policy) -> Iterator[TestClient]:
    with served(bank.settings, scorer) as test_client:  # type: ignore[arg-type]
        test_client.app.state.applications.policy = policy  # type: ignore[attr-defined]
        yield test_client


def _example(income_yearly: float) -> dict[str, Any]:
    body = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    body["applicant"]["income_yearly"] = income_yearly
    return body


@pytest.mark.parametrize(
    ("income_yearly", "codes"),
    [(60_000, ""), (40_000, "P04"), (20_000, "P03")],  # 498.21 a month on 5 000, 3 333, 1 667
)
def test_an_application_entered_through_the_api_gets_the_batch_decision(
    bank: Bank,
    client: TestClient,
    scorer: ChampionScorer,
    policy: Policy,
    tmp_path: Path,
    income_yearly: float,
    codes: str,
) -> None:
    headers = {**tokens_for(client)["advisor"], "Idempotency-Key": uuid.uuid4().hex}
    created = client.post("/applications", json=_example(income_yearly), headers=headers)
    assert created.status_code == 201, created.text
    entered = created.json()
    assert " ".join(p["code"] for p in entered["policy"]) == codes
    with bank.engine.connect() as conn:
        row = conn.execute(
            select(m.Application.application_row).where(
                m.Application.id == entered["application_id"]
            )
        ).scalar_one()
    assert row["SK_ID_CURR"] == entered["sk_id_curr"]
    # the batch path on the application's Kaggle row: features, the model, the rules
    applications = pd.DataFrame([row])
    features = build_features_for_frames({"application": applications})
    result = score_features(
        scorer,
        features,
        tmp_path / "one.csv",
        finish=lambda frame: apply_policy(frame, applications, policy, lang="fr"),
    )
    batch = pd.read_csv(result.out, keep_default_na=False).iloc[0]
    assert int(batch["SK_ID_CURR"]) == entered["sk_id_curr"]
    assert batch["decision"] == entered["decision"]
    assert batch["model_decision"] == entered["model_decision"]
    assert batch["policy_codes"] == codes
    assert batch["probability"] == pytest.approx(entered["probability"], abs=1e-6)
