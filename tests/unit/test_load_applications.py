"""``db load`` turns each loaded client's current Kaggle application into an application with
its immutable, chained score (SQLite): one each, idempotent, re-scored only when an input
changed, policy rules applied, reasons with catalogue codes and no protected attribute."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine, func, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from tiny_champion import tiny_champion
from typer.testing import CliRunner

from credit_scoring.cli import app
from credit_scoring.config import get_settings
from credit_scoring.core.reason_codes import CATALOGUE
from credit_scoring.data.loading import prepare
from credit_scoring.data.synth import generate
from credit_scoring.db import audit_chain, migrate
from credit_scoring.db import models as m
from credit_scoring.db.load import decode_vector, load_prepared
from credit_scoring.db.session import get_engine
from credit_scoring.features.batch import build_feature_table
from credit_scoring.features.metadata import EXCLUDED_COLUMNS
from credit_scoring.lending.loaded import load_applications, row_key
from credit_scoring.lending.policy import Policy, PolicyHit
from credit_scoring.lending.schemas import ReasonOut
from credit_scoring.modeling.scorer import ChampionScorer

PROTECTED_WORDS = re.compile(
    r"\b(?:genre|sexe|gender|sex|femme|homme|female|male|situation familiale|family status|"
    r"marié|married|célibataire|single|veuf|veuve|widow|conjoint|spouse)\b",
    re.IGNORECASE,
)
CLIENTS = 300


@dataclass
class StandIn:
    """A policy with one rule that refers every cash loan (the real file's rules rarely fire
    on synthetic clients)."""

    version: str = "test-1"

    def evaluate(self, facts: dict[str, Any]) -> list[PolicyHit]:
        if facts.get("contract_type") != "Cash loans":
            return []
        return [PolicyHit("P90", "refer", "Prêt espèces", "Cash loan", "fr", "en")]

    def evaluate_many(self, facts: Sequence[dict[str, Any]]) -> list[list[PolicyHit]]:
        return [self.evaluate(f) for f in facts]


@dataclass
class Loaded:
    engine: Engine
    scorer: ChampionScorer
    folder: Path
    features: pd.DataFrame


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Loaded:
    root = tmp_path_factory.mktemp("loadapps")
    generate(root / "data", clients=CLIENTS, seed=21, fmt="csv")
    prepared = prepare(root / "data", root / "cache")
    features = build_feature_table(prepared)
    engine = get_engine(f"sqlite:///{root / 'bank.db'}")
    migrate.upgrade(engine)
    load_prepared(engine, prepared, features)
    return Loaded(engine, tiny_champion(features), root, features)


def _count(engine: Engine, table: type[m.Base], *where: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one())


def _scores(engine: Engine) -> pd.DataFrame:
    with engine.connect() as conn:
        return pd.read_sql(select(m.Score).order_by(m.Score.id), conn)


def test_every_client_gets_one_application_with_one_score_and_twice_adds_nothing(
    loaded: Loaded,
) -> None:
    engine, policy = loaded.engine, Policy.load()
    seen: list[tuple[int, int]] = []
    report = load_applications(
        engine, loaded.scorer, policy=policy, chunk=70, on_progress=lambda d, t: seen.append((d, t))
    )
    assert report.clients == report.created == report.scored == CLIENTS
    assert seen[0] == (0, CLIENTS) and seen[-1] == (CLIENTS, CLIENTS) and len(seen) == 6
    with engine.connect() as conn:
        apps = pd.read_sql(select(m.Application), conn)
        history = set(
            conn.execute(
                select(m.Loan.sk_id_curr).where(m.Loan.source.in_(("bureau", "previous")))
            ).scalars()
        )
        clients = dict(conn.execute(select(m.Client.sk_id_curr, m.Client.application_json)).all())
        vectors = dict(
            conn.execute(select(m.FeatureVector.sk_id_curr, m.FeatureVector.vector_sha)).all()
        )
    assert sorted(apps["sk_id_curr"]) == sorted(clients) and apps["sk_id_curr"].is_unique
    assert (apps["source"] == "load").all()
    assert (apps["entered_by"] == "db-load").all() and apps["term_months"].isna().all()
    for app_row in apps.itertuples():
        kaggle = json.loads(clients[app_row.sk_id_curr])
        assert app_row.application_row == kaggle
        declared = app_row.declared  # the bank's terms, as the intake form has them
        assert declared["loan"]["amount"] == kaggle["AMT_CREDIT"]
        # AMT_INCOME_TOTAL is a monthly income (the income convention)
        assert declared["applicant"]["income_yearly"] == pytest.approx(
            12 * kaggle["AMT_INCOME_TOTAL"]
        )
        assert app_row.new_client == (app_row.sk_id_curr not in history)
        assert app_row.amount_credit == kaggle["AMT_CREDIT"]
        assert app_row.contract_type == kaggle["NAME_CONTRACT_TYPE"]
        assert app_row.idempotency_key == row_key(app_row.sk_id_curr, kaggle)
    assert apps["new_client"].any() and not apps["new_client"].all()

    scores = _scores(engine)
    assert sorted(scores["application_id"]) == sorted(apps["id"])
    by_client = scores.merge(apps[["id", "sk_id_curr"]], left_on="application_id", right_on="id")
    assert (by_client["features_sha"] == by_client["sk_id_curr"].map(vectors)).all()
    assert (scores["model_version"] == "1").all()
    assert (scores["policy_version"] == policy.version).all()
    refuse = scores["probability"] >= scores["threshold"]
    assert (scores["model_decision"] == np.where(refuse, "refuse", "grant")).all()
    assert scores["model_decision"].nunique() == 2
    assert scores["grade"].notna().all() and scores["points"].notna().all()
    assert (scores["lang"] == "fr").all()
    # as at intake: a referral waits for a senior
    status = apps.set_index("id")["status"]
    referred = scores["decision"] == "refer"
    assert (
        status[scores["application_id"]].to_numpy() == np.where(referred, "referred", "scored")
    ).all()
    # what the API serves for the same stored (float32) vector: ChampionScorer.score
    row = by_client.iloc[0]
    with engine.connect() as conn:
        columns, categories = conn.execute(
            select(m.FeatureSet.columns, m.FeatureSet.categories)
        ).one()
        blob = conn.execute(
            select(m.FeatureVector.vector).where(
                m.FeatureVector.sk_id_curr == int(row["sk_id_curr"])
            )
        ).scalar_one()
    frame = decode_vector(blob, columns, categories)
    result = loaded.scorer.score(frame, lang="fr", top=4)[0]
    assert row["probability"] == pytest.approx(result.probability, abs=1e-6)
    served = [(r.code, r.text) for r in result.reasons_against + result.reasons_for]
    assert [(r["code"], r["text"]) for r in row["reasons"]] == served
    # stored as the API stores an intake score's reasons (its ReasonOut fields)
    stored = [ReasonOut(**r).model_dump() for r in row["reasons"]]
    api = [
        ReasonOut(**{**asdict(r), "features": list(r.features)}).model_dump()
        for r in result.reasons_against + result.reasons_for
    ]
    # contributions of a chunk and of one row differ in the last digits (LightGBM sums)
    assert [r.pop("contribution") for r in stored] == pytest.approx(
        [r.pop("contribution") for r in api], rel=1e-6
    )
    assert stored == api

    again = load_applications(engine, loaded.scorer, policy=policy, chunk=70)
    assert (again.created, again.scored, again.clients) == (0, 0, CLIENTS)
    assert _count(engine, m.Application) == CLIENTS and _count(engine, m.Score) == CLIENTS


def test_rescored_when_model_or_policy_change_and_a_changed_row_is_a_new_application(
    loaded: Loaded,
) -> None:
    engine = loaded.engine
    load_applications(engine, loaded.scorer, policy=Policy.load())
    apps, scores = _count(engine, m.Application), _count(engine, m.Score)
    referred = _count(engine, m.Application, m.Application.status == "referred")
    newer = tiny_champion(loaded.features, version="2")
    report = load_applications(engine, newer, policy=Policy.load())
    assert (report.created, report.rescored) == (0, CLIENTS)
    stand_in = StandIn()
    report = load_applications(engine, newer, policy=stand_in)
    assert (report.created, report.rescored) == (0, CLIENTS)
    assert _count(engine, m.Application) == apps and _count(engine, m.Score) == scores + 2 * CLIENTS

    latest = _scores(engine).tail(CLIENTS)
    cash = latest["policy"].map(bool)
    assert cash.any() and (latest.loc[cash, "decision"] == "refer").all()
    assert latest.loc[cash, "policy"].iloc[0] == [
        {
            "code": "P90",
            "outcome": "refer",
            "text_fr": "Prêt espèces",
            "text_en": "Cash loan",
            "applicant_fr": "fr",
            "applicant_en": "en",
        }
    ]
    assert (latest.loc[~cash, "decision"] == latest.loc[~cash, "model_decision"]).all()
    # a re-score leaves the status alone (as the API's does)
    assert _count(engine, m.Application, m.Application.status == "referred") == referred

    # a reload with another Kaggle row for a cash-loan client: a new application, the old
    # one kept; the new one is referred (the stand-in's rule) and waits for a senior
    with engine.begin() as conn:
        sk_id, raw = conn.execute(
            select(m.Client.sk_id_curr, m.Client.application_json).where(
                m.Client.contract_type == "Cash loans"
            )
        ).first()
        row = json.loads(raw) | {"AMT_CREDIT": 123_456.0}
        conn.execute(
            update(m.Client)
            .where(m.Client.sk_id_curr == sk_id)
            .values(application_json=json.dumps(row))
        )
        # and a decided application keeps the score it was decided on
        decided = conn.execute(
            select(m.Application.id).where(m.Application.sk_id_curr != sk_id).limit(1)
        ).scalar_one()
        conn.execute(
            update(m.Application).where(m.Application.id == decided).values(status="decided")
        )
    report = load_applications(engine, newer, policy=stand_in)
    assert (report.created, report.scored) == (1, 1)
    mine = m.Application.sk_id_curr == sk_id
    assert _count(engine, m.Application, mine) == 2
    assert _count(engine, m.Application, mine, m.Application.status == "referred") == 1
    report = load_applications(engine, newer, policy=StandIn(version="test-2"))
    assert (report.created, report.rescored) == (0, CLIENTS - 1)
    assert _count(engine, m.Score, m.Score.application_id == decided) == 3
    assert audit_chain.verify(engine, ["scores"])[0].ok


def test_scores_are_append_only_chained_and_counted_by_audit_verify(
    loaded: Loaded, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = loaded.engine
    load_applications(engine, loaded.scorer, policy=Policy.load())
    for sql in ("UPDATE scores SET probability = 0.01", "DELETE FROM scores"):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text(sql.replace("scores", f"{m.TABLE_PREFIX}scores")))
    (report,) = audit_chain.verify(engine, ["scores"])
    assert report.ok and report.records == _count(engine, m.Score) >= CLIENTS

    monkeypatch.setenv("CREDIT_SCORING_HOME", str(tmp_path))
    monkeypatch.setenv("CREDIT_SCORING_DATABASE_URL", str(engine.url))
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["audit", "verify", "--table", "scores"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert f"scores: {report.records:,} records, chain intact" in result.output


def test_reasons_carry_catalogue_codes_and_never_a_protected_attribute(loaded: Loaded) -> None:
    load_applications(loaded.engine, loaded.scorer, policy=Policy.load())
    reasons = [r for rs in _scores(loaded.engine)["reasons"] for r in rs]
    assert reasons and all(
        set(r) == {"code", "text", "direction", "group", "contribution", "features", "value"}
        for r in reasons
    )
    assert all(r["code"] in CATALOGUE for r in reasons)
    assert not [r for r in reasons if r["group"] in EXCLUDED_COLUMNS]
    assert not [r["text"] for r in reasons if PROTECTED_WORDS.search(r["text"])]
    for rs in _scores(loaded.engine)["reasons"]:
        directions = [r["direction"] for r in rs]
        assert directions == sorted(directions)  # against, then for
        assert directions.count("against") <= 4 and directions.count("for") <= 4
        assert all((r["contribution"] > 0) == (r["direction"] == "against") for r in rs)


def test_db_load_creates_and_scores_the_applications(
    loaded: Loaded, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CREDIT_SCORING_HOME", str(tmp_path))
    monkeypatch.setenv("CREDIT_SCORING_ENVIRONMENT", "development")
    monkeypatch.delenv("CREDIT_SCORING_DATABASE_URL", raising=False)
    monkeypatch.setattr("credit_scoring.registry.load_champion", lambda _s: loaded.scorer)
    features = tmp_path / "features.parquet"
    loaded.features.to_parquet(features)
    args = ["db", "load", "--data", str(loaded.folder / "data"), "--features", str(features)]
    get_settings.cache_clear()
    try:
        first = CliRunner().invoke(app, args)
        assert first.exit_code == 0, first.output
        assert f"Scored {CLIENTS:,} clients" in first.output  # with its progress bar
        assert f"Applications: {CLIENTS:,} created, {CLIENTS:,} scores written" in first.output
        second = CliRunner().invoke(app, args)
        assert second.exit_code == 0, second.output
        assert "Applications: 0 created, 0 scores written" in second.output
        engine = get_engine(get_settings().resolved_database_url)
    finally:
        get_settings.cache_clear()
    assert _count(engine, m.Application) == CLIENTS == _count(engine, m.Score)


def test_a_challenger_shadows_every_score_db_load_writes(loaded: Loaded) -> None:
    engine = loaded.engine
    champion = tiny_champion(loaded.features, version="3")  # a new version: all re-scored
    challenger = tiny_champion(loaded.features, version="9")
    report = load_applications(engine, champion, policy=Policy.load(), challenger=challenger)
    assert report.scored > 0
    with Session(engine) as session:
        rows = session.execute(
            select(m.ShadowScore, m.Score.application_id, m.Score.model_version)
            .join(m.Score, m.Score.id == m.ShadowScore.score_id)
            .where(m.ShadowScore.model_version == "9")
        ).all()
    assert len(rows) == report.scored
    assert all(s.application_id == app_id and version == "3" for s, app_id, version in rows)
    assert all(s.model_decision in ("grant", "refuse") and s.row_hash for s, _, _ in rows)

    class Broken:  # a challenger that cannot score these rows: the load goes on without it
        model_name, model_version, threshold = "broken", "10", 0.5

        def predict_proba(self, features: pd.DataFrame) -> np.ndarray:
            raise KeyError("a column the stored feature set lacks")

    newer = tiny_champion(loaded.features, version="4")
    again = load_applications(engine, newer, policy=Policy.load(), challenger=Broken())  # type: ignore[arg-type]
    assert again.scored == report.scored
    assert _count(engine, m.ShadowScore, m.ShadowScore.model_version == "10") == 0
