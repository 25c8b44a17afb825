"""Credit-committee policy rules: knock-outs and referrals applied on top of the model.

Why a file and not code: the rules belong to the credit committee, not to the model. They
change on the committee's calendar, must be reviewable by people who do not read Python,
and every decision must say which version of them it applied. So they live in a versioned
JSON file (``policy_rules.json`` beside this module, shipped in the wheel), their conditions
are `rule-engine <https://zerosteiner.github.io/rule-engine/>`_ expressions over a small,
fixed set of *facts*, and :attr:`Policy.version` names both the committee's version string
and the file's content hash, so an edit that forgets to bump the version still shows.

File format
-----------
::

    {
      "version": "2026-12-01",
      "products": {"Cash loans": {"max_term_months": 120},
                   "Revolving loans": {"max_term_months": 60}},
      "rules": [
        {"code": "P01", "outcome": "refuse",
         "when": "age_years != null and age_years < 18",
         "note": "optional comment for reviewers",
         "text_fr": "...", "text_en": "...",
         "applicant_fr": "...", "applicant_en": "..."}
      ]
    }

- ``version``: non-empty string chosen by the committee (a date).
- ``products``: per ``NAME_CONTRACT_TYPE``, the product limits (``max_term_months`` > 0);
  :meth:`Policy.evaluate` adds the applicable one as the fact ``product_max_term_months``.
- ``rules``: non-empty list; ``code`` is unique and looks like ``P01``; ``outcome`` is
  ``"refuse"`` (knock-out) or ``"refer"`` (a senior analyst decides); ``when`` is a
  rule-engine expression over the facts below; ``text_*`` is the advisor's short wording,
  ``applicant_*`` plain words for the letter to the applicant (no fact names, no jargon:
  something an advisor could say to the applicant's face). ``note`` is optional. Any other
  key is refused (it is usually a typo such as ``text_eng``).

Loading validates all of this and fails with :class:`PolicyFileError`, naming the rule.
It also evaluates every rule on facts that are all missing: a rule that fires or fails on
missing facts is refused, so a missing value can never knock an applicant out by accident.
Expressions must therefore guard their facts (``x != null and x > 1``).

Facts (:func:`policy_facts`)
----------------------------
``age_years``, ``age_at_end_years`` (whole years, at application and at the last payment),
``monthly_income`` (``AMT_INCOME_TOTAL``, a monthly income: the convention of
:mod:`credit_scoring.lending.form.kaggle`), ``annuity_income_ratio`` (monthly annuity /
monthly income), ``credit_income_ratio`` (credit / yearly income, the yearly income being
12 × the monthly one), ``term_months``,
``term_estimated``, ``contract_type``, ``employed``, ``employment_months`` (whole months in
the current job) and ``product_max_term_months`` (added by :meth:`Policy.evaluate`). A value
that is missing, not finite or not meaningful (income of zero or less) is ``None``.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
import re
import threading
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import rule_engine

from credit_scoring.core.kaggle import DAYS_PER_YEAR, EMPLOYED_PLACEHOLDER
from credit_scoring.core.results import ModelDecision
from credit_scoring.core.results import ScoreDecision as Decision
from credit_scoring.lending.form.kaggle import yearly_income

Outcome = Literal["refuse", "refer"]

DEFAULT_PATH = Path(__file__).with_name("policy_rules.json")
DAYS_PER_MONTH = DAYS_PER_YEAR / 12
RATIO_DECIMALS = 6  # ratios are rounded so that 3 500 / 10 000 is exactly 0.35 at a boundary

FACT_COLUMNS = (
    "DAYS_BIRTH",
    "DAYS_EMPLOYED",
    "AMT_INCOME_TOTAL",
    "AMT_ANNUITY",
    "AMT_CREDIT",
    "NAME_CONTRACT_TYPE",
)  # the Kaggle columns :func:`policy_facts` reads (the rest of a row is not needed)

_T = rule_engine.DataType
FACT_TYPES: dict[str, Any] = {
    "age_years": _T.FLOAT,
    "age_at_end_years": _T.FLOAT,
    "monthly_income": _T.FLOAT,
    "annuity_income_ratio": _T.FLOAT,
    "credit_income_ratio": _T.FLOAT,
    "term_months": _T.FLOAT,
    "term_estimated": _T.BOOLEAN,
    "contract_type": _T.STRING,
    "employed": _T.BOOLEAN,
    "employment_months": _T.FLOAT,
    "product_max_term_months": _T.FLOAT,
}
_CONTEXT = rule_engine.Context(type_resolver=rule_engine.type_resolver_from_dict(FACT_TYPES))

OUTCOMES: tuple[Outcome, ...] = ("refuse", "refer")
_TEXT_KEYS = ("text_fr", "text_en", "applicant_fr", "applicant_en")
_RULE_KEYS = {"code", "outcome", "when", "note", *_TEXT_KEYS}
_CODE = re.compile(r"P\d{2}")
# words an applicant must not read (model jargon, placeholders) and fact names
_JARGON = re.compile(
    r"SHAP|log-odds|probabilit|non renseign|not provided|\bnull\b|"
    + "|".join(re.escape(name) for name in FACT_TYPES),
    re.IGNORECASE,
)


class PolicyFileError(ValueError):
    """The policy file is not valid; the message names the file and the rule."""


class PolicyError(RuntimeError):
    """A rule could not be evaluated on the facts given (wrong type of a fact)."""


@dataclass(frozen=True)
class PolicyHit:
    """One rule that fired on an application.

    Attributes
    ----------
    code : str
        The rule's code (``"P03"``).
    outcome : {"refuse", "refer"}
        What the rule asks for.
    text_fr, text_en : str
        Short wording for the advisor's screen.
    applicant_fr, applicant_en : str
        Plain words for the letter to the applicant.
    """

    code: str
    outcome: Outcome
    text_fr: str
    text_en: str
    applicant_fr: str
    applicant_en: str

    def text(self, lang: str) -> str:
        """The advisor's wording in ``lang`` (``"fr"``, anything else gives English).

        Parameters
        ----------
        lang : str
            ``"fr"`` for French; any other value gives English.

        Returns
        -------
        str
            :attr:`text_fr` or :attr:`text_en`.
        """
        return self.text_fr if lang == "fr" else self.text_en

    def applicant_text(self, lang: str) -> str:
        """The applicant's wording in ``lang`` (``"fr"``, anything else gives English).

        Parameters
        ----------
        lang : str
            ``"fr"`` for French; any other value gives English.

        Returns
        -------
        str
            :attr:`applicant_fr` or :attr:`applicant_en`.
        """
        return self.applicant_fr if lang == "fr" else self.applicant_en


def hit_rows(hits: list[PolicyHit]) -> list[dict[str, str]]:
    """The rules that fired as a score stores them (JSON).

    Parameters
    ----------
    hits : list of PolicyHit
        The rules that fired (:meth:`Policy.evaluate`).

    Returns
    -------
    list of dict of str to str
        Per hit, in order: code, outcome, the advisor's and the applicant's texts in both
        languages (the letter quotes the applicant's).
    """
    return [asdict(h) for h in hits]


def _number(value: Any) -> float | None:
    """A finite float, or None for None, NaN, infinities and non-numbers."""
    if value is None or isinstance(value, bool):
        return None
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return out if math.isfinite(out) else None


def _ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or denominator is None or denominator <= 0:
        return None
    return round(numerator / denominator, RATIO_DECIMALS)


def _text(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def policy_facts(application: dict[str, Any], term_months: float | None) -> dict[str, Any]:
    """The facts the policy rules read, from one application row in Kaggle layout.

    Parameters
    ----------
    application : dict
        An ``application_train``-layout row: ``DAYS_BIRTH`` (negative days before the
        application), ``DAYS_EMPLOYED`` (negative days; 365243 means not employed),
        ``AMT_INCOME_TOTAL`` (the monthly income, as ``AMT_ANNUITY`` is the monthly
        payment: the convention of :mod:`credit_scoring.lending.form.kaggle`), ``AMT_CREDIT`` and
        ``NAME_CONTRACT_TYPE`` (``"Cash loans"`` / ``"Revolving loans"``). Missing keys,
        ``None`` and NaN are all "unknown".
    term_months : float or None
        Number of monthly payments asked for. When None (the Kaggle clients state no term)
        it is estimated as credit / annuity: the undiscounted term, i.e. the term at zero
        interest. With any interest the real term is longer, so this bound is a lower bound
        of the term: a rule on an estimated term (P02, P06) fires only when the real term
        would fire it too, and may miss a case the real term would catch.
        ``term_estimated`` says which one was used.

    Returns
    -------
    dict
        Plain Python values (int, float, bool, str or None) keyed by fact name; see the
        module docstring. Never raises on missing or malformed values.
    """
    days_birth = _number(application.get("DAYS_BIRTH"))
    days_employed = _number(application.get("DAYS_EMPLOYED"))
    income = _number(application.get("AMT_INCOME_TOTAL"))
    annuity = _number(application.get("AMT_ANNUITY"))
    credit = _number(application.get("AMT_CREDIT"))
    contract_type = _text(application.get("NAME_CONTRACT_TYPE"))

    term = _number(term_months)
    estimated = False
    if term is None or term <= 0:
        term = None
        if credit is not None and annuity is not None and annuity > 0 and credit > 0:
            term = round(credit / annuity, 2)
            estimated = True

    age_days = -days_birth if days_birth is not None and days_birth < 0 else None
    age_years = math.floor(age_days / DAYS_PER_YEAR) if age_days is not None else None
    age_at_end = (
        math.floor((age_days + term * DAYS_PER_MONTH) / DAYS_PER_YEAR)
        if age_days is not None and term is not None
        else None
    )

    employed: bool | None
    employment_months: int | None
    if days_employed is None:
        employed, employment_months = None, None
    elif days_employed == EMPLOYED_PLACEHOLDER:
        employed, employment_months = False, None
    elif days_employed <= 0:
        employed = True
        employment_months = math.floor(-days_employed / DAYS_PER_MONTH)
    else:  # a positive number of days other than the marker: malformed, unknown
        employed, employment_months = None, None

    monthly_income = income if income is not None and income > 0 else None
    yearly = yearly_income(monthly_income) if monthly_income is not None else None
    return {
        "age_years": age_years,
        "age_at_end_years": age_at_end,
        "monthly_income": monthly_income,
        "annuity_income_ratio": _ratio(annuity, monthly_income),
        "credit_income_ratio": _ratio(credit, yearly),
        "term_months": term,
        "term_estimated": estimated,
        "contract_type": contract_type,
        "employed": employed,
        "employment_months": employment_months,
    }


def _clean(value: Any) -> Any:
    """A fact value rule-engine accepts: NaN and numpy scalars become None / Python types."""
    kind = type(value)
    if kind is float:  # the usual case first (many rows at a time)
        return value if math.isfinite(value) else None
    if value is None or isinstance(value, bool | str):
        return value
    if hasattr(value, "item") and not isinstance(value, int | float):  # numpy scalar
        value = value.item()
        if isinstance(value, bool | str):
            return value
    return _number(value)


def _fail(path: Path, message: str) -> PolicyFileError:
    return PolicyFileError(f"{path.name}: {message}")


@dataclass(frozen=True)
class _Rule:
    code: str
    outcome: Outcome
    rule: rule_engine.Rule
    hit: PolicyHit


def _parse_rule(path: Path, index: int, raw: Any, seen: set[str]) -> _Rule:
    if not isinstance(raw, dict):
        raise _fail(path, f"rule #{index + 1} is not an object")
    code = raw.get("code")
    if not isinstance(code, str) or not _CODE.fullmatch(code):
        raise _fail(path, f"rule #{index + 1}: code {code!r} is not like 'P01'")
    where = f"rule {code}"
    if code in seen:
        raise _fail(path, f"{where}: duplicate code")
    seen.add(code)
    unknown = sorted(set(raw) - _RULE_KEYS)
    if unknown:
        raise _fail(path, f"{where}: unknown key(s) {unknown}; allowed: {sorted(_RULE_KEYS)}")
    outcome = raw.get("outcome")
    if outcome not in OUTCOMES:
        raise _fail(path, f"{where}: unknown outcome {outcome!r}; expected one of {OUTCOMES}")
    for key in _TEXT_KEYS:
        value = raw.get(key)
        if not isinstance(value, str) or not value.strip():
            raise _fail(path, f"{where}: missing or empty {key}")
    for key in ("applicant_fr", "applicant_en"):
        jargon = _JARGON.search(raw[key])
        if jargon:
            raise _fail(
                path, f"{where}: {key} uses {jargon.group(0)!r}, not words for the applicant"
            )
    when = raw.get("when")
    if not isinstance(when, str) or not when.strip():
        raise _fail(path, f"{where}: missing or empty 'when' expression")
    try:
        rule = rule_engine.Rule(when, context=_CONTEXT)
    except rule_engine.errors.SymbolResolutionError as exc:
        raise _fail(
            path, f"{where}: unknown fact {exc.symbol_name!r}; facts: {sorted(FACT_TYPES)}"
        ) from exc
    except rule_engine.errors.EngineError as exc:
        detail = exc.message
        token = getattr(exc, "token", None)
        if token is not None:
            detail += f" near {getattr(token, 'value', token)!r}"
        raise _fail(path, f"{where}: invalid expression {when!r}: {detail}") from exc
    try:
        fires = rule.matches(dict.fromkeys(FACT_TYPES))
    except rule_engine.errors.EngineError as exc:
        raise _fail(
            path, f"{where}: fails when facts are missing; guard them ('x != null and ...')"
        ) from exc
    if fires:
        raise _fail(path, f"{where}: fires when every fact is missing; guard with 'x != null'")
    hit = PolicyHit(
        code=code,
        outcome=outcome,
        text_fr=raw["text_fr"].strip(),
        text_en=raw["text_en"].strip(),
        applicant_fr=raw["applicant_fr"].strip(),
        applicant_en=raw["applicant_en"].strip(),
    )
    return _Rule(code, outcome, rule, hit)


def _parse_products(path: Path, raw: Any) -> dict[str, dict[str, float]]:
    if not isinstance(raw, dict) or not raw:
        raise _fail(path, "'products' must be a non-empty object keyed by NAME_CONTRACT_TYPE")
    out: dict[str, dict[str, float]] = {}
    for name, limits in raw.items():
        maximum = limits.get("max_term_months") if isinstance(limits, dict) else None
        if isinstance(maximum, bool) or not isinstance(maximum, int | float) or maximum <= 0:
            raise _fail(path, f"product {name!r}: max_term_months must be a positive number")
        out[name] = {"max_term_months": float(maximum)}
    return out


_ORDER = {"refuse": 0, "refer": 1}
_LOCK = threading.Lock()
_CACHE: dict[tuple[Path, str], Policy] = {}


class Policy:
    """The committee's rules, loaded and validated from one JSON file.

    Use :meth:`load`; the constructor is for the loader.

    Parameters
    ----------
    path : Path
        The file the content was read from (named in error messages).
    content : bytes
        The file's content, parsed and validated here.

    Attributes
    ----------
    version : str
        The file's ``version`` and the first 12 hex digits of its SHA-256,
        e.g. ``"2026-12-01+3fa2b1c4d5e6"``: what a decision records.
    path : Path
        The file the rules were read from.

    Raises
    ------
    PolicyFileError
        The content is not valid (the message names the file and the rule).
    """

    def __init__(self, path: Path, content: bytes) -> None:
        try:
            data = json.loads(content.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise _fail(path, f"not valid UTF-8 JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise _fail(path, "the top level must be an object")
        unknown = sorted(set(data) - {"version", "products", "rules"})
        if unknown:
            raise _fail(path, f"unknown top-level key(s) {unknown}")
        version = data.get("version")
        if not isinstance(version, str) or not version.strip():
            raise _fail(path, "'version' must be a non-empty string")
        rules = data.get("rules")
        if not isinstance(rules, list) or not rules:
            raise _fail(path, "'rules' must be a non-empty list")
        self._products = _parse_products(path, data.get("products"))
        seen: set[str] = set()
        parsed = [_parse_rule(path, i, raw, seen) for i, raw in enumerate(rules)]
        self._rules = sorted(parsed, key=lambda r: (_ORDER[r.outcome], r.code))
        self._raw_rules: list[dict[str, Any]] = rules
        self.path = path
        self.version = f"{version.strip()}+{hashlib.sha256(content).hexdigest()[:12]}"

    @classmethod
    def load(cls, path: Path | None = None) -> Policy:
        """The policy of a rules file (default: the packaged ``policy_rules.json``).

        The file is read on every call and hashed; the parsed policy is cached by path and
        content hash, so an edited file is picked up and an unchanged one is not re-parsed.

        Parameters
        ----------
        path : Path, optional
            The rules file; by default the packaged :data:`DEFAULT_PATH`.

        Returns
        -------
        Policy
            The validated policy (the same object while the file is unchanged).

        Raises
        ------
        PolicyFileError
            The file is not valid (the message names the rule).
        FileNotFoundError
            No such file.
        """
        resolved = Path(path if path is not None else DEFAULT_PATH).resolve()
        content = resolved.read_bytes()
        key = (resolved, hashlib.sha256(content).hexdigest())
        with _LOCK:
            cached = _CACHE.get(key)
        if cached is not None:
            return cached
        policy = cls(resolved, content)
        with _LOCK:
            _CACHE[key] = policy
        return policy

    @property
    def rules(self) -> list[dict[str, Any]]:
        """The rules as written in the file (deep copies, file order), for ``GET /policy``."""
        return copy.deepcopy(self._raw_rules)

    @property
    def products(self) -> dict[str, dict[str, float]]:
        """Product limits by ``NAME_CONTRACT_TYPE`` (copies)."""
        return copy.deepcopy(self._products)

    def evaluate(self, facts: dict[str, Any]) -> list[PolicyHit]:
        """The rules that fire on ``facts``: refusals first, then referrals, each by code.

        Parameters
        ----------
        facts : dict
            Usually :func:`policy_facts`. Missing facts are None; NaN and numpy scalars are
            accepted; ``product_max_term_months`` is added from the products table.

        Returns
        -------
        list of PolicyHit
            The rules that fire; empty when none does.

        Raises
        ------
        PolicyError
            A fact has the wrong type for a rule (e.g. a string age).
        """
        full = self._full_facts(facts)
        return [rule.hit for rule in self._rules if self._fires(rule, full)]

    def evaluate_many(self, facts: Sequence[dict[str, Any]]) -> list[list[PolicyHit]]:
        """:meth:`evaluate` on many applications at once, with the same answers, faster.

        Each rule is first evaluated on all the rows at once with numpy (the expressions
        the file uses: ``and``/``or``/``not``, comparisons with numbers, booleans, strings
        and ``null``); the rows where it fires, or where a comparison would meet a missing
        value, are then evaluated again one by one by rule-engine, whose answer is kept.
        So rule-engine decides every hit and every error; numpy only tells it which rows
        cannot fire. A rule whose expression uses anything else is evaluated row by row.

        Parameters
        ----------
        facts : sequence of dict
            One :func:`policy_facts` per application.

        Returns
        -------
        list of list of PolicyHit
            Per application, in order, what :meth:`evaluate` returns for it.

        Raises
        ------
        PolicyError
            A fact has the wrong type for a rule (as :meth:`evaluate`).
        """
        full = [self._full_facts(f) for f in facts]
        hits: list[list[PolicyHit]] = [[] for _ in full]
        if not full:
            return hits
        columns = {name: _column([f[name] for f in full], FACT_TYPES[name]) for name in FACT_TYPES}
        for rule in self._rules:
            try:
                mask, unsure = _vector(rule.rule.statement.expression, columns)
                candidates = np.flatnonzero(np.asarray(mask, dtype=bool) | unsure)
            except _NotVectorised:
                candidates = np.arange(len(full))
            for i in candidates:
                if self._fires(rule, full[i]):
                    hits[i].append(rule.hit)
        return hits

    def _full_facts(self, facts: dict[str, Any]) -> dict[str, Any]:
        full: dict[str, Any] = dict.fromkeys(FACT_TYPES)
        full.update({k: _clean(v) for k, v in facts.items() if k in FACT_TYPES})
        product = self._products.get(full["contract_type"] or "")
        full["product_max_term_months"] = product["max_term_months"] if product else None
        return full

    @staticmethod
    def _fires(rule: _Rule, full: dict[str, Any]) -> bool:
        try:
            return bool(rule.rule.matches(full))
        except rule_engine.errors.EngineError as exc:
            raise PolicyError(f"rule {rule.code} could not be evaluated: {exc.message}") from exc


class _NotVectorised(Exception):
    """An expression :func:`_vector` does not translate (the rule is evaluated per row)."""


_Vector = tuple[Any, np.ndarray]  # (values or a scalar, True where the value is null)


def _column(values: list[Any], kind: Any) -> _Vector:
    """A fact over all rows: floats with NaN, or objects; and where it is null."""
    null = np.fromiter((v is None for v in values), dtype=bool, count=len(values))
    if kind is _T.FLOAT:
        try:
            return np.array([np.nan if v is None else v for v in values], dtype=float), null
        except (TypeError, ValueError):  # a fact of the wrong type: rule-engine will say so
            pass
    return np.array(values, dtype=object), null


_COMPARE = {
    "eq": np.equal,
    "ne": np.not_equal,
    "lt": np.less,
    "le": np.less_equal,
    "gt": np.greater,
    "ge": np.greater_equal,
}


def _vector(node: Any, columns: dict[str, _Vector]) -> tuple[Any, np.ndarray]:
    """A boolean expression over all rows at once: (fires, unsure).

    ``unsure`` marks the rows where rule-engine would compare a missing value with ``<``,
    ``>``... (it raises there): they are evaluated again by rule-engine, like every row
    where the rule fires.
    """
    A = rule_engine.ast
    size = len(next(iter(columns.values()))[1])
    if isinstance(node, A.LogicExpression):
        left, left_unsure = _vector(node.left, columns)
        right, right_unsure = _vector(node.right, columns)
        left, right = np.asarray(left, dtype=bool), np.asarray(right, dtype=bool)
        if node.type == "and":
            return left & right, left_unsure | (left & right_unsure)
        if node.type == "or":
            return left | right, left_unsure | (~left & right_unsure)
        raise _NotVectorised(node.type)
    if isinstance(node, A.UnaryExpression) and node.type == "not":
        inner, unsure = _vector(node.right, columns)
        return ~np.asarray(inner, dtype=bool), unsure
    if isinstance(node, A.ComparisonExpression | A.ArithmeticComparisonExpression):
        (left, left_null), (right, right_null) = (
            _operand(node.left, columns, size),
            _operand(node.right, columns, size),
        )
        null = left_null | right_null
        if isinstance(node, A.ArithmeticComparisonExpression):
            try:
                with np.errstate(invalid="ignore"):
                    values = _COMPARE[node.type](left, right)
            except TypeError as exc:  # not numbers: per row, where rule-engine says why
                raise _NotVectorised(node.type) from exc
            return np.asarray(values, dtype=bool) & ~null, null
        if node.type not in ("eq", "ne"):
            raise _NotVectorised(node.type)
        both_null = left_null & right_null
        same = np.asarray(np.equal(left, right), dtype=bool) & ~null | both_null
        return (same if node.type == "eq" else ~same), np.zeros(size, dtype=bool)
    raise _NotVectorised(type(node).__name__)


def _operand(node: Any, columns: dict[str, _Vector], size: int) -> _Vector:
    A = rule_engine.ast
    if isinstance(node, A.SymbolExpression) and node.name in columns:
        return columns[node.name]
    if isinstance(node, A.NullExpression):
        return None, np.ones(size, dtype=bool)
    if isinstance(node, A.FloatExpression):
        return float(node.value), np.zeros(size, dtype=bool)
    if isinstance(node, A.BooleanExpression | A.StringExpression):
        return node.value, np.zeros(size, dtype=bool)
    raise _NotVectorised(type(node).__name__)


def outcome(hits: list[PolicyHit]) -> Outcome | None:
    """``"refuse"`` if any hit refuses, else ``"refer"`` if any refers, else None.

    Parameters
    ----------
    hits : list of PolicyHit
        The rules that fired (:meth:`Policy.evaluate`).

    Returns
    -------
    {"refuse", "refer"} or None
        The policy's outcome; None when no rule fired.

    Examples
    --------
    >>> outcome([]) is None
    True
    """
    outcomes = {hit.outcome for hit in hits}
    if "refuse" in outcomes:
        return "refuse"
    if "refer" in outcomes:
        return "refer"
    return None


def combine(model_decision: ModelDecision, hits: list[PolicyHit]) -> Decision:
    """The decision once the policy is applied to the model's.

    A refusing rule wins over the model; a referral turns a model grant or refusal into
    ``"refer"`` (a senior analyst decides); with no hit the model's decision stands.

    Parameters
    ----------
    model_decision : {"grant", "refuse"}
        The model's decision at its threshold.
    hits : list of PolicyHit
        The rules that fired (:meth:`Policy.evaluate`).

    Returns
    -------
    {"grant", "refuse", "refer"}
        The final decision.

    Raises
    ------
    ValueError
        ``model_decision`` is neither ``"grant"`` nor ``"refuse"``.

    Examples
    --------
    >>> combine("refuse", [])
    'refuse'
    """
    if model_decision not in ("grant", "refuse"):
        raise ValueError(f"model decision must be 'grant' or 'refuse', not {model_decision!r}")
    policy = outcome(hits)
    if policy is not None:
        return policy
    return model_decision
