"""Repayment history of earlier Home Credit loans (installments_payments), per client.

Per payment: days past due (DPD, payment after the due date), days before due
(DBD), the difference between the amount due and the amount paid, and the paid
ratio. Scopes: all payments (``INSTAL_``) and payments due in the last 12 months
(``INSTAL_12M_``).
"""

from __future__ import annotations

import ibis.expr.types as ir

from credit_scoring.features._dsl import (
    Aggregator,
    Feature,
    Scope,
    f64,
    flag,
    make_meta,
    positive_part,
    ratio,
)
from credit_scoring.features.phrases import Phrase

SOURCE = "installments_payments"
_W = {
    "DPD": Phrase("days paid after the due date", "les jours de paiement après l'échéance", "days"),
    "DBD": Phrase(
        "days paid before the due date", "les jours de paiement avant l'échéance", "days"
    ),
    "LATE": Phrase("late payments", "les paiements en retard", "flag"),
    "PAYMENT_PERC": Phrase("share of the instalment paid", "la part de l'échéance payée", "ratio"),
    "PAYMENT_DIFF": Phrase(
        "amount due minus amount paid", "le montant dû moins le montant payé", "currency"
    ),
    "UNDERPAID": Phrase(
        "payments below the amount due", "les paiements inférieurs au montant dû", "flag"
    ),
}
_GROUPS = {
    "DPD": "DAYS_ENTRY_PAYMENT",
    "DBD": "DAYS_ENTRY_PAYMENT",
    "LATE": "DAYS_ENTRY_PAYMENT",
    "PAYMENT_PERC": "AMT_PAYMENT",
    "PAYMENT_DIFF": "AMT_PAYMENT",
    "UNDERPAID": "AMT_PAYMENT",
}


def define(inst: ir.Table) -> tuple[ir.Table, list[Feature]]:
    delay = f64(inst.DAYS_ENTRY_PAYMENT) - f64(inst.DAYS_INSTALMENT)
    diff = f64(inst.AMT_INSTALMENT) - f64(inst.AMT_PAYMENT)
    values = {
        "DPD": positive_part(delay),
        "DBD": positive_part(-delay),
        "LATE": flag(delay > 0),
        "PAYMENT_PERC": ratio(inst.AMT_PAYMENT, inst.AMT_INSTALMENT),
        "PAYMENT_DIFF": diff,
        "UNDERPAID": flag(diff > 0),
    }
    t = inst
    rows = Aggregator(
        t, SOURCE, "INSTAL", "payments of earlier loans", "les paiements des prêts précédents"
    )
    recent = Scope(
        "INSTAL_12M",
        "over payments due in the last 12 months",
        "sur les paiements dus dans les 12 derniers mois",
        t.DAYS_INSTALMENT >= -365,
    )

    def derived(name: str, fns: tuple[str, ...], scope: Scope | None = None) -> list[Feature]:
        return rows.stats(
            name,
            fns,
            scope=scope,
            value=values[name],
            words=_W[name],
            group=f"{SOURCE}.{_GROUPS[name]}",
        )

    feats: list[Feature] = [rows.count()]
    feats.append(
        Feature(
            f64(t.SK_ID_PREV.nunique()),
            make_meta(
                "INSTAL_LOANS_COUNT",
                SOURCE,
                "number of earlier loans with payments",
                "nombre de prêts précédents avec paiements",
                "count",
                f"{SOURCE}.COUNT",
            ),
        )
    )
    feats += derived("DPD", ("max", "mean", "sum", "var"))
    feats += derived("DBD", ("max", "mean", "sum", "var"))
    feats += derived("LATE", ("mean", "sum"))
    feats += derived("PAYMENT_PERC", ("min", "max", "mean", "sum", "var"))
    feats += derived("PAYMENT_DIFF", ("max", "mean", "sum", "var"))
    feats += derived("UNDERPAID", ("mean", "sum"))
    feats += rows.stats("NUM_INSTALMENT_VERSION", ("max", "mean"))
    feats += rows.stats("NUM_INSTALMENT_NUMBER", ("max", "mean"))
    feats += rows.stats("AMT_INSTALMENT", ("max", "mean", "sum"))
    feats += rows.stats("AMT_PAYMENT", ("min", "max", "mean", "sum"))
    feats += rows.stats("DAYS_ENTRY_PAYMENT", ("max", "mean", "sum"))
    feats += rows.stats("DAYS_INSTALMENT", ("min", "max"))
    feats.append(
        rows.count(
            scope=recent,
            en="number of payments due in the last 12 months",
            fr="nombre de paiements dus sur les 12 derniers mois",
        )
    )
    feats += derived("DPD", ("max", "mean", "sum"), recent)
    feats += derived("LATE", ("mean", "sum"), recent)
    feats += derived("PAYMENT_PERC", ("min", "mean"), recent)
    feats += derived("PAYMENT_DIFF", ("max", "mean", "sum"), recent)
    feats += derived("UNDERPAID", ("mean", "sum"), recent)
    return t, feats
