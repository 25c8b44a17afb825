"""Features on the real Home Credit sample: breadth, and the API path agreeing with the batch."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from credit_scoring.data.loading import PreparedData, prepare
from credit_scoring.features.batch import (
    build_feature_table,
    feature_metadata,
)
from credit_scoring.features.online import build_features_for_frames

SAMPLE = Path(__file__).resolve().parents[3] / "shared" / "data" / "home-credit-sample"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not SAMPLE.is_dir(), reason=f"real sample absent ({SAMPLE})"),
]


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[PreparedData, pd.DataFrame]:
    prepared = prepare(SAMPLE, tmp_path_factory.mktemp("sample-cache"))
    prepared.raise_for_errors()
    return prepared, build_feature_table(prepared)


def test_breadth_on_the_real_sample(sample: tuple[PreparedData, pd.DataFrame]) -> None:
    prepared, table = sample
    apps = len(prepared.read("application_train", ["SK_ID_CURR"])) + len(
        prepared.read("application_test", ["SK_ID_CURR"])
    )
    assert len(table) == apps and table.SK_ID_CURR.is_unique
    filled = [c for c in table.columns[2:] if table[c].notna().any()]
    assert len(filled) >= 500  # even without installments_payments
    assert list(table.columns[2:]) == list(feature_metadata())
    assert table.TARGET.notna().sum() == len(prepared.read("application_train", ["SK_ID_CURR"]))


def test_api_path_matches_batch_for_a_client_with_history(
    sample: tuple[PreparedData, pd.DataFrame],
) -> None:
    prepared, table = sample
    card = prepared.read("credit_card_balance", ["SK_ID_CURR"])
    bureau = prepared.read("bureau")
    previous = prepared.read("previous_application")
    client = int(
        np.intersect1d(np.intersect1d(card.SK_ID_CURR, bureau.SK_ID_CURR), previous.SK_ID_CURR)[0]
    )
    apps = pd.concat([prepared.read(t) for t in ("application_train", "application_test")])
    tables = {"application": apps[apps["SK_ID_CURR"].eq(client)]}
    for name in ("bureau", "previous_application", "POS_CASH_balance", "credit_card_balance"):
        df = prepared.read(name)
        tables[name] = df[df["SK_ID_CURR"].eq(client)]
    bb = prepared.read("bureau_balance")
    tables["bureau_balance"] = bb[bb.SK_ID_BUREAU.isin(tables["bureau"].SK_ID_BUREAU)]

    online = build_features_for_frames(tables).iloc[0]
    batch = table.set_index("SK_ID_CURR").loc[client]
    assert online["SK_ID_CURR"] == client
    assert online["BURO_COUNT"] == len(tables["bureau"]) and online["CC_COUNT"] > 0
    differ = [
        c
        for c in batch.index
        if not (math.isnan(batch[c]) and math.isnan(online[c]))
        and not math.isclose(batch[c], online[c], rel_tol=1e-9, abs_tol=1e-9)
    ]
    assert not differ


def test_numpy_application_features_match_duckdb_on_every_application(
    sample: tuple[PreparedData, pd.DataFrame],
) -> None:
    """The API's path for an application without history (NumPy) against the batch build."""
    from credit_scoring.features import online_numpy as rowwise

    prepared, table = sample
    apps = pd.concat(
        [prepared.read(t) for t in ("application_train", "application_test")], ignore_index=True
    )
    tape = rowwise.application_tape()
    assert tape is not None
    fast = rowwise.application_features(apps)
    assert (fast.SK_ID_CURR.to_numpy() == table.SK_ID_CURR.to_numpy()).all()
    names = list(tape.outputs)
    np.testing.assert_allclose(
        fast[names].to_numpy(float), table[names].to_numpy(float), rtol=1e-9, atol=0, equal_nan=True
    )
