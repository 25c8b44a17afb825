"""French and English labels of the dashboard (``locales/fr.json``, ``locales/en.json``).

Keys are dotted names (``score.title``); values are ``str.format`` templates.
French is the default; a missing key shows the key itself so it is noticed in review,
and ``tests/unit/test_dashboard_i18n.py`` checks both files hold the same keys.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

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


def category(value: str, /) -> str:
    """A category of the Kaggle data (``Married``...) in the session's language, when known."""
    from credit_scoring.dashboard.state import lang

    return catalog(lang()).get(f"cat.{value}", value)


def metric_label(name: str, /) -> str:
    """A metric or report column (``roc_auc``...) in words, when the locales know it."""
    from credit_scoring.dashboard.state import lang

    return catalog(lang()).get(f"metric.{name}", name)


def fmt_money(value: float | None, lang: str = DEFAULT_LANG) -> str:
    """12 345 (fr) or 12,345 (en); an em dash when unknown."""
    if value is None:
        return "—"
    text = f"{value:,.0f}"
    return text.replace(",", "\u202f") if lang == "fr" else text


def fmt_pct(value: float | None, lang: str = DEFAULT_LANG, digits: int = 1) -> str:
    if value is None:
        return "—"
    text = f"{100 * value:.{digits}f}"
    return f"{text.replace('.', ',')}\u00a0%" if lang == "fr" else f"{text}%"


def fmt_num(value: float | None, lang: str = DEFAULT_LANG, digits: int = 1) -> str:
    if value is None:
        return "—"
    text = f"{value:,.{digits}f}"
    if lang == "fr":
        text = text.replace(",", "\u202f").replace(".", ",")
    return text
