"""Credits with other institutions (bureau) and their monthly status (bureau_balance).

bureau_balance is first summarised per bureau credit (months known, share of each
status, worst delay, recent delays), then everything is aggregated per client:
over all credits (``BURO_``), active credits (``ACTIVE_``), closed credits
(``CLOSED_``) and credits opened in the last 12 months (``BURO_12M_``).
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from credit_scoring.features import categories as cats
from credit_scoring.features._dsl import (
    NULL_FLOAT,
    Aggregator,
    Feature,
    Scope,
    f64,
    is_value,
    make_meta,
    ratio,
)
from credit_scoring.features.phrases import Phrase

SOURCE = "bureau"
NUMERIC = (
    "DAYS_CREDIT",
    "CREDIT_DAY_OVERDUE",
    "DAYS_CREDIT_ENDDATE",
    "DAYS_ENDDATE_FACT",
    "AMT_CREDIT_MAX_OVERDUE",
    "CNT_CREDIT_PROLONG",
    "AMT_CREDIT_SUM",
    "AMT_CREDIT_SUM_DEBT",
    "AMT_CREDIT_SUM_LIMIT",
    "AMT_CREDIT_SUM_OVERDUE",
    "DAYS_CREDIT_UPDATE",
    "AMT_ANNUITY",
)
_SCOPED = (
    "DAYS_CREDIT",
    "CREDIT_DAY_OVERDUE",
    "DAYS_CREDIT_ENDDATE",
    "AMT_CREDIT_MAX_OVERDUE",
    "AMT_CREDIT_SUM",
    "AMT_CREDIT_SUM_DEBT",
    "AMT_CREDIT_SUM_OVERDUE",
    "AMT_CREDIT_SUM_LIMIT",
    "DAYS_CREDIT_UPDATE",
    "AMT_ANNUITY",
    "CNT_CREDIT_PROLONG",
)
_LATE = ("1", "2", "3", "4", "5")

# Per-credit summaries of bureau_balance: (column, phrase).
_BB_WORDS = {
    "BB_MONTHS": Phrase("months of status history", "les mois d'historique de statut", "months"),
    "BB_OLDEST_MONTH": Phrase(
        "oldest month of status history", "le plus ancien mois d'historique de statut", "months"
    ),
    "BB_WORST_STATUS": Phrase(
        "worst monthly delay status (0 to 5)", "le pire statut de retard mensuel (0 à 5)", "score"
    ),
    "BB_LATE_SHARE": Phrase("share of months late", "la part des mois en retard", "share"),
    "BB_LATE_12M": Phrase(
        "late months in the last 12 months", "les mois en retard sur les 12 derniers mois", "count"
    ),
    **{
        f"BB_STATUS_{s}_SHARE": Phrase(
            f"share of months with status {s}", f"la part des mois au statut {s}", "share"
        )
        for s in cats.BUREAU_STATUS
    },
}


def summarise_balance(bb: ir.Table) -> ir.Table:
    """One row per SK_ID_BUREAU with the ``BB_*`` per-credit summaries."""
    status = bb.STATUS
    level = f64(ibis.cases(*((status == s, int(s)) for s in ("0", *_LATE))))
    late = status.isin(_LATE).fill_null(False)
    months = f64(bb.MONTHS_BALANCE)
    exprs: dict[str, ir.Value] = {
        "BB_MONTHS": f64(bb.count()),
        "BB_OLDEST_MONTH": months.min(),
        "BB_WORST_STATUS": level.max(),
        "BB_LATE_SHARE": f64(late).mean(),
        "BB_LATE_12M": f64(late).sum(where=months >= -12),
    }
    for s in cats.BUREAU_STATUS:
        exprs[f"BB_STATUS_{s}_SHARE"] = is_value(status, s).mean()
    return bb.group_by("SK_ID_BUREAU").aggregate(**exprs)


def empty_balance(bureau: ir.Table) -> ir.Table:
    """The same columns as :func:`summarise_balance`, all missing (bureau_balance absent)."""
    return bureau.select("SK_ID_BUREAU", **{c: NULL_FLOAT for c in _BB_WORDS})


def define(bureau: ir.Table, balance: ir.Table) -> tuple[ir.Table, list[Feature]]:
    """``balance`` is the output of :func:`summarise_balance` or :func:`empty_balance`."""
    t = bureau.left_join(balance, "SK_ID_BUREAU")
    rows = Aggregator(t, SOURCE, "BURO", "bureau credits", "les crédits déclarés au bureau")
    active = Scope(
        "ACTIVE",
        "over active bureau credits",
        "sur les crédits en cours au bureau",
        t.CREDIT_ACTIVE == "Active",
    )
    closed = Scope(
        "CLOSED",
        "over closed bureau credits",
        "sur les crédits clôturés au bureau",
        t.CREDIT_ACTIVE == "Closed",
    )
    recent = Scope(
        "BURO_12M",
        "over bureau credits opened in the last 12 months",
        "sur les crédits du bureau ouverts dans les 12 derniers mois",
        t.DAYS_CREDIT >= -365,
    )

    debt_ratio = ratio(t.AMT_CREDIT_SUM_DEBT, t.AMT_CREDIT_SUM)
    overdue_ratio = ratio(t.AMT_CREDIT_SUM_OVERDUE, t.AMT_CREDIT_SUM_DEBT)
    duration = f64(t.DAYS_CREDIT_ENDDATE) - f64(t.DAYS_CREDIT)
    early_end = f64(t.DAYS_ENDDATE_FACT) - f64(t.DAYS_CREDIT_ENDDATE)
    w_debt = Phrase(
        "debt relative to the credit amount", "la dette rapportée au montant du crédit", "ratio"
    )
    w_overdue = Phrase("overdue share of the debt", "la part impayée de la dette", "ratio")
    w_duration = Phrase("planned length of the credit", "la durée prévue du crédit", "days")
    w_early = Phrase(
        "actual end compared with planned end", "l'écart entre fin effective et fin prévue", "days"
    )

    feats: list[Feature] = [rows.count()]
    for col in NUMERIC:
        feats += rows.stats(col, ("min", "max", "mean", "sum", "var"))
    feats += rows.stats(
        "DEBT_CREDIT_RATIO",
        ("mean", "max"),
        value=debt_ratio,
        words=w_debt,
        group="bureau.AMT_CREDIT_SUM_DEBT",
    )
    feats += rows.stats(
        "OVERDUE_DEBT_RATIO",
        ("mean", "max"),
        value=overdue_ratio,
        words=w_overdue,
        group="bureau.AMT_CREDIT_SUM_OVERDUE",
    )
    feats += rows.stats(
        "DURATION",
        ("mean", "max"),
        value=duration,
        words=w_duration,
        group="bureau.DAYS_CREDIT_ENDDATE",
    )
    feats += rows.stats(
        "ENDDATE_GAP",
        ("mean", "min"),
        value=early_end,
        words=w_early,
        group="bureau.DAYS_ENDDATE_FACT",
    )
    for col, values in cats.BUREAU.items():
        feats += rows.shares(col, values)
    for col, words in _BB_WORDS.items():
        fns = ("sum",) if col in ("BB_MONTHS", "BB_LATE_12M") else ("mean", "max")
        if col == "BB_OLDEST_MONTH":
            fns = ("min",)
        feats += rows.stats(col, fns, words=words, group="bureau_balance.STATUS")

    counts = {
        "ACTIVE": ("number of active bureau credits", "nombre de crédits en cours au bureau"),
        "CLOSED": ("number of closed bureau credits", "nombre de crédits clôturés au bureau"),
    }
    for scope in (active, closed):
        en, fr = counts[scope.prefix]
        feats.append(rows.count(scope=scope, en=en, fr=fr))
        for col in _SCOPED:
            feats += rows.stats(col, ("max", "mean", "sum"), scope=scope)
        feats += rows.stats(
            "DEBT_CREDIT_RATIO",
            ("mean",),
            scope=scope,
            value=debt_ratio,
            words=w_debt,
            group="bureau.AMT_CREDIT_SUM_DEBT",
        )
        feats += rows.stats(
            "BB_WORST_STATUS",
            ("max",),
            scope=scope,
            words=_BB_WORDS["BB_WORST_STATUS"],
            group="bureau_balance.STATUS",
        )
    feats.append(
        rows.count(
            scope=recent,
            en="number of bureau credits opened in the last 12 months",
            fr="nombre de crédits du bureau ouverts dans les 12 derniers mois",
        )
    )
    for col in (
        "AMT_CREDIT_SUM",
        "AMT_CREDIT_SUM_DEBT",
        "AMT_CREDIT_SUM_OVERDUE",
        "CREDIT_DAY_OVERDUE",
    ):
        feats += rows.stats(col, ("max", "sum"), scope=recent)

    total_debt = f64(t.AMT_CREDIT_SUM_DEBT).sum()
    feats.append(
        Feature(
            ratio(total_debt, f64(t.AMT_CREDIT_SUM).sum()),
            make_meta(
                "BURO_TOTAL_DEBT_CREDIT_RATIO",
                SOURCE,
                "total bureau debt relative to total bureau credit",
                "dette totale au bureau rapportée au crédit total",
                "ratio",
                "bureau.AMT_CREDIT_SUM_DEBT",
            ),
        )
    )
    return t, feats
