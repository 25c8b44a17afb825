"""Earlier Home Credit applications (``previous_application``) of a chunk of clients."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from credit_scoring.data.synth._base import NO_DATE, Columns, expand, inverse_cdf, marginal, sigmoid
from credit_scoring.data.synth.application import Clients

FIRST_PREV_ID = 1000001
SHARE_WITH_PREVIOUS = 0.95  # Kaggle: 338,857 of 356,255 clients
TYPES = ["Cash loans", "Consumer loans", "Revolving loans", "XNA"]
CASH, CONSUMER, REVOLVING, XNA = range(4)
STATUSES = ["Approved", "Canceled", "Refused", "Unused offer"]
APPROVED, CANCELED, REFUSED, UNUSED = range(4)
_REJECT = ["XAP", "HC", "LIMIT", "SCO", "CLIENT", "SCOFR", "XNA", "VERIF", "SYSTEM"]
_REFUSAL_PROBS = [0, 0.58, 0.18, 0.11, 0, 0.05, 0.04, 0.03, 0.01]
_CARD_LIMITS = [45000, 67500, 90000, 135000, 180000, 225000, 270000, 450000, 675000]
_CARD_LIMIT_PROBS = [0.12, 0.08, 0.12, 0.2, 0.14, 0.1, 0.1, 0.1, 0.04]
_PORTFOLIO = ["Cash", "POS", "Cards", "XNA"]
_TERMS = {
    CASH: ([12, 18, 24, 36, 48, 60], [0.3, 0.1, 0.25, 0.15, 0.1, 0.1]),
    CONSUMER: ([6, 8, 10, 12, 18, 24], [0.2, 0.1, 0.25, 0.25, 0.1, 0.1]),
}


@dataclass
class Previous:
    """The loans later tables are built from: one entry per previous application."""

    owner: np.ndarray  # index of the client in the chunk
    ids: np.ndarray
    kind: np.ndarray  # code into TYPES
    status: np.ndarray  # code into STATUSES
    credit: np.ndarray
    annuity: np.ndarray
    terms: np.ndarray  # number of monthly instalments (0 for cards and unused rows)
    decision: np.ndarray  # DAYS_DECISION
    first_due: np.ndarray
    late: np.ndarray  # propensity to pay late


def generate_previous(
    rng: np.random.Generator, clients: Clients, first_id: int
) -> tuple[pa.Table, Previous]:
    """About 4.9 previous applications for 95 % of clients; riskier clients get refused more."""
    m = len(clients)
    counts = np.where(
        rng.random(m) < SHARE_WITH_PREVIOUS, 1 + rng.negative_binomial(1.5, 1.5 / 5.4, m), 0
    )
    owner, _ = expand(counts)
    n = len(owner)
    risk = clients.risk[owner]
    late = sigmoid(-3.0 + 1.2 * risk + 0.5 * rng.standard_normal(n))
    ids = first_id + np.arange(n, dtype="int64")
    cols = Columns("previous_application", n)
    cols.put("SK_ID_PREV", ids)
    cols.put("SK_ID_CURR", clients.ids[owner])

    kind = np.searchsorted(
        np.cumsum([0.462, 0.418, 0.1197, 0.0003]), rng.random(n) * 0.9999, side="right"
    )
    cols.put("NAME_CONTRACT_TYPE", kind, levels=TYPES)
    cols.put("NAME_PORTFOLIO", kind, levels=_PORTFOLIO)
    refused = rng.random(n) < sigmoid(-1.75 + 0.75 * risk)
    rest = np.searchsorted([0.73, 0.98], rng.random(n), side="right")  # approved/canceled/unused
    status = np.where(refused, REFUSED, np.array([APPROVED, CANCELED, UNUSED])[rest])
    status = np.where((status == UNUSED) & (kind != CONSUMER), CANCELED, status)
    status = np.where(kind == XNA, CANCELED, status)
    cols.put("NAME_CONTRACT_STATUS", status, levels=STATUSES)
    reject = np.where(
        status == REFUSED,
        rng.choice(len(_REJECT), n, p=_REFUSAL_PROBS),
        np.where(status == UNUSED, _REJECT.index("CLIENT"), 0),
    )
    cols.put("CODE_REJECT_REASON", reject, levels=_REJECT)

    base = np.select(
        [kind == CASH, kind == CONSUMER, kind == REVOLVING],
        [
            np.exp(np.log(220000) + 0.8 * rng.standard_normal(n)),
            np.exp(np.log(60000) + 0.9 * rng.standard_normal(n)),
            rng.choice(_CARD_LIMITS, n, p=_CARD_LIMIT_PROBS),
        ],
        0.0,
    )
    base = np.rint(np.minimum(base, 4_000_000) / 450) * 450
    canceled = (status == CANCELED) & (rng.random(n) < 0.8)
    application = np.where(canceled | (kind == XNA), 0.0, base)
    factor = np.where(status == APPROVED, rng.uniform(0.9, 1.15, n), rng.uniform(0.8, 1.1, n))
    credit = np.where(kind == REVOLVING, application, np.rint(application * factor * 2) / 2)
    terms = np.zeros(n)
    for k, (choices, probs) in _TERMS.items():
        terms = np.where(kind == k, rng.choice(choices, n, p=probs), terms)
    no_terms = (credit == 0) | (kind == REVOLVING)
    rate = rng.uniform(0.1, 0.35, n) + 0.03 * risk.clip(0)
    annuity = np.where(
        kind == REVOLVING, credit * 0.05, credit * (1 + rate * terms / 12) / np.maximum(terms, 1)
    )
    annuity = np.rint(annuity * 100) / 100
    empty = application == 0
    cols.put("AMT_APPLICATION", application)
    cols.put("AMT_CREDIT", credit)
    cols.put("AMT_ANNUITY", annuity, missing=empty)
    cols.put("CNT_PAYMENT", np.where(kind == REVOLVING, 0, terms), missing=empty)
    cols.put("AMT_GOODS_PRICE", application, missing=empty | (kind == REVOLVING))
    down_rate = np.where(rng.random(n) < 0.6, 0.0, rng.beta(1.2, 8, n))
    consumer = kind == CONSUMER
    cols.put("AMT_DOWN_PAYMENT", np.rint(application * down_rate * 100) / 100, missing=~consumer)
    cols.put("RATE_DOWN_PAYMENT", down_rate, missing=~consumer)

    decision = np.minimum(
        inverse_cdf(marginal("previous_application", "DAYS_DECISION"), rng.random(n)), -1
    )
    # Cards live for years: their decisions spread over the whole 8-year window.
    decision = np.where(kind == REVOLVING, -rng.integers(1, 2923, n), decision)
    cols.put("DAYS_DECISION", decision)
    approved = status == APPROVED
    first_due = decision + rng.integers(5, 45, n)
    first_due = np.where(kind == REVOLVING, decision + 30, np.minimum(first_due, -1))
    last_first = np.where(no_terms, NO_DATE, first_due + 30 * (terms - 1))
    early = rng.random(n) < 0.3
    last_due = np.where(
        early & (last_first < 0),
        np.maximum(last_first - rng.integers(0, 300, n), first_due),
        last_first,
    )
    last_due = np.where(last_due >= 0, NO_DATE, last_due)
    termination = np.where(
        last_due == NO_DATE, NO_DATE, np.minimum(last_due + rng.integers(0, 10, n), -1)
    )
    drawing = np.where((kind == REVOLVING) & (rng.random(n) < 0.6), decision + 3, NO_DATE)
    for name, values in (
        ("DAYS_FIRST_DRAWING", drawing),
        ("DAYS_FIRST_DUE", first_due),
        ("DAYS_LAST_DUE_1ST_VERSION", last_first),
        ("DAYS_LAST_DUE", last_due),
        ("DAYS_TERMINATION", termination),
        ("NFLAG_INSURED_ON_APPROVAL", (rng.random(n) < 0.33).astype(float)),
    ):
        cols.put(name, values, missing=~approved)
    cols.fill_rest(rng)
    previous = Previous(
        owner=owner,
        ids=ids,
        kind=kind,
        status=status,
        credit=credit,
        annuity=annuity,
        terms=np.where(no_terms, 0, terms).astype("int64"),
        decision=decision,
        first_due=first_due,
        late=late,
    )
    return cols.to_arrow(), previous
