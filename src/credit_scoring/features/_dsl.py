"""A tiny vocabulary to define a feature once: its Ibis expression and its metadata together.

Every helper returns :class:`Feature` objects, so a module that defines features
cannot forget their metadata. Descriptions are composed from column phrases
(``phrases.py``) and aggregation templates, in English and French.

Rules that keep DuckDB and Spark identical: every value is cast to float64 before
arithmetic (no integer division), ratios divide by ``nullif(0)`` (Spark's ANSI mode
refuses division by zero and DuckDB would give NULL or infinity), variances are
sample variances, and "clipping" keeps missing values missing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir

from credit_scoring.features.categories import label
from credit_scoring.features.metadata import UNITS, FeatureMeta, monotone_direction
from credit_scoring.features.phrases import Phrase, phrase

# Spark SQL reads a bare ``1.0`` as a DECIMAL, which would turn a CASE of float literals (and
# its averages) into rounded decimals: CASE branches use integer literals, then cast.
NULL_FLOAT = ibis.null().cast("float64")
ZERO = ibis.literal(0).cast("float64")


@dataclass(frozen=True)
class Feature:
    """One output column: the expression (row-level or aggregate) and its metadata."""

    expr: ir.Value
    meta: FeatureMeta

    @property
    def name(self) -> str:
        return self.meta.name


@dataclass(frozen=True)
class Scope:
    """A subset of history rows an aggregate is computed on, with its words."""

    prefix: str
    en: str
    fr: str
    where: ir.BooleanValue | None = None


def f64(value: ir.Value) -> ir.FloatingValue:
    return value.cast("float64")


def ratio(num: ir.Value, den: ir.Value) -> ir.FloatingValue:
    """``num / den`` as float; missing when the denominator is zero or missing."""
    return f64(num) / f64(den).nullif(0.0)


def positive_part(value: ir.Value) -> ir.FloatingValue:
    """``max(value, 0)`` that stays missing when ``value`` is missing."""
    v = f64(value)
    return ibis.cases((v > 0, v), (v <= 0, 0))


def flag(cond: ir.BooleanValue) -> ir.FloatingValue:
    """1.0 / 0.0, missing when the condition is missing."""
    return cond.cast("float64")


def is_value(col: ir.Value, value: str) -> ir.FloatingValue:
    """1.0 when ``col`` equals ``value``, else 0.0 (missing counts as "not this value")."""
    return f64((col == value).fill_null(False))


def fr_de(fr: str) -> str:
    """French "de" + phrase with the usual contractions (du, des, de la, de l', d')."""
    if fr.startswith("le "):
        return "du " + fr[3:]
    if fr.startswith("les "):
        return "des " + fr[4:]
    if fr.startswith(("la ", "l'")):
        return "de " + fr
    if fr[:1].lower() in "aeéèêiouyh":
        return "d'" + fr
    return "de " + fr


def bare(text: str) -> str:
    """Drop a leading French article and capitalise: "le montant du crédit" -> "Montant du crédit"."""
    for article in ("le ", "la ", "les ", "l'"):
        if text.startswith(article):
            text = text[len(article) :]
            break
    return text[:1].upper() + text[1:]


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def make_meta(name: str, source: str, en: str, fr: str, unit: str, group: str) -> FeatureMeta:
    if unit not in UNITS:
        raise ValueError(f"unit {unit!r} of feature {name} is not one of {UNITS}")
    return FeatureMeta(
        name=name,
        source=source,
        description_en=cap(en),
        description_fr=cap(fr),
        unit=unit,
        group=group,
        monotone=monotone_direction(name),
    )


# How each aggregation reads; {x} is the English phrase, {de_x} the French "de + phrase".
_TEMPLATES: dict[str, tuple[str, str]] = {
    "mean": ("average {x}", "moyenne {de_x}"),
    "min": ("lowest {x}", "minimum {de_x}"),
    "max": ("highest {x}", "maximum {de_x}"),
    "sum": ("total {x}", "total {de_x}"),
    "var": ("variability of {x}", "variabilité {de_x}"),
}
# A flag's phrase is a plural noun ("late payments"): its sum counts, its mean is a share.
_FLAG_TEMPLATES = {
    "sum": ("number of {x}", "nombre {de_x}"),
    "mean": ("share of {x}", "part {de_x}"),
}
_SUFFIX = {"mean": "MEAN", "min": "MIN", "max": "MAX", "sum": "SUM", "var": "VAR"}


def _reduce(value: ir.Value, fn: str, where: ir.BooleanValue | None) -> ir.Value:
    if fn == "var":
        return value.var(how="sample", where=where)
    return getattr(value, fn)(where=where)


def _and(a: ir.BooleanValue | None, b: ir.BooleanValue | None) -> ir.BooleanValue | None:
    if a is None:
        return b
    if b is None:
        return a
    return a & b


@dataclass(frozen=True)
class Aggregator:
    """Builds aggregate features of one history table, named ``<prefix>_<COL>_<FN>``."""

    table: ir.Table
    source: str  # table name, recorded in the metadata
    prefix: str  # e.g. "BURO"
    rows_en: str  # what one row is, plural: "bureau credits"
    rows_fr: str  # "les crédits déclarés au bureau"

    def _scope_words(self, scope: Scope | None) -> tuple[str, str, str]:
        if scope is None:
            return self.prefix, f" over {self.rows_en}", f" sur {self.rows_fr}"
        return scope.prefix, f" {scope.en}", f" {scope.fr}"

    def stats(
        self,
        col: str,
        fns: Sequence[str],
        *,
        scope: Scope | None = None,
        value: ir.Value | None = None,
        words: Phrase | None = None,
        group: str | None = None,
    ) -> list[Feature]:
        """min/max/mean/sum/var of a column (or of ``value``, a derived row value named ``col``)."""
        p = words or phrase(self.source, col)
        prefix, en_sfx, fr_sfx = self._scope_words(scope)
        where = scope.where if scope else None
        v = f64(value if value is not None else self.table[col])
        out = []
        for fn in fns:
            en, fr = _FLAG_TEMPLATES.get(fn, _TEMPLATES[fn]) if p.unit == "flag" else _TEMPLATES[fn]
            unit = (
                "number"
                if fn == "var"
                else (
                    "count"
                    if fn == "sum" and p.unit == "flag"
                    else ("share" if p.unit == "flag" else p.unit)
                )
            )
            meta = make_meta(
                f"{prefix}_{col}_{_SUFFIX[fn]}",
                self.source,
                en.format(x=p.en) + en_sfx,
                fr.format(de_x=fr_de(p.fr)) + fr_sfx,
                unit,
                group or f"{self.source}.{col}",
            )
            out.append(Feature(_reduce(v, fn, where), meta))
        return out

    def count(
        self,
        *,
        scope: Scope | None = None,
        where: ir.BooleanValue | None = None,
        name: str = "COUNT",
        en: str | None = None,
        fr: str | None = None,
        group: str | None = None,
    ) -> Feature:
        """Number of rows (in scope and matching ``where``); 0 for a client with rows but none match."""
        prefix, en_sfx, fr_sfx = self._scope_words(scope)
        cond = _and(scope.where if scope else None, where)
        expr = f64(self.table.count(where=cond)) if cond is not None else f64(self.table.count())
        meta = make_meta(
            f"{prefix}_{name}",
            self.source,
            en or f"number of {self.rows_en}{en_sfx if scope else ''}",
            fr or f"nombre de {bare(self.rows_fr).lower()}{fr_sfx if scope else ''}",
            "count",
            group or f"{self.source}.COUNT",
        )
        return Feature(expr, meta)

    def shares(
        self, col: str, categories: Iterable[str], *, scope: Scope | None = None
    ) -> list[Feature]:
        """Share of rows whose ``col`` equals each category (missing counts as another value)."""
        p = phrase(self.source, col)
        prefix, en_sfx, fr_sfx = self._scope_words(scope)
        where = scope.where if scope else None
        out = []
        for cat in categories:
            en_cat, fr_cat = label(cat)
            meta = make_meta(
                f"{prefix}_{col}_{slug(cat)}_SHARE",
                self.source,
                f"share of {self.rows_en} with {p.en} '{en_cat}'{en_sfx if scope else ''}",
                f"part {fr_de(self.rows_fr)} avec {p.fr} « {fr_cat} »{fr_sfx if scope else ''}",
                "share",
                f"{self.source}.{col}",
            )
            out.append(Feature(is_value(self.table[col], cat).mean(where=where), meta))
        return out


def slug(text: str) -> str:
    """Stable column-name fragment for a category value: "Cash loans" -> "CASH_LOANS"."""
    out = "".join(ch.upper() if ch.isalnum() else "_" for ch in text)
    while "__" in out:
        out = out.replace("__", "_")
    return out.strip("_") or "EMPTY"


def aggregate(table: ir.Table, features: Sequence[Feature], key: str = "SK_ID_CURR") -> ir.Table:
    """Group ``table`` by ``key`` and compute every aggregate feature (names must be unique)."""
    names = [f.name for f in features]
    dupes = {n for n in names if names.count(n) > 1}
    if dupes:
        raise ValueError(f"duplicate feature names: {sorted(dupes)}")
    return table.group_by(key).aggregate(**{f.name: f.expr for f in features})
