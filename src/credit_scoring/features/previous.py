"""Earlier applications with Home Credit (previous_application), aggregated per client.

Scopes: all applications (``PREV_``), approved (``APPROVED_``), refused
(``REFUSED_``), decided in the last 12 months (``PREV_12M_``) and the client's
last three applications by decision date (``PREV_LAST3_``). The 365243 day
placeholders of the DAYS_* date columns become missing.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from credit_scoring.features import categories as cats
from credit_scoring.features._dsl import NULL_FLOAT, Aggregator, Feature, Scope, f64, ratio
from credit_scoring.features.phrases import Phrase

SOURCE = "previous_application"
PLACEHOLDER_DATES = (
    "DAYS_FIRST_DRAWING",
    "DAYS_FIRST_DUE",
    "DAYS_LAST_DUE_1ST_VERSION",
    "DAYS_LAST_DUE",
    "DAYS_TERMINATION",
)
_AMOUNTS = ("AMT_ANNUITY", "AMT_APPLICATION", "AMT_CREDIT", "AMT_DOWN_PAYMENT", "AMT_GOODS_PRICE")
_OTHER = (
    "HOUR_APPR_PROCESS_START",
    "RATE_DOWN_PAYMENT",
    "RATE_INTEREST_PRIMARY",
    "RATE_INTEREST_PRIVILEGED",
    "DAYS_DECISION",
    "SELLERPLACE_AREA",
    "CNT_PAYMENT",
    "NFLAG_INSURED_ON_APPROVAL",
    "NFLAG_LAST_APPL_IN_DAY",
    *PLACEHOLDER_DATES,
)
_SCOPED = (
    "AMT_ANNUITY",
    "AMT_APPLICATION",
    "AMT_CREDIT",
    "AMT_DOWN_PAYMENT",
    "AMT_GOODS_PRICE",
    "RATE_DOWN_PAYMENT",
    "DAYS_DECISION",
    "CNT_PAYMENT",
    "DAYS_LAST_DUE_1ST_VERSION",
    "DAYS_TERMINATION",
)
_W_ASKED = Phrase(
    "amount asked relative to amount granted",
    "le montant demandé rapporté au montant accordé",
    "ratio",
)
_W_RATE = Phrase(
    "annuity relative to amount granted", "l'annuité rapportée au montant accordé", "ratio"
)
_W_GAP = Phrase(
    "amount granted above the goods price", "le montant accordé au-delà du prix du bien", "currency"
)


def clean(prev: ir.Table) -> ir.Table:
    """Placeholders to missing, plus a rank of recency per client (0 = latest decision)."""
    fixed = {c: ibis.ifelse(prev[c] == 365243, NULL_FLOAT, f64(prev[c])) for c in PLACEHOLDER_DATES}
    prev = prev.mutate(**fixed)
    order = [ibis.desc(prev.DAYS_DECISION), ibis.desc(prev.SK_ID_PREV)]
    rank = ibis.row_number().over(group_by=prev.SK_ID_CURR, order_by=order)
    return prev.mutate(PREV_RECENCY_RANK=rank)


def define(prev: ir.Table) -> tuple[ir.Table, list[Feature]]:
    t = clean(prev)
    rows = Aggregator(t, SOURCE, "PREV", "previous applications", "les demandes précédentes")
    approved = Scope(
        "APPROVED",
        "over approved previous applications",
        "sur les demandes précédentes acceptées",
        t.NAME_CONTRACT_STATUS == "Approved",
    )
    refused = Scope(
        "REFUSED",
        "over refused previous applications",
        "sur les demandes précédentes refusées",
        t.NAME_CONTRACT_STATUS == "Refused",
    )
    recent = Scope(
        "PREV_12M",
        "over previous applications of the last 12 months",
        "sur les demandes des 12 derniers mois",
        t.DAYS_DECISION >= -365,
    )
    last3 = Scope(
        "PREV_LAST3",
        "over the last 3 previous applications",
        "sur les 3 dernières demandes",
        t.PREV_RECENCY_RANK < 3,
    )
    asked = ratio(t.AMT_APPLICATION, t.AMT_CREDIT)
    rate = ratio(t.AMT_ANNUITY, t.AMT_CREDIT)
    gap = f64(t.AMT_CREDIT) - f64(t.AMT_GOODS_PRICE)
    g_credit = "previous_application.AMT_CREDIT"

    feats: list[Feature] = [rows.count()]
    for col in _AMOUNTS:
        feats += rows.stats(col, ("min", "max", "mean", "sum", "var"))
    for col in _OTHER:
        feats += rows.stats(col, ("min", "max", "mean"))
    feats += rows.stats(
        "APP_CREDIT_PERC",
        ("min", "max", "mean", "var"),
        value=asked,
        words=_W_ASKED,
        group=g_credit,
    )
    feats += rows.stats(
        "PAYMENT_RATE",
        ("min", "max", "mean"),
        value=rate,
        words=_W_RATE,
        group="previous_application.AMT_ANNUITY",
    )
    feats += rows.stats(
        "CREDIT_GOODS_DIFF", ("mean", "max"), value=gap, words=_W_GAP, group=g_credit
    )
    for col, values in cats.PREVIOUS.items():
        feats += rows.shares(col, values)

    words = {
        "APPROVED": (
            "number of approved previous applications",
            "nombre de demandes précédentes acceptées",
        ),
        "REFUSED": (
            "number of refused previous applications",
            "nombre de demandes précédentes refusées",
        ),
    }
    for scope in (approved, refused):
        en, fr = words[scope.prefix]
        feats.append(rows.count(scope=scope, en=en, fr=fr))
        for col in _SCOPED:
            feats += rows.stats(col, ("min", "max", "mean"), scope=scope)
        feats += rows.stats(
            "APP_CREDIT_PERC",
            ("mean", "max"),
            scope=scope,
            value=asked,
            words=_W_ASKED,
            group=g_credit,
        )
    feats.append(
        rows.count(
            scope=recent,
            en="number of previous applications in the last 12 months",
            fr="nombre de demandes précédentes sur les 12 derniers mois",
        )
    )
    feats += rows.shares("NAME_CONTRACT_STATUS", ("Approved", "Refused"), scope=recent)
    feats += rows.stats("AMT_CREDIT", ("mean", "sum"), scope=recent)
    feats += rows.stats("AMT_APPLICATION", ("mean", "sum"), scope=recent)
    feats += rows.shares("NAME_CONTRACT_STATUS", ("Approved", "Refused"), scope=last3)
    for col in ("AMT_CREDIT", "AMT_ANNUITY", "CNT_PAYMENT", "DAYS_DECISION"):
        feats += rows.stats(col, ("mean",), scope=last3)
    feats += rows.stats(
        "APP_CREDIT_PERC", ("mean",), scope=last3, value=asked, words=_W_ASKED, group=g_credit
    )
    return t, feats
