"""A hand-made training report for the review pack's tests, and reading a PDF's text back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pypdf


def report() -> dict[str, Any]:
    return {
        "threshold": 0.0842,
        "winner": "lightgbm",
        "metrics": {
            "roc_auc": 0.7712,
            "gini": 0.5424,
            "ks": 0.4123,
            "n_train": 3000,
            "default_rate": 0.0807,
            "brier": 0.068,
            "ece": 0.011,
        },
        "costs": {"cost_fn": 10, "cost_fp": 1, "per_applicant": 0.512, "accept_all": 0.807},
        "comparison": [
            {
                "candidate": "lightgbm",
                "roc_auc": 0.7712,
                "gini": 0.5424,
                "ks": 0.4123,
                "cost_per_applicant": 0.512,
            },
            {
                "candidate": "logistic",
                "roc_auc": 0.7391,
                "gini": 0.4782,
                "ks": 0.3711,
                "cost_per_applicant": 0.551,
            },
        ],
        "fairness": {
            "CODE_GENDER": [
                {
                    "group": "F",
                    "clients": 1900,
                    "default_rate": 0.07,
                    "approval_rate": 0.7,
                    "false_negative_rate": 0.3,
                    "false_positive_rate": 0.25,
                    "roc_auc": 0.77,
                },
            ],
            "age_band": [
                {
                    "group": "18-25",
                    "clients": 200,
                    "default_rate": 0.12,
                    "approval_rate": 0.5,
                    "false_negative_rate": 0.3,
                    "false_positive_rate": 0.4,
                    "roc_auc": 0.7,
                },
            ],
        },
        "grades": [
            {
                "grade": "A",
                "clients": 500,
                "defaults": 10,
                "predicted_pd": 0.02,
                "observed_default_rate": 0.02,
                "jeffreys_p_value": 0.5,
            },
        ],
        "top_features": {"EXT_SOURCE_2": 0.3, "AMT_CREDIT": 0.1},
        "data_fingerprint": "abc123",
        "feature_set_version": "v3",
    }


def text_of(path: Path) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(path).pages)
