"""Monthly and payment histories of approved previous loans: POS/cash, instalments, cards."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from credit_scoring.data.synth._base import Columns, expand, sigmoid
from credit_scoring.data.synth.application import Clients
from credit_scoring.data.synth.previous import APPROVED, CASH, CONSUMER, REVOLVING, Previous

_MONTH = 30.4375
_WINDOW = 96  # months of history kept, like Kaggle
POS_STATUSES = ["Active", "Completed", "Signed"]
CARD_STATUSES = ["Active", "Completed", "Signed"]
SHARE_CARDS_USED = 0.7  # Kaggle: ~20 % of clients have card balances...
CARD_MONTHS = 90  # ...with ~40 months each: a card reports for a geometric number of months
SHARE_SPLIT_PAYMENTS = 0.12  # ...part of them paid in two rows
SHARE_LOANS_IN_POS = 0.8  # Kaggle: ~30 POS months but ~38 instalments per client


def _month(days: np.ndarray) -> np.ndarray:
    return np.floor(days / _MONTH).astype("int64")


def _loans(prev: Previous) -> np.ndarray:
    return np.flatnonzero(
        (prev.status == APPROVED) & np.isin(prev.kind, [CASH, CONSUMER]) & (prev.terms > 0)
    )


def generate_pos(rng: np.random.Generator, clients: Clients, prev: Previous) -> pa.Table:
    """One row per month of each approved cash/consumer loan, until paid off or now."""
    loans = _loans(prev)
    loans = loans[rng.random(len(loans)) < SHARE_LOANS_IN_POS]
    start = np.maximum(_month(prev.first_due[loans]) - 1, -_WINDOW)
    end = np.minimum(start + prev.terms[loans], -1)
    loan, rank = expand(end - start + 1)
    rows = len(loan)
    p = loans[loan]
    months = start[loan] + rank
    future = np.maximum(prev.terms[p] - rank, 0).astype("float64")
    finished = (months == end[loan]) & (future == 0)
    status = np.where(finished, 1, np.where((rank == 0) & (rng.random(rows) < 0.1), 2, 0))
    late = rng.random(rows) < 0.25 * prev.late[p]
    dpd = np.where(late, np.minimum(rng.geometric(1 / 12, rows), 900), 0)
    cols = Columns("POS_CASH_balance", rows)
    cols.put("SK_ID_PREV", prev.ids[p])
    cols.put("SK_ID_CURR", clients.ids[prev.owner[p]])
    cols.put("MONTHS_BALANCE", months)
    gap = rng.random(rows) < 0.0027
    cols.put("CNT_INSTALMENT", prev.terms[p].astype("float64"), missing=gap)
    cols.put("CNT_INSTALMENT_FUTURE", future, missing=gap)
    cols.put("NAME_CONTRACT_STATUS", status, levels=POS_STATUSES)
    cols.put("SK_DPD", dpd)
    cols.put("SK_DPD_DEF", np.where(rng.random(rows) < 0.4, dpd, 0))
    return cols.to_arrow()


def generate_installments(rng: np.random.Generator, clients: Clients, prev: Previous) -> pa.Table:
    """One row per instalment due so far; risky clients pay later and sometimes less."""
    loans = _loans(prev)
    first = prev.first_due[loans]
    due_so_far = np.clip(np.floor((-1 - first) / 30) + 1, 0, prev.terms[loans]).astype("int64")
    due_so_far = np.minimum(due_so_far, _WINDOW)
    loan, rank = expand(due_so_far)
    rows = len(loan)
    p = loans[loan]
    due = (first[loan] + 30 * rank).astype("float64")
    late_p = prev.late[p]
    late = rng.random(rows) < 0.5 * late_p
    delay = np.where(late, rng.geometric(1 / 9, rows), -np.rint(rng.gamma(1.3, 8.0, rows)))
    paid = np.minimum(due + delay, -1)
    amount = np.rint(prev.annuity[p] * 100) / 100
    short = rng.random(rows) < 0.35 * late_p
    payment = np.where(short, np.rint(amount * rng.uniform(0.2, 0.95, rows) * 100) / 100, amount)
    # Some instalments are paid in two parts (Kaggle's file has such split rows too).
    split = rng.random(rows) < SHARE_SPLIT_PAYMENTS
    row = np.repeat(np.arange(rows), 1 + split)
    second = np.r_[False, row[1:] == row[:-1]]
    part = rng.uniform(0.2, 0.8, rows)[row]
    share = np.where(split[row], np.where(second, 1 - part, part), 1.0)
    paid = np.minimum(paid[row] + np.where(second, rng.integers(1, 20, len(row)), 0), -1)
    payment = np.rint(payment[row] * share * 100) / 100
    p, rank = p[row], rank[row]
    cols = Columns("installments_payments", len(row))
    cols.put("SK_ID_PREV", prev.ids[p])
    cols.put("SK_ID_CURR", clients.ids[prev.owner[p]])
    cols.put("NUM_INSTALMENT_VERSION", np.where(rng.random(rows) < 0.03, 2.0, 1.0)[row])
    cols.put("NUM_INSTALMENT_NUMBER", rank + 1)
    cols.put("DAYS_INSTALMENT", due[row])
    cols.put("DAYS_ENTRY_PAYMENT", paid)
    cols.put("AMT_INSTALMENT", amount[row])
    cols.put("AMT_PAYMENT", payment)
    return cols.to_arrow()


def generate_cards(rng: np.random.Generator, clients: Clients, prev: Previous) -> pa.Table:
    """Monthly balances of approved revolving loans; risky clients use more of their limit."""
    cards = np.flatnonzero((prev.status == APPROVED) & (prev.kind == REVOLVING))
    cards = cards[rng.random(len(cards)) < SHARE_CARDS_USED]
    opened = np.maximum(_month(prev.decision[cards]), -_WINDOW)
    start = np.maximum(opened, -rng.geometric(1 / CARD_MONTHS, len(cards)))
    card, rank = expand(-start)
    rows = len(card)
    p = cards[card]
    risk = clients.risk[prev.owner[p]]
    months = start[card] + rank
    limit = np.maximum(prev.credit[p], 45000.0)
    # Many cards lie dormant (no balance); a used card sits at a per-card utilisation level
    # that rises with the client's risk, plus month-to-month noise.
    owner_risk = clients.risk[prev.owner[cards]]
    dormant = rng.random(len(cards)) < sigmoid(-0.2 - 0.6 * owner_risk)
    level = np.clip(0.45 + 0.25 * (owner_risk + 0.6 * rng.standard_normal(len(cards))), 0.0, 1.0)
    use = np.clip(level[card] + 0.12 * rng.standard_normal(rows), 0.0, 1.15)
    use = np.where(dormant[card] & (rng.random(rows) < 0.9), 0.0, use)
    balance = np.rint(limit * use * 100) / 100
    draw_any = (use > 0) & (rng.random(rows) < 0.25 + 0.2 * level[card])
    drawings = np.where(draw_any, np.rint(limit * rng.uniform(0.02, 0.3, rows)), 0.0)
    atm = np.rint(drawings * rng.uniform(0, 1, rows))
    n_draw = np.where(draw_any, 1 + rng.poisson(2.5, rows), 0)
    minimum = np.rint(balance * 0.05 * 100) / 100
    pay_share = np.clip(rng.uniform(0.03, 0.3, rows) - 0.03 * risk, 0.01, 1.0)
    payment = np.rint(balance * pay_share * 100) / 100
    no_split = rng.random(rows) < 0.2
    no_min = rng.random(rows) < 0.075
    late = rng.random(rows) < 0.2 * prev.late[p]
    dpd = np.where(late & (balance > 0), np.minimum(rng.geometric(1 / 20, rows), 3000), 0)
    last = rank == -start[card] - 1
    status = np.where(last & (balance == 0) & (rng.random(rows) < 0.2), 1, 0)
    cols = Columns("credit_card_balance", rows)
    cols.put("SK_ID_PREV", prev.ids[p])
    cols.put("SK_ID_CURR", clients.ids[prev.owner[p]])
    cols.put("MONTHS_BALANCE", months)
    cols.put("AMT_BALANCE", balance)
    cols.put("AMT_CREDIT_LIMIT_ACTUAL", limit)
    cols.put("AMT_DRAWINGS_ATM_CURRENT", atm, missing=no_split)
    cols.put("AMT_DRAWINGS_CURRENT", drawings)
    cols.put("AMT_DRAWINGS_OTHER_CURRENT", np.zeros(rows), missing=no_split)
    cols.put("AMT_DRAWINGS_POS_CURRENT", drawings - atm, missing=no_split)
    cols.put("AMT_INST_MIN_REGULARITY", minimum, missing=no_min)
    cols.put("AMT_PAYMENT_CURRENT", payment, missing=rng.random(rows) < 0.21)
    cols.put("AMT_PAYMENT_TOTAL_CURRENT", payment)
    principal = np.rint(balance * 0.95 * 100) / 100
    cols.put("AMT_RECEIVABLE_PRINCIPAL", principal)
    cols.put("AMT_RECIVABLE", balance)
    cols.put("AMT_TOTAL_RECEIVABLE", balance)
    atm_count = np.where(atm > 0, np.maximum(np.rint(n_draw * atm / np.maximum(drawings, 1)), 1), 0)
    cols.put("CNT_DRAWINGS_ATM_CURRENT", atm_count.astype(float), missing=no_split)
    cols.put("CNT_DRAWINGS_CURRENT", n_draw)
    cols.put("CNT_DRAWINGS_OTHER_CURRENT", np.zeros(rows), missing=no_split)
    cols.put(
        "CNT_DRAWINGS_POS_CURRENT",
        np.maximum(n_draw - atm_count, 0).astype(float),
        missing=no_split,
    )
    cols.put("CNT_INSTALMENT_MATURE_CUM", rank.astype(float), missing=no_min)
    cols.put("NAME_CONTRACT_STATUS", status, levels=CARD_STATUSES)
    cols.put("SK_DPD", dpd)
    cols.put("SK_DPD_DEF", np.where(dpd > 30, dpd - 30, 0))
    return cols.to_arrow()
