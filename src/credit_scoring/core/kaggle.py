"""Kaggle's encodings that several layers read (the form's translation, the features, the
policy facts and ``db load``): written once here, at the bottom of the layers.

The rest of the translation between the bank's form and Kaggle's row lives in
:mod:`credit_scoring.lending.form.kaggle`, with the income convention.
"""

from __future__ import annotations

EMPLOYED_PLACEHOLDER = 365243
"""``DAYS_EMPLOYED`` of pensioners and people without a job (not a day count)."""

DAYS_PER_YEAR = 365.25
"""Days of a year, to read Kaggle's day counts (``DAYS_BIRTH``...) in years."""
