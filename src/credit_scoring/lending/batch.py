"""The committee's rules on a batch of scores: the decision the application path gives.

``credit-scoring score`` (DuckDB or Spark) scores every row of ``application_test`` with
the champion (:mod:`credit_scoring.modeling.batch`), which knows nothing of the policy
(``modeling`` is below ``lending``). :func:`apply_policy` then applies the credit
committee's rules to those scores exactly as intake and ``db load`` do: the same facts
(:func:`~credit_scoring.lending.policy.policy_facts` of the Kaggle row, the term
estimated as credit / annuity since Kaggle states none), the same rules
(:meth:`~credit_scoring.lending.policy.Policy.evaluate_many`, which answers as
:meth:`~credit_scoring.lending.policy.Policy.evaluate`) and the same combination
(:func:`~credit_scoring.lending.policy.combine`). So a client's batch decision is the
decision of the application ``db load`` stores for that client.

Columns added to a scores file
------------------------------
- ``model_decision``: the model's proposal at its threshold (``grant`` or ``refuse``);
- ``decision``: the decision once the rules are applied: ``grant``, ``refuse`` or
  ``refer`` (a senior decides);
- ``policy_codes``: the codes of the rules that fired, refusals first, separated by a
  space (``"P03 P05"``), empty when none fired;
- the rules that fired come first among the reasons against (code ``P03``, the advisor's
  text of the rule), before the model's; the reasons keep their number of columns.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from credit_scoring.lending.policy import FACT_COLUMNS, Policy, combine, policy_facts

SCORE_COLUMNS = [
    "SK_ID_CURR",
    "probability",
    "decision",
    "model_decision",
    "policy_codes",
    "grade",
    "points",
]


def _against_columns(scores: pd.DataFrame) -> list[tuple[str, str]]:
    """(code column, text column) of each reason against, in order."""
    pairs = []
    k = 1
    while f"reason_against_{k}_code" in scores and f"reason_against_{k}" in scores:
        pairs.append((f"reason_against_{k}_code", f"reason_against_{k}"))
        k += 1
    return pairs


def apply_policy(
    scores: pd.DataFrame, applications: pd.DataFrame, policy: Policy, *, lang: str = "fr"
) -> pd.DataFrame:
    """The committee's rules applied to a block of model scores.

    Parameters
    ----------
    scores : pandas.DataFrame
        The model's scores (:func:`credit_scoring.modeling.batch.score_frame`):
        ``SK_ID_CURR``, ``probability``, ``decision`` (the model's), ``grade``, ``points``
        and the reason columns.
    applications : pandas.DataFrame
        The Kaggle application rows of these clients (``SK_ID_CURR`` and the columns of
        :data:`~credit_scoring.lending.policy.FACT_COLUMNS`; others are ignored). A client
        without a row has no facts: no rule fires for them.
    policy : Policy
        The committee's rules.
    lang : {"fr", "en"}, default="fr"
        Language of the rules' texts in the reason columns.

    Returns
    -------
    pandas.DataFrame
        :data:`SCORE_COLUMNS` then the reason columns, in the order of ``scores`` (a fresh
        index): ``decision`` is the final one, the model's is ``model_decision``; the
        rules that fired are the first reasons against.
    """
    out = scores.reset_index(drop=True).copy()
    model = out["decision"].astype(str).to_numpy()
    wanted = ["SK_ID_CURR", *(c for c in FACT_COLUMNS if c in applications)]
    rows = applications[wanted].drop_duplicates("SK_ID_CURR").set_index("SK_ID_CURR")
    rows = rows.reindex(out["SK_ID_CURR"].to_numpy())
    names = list(rows.columns)  # NaN is read as missing by policy_facts
    values = zip(*(rows[c].tolist() for c in names), strict=True) if names else ()
    records = [dict(zip(names, v, strict=True)) for v in values] or [{}] * len(rows)
    hits = policy.evaluate_many([policy_facts(r, None) for r in records])
    out["model_decision"] = model
    out["decision"] = [
        combine(m, h)  # type: ignore[arg-type]
        for m, h in zip(model, hits, strict=True)
    ]
    out["policy_codes"] = [" ".join(h.code for h in row_hits) for row_hits in hits]
    pairs = _against_columns(out)
    fired = [i for i, row_hits in enumerate(hits) if row_hits]
    if pairs and fired:
        codes = np.column_stack([out[c].astype(object).to_numpy() for c, _ in pairs])
        texts = np.column_stack([out[t].astype(object).to_numpy() for _, t in pairs])
        for i in fired:
            kept = [(c, t) for c, t in zip(codes[i], texts[i], strict=True) if c]
            merged = [(h.code, h.text(lang)) for h in hits[i]] + kept
            merged += [("", "")] * (len(pairs) - len(merged))
            codes[i] = [c for c, _ in merged[: len(pairs)]]
            texts[i] = [t for _, t in merged[: len(pairs)]]
        for k, (code_column, text_column) in enumerate(pairs):
            out[code_column] = codes[:, k]
            out[text_column] = texts[:, k]
    reasons = [c for c in out.columns if c.startswith("reason_")]
    return out[[*SCORE_COLUMNS, *reasons]]
