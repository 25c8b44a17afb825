"""Monthly snapshots of earlier Home Credit credit cards (credit_card_balance), per client.

Every amount and count is summarised (min/max/mean/sum/var, as in the public
kernel); on top: utilisation (balance / limit), payment relative to the minimum
instalment, drawings relative to the limit, days past due, and the last 12 months.
"""

from __future__ import annotations

import ibis.expr.types as ir

from credit_scoring.features import categories as cats
from credit_scoring.features._dsl import Aggregator, Feature, Scope, flag, ratio
from credit_scoring.features.phrases import Phrase

SOURCE = "credit_card_balance"
NUMERIC = (
    "MONTHS_BALANCE",
    "AMT_BALANCE",
    "AMT_CREDIT_LIMIT_ACTUAL",
    "AMT_DRAWINGS_ATM_CURRENT",
    "AMT_DRAWINGS_CURRENT",
    "AMT_DRAWINGS_OTHER_CURRENT",
    "AMT_DRAWINGS_POS_CURRENT",
    "AMT_INST_MIN_REGULARITY",
    "AMT_PAYMENT_CURRENT",
    "AMT_PAYMENT_TOTAL_CURRENT",
    "AMT_RECEIVABLE_PRINCIPAL",
    "AMT_RECIVABLE",
    "AMT_TOTAL_RECEIVABLE",
    "CNT_DRAWINGS_ATM_CURRENT",
    "CNT_DRAWINGS_CURRENT",
    "CNT_DRAWINGS_OTHER_CURRENT",
    "CNT_DRAWINGS_POS_CURRENT",
    "CNT_INSTALMENT_MATURE_CUM",
    "SK_DPD",
    "SK_DPD_DEF",
)
_W = {
    "UTILISATION": Phrase(
        "card utilisation (balance / limit)", "l'utilisation de la carte (solde / limite)", "ratio"
    ),
    "PAYMENT_MIN_RATIO": Phrase(
        "payment relative to the minimum instalment",
        "le paiement rapporté à l'échéance minimale",
        "ratio",
    ),
    "DRAWINGS_LIMIT_RATIO": Phrase(
        "drawings relative to the limit", "les tirages rapportés à la limite", "ratio"
    ),
    "LATE": Phrase(
        "months late (days past due > 0)", "les mois en retard (jours de retard > 0)", "flag"
    ),
    "UNDERPAID": Phrase("months paid below the minimum", "les mois payés sous le minimum", "flag"),
}


def define(cc: ir.Table) -> tuple[ir.Table, list[Feature]]:
    t = cc
    values = {
        "UTILISATION": ratio(t.AMT_BALANCE, t.AMT_CREDIT_LIMIT_ACTUAL),
        "PAYMENT_MIN_RATIO": ratio(t.AMT_PAYMENT_TOTAL_CURRENT, t.AMT_INST_MIN_REGULARITY),
        "DRAWINGS_LIMIT_RATIO": ratio(t.AMT_DRAWINGS_CURRENT, t.AMT_CREDIT_LIMIT_ACTUAL),
        "LATE": flag(t.SK_DPD > 0),
        "UNDERPAID": flag(t.AMT_PAYMENT_TOTAL_CURRENT < t.AMT_INST_MIN_REGULARITY),
    }
    groups = {
        "UTILISATION": "AMT_BALANCE",
        "PAYMENT_MIN_RATIO": "AMT_PAYMENT_TOTAL_CURRENT",
        "DRAWINGS_LIMIT_RATIO": "AMT_DRAWINGS_CURRENT",
        "LATE": "SK_DPD",
        "UNDERPAID": "AMT_PAYMENT_TOTAL_CURRENT",
    }
    rows = Aggregator(
        t, SOURCE, "CC", "monthly credit card snapshots", "les relevés mensuels de carte de crédit"
    )
    recent = Scope(
        "CC_12M",
        "over the last 12 months of credit cards",
        "sur les 12 derniers mois de carte de crédit",
        t.MONTHS_BALANCE >= -12,
    )

    def derived(name: str, fns: tuple[str, ...], scope: Scope | None = None) -> list[Feature]:
        return rows.stats(
            name,
            fns,
            scope=scope,
            value=values[name],
            words=_W[name],
            group=f"{SOURCE}.{groups[name]}",
        )

    feats: list[Feature] = [rows.count()]
    for col in NUMERIC:
        feats += rows.stats(col, ("min", "max", "mean", "sum", "var"))
    feats += rows.shares("NAME_CONTRACT_STATUS", cats.CARD_STATUS)
    feats += derived("UTILISATION", ("max", "mean", "var"))
    feats += derived("PAYMENT_MIN_RATIO", ("min", "mean"))
    feats += derived("DRAWINGS_LIMIT_RATIO", ("max", "mean"))
    feats += derived("LATE", ("mean", "sum"))
    feats += derived("UNDERPAID", ("mean", "sum"))
    feats.append(
        rows.count(
            scope=recent,
            en="number of monthly credit card snapshots in the last 12 months",
            fr="nombre de relevés mensuels de carte sur les 12 derniers mois",
        )
    )
    for col in ("AMT_BALANCE", "AMT_DRAWINGS_CURRENT", "AMT_PAYMENT_TOTAL_CURRENT", "SK_DPD"):
        feats += rows.stats(col, ("max", "mean"), scope=recent)
    feats += derived("UTILISATION", ("max", "mean"), recent)
    feats += derived("LATE", ("mean", "sum"), recent)
    feats += derived("UNDERPAID", ("mean", "sum"), recent)
    return t, feats
