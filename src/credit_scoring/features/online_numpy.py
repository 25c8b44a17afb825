"""Row-level features evaluated with NumPy: the same Ibis expressions, without an SQL engine.

The application's own features (raw values, one-hot flags, ratios, external-score
summaries) are row-level expressions. DuckDB computes them for one application in
about 20 ms, nearly all of it fixed cost per expression, which is most of the time of
``POST /predict_default``. Here the expression graph is walked once and compiled into
a *tape*: every distinct node once, in evaluation order, as a NumPy function of the
slots before it. Running the tape over a few rows takes well under a millisecond, and
over many rows it is vectorised.

SQL semantics are kept: a missing number is NaN, missing text is ``None``, a boolean is
1.0 / 0.0 / NaN with three-valued logic, and a CASE branch whose condition is missing
is not taken. A node outside the supported operations raises :class:`Unsupported` when
compiling, and the caller keeps using DuckDB. Parity with DuckDB is tested on every
application of the real sample and on synthetic data.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache, partial
from typing import Any

import ibis.expr.operations as ops
import numpy as np
import pandas as pd

from credit_scoring.features import plan

Column = np.ndarray  # float64 (numbers and booleans, NaN = missing) or object (text, None)
Kernel = Callable[[list[Column], int], Column]


class Unsupported(Exception):
    """The expression uses an operation this evaluator does not implement."""


def _text_nulls(values: Column) -> np.ndarray:
    return np.asarray(values == None, dtype=bool)  # noqa: E711 - elementwise test on an array


def _equals_text(values: Column, *, text: str) -> Column:
    """``values = 'text'`` for a text column: missing stays missing."""
    out = np.asarray(np.equal(values, text), dtype=float)
    out[_text_nulls(values)] = np.nan
    return out


def _nulls(values: Column) -> np.ndarray:
    return _text_nulls(values) if values.dtype == object else np.isnan(values)


def _truth(values: Column) -> np.ndarray:
    """Where a boolean column is true (missing counts as not true, as in WHERE and CASE)."""
    return values == 1.0


def _compare(op: Callable[[Any, Any], Any]) -> Callable[[Column, Column], Column]:
    def kernel(left: Column, right: Column) -> Column:
        missing = _nulls(left) | _nulls(right)
        with np.errstate(invalid="ignore"):
            result = np.where(
                missing, False, op(np.where(missing, 0, left), np.where(missing, 0, right))
            )
        return np.where(missing, np.nan, result.astype(float))

    return kernel


def _divide(left: Column, right: Column) -> Column:
    with np.errstate(divide="ignore", invalid="ignore"):
        return left / right  # as DuckDB on doubles: x / 0 is +-infinity, 0 / 0 NaN


def _and(left: Column, right: Column) -> Column:
    false = (left == 0.0) | (right == 0.0)
    return np.where(false, 0.0, np.where(np.isnan(left) | np.isnan(right), np.nan, 1.0))


def _or(left: Column, right: Column) -> Column:
    true = (left == 1.0) | (right == 1.0)
    return np.where(true, 1.0, np.where(np.isnan(left) | np.isnan(right), np.nan, 0.0))


def _coalesce(*args: Column) -> Column:
    out = args[0].copy()
    for arg in args[1:]:
        missing = _nulls(out)
        out[missing] = arg[missing]
    return out


def _searched_case(n_cases: int) -> Callable[..., Column]:
    def kernel(*args: Column) -> Column:
        cases, results, default = args[:n_cases], args[n_cases : 2 * n_cases], args[-1]
        out = default.copy()
        taken = np.zeros(len(out), dtype=bool)
        for case, result in zip(cases, results, strict=True):
            hit = _truth(case) & ~taken
            out[hit] = result[hit]
            taken |= hit
        return out

    return kernel


def _if_else(cond: Column, yes: Column, no: Column) -> Column:
    return np.where(_truth(cond), yes, no)


def _null_if(values: Column, other: Column) -> Column:
    return np.where(values == other, np.nan, values)


def _reduce(ufunc: np.ufunc, *args: Column) -> Column:
    return np.asarray(ufunc.reduce(np.vstack(args), axis=0))


def _in_values(values: Column, options: tuple[Any, ...]) -> Column:
    hit = np.isin(values, np.array(options, dtype=values.dtype)).astype(float)
    return np.where(_nulls(values), np.nan, hit)


def _spread(fn: Callable[..., Column]) -> Kernel:
    """A kernel calling ``fn`` with the argument columns."""

    def kernel(args: list[Column], n: int) -> Column:
        return fn(*args)

    return kernel


def _cast(node: ops.Cast) -> Callable[[Column], Column]:
    source, target = node.arg.dtype, node.to
    if target.is_string() and source.is_string():
        return lambda x: x
    if (target.is_floating() or target.is_integer()) and (
        source.is_numeric() or source.is_boolean() or source.is_null()
    ):
        if target.is_integer():
            return lambda x: np.where(np.isnan(x), np.nan, np.round(x))
        return lambda x: x
    raise Unsupported(f"cast from {source} to {target}")


_BINARY: dict[type[ops.Node], Callable[[Column, Column], Column]] = {
    ops.Add: np.add,
    ops.Subtract: np.subtract,
    ops.Multiply: np.multiply,
    ops.Divide: _divide,
    ops.Power: np.power,
    ops.And: _and,
    ops.Or: _or,
}
_COMPARE: dict[type[ops.Node], Callable[[Any, Any], Any]] = {
    ops.Equals: np.equal,
    ops.NotEquals: np.not_equal,
    ops.Greater: np.greater,
    ops.GreaterEqual: np.greater_equal,
    ops.Less: np.less,
    ops.LessEqual: np.less_equal,
}
_UNARY: dict[type[ops.Node], Callable[[Column], Column]] = {
    ops.Negate: np.negative,
    ops.Abs: np.abs,
    ops.Sqrt: lambda x: np.sqrt(np.where(x < 0, np.nan, x)),
    ops.Not: lambda x: np.where(np.isnan(x), np.nan, 1.0 - x),
    ops.IsNull: lambda x: _nulls(x).astype(float),
    ops.NotNull: lambda x: (~_nulls(x)).astype(float),
}


def _constant(value: Any, text: bool) -> Kernel:
    """A literal as a column of ``n`` rows, built once per ``n`` (kernels never write to
    their arguments, so the same array can be handed out again)."""
    made: dict[int, Column] = {}

    def kernel(args: list[Column], n: int) -> Column:
        if n not in made:
            if len(made) > 8:
                made.clear()
            made[n] = np.full(n, value, dtype=object if text else float)
        return made[n]

    return kernel


@dataclass(frozen=True)
class _Step:
    kernel: Kernel
    args: tuple[int, ...]


@dataclass
class Tape:
    """Compiled features of one table: input columns, steps, and the output slots."""

    table: str
    inputs: list[tuple[str, str]]  # (column, "float64" | "string") read into slots 0..k-1
    steps: list[_Step]
    outputs: dict[str, int]  # feature name -> slot

    def run(self, df: pd.DataFrame) -> dict[str, np.ndarray]:
        """Every output feature for the rows of ``df`` (Kaggle column names), as float64."""
        n = len(df)
        slots = _read_all(df, self.inputs)
        with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
            for step in self.steps:
                slots.append(step.kernel([slots[i] for i in step.args], n))
        return {
            name: np.asarray(slots[slot], dtype="float64") for name, slot in self.outputs.items()
        }


def _read_all(df: pd.DataFrame, inputs: list[tuple[str, str]]) -> list[Column]:
    """The input columns as the SQL path reads them (``frames.typed_arrow``): numbers in
    one block, unreadable ones missing; text as ``str`` or None; absent columns missing."""
    n = len(df)
    numeric = [c for c, kind in inputs if kind == "float64" and c in df.columns]
    block = plan.numeric_block(df, numeric)
    position = {c: i for i, c in enumerate(numeric)}
    out: list[Column] = []
    for column, kind in inputs:
        if column in position:
            out.append(block[:, position[column]])
        elif column not in df.columns:
            out.append(np.full(n, None, dtype=object) if kind == "string" else np.full(n, np.nan))
        else:
            out.append(np.array(plan.text_values(df[column]), dtype=object))
    return out


class _Compiler:
    def __init__(self, table: str, kinds: dict[str, str] | None = None) -> None:
        self.table = table
        self.kinds = kinds or {
            c: ("string" if t == "string" else "float64")
            for c, t in plan.table_schema(table).items()
        }
        self.inputs: list[tuple[str, str]] = []
        self.steps: list[_Step] = []
        self.slots: dict[ops.Node, int] = {}
        self.input_slots: dict[str, int] = {}

    def _emit(self, kernel: Kernel, args: Sequence[int]) -> int:
        self.steps.append(_Step(kernel, tuple(args)))
        return -len(self.steps)  # provisional; fixed up in tape()

    def slot(self, node: ops.Node) -> int:
        if node not in self.slots:
            self.slots[node] = self._compile(node)
        return self.slots[node]

    def _input(self, column: str) -> int:
        if column not in self.input_slots:
            if column not in self.kinds:
                raise Unsupported(f"column {column} is not in the {self.table} schema")
            self.input_slots[column] = len(self.inputs)
            self.inputs.append((column, self.kinds[column]))
        return self.input_slots[column]

    def _compile(self, node: ops.Node) -> int:
        kind = type(node)
        slot = self.slot
        if isinstance(node, ops.Field):
            rel = node.rel
            if isinstance(rel, ops.UnboundTable):
                return self._input(node.name)
            if isinstance(rel, ops.Project):
                return slot(rel.values[node.name])
            raise Unsupported(f"field of a {type(rel).__name__}")
        if isinstance(node, ops.Literal):
            value, text = node.value, node.dtype.is_string()
            if value is None:
                fill: Any = None if text else np.nan
            elif text:
                fill = str(value)
            else:
                fill = float(value)
            return self._emit(_constant(fill, text), ())
        if isinstance(node, ops.Cast):
            return self._emit(_spread(_cast(node)), (slot(node.arg),))
        if kind in _BINARY:
            return self._emit(_spread(_BINARY[kind]), (slot(node.left), slot(node.right)))
        if (
            isinstance(node, ops.Equals)
            and node.left.dtype.is_string()
            and isinstance(node.right, ops.Literal)
            and node.right.value is not None
        ):
            return self._emit(
                _spread(partial(_equals_text, text=str(node.right.value))), (slot(node.left),)
            )
        if kind in _COMPARE:
            return self._emit(
                _spread(_compare(_COMPARE[kind])), (slot(node.left), slot(node.right))
            )
        if kind in _UNARY:
            return self._emit(_spread(_UNARY[kind]), (slot(node.arg),))
        if isinstance(node, ops.Coalesce):
            return self._emit(_spread(_coalesce), [slot(x) for x in node.arg])
        if isinstance(node, ops.Greatest | ops.Least):
            reduce = np.fmax if isinstance(node, ops.Greatest) else np.fmin  # NULLs ignored
            return self._emit(_spread(partial(_reduce, reduce)), [slot(x) for x in node.arg])
        if isinstance(node, ops.NullIf):
            return self._emit(_spread(_null_if), (slot(node.arg), slot(node.null_if_expr)))
        if isinstance(node, ops.IfElse):
            return self._emit(
                _spread(_if_else),
                (slot(node.bool_expr), slot(node.true_expr), slot(node.false_null_expr)),
            )
        if isinstance(node, ops.SearchedCase):
            args = [slot(x) for x in (*node.cases, *node.results, node.default)]
            return self._emit(_spread(_searched_case(len(node.cases))), args)
        if isinstance(node, ops.InValues):
            options = tuple(o.value for o in node.options if isinstance(o, ops.Literal))
            if len(options) != len(node.options):
                raise Unsupported("IN with non-literal options")
            return self._emit(_spread(partial(_in_values, options=options)), (slot(node.value),))
        raise Unsupported(kind.__name__)

    def tape(self, outputs: dict[str, ops.Node]) -> Tape:
        named = {name: self.slot(node) for name, node in outputs.items()}
        k = len(self.inputs)

        def fix(slot: int) -> int:  # steps were numbered -1, -2, ...; inputs come first
            return slot if slot >= 0 else k + (-slot - 1)

        steps = [_Step(s.kernel, tuple(fix(i) for i in s.args)) for s in self.steps]
        return Tape(
            self.table, list(self.inputs), steps, {name: fix(slot) for name, slot in named.items()}
        )


def compile_features(
    table: str, features: dict[str, ops.Node], *, kinds: dict[str, str] | None = None
) -> Tape:
    """Compile row-level feature expressions over ``table`` (raises :class:`Unsupported`).

    ``kinds`` maps the input columns to ``"float64"`` or ``"string"`` (default: the
    table's schema in ``plan``).
    """
    return _Compiler(table, kinds).tape(features)


@lru_cache(maxsize=1)
def application_tape() -> Tape | None:
    """The application's features as a tape, or None if one of them cannot be compiled."""
    feature_plan = plan.FeaturePlan(plan.unbound_tables((plan.APPLICATION,)))
    try:
        return compile_features(
            plan.APPLICATION, {f.name: f.expr.op() for f in feature_plan.application}
        )
    except Unsupported:
        return None


def application_features(application: pd.DataFrame) -> pd.DataFrame:
    """Keys plus every feature for applications without history, like the SQL path gives:
    ``SK_ID_CURR``, ``TARGET`` (missing unless given) and all feature columns, sorted by
    SK_ID_CURR; history features are missing."""
    tape = application_tape()
    if tape is None:
        raise Unsupported("the application features use an operation NumPy does not evaluate")
    ids = pd.to_numeric(application["SK_ID_CURR"], errors="raise").to_numpy(dtype="int64")
    values = tape.run(application)
    target = _read_all(application, [("TARGET", "float64")])[0]
    block = plan.FeatureBlock(ids)
    block.fill_columns(ids, [("TARGET", target), *values.items()])
    return block.frame()
