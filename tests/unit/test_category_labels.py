"""One dictionary of the data's categories (``lending.form.codes.category_label``): every
category the dashboard or an explanation can show, from the synthetic generator, the feature
lists and the shared Kaggle sample, has a French and an English word."""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path

import pandas as pd
import pytest

from credit_scoring.features import categories
from credit_scoring.lending.form.codes import CHOICES, category_label, has_label

SAMPLE = Path(__file__).parents[2].parent / "shared" / "data" / "home-credit-sample"
# The columns whose values a person sees: the client file (identity, the loans' type and
# status), the explanation's values, and the history codes the reasons quote.
SHOWN = {
    "application_train": [
        *categories.APPLICATION,
        "FLAG_OWN_CAR",
        "FLAG_OWN_REALTY",
        "EMERGENCYSTATE_MODE",
    ],
    "bureau": ["CREDIT_ACTIVE", "CREDIT_TYPE", "CREDIT_CURRENCY"],
    "previous_application": [
        "NAME_CONTRACT_TYPE",
        "NAME_CONTRACT_STATUS",
        "CODE_REJECT_REASON",
        "NAME_YIELD_GROUP",
        "NAME_CLIENT_TYPE",
        "NAME_PORTFOLIO",
        "NAME_PRODUCT_TYPE",
        "NAME_PAYMENT_TYPE",
        "NAME_TYPE_SUITE",
    ],
    "POS_CASH_balance": ["NAME_CONTRACT_STATUS"],
    "credit_card_balance": ["NAME_CONTRACT_STATUS"],
}


def _from_feature_lists() -> set[str]:
    lists = [
        *(categories.APPLICATION[c] for c in categories.APPLICATION),
        *categories.BUREAU.values(),
        *(
            categories.PREVIOUS[c]
            for c in SHOWN["previous_application"]
            if c in categories.PREVIOUS
        ),
        categories.POS_STATUS,
        categories.CARD_STATUS,
    ]
    return {v for values in lists for v in values}


def _from_generator() -> set[str]:
    marginals = json.loads(
        files("credit_scoring.data.synth").joinpath("marginals.json").read_text(encoding="utf-8")
    )
    return {
        level
        for table, columns in SHOWN.items()
        for column in columns
        for level in marginals.get(table, {}).get(column, {}).get("levels", [])
        if isinstance(level, str)
    }


def _from_sample() -> set[str]:
    found: set[str] = set()
    for table, columns in SHOWN.items():
        path = SAMPLE / f"{table}.csv.gz"
        head = pd.read_csv(path, nrows=0).columns
        frame = pd.read_csv(path, usecols=[c for c in columns if c in head], dtype=str)
        for column in frame.columns:
            found |= set(frame[column].dropna().unique())
    return found


def test_every_category_of_the_feature_lists_and_the_generator_has_words() -> None:
    missing = sorted(v for v in _from_feature_lists() | _from_generator() if not has_label(v))
    assert not missing, f"add a French and English word to lending/form/codes.py: {missing}"


@pytest.mark.skipif(not SAMPLE.exists(), reason="the shared Kaggle sample is not on this machine")
def test_every_category_of_the_shared_sample_has_words() -> None:
    missing = sorted(v for v in _from_sample() if not has_label(v))
    assert not missing, f"add a French and English word to lending/form/codes.py: {missing}"


@pytest.mark.parametrize(
    ("value", "fr", "en"),
    [
        ("XAP", "sans objet", "not applicable"),
        ("XNA", "non renseigné", "not provided"),
        ("middle", "taux moyen", "medium rate"),
        ("Working", "Salarié(e)", "Employee"),
        ("Laborers", "Ouvrier ou ouvrière", "Laborer"),
        ("Cash loans", "Prêt personnel", "Personal loan"),
        ("Refused", "Refusée", "Refused"),
        ("Y", "oui", "yes"),
        (None, "non renseigné", "not provided"),
        (float("nan"), "non renseigné", "not provided"),
    ],
)
def test_codes_read_in_plain_words(value: object, fr: str, en: str) -> None:
    assert category_label(value, "fr") == fr
    assert category_label(value, "en") == en


def test_the_form_and_the_dashboard_use_the_same_word() -> None:
    """A category the form asks for reads as the form labels it, in both languages."""
    assert category_label("State servant", "en") == CHOICES["income_type"]["state_servant"]["en"]
    assert category_label("Rented apartment", "fr") == CHOICES["housing"]["rented_apartment"]["fr"]


def test_the_reasons_words_are_the_dictionarys() -> None:
    """The reasons quote categories in lower case from ``features.categories.LABELS``: the
    same words as the dashboard's dictionary."""
    differ = {
        value: (en, fr)
        for value, (en, fr) in categories.LABELS.items()
        if (en.casefold(), fr.casefold())
        != (category_label(value, "en").casefold(), category_label(value, "fr").casefold())
    }
    assert not differ


def test_an_unknown_value_is_shown_as_it_is() -> None:
    assert category_label("Some new code", "en") == "Some new code"
