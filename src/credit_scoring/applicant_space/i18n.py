"""French and English texts of the applicant space (``locales/fr.json``, ``locales/en.json``).

The applicant space keeps its own locale files rather than a section of the staff
dashboard's: it speaks to the applicant ("your application"), not to an advisor, it ships
on the public side without a word of the staff screens, and the import contract forbids it
to import the dashboard. Numbers, amounts and dates go through
:mod:`credit_scoring.core.formatting`, as everywhere else.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from credit_scoring.core import formatting

LOCALES_DIR = Path(__file__).parent / "locales"
LANGS = ("fr", "en")
DEFAULT_LANG = "fr"
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@cache
def catalog(lang: str) -> dict[str, str]:
    """The flat key -> template mapping of one language (French when unknown)."""
    path = LOCALES_DIR / f"{lang if lang in LANGS else DEFAULT_LANG}.json"
    data: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
    return data


def translate(key: str, lang: str, /, **values: object) -> str:
    """The text ``key`` in ``lang``, formatted with ``values`` (the key itself when unknown)."""
    template = catalog(lang).get(key) or catalog(DEFAULT_LANG).get(key) or key
    try:
        return template.format(**values) if values else template
    except (KeyError, IndexError, ValueError):
        return template


def money(value: float | None, lang: str) -> str:
    """An amount in euros, to the cent when it has cents (a monthly payment)."""
    cents = value is not None and round(float(value), 2) != round(float(value))
    return formatting.money(value, lang, cents=cents)


def months(value: float | None, lang: str) -> str:
    """A term in months with its plural: ``36 mois`` / ``36 months``."""
    return formatting.duration(value, "month", lang)


def day(value: date | datetime | str | None, lang: str) -> str:
    """A date in words: ``7 janvier 2027`` / ``7 January 2027``."""
    return formatting.date(value, lang, style="long")


def wait(seconds: int, lang: str) -> str:
    """A time to wait in whole minutes (at least one), or seconds under a minute."""
    if seconds < 60:
        return formatting.duration(max(seconds, 1), "second", lang)
    return formatting.duration(-(-seconds // 60), "minute", lang)


def value_text(value: Any, lang: str) -> str:
    """An item's value as the applicant reads it: numbers and dates in their language."""
    if value is None or value == "":
        return formatting.MISSING
    if isinstance(value, bool):
        return translate("common.yes" if value else "common.no", lang)
    if isinstance(value, int):
        return formatting.number(value, lang)
    if isinstance(value, float):
        return formatting.number(value, lang, 0 if value.is_integer() else 2)
    if isinstance(value, str) and _ISO_DATE.match(value):
        return formatting.date(value, lang)
    return str(value)
