"""Monthly snapshots of earlier point-of-sale and cash loans (POS_CASH_balance), per client.

Scopes: all months (``POS_``) and the last 12 months (``POS_12M_``); the latest
snapshot of each loan (``POS_LAST_``) tells what is still to be repaid.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from credit_scoring.features import categories as cats
from credit_scoring.features._dsl import (
    Aggregator,
    Feature,
    Scope,
    f64,
    flag,
    make_meta,
    ratio,
)
from credit_scoring.features.phrases import Phrase

SOURCE = "POS_CASH_balance"
_W_LATE = Phrase(
    "months late (days past due > 0)", "les mois en retard (jours de retard > 0)", "flag"
)
_W_DONE = Phrase("share of the term already repaid", "la part de la durée déjà remboursée", "ratio")


def define(pos: ir.Table) -> tuple[ir.Table, list[Feature]]:
    order = [ibis.desc(pos.MONTHS_BALANCE)]
    last = ibis.row_number().over(group_by=pos.SK_ID_PREV, order_by=order)
    t = pos.mutate(POS_SNAPSHOT_RANK=last)
    rows = Aggregator(
        t,
        SOURCE,
        "POS",
        "monthly snapshots of earlier POS and cash loans",
        "les relevés mensuels des prêts précédents",
    )
    recent = Scope(
        "POS_12M",
        "over the last 12 months of POS and cash loans",
        "sur les 12 derniers mois des prêts précédents",
        t.MONTHS_BALANCE >= -12,
    )
    latest = Scope(
        "POS_LAST",
        "on the latest snapshot of each POS or cash loan",
        "au dernier relevé de chaque prêt précédent",
        t.POS_SNAPSHOT_RANK == 0,
    )
    late = flag(t.SK_DPD > 0)
    done = 1.0 - ratio(t.CNT_INSTALMENT_FUTURE, t.CNT_INSTALMENT)
    g_dpd = "POS_CASH_balance.SK_DPD"

    feats: list[Feature] = [
        rows.count(),
        rows.count(
            name="LOANS",
            where=t.POS_SNAPSHOT_RANK == 0,
            en="number of earlier POS and cash loans",
            fr="nombre de prêts précédents (point de vente et espèces)",
        ),
    ]
    feats += rows.stats("MONTHS_BALANCE", ("min", "max", "mean"))
    for col in ("CNT_INSTALMENT", "CNT_INSTALMENT_FUTURE"):
        feats += rows.stats(col, ("min", "max", "mean", "sum"))
    for col in ("SK_DPD", "SK_DPD_DEF"):
        feats += rows.stats(col, ("max", "mean", "sum", "var"))
    feats += rows.stats("LATE", ("mean", "sum"), value=late, words=_W_LATE, group=g_dpd)
    feats += rows.shares("NAME_CONTRACT_STATUS", cats.POS_STATUS)
    feats.append(
        rows.count(
            scope=recent,
            en="number of monthly POS and cash loan snapshots in the last 12 months",
            fr="nombre de relevés mensuels des prêts sur les 12 derniers mois",
        )
    )
    for col in ("SK_DPD", "SK_DPD_DEF"):
        feats += rows.stats(col, ("max", "mean"), scope=recent)
    feats += rows.stats(
        "LATE", ("mean", "sum"), scope=recent, value=late, words=_W_LATE, group=g_dpd
    )
    feats += rows.stats("CNT_INSTALMENT_FUTURE", ("sum", "mean", "max"), scope=latest)
    feats += rows.stats(
        "REPAID_SHARE",
        ("mean", "min"),
        scope=latest,
        value=done,
        words=_W_DONE,
        group="POS_CASH_balance.CNT_INSTALMENT_FUTURE",
    )
    feats += rows.shares("NAME_CONTRACT_STATUS", ("Active", "Completed"), scope=latest)
    feats += rows.stats("SK_DPD", ("max",), scope=latest)
    span = f64(t.MONTHS_BALANCE).max() - f64(t.MONTHS_BALANCE).min()
    feats.append(
        Feature(
            span,
            make_meta(
                "POS_HISTORY_SPAN",
                SOURCE,
                "length of the POS and cash loan history",
                "durée de l'historique des prêts précédents",
                "months",
                "POS_CASH_balance.MONTHS_BALANCE",
            ),
        )
    )
    return t, feats
