"""Numbers, amounts, percentages, durations and dates in the reader's language (Babel).

One place formats what a person reads, on every surface: the dashboard's pages, the
applicant's letter and the reasons given with a score. Babel (the Unicode CLDR data)
knows each locale's separators, grouping, plural forms and month names, so French reads
``260 700,50``, ``2,3 %``, ``1 jour``, ``3 jours`` and English ``260,700.50``, ``2.3%``,
``1 day``. Amounts carry no currency unless asked: the data's amounts are in the
lender's currency, the euro on the letter.

Examples
--------
>>> number(260700.5, "en", 2)
'260,700.50'
>>> percent(0.0234, "en")
'2.3%'
>>> duration(1, "day", "en")
'1 day'
>>> money(412.5, "en", cents=True)
'€412.50'
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Literal

from babel.dates import format_date as _format_date
from babel.dates import format_datetime as _format_datetime
from babel.numbers import format_currency, format_decimal
from babel.units import format_unit

LOCALES = {"fr": "fr_FR", "en": "en_GB"}
MISSING = "—"
Unit = Literal["second", "minute", "hour", "day", "month", "year"]


def locale(lang: str) -> str:
    """The Babel locale of a language code (French when unknown)."""
    return LOCALES.get(lang, LOCALES["fr"])


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def number(value: float | None, lang: str, digits: int = 0) -> str:
    """A number grouped by thousands with exactly ``digits`` decimals."""
    if value is None or _missing(value):
        return MISSING
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    return format_decimal(value, format=pattern, locale=locale(lang))


def amount(value: float | None, lang: str, digits: int = 0) -> str:
    """An amount without its currency (tables, charts): ``260 700`` / ``260,700``."""
    return number(value, lang, digits)


def money(value: float | None, lang: str, *, cents: bool = False) -> str:
    """An amount in euros: ``12 000 €`` / ``412,50 €`` in French, ``€12,000`` in English."""
    if value is None or _missing(value):
        return MISSING
    pattern = "#,##0.00\u00a0¤" if lang == "fr" else "¤#,##0.00"
    if not cents:
        pattern = pattern.replace(".00", "")
    return format_currency(value, "EUR", format=pattern, locale=locale(lang), currency_digits=False)


def percent(share: float | None, lang: str, digits: int = 1) -> str:
    """A share (0.023) as a percentage: ``2,3 %`` / ``2.3%``."""
    if _missing(share):
        return MISSING
    text = number(100 * float(share), lang, digits)  # type: ignore[arg-type]
    return f"{text}\u00a0%" if lang == "fr" else f"{text}%"


def points(delta: float | None, lang: str, digits: int = 1) -> str:
    """A difference of two probabilities in percentage points, signed: ``+2,3 pts``."""
    if _missing(delta):
        return MISSING
    value = 100 * float(delta)  # type: ignore[arg-type]
    sign = "+" if value > 0 else ("−" if value < 0 else "")
    unit = "pt" if abs(round(value, digits)) <= 1 else "pts"
    return f"{sign}{number(abs(value), lang, digits)}\u00a0{unit}"


def duration(value: float | None, unit: Unit, lang: str, digits: int = 0) -> str:
    """A count of seconds to years with the unit's plural form: ``1 jour``, ``3 days``."""
    if _missing(value):
        return MISSING
    rounded = round(float(value), digits)  # type: ignore[arg-type]
    shown = int(rounded) if digits == 0 else rounded
    return format_unit(
        shown,
        f"duration-{unit}",
        length="long",
        format="#,##0" + ("." + "0" * digits if digits else ""),
        locale=locale(lang),
    )


def date(day: dt.date | dt.datetime | str | None, lang: str, style: str = "short") -> str:
    """A date: ``01/12/2026`` / ``01/12/2026`` (short), ``1 décembre 2026`` (long).

    The letter writes ``1er décembre 2026``: French says the first of the month as an
    ordinal, which CLDR's pattern does not.
    """
    if day is None or day == "" or _missing(day):
        return MISSING
    if isinstance(day, str):
        day = dt.datetime.fromisoformat(day)
    if isinstance(day, dt.datetime):
        day = day.date()
    text = _format_date(day, style, locale=locale(lang))
    if lang == "fr" and style == "long" and day.day == 1:
        text = "1er" + text[1:]
    return text


def datetime(moment: dt.datetime | str | None, lang: str) -> str:
    """A date and time to the minute: ``01/12/2026 14:05``."""
    if moment is None or moment == "" or _missing(moment):
        return MISSING
    if isinstance(moment, str):
        moment = dt.datetime.fromisoformat(moment)
    return _format_datetime(moment, "dd/MM/yyyy HH:mm", locale=locale(lang))
