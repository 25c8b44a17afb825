"""Every label exists in French and English, and every key the code asks for exists."""

from __future__ import annotations

import re
import string
import typing
from pathlib import Path

from credit_scoring.dashboard import navigation, state
from credit_scoring.dashboard.api_client import ErrorKind
from credit_scoring.dashboard.i18n import catalog, translate
from credit_scoring.dashboard.views.search import FILTERS
from credit_scoring.lending import schemas
from credit_scoring.lending.form.codes import has_label

SOURCE = Path(navigation.__file__).parent


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_both_languages_have_the_same_keys_and_placeholders() -> None:
    fr, en = catalog("fr"), catalog("en")
    assert set(fr) == set(en)
    for key in fr:
        assert fr[key].strip() and en[key].strip(), key
        assert _fields(fr[key]) == _fields(en[key]), key


def test_every_literal_key_in_the_code_exists() -> None:
    used: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r"\bt\(\s*\"([a-z_]+\.[a-z_.]+)\"", text))
        used |= set(re.findall(r"\"((?:score|whatif|login)\.[a-z_]+)\"", text))
    used = {k for k in used if not k.endswith(".py")}  # page file names
    missing = sorted(k for k in used if k not in catalog("fr"))
    assert len(used) > 100 and not missing, missing


def test_every_dynamic_key_exists() -> None:
    keys = set(catalog("fr"))
    dynamic = {f"error.{k}" for k in typing.get_args(ErrorKind)}
    dynamic |= {f"filter.{name}" for name in FILTERS}
    # gender and contract type read through the categories' dictionary (lending/form/codes.py)
    dynamic |= {f"value.score_band.{v}" for v in FILTERS["score_band"]}
    assert all(has_label(v) for name in ("gender", "contract_type") for v in FILTERS[name])
    dynamic |= {f"value.decision.{d}" for d in typing.get_args(schemas.DecisionValue)}
    dynamic |= {f"role.{r}" for r in typing.get_args(schemas.Role)}
    dynamic |= {f"nav.{p}" for p in navigation.PAGES} | {
        f"nav.section.{v.section}" for v in navigation.PAGES.values()
    }
    dynamic |= {
        f"value.source.{src}"
        for src in ("pos", "card", "installments", "bureau", "application", "previous")
    }
    dynamic |= {
        f"unit.{u}"
        for u in (
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
    }
    assert not sorted(dynamic - keys)
    assert set(state.ROLE_PAGES["admin"]) == set(navigation.PAGES)


def test_translate_formats_and_falls_back() -> None:
    assert translate("common.months", "fr", n=24) == "24 mois"
    assert translate("common.months", "en", n=24) == "24 months"
    assert translate("no.such.key", "en") == "no.such.key"
    assert translate("common.months", "de", n=3) == "3 mois"  # unknown language: French
