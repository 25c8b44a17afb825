"""Credit bureau rows (``bureau``) and their monthly statuses (``bureau_balance``)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from credit_scoring.data.synth._base import Columns, expand, inverse_cdf, marginal, sigmoid
from credit_scoring.data.synth.application import Clients

FIRST_BUREAU_ID = 5000000
SHARE_WITH_BUREAU = 0.86  # Kaggle: 305,811 of 356,255 clients
STATUS_LEVELS = ["C", "X", "0", "1", "2", "3", "4", "5"]
_MONTH = 30.4375
SHARE_WITH_BALANCE = 0.42  # Kaggle: ~16 balance months per bureau credit on average


def generate_bureau(
    rng: np.random.Generator, clients: Clients, first_id: int
) -> tuple[pa.Table, pa.Table]:
    """Bureau credits (about 5.6 per client who has any) and ~16 balance months per credit."""
    has = rng.random(len(clients)) < SHARE_WITH_BUREAU
    counts = np.where(has, 1 + rng.negative_binomial(2, 2 / 6.6, len(clients)), 0)
    owner, _ = expand(counts)
    n = len(owner)
    risk = clients.risk[owner]
    # Propensity to pay late, per credit: mostly the client's risk, partly the credit's luck.
    late = sigmoid(-3.4 + 1.25 * risk + 0.5 * rng.standard_normal(n))
    cols = Columns("bureau", n)
    ids = first_id + np.arange(n, dtype="int64")
    cols.put("SK_ID_CURR", clients.ids[owner])
    cols.put("SK_ID_BUREAU", ids)

    active_m = marginal("bureau", "CREDIT_ACTIVE")
    levels = [*active_m["levels"], "Bad debt"]
    state = inverse_cdf(active_m, rng.random(n))
    bad = (late > 0.5) & (rng.random(n) < 0.002)
    state = np.where(bad, len(levels) - 1, state)
    cols.put("CREDIT_ACTIVE", state, levels=levels)
    active = state == levels.index("Active")
    closed = ~active

    days_credit = np.minimum(inverse_cdf(marginal("bureau", "DAYS_CREDIT"), rng.random(n)), -1)
    cols.put("DAYS_CREDIT", days_credit)
    planned = np.rint(np.exp(np.log(600) + 0.9 * rng.standard_normal(n)))
    cols.put("DAYS_CREDIT_ENDDATE", days_credit + planned, missing=rng.random(n) < 0.06)
    # A closed credit ended some time between its start and now, often early.
    lasted = np.rint(np.minimum(planned * 1.1, -days_credit) * rng.uniform(0.1, 0.95, n))
    end_fact = np.clip(days_credit + lasted, days_credit, -1)
    cols.put("DAYS_ENDDATE_FACT", end_fact, missing=active)
    update = np.where(closed, np.rint(end_fact * rng.uniform(0.3, 1.0, n)), -rng.integers(0, 60, n))
    cols.put("DAYS_CREDIT_UPDATE", np.maximum(update, days_credit))

    overdue_now = active & (rng.random(n) < 0.15 * late)
    cols.put(
        "CREDIT_DAY_OVERDUE", np.where(overdue_now, np.minimum(rng.geometric(1 / 40, n), 2800), 0)
    )
    amount = inverse_cdf(marginal("bureau", "AMT_CREDIT_SUM"), rng.random(n))
    cols.put("AMT_CREDIT_SUM", np.rint(amount * 2) / 2)
    debt = np.where(active, np.rint(amount * rng.uniform(0.0, 1.0, n) * 2) / 2, 0.0)
    cols.put("AMT_CREDIT_SUM_DEBT", debt, missing=rng.random(n) < 0.15)
    overdue_amount = np.where(overdue_now, np.rint(debt * rng.uniform(0.02, 0.3, n)), 0.0)
    cols.put("AMT_CREDIT_SUM_OVERDUE", overdue_amount)
    ever_late = rng.random(n) < np.minimum(3 * late, 1.0)
    max_overdue = np.where(ever_late, np.rint(amount * rng.beta(0.6, 12, n)), 0.0)
    cols.put(
        "AMT_CREDIT_MAX_OVERDUE",
        np.maximum(max_overdue, overdue_amount),
        missing=rng.random(n) < 0.66,
    )
    cols.fill_rest(rng)
    bureau = cols.to_arrow()

    balance = _balance(rng, ids, days_credit, end_fact, closed, late)
    return bureau, balance


def _balance(
    rng: np.random.Generator,
    ids: np.ndarray,
    days_credit: np.ndarray,
    end_fact: np.ndarray,
    closed: np.ndarray,
    late: np.ndarray,
) -> pa.Table:
    n = len(ids)
    months = np.minimum(np.floor(-days_credit / _MONTH), 95).astype("int64") + 1
    months = np.where(rng.random(n) < SHARE_WITH_BALANCE, months, 0)
    credit, rank = expand(months)  # rank 0 = current month, going back in time
    rows = len(credit)
    since_close = np.where(closed, np.floor(-end_fact / _MONTH), -1)[credit]
    unknown_share = np.where(rng.random(n) < 0.5, rng.uniform(0.4, 1.0, n), 0.0)[credit]
    u = rng.random(rows)
    p_late = 0.35 * late[credit]
    severity = 1 + np.minimum(
        rng.geometric(np.clip(1.0 - 1.4 * late[credit], 0.3, 0.98), rows) - 1, 4
    )
    status = np.where(u < p_late, 2 + severity, 2)  # codes into STATUS_LEVELS: "0" is 2
    status = np.where(rng.random(rows) < unknown_share, 1, status)
    status = np.where(rank < since_close, 0, status)
    cols = Columns("bureau_balance", rows)
    cols.put("SK_ID_BUREAU", ids[credit])
    cols.put("MONTHS_BALANCE", -rank)
    cols.put("STATUS", status, levels=STATUS_LEVELS)
    return cols.to_arrow()
