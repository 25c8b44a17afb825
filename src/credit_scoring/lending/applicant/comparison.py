"""How the applicant's main figures sit among applicants like them (age band, contract type).

Only the group's percentiles and its size ever leave: never a row. A group smaller than
``applicant_min_group_size`` gives no figure at all (``too_small``), so that no person's
values can be read back from a small group. The group's values are read from the clients
table (the same population the advisors' comparisons use), the applicant excluded.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from credit_scoring.core.bands import AGE_BANDS
from credit_scoring.db import models as m
from credit_scoring.lending import applicant_schemas as s
from credit_scoring.lending import form as bank_form
from credit_scoring.lending.applicant.access import birth_date_of
from credit_scoring.lending.applicant.views import _stored_row

# item -> (clients column, Kaggle column of the application, French label, English label)
FIGURES: dict[str, tuple[Any, str, str, str]] = {
    "income": (m.Client.income_total, "AMT_INCOME_TOTAL", "Revenu mensuel", "Monthly income"),
    "amount_credit": (m.Client.amount_credit, "AMT_CREDIT", "Montant du crédit", "Credit amount"),
    "years_employed": (
        m.Client.years_employed,
        "DAYS_EMPLOYED",
        "Ancienneté dans l'emploi (années)",
        "Years in employment",
    ),
}
_PERCENTS = (10, 25, 50, 75, 90)


def age_band(birth: date, on: date) -> str | None:
    """The age band of someone born on ``birth``, on the day ``on``.

    Examples
    --------
    >>> age_band(date(1991, 3, 14), date(2026, 12, 7))
    '30-39'
    """
    age = on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
    for band, (low, high) in AGE_BANDS.items():
        if low <= age < high:
            return band
    return None


def _own_value(item: str, row: dict[str, Any]) -> float | None:
    column = FIGURES[item][1]
    value = row.get(column)
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    if number != number:
        return None
    if column == "DAYS_EMPLOYED":
        return -number / 365.25 if number <= 0 else None  # the placeholder: not employed
    return number


def comparison(
    session: Session, app: m.Application, lang: str, *, min_group: int
) -> s.ComparisonOut:
    """The group's percentiles of each figure and where the applicant's value sits."""
    birth = birth_date_of(session, app)
    today = date.today()
    band = age_band(birth, today) if birth else None
    row = _stored_row(session, app)
    _, loan = bank_form.from_application_row(row, today=app.entered_at.date())
    kind = loan.get("contract_type")
    kind_words = (
        bank_form.CHOICES["contract_type"][kind][lang]
        if kind in bank_form.CHOICES["contract_type"]
        else (app.contract_type or "")
    )
    label = (
        (f"{kind_words}, {band} ans" if lang == "fr" else f"{kind_words}, aged {band}")
        if band
        else kind_words
    )
    where = [m.Client.contract_type == app.contract_type, m.Client.sk_id_curr != app.sk_id_curr]
    if band is not None:
        low, high = AGE_BANDS[band]
        where += [m.Client.age_years >= low, m.Client.age_years < high]
    columns = [spec[0] for spec in FIGURES.values()]
    values = np.asarray(session.execute(select(*columns).where(*where)).all(), dtype=float).reshape(
        -1, len(columns)
    )
    size = len(values)
    if size < min_group or band is None:
        message = (
            f"Le groupe des demandeurs comparables compte moins de {min_group} personnes : "
            "aucune comparaison n'est montrée, pour que personne ne puisse y être reconnu."
            if lang == "fr"
            else f"The group of comparable applicants has fewer than {min_group} people: no "
            "comparison is shown, so that nobody in it can be recognised."
        )
        return s.ComparisonOut(
            group=s.GroupOut(label=label, size=size), figures=[], too_small=True, message=message
        )
    figures = []
    for i, (item, (_, _, fr, en)) in enumerate(FIGURES.items()):
        column = values[:, i]
        column = column[~np.isnan(column)]
        if len(column) < min_group:
            continue
        p10, p25, p50, p75, p90 = (float(v) for v in np.percentile(column, _PERCENTS))
        own = _own_value(item, row)
        figures.append(
            s.FigureOut(
                item=item,
                label=fr if lang == "fr" else en,
                value=own,
                p10=p10,
                p25=p25,
                p50=p50,
                p75=p75,
                p90=p90,
                percentile=None if own is None else float(100.0 * np.mean(column <= own)),
            )
        )
    return s.ComparisonOut(
        group=s.GroupOut(label=label, size=size), figures=figures, too_small=False, message=None
    )
