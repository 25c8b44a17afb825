"""French and English labels of the dashboard (``locales/fr.json``, ``locales/en.json``).

Keys are dotted names (``score.title``); values are ``str.format`` templates.
French is the default; a missing key shows the key itself so it is noticed in review,
and ``tests/unit/test_dashboard_i18n.py`` checks both files hold the same keys.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from functools import cache
from pathlib import Path

from credit_scoring.core import formatting
from credit_scoring.lending.form.codes import category_label

LOCALES_DIR = Path(__file__).parent / "locales"
DEFAULT_LANG = "fr"


@cache
def catalog(lang: str) -> dict[str, str]:
    """The flat key -> template mapping of one language."""
    path = LOCALES_DIR / f"{lang}.json"
    if not path.exists():
        path = LOCALES_DIR / f"{DEFAULT_LANG}.json"
    data: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
    return data


def translate(key: str, lang: str = DEFAULT_LANG, /, **values: object) -> str:
    """The label ``key`` in ``lang``, formatted with ``values``."""
    template = catalog(lang).get(key) or catalog(DEFAULT_LANG).get(key) or key
    try:
        return template.format(**values) if values else template
    except (KeyError, IndexError, ValueError):
        return template


def t(key: str, /, **values: object) -> str:
    """The label ``key`` in the session's language."""
    from credit_scoring.dashboard.state import lang

    return translate(key, lang(), **values)


def category(value: object, /) -> str:
    """A category of the Kaggle data (``Married``, ``XAP``...) in the session's language.

    The words come from the one dictionary, :func:`credit_scoring.lending.form.codes.category_label`
    (None and NaN read "not provided"; an unknown value is shown as it is).
    """
    from credit_scoring.dashboard.state import lang

    return category_label(value, lang())


def metric_label(name: str, /) -> str:
    """A metric or report column (``roc_auc``...) in words, when the locales know it."""
    from credit_scoring.dashboard.state import lang

    return catalog(lang()).get(f"metric.{name}", name)


def fmt_money(value: float | None, lang: str = DEFAULT_LANG) -> str:
    """12 345 (fr) or 12,345 (en), no currency; an em dash when unknown."""
    return formatting.amount(value, lang)


def fmt_pct(value: float | None, lang: str = DEFAULT_LANG, digits: int = 1) -> str:
    """A share as a percentage: 2,3 % (fr) or 2.3% (en)."""
    return formatting.percent(value, lang, digits)


def fmt_num(value: float | None, lang: str = DEFAULT_LANG, digits: int = 1) -> str:
    """A number with ``digits`` decimals in the language's separators."""
    return formatting.number(value, lang, digits)


def fmt_points(value: float | None, lang: str = DEFAULT_LANG, digits: int = 1) -> str:
    """A difference of probabilities in percentage points: +2,3 pts."""
    return formatting.points(value, lang, digits)


def fmt_days(value: float | None, lang: str = DEFAULT_LANG) -> str:
    """A number of days with the right plural: 1 jour, 3 jours."""
    return formatting.duration(value, "day", lang)


def fmt_date(value: date | datetime | str | None, lang: str = DEFAULT_LANG) -> str:
    """A date as 31/12/2026 in both languages (the bank's usage)."""
    return formatting.date(value, lang)


def fmt_datetime(value: datetime | str | None, lang: str = DEFAULT_LANG) -> str:
    """A date and time to the minute: 31/12/2026 14:05."""
    return formatting.datetime(value, lang)
