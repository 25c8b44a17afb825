"""Metadata carried by every feature: where it comes from and how to say it in plain words."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

UNITS = (
    "days",
    "years",
    "months",
    "currency",
    "ratio",
    "share",
    "count",
    "score",
    "flag",
    "category",
    "hour",
    "number",
)

# Protected attributes: never a model input, not even through a derived column. They stay in
# the raw application table, read beside the model by the fairness report. The number of
# family members is left out too: with the number of children it tells whether the client
# lives with a partner (family status); so is the person who came with the client
# ("Spouse, partner"). Age is an input (see the methodology note).
PROTECTED_ATTRIBUTES: dict[str, str] = {"CODE_GENDER": "sex", "NAME_FAMILY_STATUS": "family status"}
PROXY_COLUMNS: tuple[str, ...] = ("CNT_FAM_MEMBERS", "NAME_TYPE_SUITE")
EXCLUDED_COLUMNS: frozenset[str] = frozenset({*PROTECTED_ATTRIBUTES, *PROXY_COLUMNS})

# Known directions of effect on the default risk, declared once: +1 a higher value never
# lowers the risk, -1 never raises it. LightGBM is trained with these monotone constraints.
# A feature matching no rule is unconstrained (0). Rules name whole features (anchored).
_LATE = r"(SK_DPD|SK_DPD_DEF|CREDIT_DAY_OVERDUE|AMT_CREDIT_MAX_OVERDUE|AMT_CREDIT_SUM_OVERDUE)"
MONOTONE_RULES: tuple[tuple[str, int], ...] = (
    # external credit scores: higher is safer
    # (``_IMPUTED``, ``_FILLED``: missing scores estimated, modeling/external_scores.py)
    (
        r"EXT_SOURCE_[123](_IMPUTED)?|EXT_SOURCES_(MEAN|MIN|MAX|PROD|WEIGHTED)(_FILLED)?"
        r"|EXT_SOURCE_1_AGE",
        -1,
    ),
    # income (AMT_INCOME_TOTAL, a monthly income), and the income side of the affordability
    # ratios
    (r"AMT_INCOME_TOTAL|INCOME_CREDIT_PERC|INCOME_PER_CHILD|ANNUITY_LEFT_INCOME", -1),
    (r"CREDIT_INCOME_RATIO|ANNUITY_INCOME_PERC", 1),
    # late payments, days past due and overdue amounts, wherever they were observed
    (
        rf"(BURO|ACTIVE|CLOSED|BURO_12M|POS|POS_12M|POS_LAST|CC|CC_12M)_{_LATE}_(MIN|MAX|MEAN|SUM)",
        1,
    ),
    (r"(BURO|ACTIVE|CLOSED)_OVERDUE_DEBT_RATIO_(MEAN|MAX)", 1),
    (r"(POS|POS_12M|CC|CC_12M|INSTAL|INSTAL_12M)_LATE_(MEAN|SUM)", 1),
    (r"INSTAL(_12M)?_DPD_(MAX|MEAN|SUM)", 1),
    (
        r"BURO_BB_LATE_SHARE_(MEAN|MAX)|BURO_BB_LATE_12M_SUM|(BURO|ACTIVE|CLOSED)_BB_WORST_STATUS_(MEAN|MAX)",
        1,
    ),
    (r"BURO_CREDIT_ACTIVE_BAD_DEBT_SHARE", 1),
    # refusals of previous applications
    (r"REFUSED_COUNT|PREV_NAME_CONTRACT_STATUS_REFUSED_SHARE", 1),
    # the estimated interest rate of the new loan (modeling/loan_terms.py)
    (r"LOAN_RATE_EST", 1),
)
# Columns whose value is a model's estimate, not a fact of the client's file: a reason may
# count their contributions but never quotes their value (explain.reasons)
ESTIMATE_SUFFIXES = ("_IMPUTED", "_FILLED")
_MONOTONE = [(re.compile(rf"(?:{pattern})"), sign) for pattern, sign in MONOTONE_RULES]


def monotone_direction(name: str) -> int:
    """The declared direction of ``name`` (+1, -1, or 0 when unknown)."""
    for pattern, sign in _MONOTONE:
        if pattern.fullmatch(name):
            return sign
    return 0


@dataclass(frozen=True)
class FeatureMeta:
    """One feature of the model's table.

    ``group`` names the raw source column (or concept) the feature derives from;
    explanations add up contributions of features that share a group.
    ``description_en``/``description_fr`` are short noun phrases that read as a
    reason on their own, e.g. "Number of late payments in the last 12 months".
    """

    name: str
    source: str
    description_en: str
    description_fr: str
    unit: str
    group: str
    monotone: int = 0  # declared direction on the risk (+1, -1, 0): see MONOTONE_RULES

    def description(self, lang: str = "fr") -> str:
        return self.description_fr if lang == "fr" else self.description_en


def save_metadata(metas: dict[str, FeatureMeta], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps([asdict(m) for m in metas.values()], ensure_ascii=False, indent=1),
        encoding="utf-8",
    )


def load_metadata(path: Path) -> dict[str, FeatureMeta]:
    rows = json.loads(Path(path).read_text(encoding="utf-8"))
    return {row["name"]: FeatureMeta(**row) for row in rows}


def feature_set_version(columns: Sequence[str], metas: Mapping[str, FeatureMeta]) -> str:
    """The id of a feature table's definitions: each column's name, source, unit and group,
    in the table's order.

    Training records it with the champion and ``db load`` with the stored vectors, so the
    API serves a model only with vectors built by the same definitions: a column that kept
    its name but changed its meaning (source, unit or group) changes the version.
    """
    rows = [
        [name, meta.source, meta.unit, meta.group] if (meta := metas.get(name)) else [name]
        for name in columns
    ]
    return hashlib.sha256(json.dumps(rows).encode()).hexdigest()[:16]
