"""Exact TreeSHAP of a LightGBM booster, compiled with Numba, computed once per tree pattern.

LightGBM's ``pred_contrib=True`` runs the path-dependent TreeSHAP algorithm (Lundberg et
al., 2020, algorithm 2) for every row and every tree. In a tree, a row's contributions
depend only on the side it takes at each split of that tree (its *pattern*, one bit per
split), and a block of clients has far fewer patterns per tree than rows: over the 39,692
training clients of the shared sample a tree of 20 leaves sees about 5,000 (one row in 8).
:class:`TreeShap` therefore

1. computes each row's pattern in every tree (one bit per split, the same decision rule as
   LightGBM's, missing values and default directions included), and keeps the distinct
   ones;
2. computes each distinct pattern's contributions leaf by leaf: a leaf's part depends only
   on which of the features on its path the pattern follows down to it, so it is computed
   once per leaf and such subset (LightGBM's path extension and unwound sums), then reused
   by every pattern that shares it;
3. adds each pattern's contributions to its rows, tree after tree.

The result is LightGBM's to rounding (about 1e-15; a test compares them), and a row's
numbers do not depend on the block it is scored in: a client scored alone gets, bit for
bit, what a batch gives it. The booster is read from its text dump; a model this kernel
does not cover (categorical or linear trees, more than 65 leaves, several classes) raises
:class:`UnsupportedModelError`, and its scorer calls LightGBM's ``pred_contrib`` instead.
The same tree reader gives a booster's raw scores (:func:`predict_raw`).

The compiled functions are cached on disk by Numba (``NUMBA_CACHE_DIR``, else beside this
file or in the user's cache folder), so only the first process pays their compilation.
"""

from __future__ import annotations

import contextlib
import threading
import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import lightgbm as lgb
import numba
import numpy as np
from numba import prange

MAX_SPLITS = 64  # a pattern is one uint64: trees of up to 65 leaves
_ZERO = float(np.float32(1e-35))  # LightGBM's kZeroThreshold (a float)
_MISSING_ZERO, _MISSING_NAN = 1, 2  # LightGBM's MissingType::Zero and ::NaN
_PARALLEL_LOCK = threading.Lock()  # one parallel kernel at a time per process


class UnsupportedModelError(ValueError):
    """A booster outside what the compiled kernel covers (LightGBM's own TreeSHAP is used)."""


@dataclass(frozen=True)
class Forest:
    """A LightGBM booster's trees as flat arrays, the layout of the compiled kernel.

    Internal nodes of all trees are numbered one after the other (tree ``t``'s from
    ``node_start[t]``), and so are leaves (``leaf_start``), each tree's distinct split
    features (``feature_start``) and each leaf's path entries (``path_start``). A leaf's
    path lists the distinct features split on from the root down to it, in LightGBM's
    order (a feature split on again moves to the end), each with the splits that test it
    (``entry_mask``, bits of the tree's internal nodes) and the share of training rows that
    follows the path through them (``entry_zero``, TreeSHAP's "zero fraction").

    Attributes
    ----------
    n_features : int
        The booster's input columns.
    node_start, node_count : ndarray of int64
        First internal node and number of internal nodes of each tree.
    split_feature : ndarray of int64
        Per internal node, its feature's column in the input.
    threshold : ndarray of float64
        Per internal node, the split threshold (left when ``value <= threshold``).
    default_left : ndarray of bool
        Per internal node, where a missing value goes (missing types Zero and NaN).
    missing_type : ndarray of int64
        Per internal node, LightGBM's missing type (0 none, 1 zero, 2 NaN).
    left, right : ndarray of int64
        Per internal node, its children: a node of the tree when ``>= 0``, else ``~leaf``.
    leaf_start, leaf_count : ndarray of int64
        First leaf and number of leaves of each tree.
    leaf_value : ndarray of float64
        Per leaf, its output.
    leaf_side : ndarray of uint64
        Per leaf, the sides its path takes: bit ``k`` set when it goes left at node ``k``.
    path_start, path_length : ndarray of int64
        Per leaf, its first path entry and number of entries.
    entry_feature : ndarray of int64
        Per path entry, its feature's index among the tree's distinct features.
    entry_mask : ndarray of uint64
        Per path entry, the internal nodes on the path that split on its feature.
    entry_zero : ndarray of float64
        Per path entry, the product of the training-row shares of its splits.
    feature_start, feature_count : ndarray of int64
        First entry in ``features`` and number of distinct split features of each tree.
    features : ndarray of int64
        Each tree's distinct split features (input columns), in their local order.
    bias : float
        The expected value of the model's raw score (the ``bias`` column), summed over trees.
    """

    n_features: int
    node_start: np.ndarray
    node_count: np.ndarray
    split_feature: np.ndarray
    threshold: np.ndarray
    default_left: np.ndarray
    missing_type: np.ndarray
    left: np.ndarray
    right: np.ndarray
    leaf_start: np.ndarray
    leaf_count: np.ndarray
    leaf_value: np.ndarray
    leaf_side: np.ndarray
    path_start: np.ndarray
    path_length: np.ndarray
    entry_feature: np.ndarray
    entry_mask: np.ndarray
    entry_zero: np.ndarray
    feature_start: np.ndarray
    feature_count: np.ndarray
    features: np.ndarray
    bias: float

    @property
    def n_trees(self) -> int:
        """Number of trees."""
        return len(self.node_start)


def _floats(text: str) -> list[float]:
    return [float(v) for v in text.split()] if text else []


def _ints(text: str) -> list[int]:
    return [int(v) for v in text.split()] if text else []


def _tree_blocks(model: str) -> tuple[dict[str, str], list[dict[str, str]]]:
    """The header's and each tree's ``key=value`` lines of a LightGBM text model."""
    header: dict[str, str] = {}
    trees: list[dict[str, str]] = []
    current = header
    for line in model.splitlines():
        if line.startswith("Tree="):
            current = {}
            trees.append(current)
        elif line.startswith("end of trees"):
            break
        elif "=" in line:
            key, _, value = line.partition("=")
            current[key] = value
    return header, trees


@dataclass
class _Entry:
    feature: int  # index among the tree's distinct features
    mask: int  # internal nodes on the path that split on it
    zero: float  # product of the shares of training rows that follow the path there


def _leaf_paths(
    split: list[int],
    left: list[int],
    right: list[int],
    node_cover: list[float],
    leaf_cover: list[float],
) -> dict[int, tuple[int, list[_Entry]]]:
    """Per leaf, the sides of its path and its entries.

    The entries are built as LightGBM's TreeSHAP builds the path down to the leaf: a new
    feature is appended; a feature split on again is taken out and appended with its
    share multiplied, ``share(child) * previous`` (Tree::TreeSHAP's
    ``hot_zero_fraction * incoming_zero_fraction``).

    Returns
    -------
    dict of int to (int, list of _Entry)
        Per leaf index: the sides (bit ``k`` set when the path goes left at node ``k``) and
        the entries, in LightGBM's order.
    """
    paths: dict[int, tuple[int, list[_Entry]]] = {}
    stack: list[tuple[int, int, list[_Entry]]] = [(0, 0, [])]
    while stack:
        node, side, entries = stack.pop()
        for child, went_left in ((left[node], True), (right[node], False)):
            cover = node_cover[child] if child >= 0 else leaf_cover[~child]
            share = cover / node_cover[node]
            bit = 1 << node
            found = [e for e in entries if e.feature == split[node]]
            kept = [e for e in entries if e.feature != split[node]]
            if found:
                entry = _Entry(split[node], found[0].mask | bit, share * found[0].zero)
            else:
                entry = _Entry(split[node], bit, share * 1.0)
            path = [*kept, entry]
            child_side = side | bit if went_left else side
            if child >= 0:
                stack.append((child, child_side, path))
            else:
                paths[~child] = (child_side, path)
    return paths


def read_forest(booster: lgb.Booster) -> Forest:
    """A booster's trees as flat arrays (:class:`Forest`), from its text dump.

    Parameters
    ----------
    booster : lightgbm.Booster
        A binary or regression booster with numerical splits only.

    Returns
    -------
    Forest
        Every tree of ``booster.model_to_string()`` (the trees ``predict`` uses).

    Raises
    ------
    UnsupportedModelError
        If the booster has several classes, categorical splits, linear trees or a tree of
        more than ``MAX_SPLITS + 1`` leaves.
    """
    header, trees = _tree_blocks(booster.model_to_string())
    if int(header.get("num_tree_per_iteration", "1")) != 1:
        raise UnsupportedModelError("several trees per iteration (multiclass)")
    cols: dict[str, list[Any]] = {name: [] for name in _INT_ARRAYS + _FLOAT_ARRAYS}
    bias = 0.0
    for tree in trees:
        leaves = int(tree["num_leaves"])
        if int(tree.get("num_cat", "0")) or int(tree.get("is_linear", "0")):
            raise UnsupportedModelError("categorical or linear trees")
        if leaves - 1 > MAX_SPLITS:
            raise UnsupportedModelError(f"a tree of {leaves} leaves (at most {MAX_SPLITS + 1})")
        values = _floats(tree["leaf_value"])
        cols["node_start"].append(len(cols["split_feature"]))
        cols["node_count"].append(leaves - 1)
        cols["leaf_start"].append(len(cols["leaf_value"]))
        cols["feature_start"].append(len(cols["features"]))
        cols["leaf_count"].append(leaves)
        cols["leaf_value"].extend(values)
        if leaves == 1:  # a constant tree: its value is all bias, it has no path to explain
            cols["leaf_side"].append(0)
            cols["path_start"].append(len(cols["entry_feature"]))
            cols["path_length"].append(0)
            cols["feature_count"].append(0)
            bias += values[0]
            continue
        split = _ints(tree["split_feature"])
        decision = _ints(tree["decision_type"])
        if any(d & 1 for d in decision):
            raise UnsupportedModelError("categorical splits")
        left, right = _ints(tree["left_child"]), _ints(tree["right_child"])
        leaf_cover, node_cover = _floats(tree["leaf_count"]), _floats(tree["internal_count"])
        distinct = list(dict.fromkeys(split))
        local = [distinct.index(f) for f in split]
        cols["split_feature"].extend(split)
        cols["threshold"].extend(_floats(tree["threshold"]))
        cols["default_left"].extend(bool(d & 2) for d in decision)
        cols["missing_type"].extend((d >> 2) & 3 for d in decision)
        cols["left"].extend(left)
        cols["right"].extend(right)
        cols["features"].extend(distinct)
        cols["feature_count"].append(len(distinct))
        paths = _leaf_paths(local, left, right, node_cover, leaf_cover)
        for leaf in range(leaves):
            side, entries = paths[leaf]
            cols["leaf_side"].append(side)
            cols["path_start"].append(len(cols["entry_feature"]))
            cols["path_length"].append(len(entries))
            cols["entry_feature"].extend(e.feature for e in entries)
            cols["entry_mask"].extend(e.mask for e in entries)
            cols["entry_zero"].extend(e.zero for e in entries)
        # LightGBM's Tree::ExpectedValue: leaves weighted by their share of the root's rows
        expected = 0.0
        for count, value in zip(leaf_cover, values, strict=True):
            expected += (count / node_cover[0]) * value
        bias += expected
    arrays: dict[str, np.ndarray] = {
        name: np.asarray(
            cols[name],
            dtype=(
                bool
                if name == "default_left"
                else np.uint64
                if name in ("leaf_side", "entry_mask")
                else np.float64
                if name in _FLOAT_ARRAYS
                else np.int64
            ),
        )
        for name in cols
    }
    n_features = int(header["max_feature_idx"]) + 1
    return Forest(n_features=n_features, bias=bias, **arrays)


_INT_ARRAYS = (
    "node_start",
    "node_count",
    "split_feature",
    "default_left",
    "missing_type",
    "left",
    "right",
    "leaf_start",
    "leaf_count",
    "leaf_side",
    "path_start",
    "path_length",
    "entry_feature",
    "entry_mask",
    "feature_start",
    "feature_count",
    "features",
)
_FLOAT_ARRAYS = ("threshold", "leaf_value", "entry_zero")


# --- the compiled kernel -------------------------------------------------------------


@numba.njit(inline="always")
def _goes_left(value, threshold, default_left, missing_type):  # type: ignore[no-untyped-def]
    """LightGBM's Tree::NumericalDecision, after its dense-row conversion."""
    if np.isnan(value):
        if missing_type == _MISSING_NAN:
            return default_left
        value = 0.0
    elif -_ZERO <= value <= _ZERO:  # LightGBM drops |value| <= kZeroThreshold: it reads 0
        value = 0.0
    if missing_type == _MISSING_ZERO and value == 0.0:
        return default_left
    return value <= threshold


_INVERSE = 1.0 / np.arange(1, MAX_SPLITS + 3, dtype=np.float64)  # _INVERSE[k - 1] = 1 / k


@numba.njit(inline="always")
def _leaf_shap(zero, one, weight, value, out):  # type: ignore[no-untyped-def]
    """TreeSHAP of one leaf: ``out[i]`` is the contribution of path entry ``i``.

    ``zero`` and ``one`` are the entries' fractions, the root's first (1, 1); ``one`` is 0
    or 1. The path is extended entry after entry (LightGBM's Tree::ExtendPath), then each
    entry's weight is its unwound sum (Tree::UnwoundPathSum) times ``(one - zero) * value``,
    with divisions by small integers made as products by their inverses. An entry the
    pattern does not follow (``one`` 0) gets ``-value`` times the sum of the weights over
    the remaining depths, whatever its own ``zero``: that sum is computed once.
    """
    inverse = _INVERSE
    depth_max = len(zero) - 1
    weight[0] = 1.0
    for depth in range(1, depth_max + 1):
        z, o = zero[depth], one[depth]
        scale = inverse[depth]  # 1 / (depth + 1)
        weight[depth] = 0.0
        for i in range(depth - 1, -1, -1):
            if o != 0:
                weight[i + 1] += weight[i] * (i + 1) * scale
            weight[i] = z * weight[i] * (depth - i) * scale
    depth = depth_max
    not_followed = 0.0
    for i in range(depth):
        not_followed += weight[i] * inverse[depth - i - 1]  # / (depth - i)
    not_followed *= -(depth + 1) * value
    for index in range(1, depth + 1):
        if one[index] == 0:
            out[index - 1] = not_followed
            continue
        z = zero[index]
        next_one = weight[depth]
        total = 0.0
        for i in range(depth - 1, -1, -1):
            tmp = next_one * inverse[i]  # / (i + 1)
            total += tmp
            next_one = weight[i] - tmp * z * (depth - i)
        out[index - 1] = total * (depth + 1) * (1.0 - z) * value


def _patterns_impl(
    x,
    f_node_start,
    f_node_count,
    f_split_feature,
    f_threshold,
    f_default_left,
    f_missing_type,
    blocks,
    inverse,
    keys,
    n_distinct,
):  # type: ignore[no-untyped-def]
    """Per tree: each row's pattern id (``inverse``) and the distinct patterns (``keys``).

    The trees are cut into ``blocks`` runs (one task each); a run's buffers are made once.
    """
    n_trees, n = len(f_node_start), x.shape[1]
    capacity = 2
    while capacity < 2 * n:
        capacity *= 2
    shift = np.uint64(64 - int(np.log2(capacity)))
    step = (n_trees + blocks - 1) // blocks
    for b in prange(blocks):
        pattern = np.empty(n, np.uint64)
        table = np.empty(capacity, np.int64)
        for t in range(b * step, min(n_trees, b * step + step)):
            pattern[:] = 0
            table[:] = -1
            n0 = f_node_start[t]
            for k in range(f_node_count[t]):
                column = x[f_split_feature[n0 + k]]
                bit = np.uint64(1) << np.uint64(k)
                threshold, default_left = f_threshold[n0 + k], f_default_left[n0 + k]
                missing_type = f_missing_type[n0 + k]
                for r in range(n):
                    if _goes_left(column[r], threshold, default_left, missing_type):
                        pattern[r] |= bit
            count = 0
            for r in range(n):
                p = pattern[r]
                h = (p * np.uint64(0x9E3779B97F4A7C15)) >> shift
                while True:
                    slot = table[h]
                    if slot < 0:
                        table[h] = count
                        keys[t, count] = p
                        inverse[t, r] = count
                        count += 1
                        break
                    if keys[t, slot] == p:
                        inverse[t, r] = slot
                        break
                    h = (h + np.uint64(1)) & np.uint64(capacity - 1)
            n_distinct[t] = count


@numba.njit(inline="always")
def _memo_size(n_distinct, path_length):  # type: ignore[no-untyped-def]
    """(subsets a tree's memo may hold, longest path): at most one per leaf and pattern."""
    slots, longest = 0, 0
    for d in path_length:
        longest = max(longest, d)
        slots += min(n_distinct, 1 << d) if d < 40 else n_distinct
    return slots, longest


def _pattern_shap_impl(
    keys,
    n_distinct,
    start,
    f_leaf_start,
    f_leaf_count,
    f_leaf_value,
    f_leaf_side,
    f_path_start,
    f_path_length,
    f_entry_feature,
    f_entry_mask,
    f_entry_zero,
    f_feature_count,
    blocks,
    values,
):  # type: ignore[no-untyped-def]
    """Per tree and distinct pattern, the TreeSHAP contributions, summed leaf by leaf.

    A leaf's contributions depend only on which of its path entries the pattern follows
    (all of an entry's splits on the leaf's side, or not): they are computed once per
    leaf and such subset (a per-tree memo), then added to every pattern that has it. The
    trees are cut into ``blocks`` runs (one task each); a run's buffers are made once.
    """
    n_trees = len(f_leaf_start)
    step = (n_trees + blocks - 1) // blocks
    for b in prange(blocks):
        lo, hi = b * step, min(n_trees, b * step + step)
        most_slots, most_longest = 1, 1
        for t in range(lo, hi):
            l0 = f_leaf_start[t]
            slots, longest = _memo_size(n_distinct[t], f_path_length[l0 : l0 + f_leaf_count[t]])
            most_slots, most_longest = max(most_slots, slots), max(most_longest, longest)
        most_capacity = 2
        while most_capacity < 2 * most_slots:
            most_capacity *= 2
        memo_leaf = np.empty(most_capacity, np.int64)
        memo_key = np.empty(most_capacity, np.uint64)
        memo_at = np.empty(most_capacity, np.int64)
        memo = np.empty(most_slots * most_longest)
        zero = np.empty(most_longest + 1)
        one = np.empty(most_longest + 1)
        weight = np.empty(most_longest + 1)
        zero[0], one[0] = 1.0, 1.0
        for t in range(lo, hi):
            width, leaves, l0 = f_feature_count[t], f_leaf_count[t], f_leaf_start[t]
            if width == 0:
                continue
            nd = n_distinct[t]
            slots, _ = _memo_size(nd, f_path_length[l0 : l0 + leaves])
            capacity = 2
            while capacity < 2 * slots:
                capacity *= 2
            shift = np.uint64(64 - int(np.log2(capacity)))
            memo_leaf[:capacity] = -1
            used = 0
            for u in range(nd):
                p = keys[t, u]
                at_u = start[t] + u * width
                for leaf in range(leaves):
                    g = l0 + leaf
                    d, e0 = f_path_length[g], f_path_start[g]
                    differs = p ^ f_leaf_side[g]
                    followed = np.uint64(0)
                    for i in range(d):
                        if differs & f_entry_mask[e0 + i] == 0:
                            followed |= np.uint64(1) << np.uint64(i)
                    h = ((followed ^ np.uint64(leaf)) * np.uint64(0x9E3779B97F4A7C15)) >> shift
                    while True:
                        if memo_leaf[h] < 0:
                            memo_leaf[h], memo_key[h], memo_at[h] = leaf, followed, used
                            for i in range(d):
                                zero[i + 1] = f_entry_zero[e0 + i]
                                bit = (followed >> np.uint64(i)) & np.uint64(1)
                                one[i + 1] = 1.0 if bit else 0.0
                            _leaf_shap(
                                zero[: d + 1],
                                one[: d + 1],
                                weight,
                                f_leaf_value[g],
                                memo[used : used + d],
                            )
                            used += d
                            break
                        if memo_leaf[h] == leaf and memo_key[h] == followed:
                            break
                        h = (h + np.uint64(1)) & np.uint64(capacity - 1)
                    at = memo_at[h]
                    for i in range(d):
                        values[at_u + f_entry_feature[e0 + i]] += memo[at + i]


def _scatter_impl(
    inverse, start, f_feature_start, f_feature_count, f_features, values, blocks, out
):  # type: ignore[no-untyped-def]
    """``out`` (features x rows) += each row's pattern contributions, tree after tree."""
    n = inverse.shape[1]
    step = (n + blocks - 1) // blocks
    for b in prange(blocks):
        lo = b * step
        hi = min(n, lo + step)
        for t in range(len(f_feature_start)):
            width = f_feature_count[t]
            for j in range(width):
                target = out[f_features[f_feature_start[t] + j]]
                base = start[t] + j
                for r in range(lo, hi):
                    target[r] += values[base + inverse[t, r] * width]


def _predict_impl(  # type: ignore[no-untyped-def]
    rows,
    f_node_start,
    f_node_count,
    f_split_feature,
    f_threshold,
    f_default_left,
    f_missing_type,
    f_left,
    f_right,
    f_leaf_start,
    f_leaf_value,
    blocks,
    out,
):
    """Each row's raw score: its leaf values summed tree after tree, as LightGBM does."""
    n, n_trees = rows.shape[0], len(f_node_start)
    step = (n + blocks - 1) // blocks
    for b in prange(blocks):
        for r in range(b * step, min(n, b * step + step)):
            total = 0.0
            for t in range(n_trees):
                n0, node = f_node_start[t], 0
                if f_node_count[t] > 0:
                    while node >= 0:
                        k = n0 + node
                        value = rows[r, f_split_feature[k]]
                        if _goes_left(value, f_threshold[k], f_default_left[k], f_missing_type[k]):
                            node = f_left[k]
                        else:
                            node = f_right[k]
                    total += f_leaf_value[f_leaf_start[t] + ~node]
                else:
                    total += f_leaf_value[f_leaf_start[t]]
            out[r] = total


def _transpose_impl(source, target):  # type: ignore[no-untyped-def]
    """``target = source.T`` for a row-major ``target``, copied by tiles (cache-friendly)."""
    width, n = source.shape
    tile = 64
    for b in prange((n + tile - 1) // tile):
        lo, hi = b * tile, min(n, b * tile + tile)
        for f0 in range(0, width, tile):
            f1 = min(width, f0 + tile)
            for r in range(lo, hi):
                for f in range(f0, f1):
                    target[r, f] = source[f, r]


def _compile(impl: Callable[..., None], *, parallel: bool) -> Callable[..., None]:
    """``impl`` compiled (``prange`` on Numba's thread pool when ``parallel``), cached on disk.

    The two versions of one function get their own names: Numba's disk cache tells
    functions apart by name, not by compile options, and would hand the serial caller the
    parallel code (a thread-pool launch per call) or the reverse.

    Returns
    -------
    callable
        The compiled function (GIL released while it runs).
    """
    name = impl.__name__.removesuffix("_impl") + ("_parallel" if parallel else "_serial")
    function = types.FunctionType(impl.__code__, impl.__globals__, name)
    function.__qualname__ = name
    return numba.njit(parallel=parallel, cache=True, nogil=True)(function)  # type: ignore[no-any-return]


_patterns = _compile(_patterns_impl, parallel=False)
_patterns_par = _compile(_patterns_impl, parallel=True)
_pattern_shap = _compile(_pattern_shap_impl, parallel=False)
_pattern_shap_par = _compile(_pattern_shap_impl, parallel=True)
_scatter = _compile(_scatter_impl, parallel=False)
_scatter_par = _compile(_scatter_impl, parallel=True)
_predict = _compile(_predict_impl, parallel=False)
_predict_par = _compile(_predict_impl, parallel=True)
_transpose = _compile(_transpose_impl, parallel=False)
_transpose_par = _compile(_transpose_impl, parallel=True)


@contextlib.contextmanager
def _pool(num_threads: int, rows: int) -> Iterator[int]:
    """Numba's thread pool for a call on ``rows`` rows.

    More than one thread (and row): the parallel kernels on ``num_threads`` threads, one
    parallel call at a time in a process; else the serial kernels, no pool, any number of
    callers at once.

    Yields
    ------
    int
        The blocks to cut the work into for the parallel kernels (``4 * num_threads``), or
        0 for the serial ones.
    """
    if num_threads <= 1 or rows <= 1:
        yield 0
        return
    with _PARALLEL_LOCK:
        numba.set_num_threads(min(num_threads, numba.config.NUMBA_NUM_THREADS))  # type: ignore[attr-defined]
        yield 4 * num_threads


def compiled_forest(booster: lgb.Booster) -> Forest | lgb.Booster:
    """What :func:`predict_raw` reads: the booster's trees, or the booster when not covered.

    Parameters
    ----------
    booster : lightgbm.Booster
        A fitted booster.

    Returns
    -------
    Forest or lightgbm.Booster
        :func:`read_forest` of the booster, or the booster itself (predicted by LightGBM)
        when it raises :class:`UnsupportedModelError`.
    """
    try:
        return read_forest(booster)
    except UnsupportedModelError:
        return booster


def predict_raw(
    forest: Forest | lgb.Booster, matrix: np.ndarray, *, num_threads: int = 1
) -> np.ndarray:
    """The booster's raw scores (``raw_score=True``), the same numbers bit for bit.

    Each row's leaf values are summed tree after tree from zero, as LightGBM's
    ``GBDT::PredictRaw`` does, with its decision rule: compiled, and on ``num_threads``
    threads. A booster the compiled reader does not cover (:func:`compiled_forest`) is
    predicted by LightGBM itself.

    Parameters
    ----------
    forest : Forest or lightgbm.Booster
        The booster's trees (:func:`read_forest`), or the booster.
    matrix : ndarray of shape (n_rows, n_features)
        The booster's input as floats.
    num_threads : int, default=1
        Threads (Numba's pool when more than one; one parallel call at a time).

    Returns
    -------
    ndarray of shape (n_rows,)
        The raw scores (for a regression, its predictions).

    Raises
    ------
    ValueError
        If ``matrix`` does not have the booster's number of columns.

    Examples
    --------
    >>> import lightgbm as lgb
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(300, 3))
    >>> booster = lgb.train({"objective": "regression", "verbosity": -1},
    ...                     lgb.Dataset(X, X[:, 0] * 2 + X[:, 1]), num_boost_round=10)
    >>> bool((predict_raw(read_forest(booster), X) == booster.predict(X)).all())
    True
    """
    if isinstance(forest, lgb.Booster):
        return np.asarray(forest.predict(matrix, raw_score=True, num_threads=num_threads))
    rows = np.ascontiguousarray(np.atleast_2d(np.asarray(matrix, dtype=np.float64)))
    if rows.shape[1] != forest.n_features:
        raise ValueError(f"the model has {forest.n_features} columns, the matrix {rows.shape[1]}")
    out = np.empty(len(rows))
    f = forest
    args = (
        rows,
        f.node_start,
        f.node_count,
        f.split_feature,
        f.threshold,
        f.default_left,
        f.missing_type,
        f.left,
        f.right,
        f.leaf_start,
        f.leaf_value,
    )
    with _pool(num_threads, len(rows)) as blocks:
        if blocks:
            _predict_par(*args, blocks, out)
        else:
            _predict(*args, 1, out)
    return out


class TreeShap:
    """Exact TreeSHAP contributions of one booster, as ``pred_contrib=True`` gives them.

    Parameters
    ----------
    forest : Forest
        The booster's trees (:func:`read_forest`).

    Examples
    --------
    >>> import lightgbm as lgb
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(500, 4))
    >>> y = (X[:, 0] + rng.normal(size=500) > 0).astype(int)
    >>> booster = lgb.train({"objective": "binary", "verbosity": -1, "num_leaves": 7},
    ...                     lgb.Dataset(X, y), num_boost_round=20)
    >>> ours = TreeShap.from_booster(booster).contributions(X)
    >>> bool(np.allclose(ours, booster.predict(X, pred_contrib=True), rtol=0, atol=1e-12))
    True
    """

    def __init__(self, forest: Forest) -> None:
        self.forest = forest

    @classmethod
    def from_booster(cls, booster: lgb.Booster) -> TreeShap:
        """The kernel of ``booster``.

        Parameters
        ----------
        booster : lightgbm.Booster
            The trained booster.

        Returns
        -------
        TreeShap
            Its contributions' kernel.

        Raises
        ------
        UnsupportedModelError
            If the booster is outside what the kernel covers (:func:`read_forest`).
        """
        return cls(read_forest(booster))

    def contributions(self, matrix: np.ndarray, *, num_threads: int = 1) -> np.ndarray:
        """Per-feature contributions in log-odds, then the bias; a row sums to the raw score.

        Parameters
        ----------
        matrix : ndarray of shape (n_rows, n_features)
            The booster's input as floats, its columns in training order.
        num_threads : int, default=1
            Threads (one: no thread pool, as the API scores; more: Numba's pool, one
            parallel call at a time in a process).

        Returns
        -------
        ndarray of shape (n_rows, n_features + 1)
            The contributions, the bias last (``pred_contrib=True``'s layout).

        Raises
        ------
        ValueError
            If ``matrix`` does not have the booster's number of columns.
        """
        f = self.forest
        matrix = np.atleast_2d(np.asarray(matrix, dtype=np.float64))
        n, width = matrix.shape
        if width != f.n_features:
            raise ValueError(f"the model has {f.n_features} columns, the matrix {width}")
        if n == 0:
            return np.zeros((0, f.n_features + 1))
        # features x rows: a split reads one column (no copy for a column-major matrix)
        x = np.ascontiguousarray(matrix.T)
        inverse = np.empty((f.n_trees, n), np.int32)
        keys = np.empty((f.n_trees, n), np.uint64)
        n_distinct = np.zeros(f.n_trees, np.int64)
        out = np.zeros((f.n_features + 1, n))
        out[f.n_features] = f.bias
        with _pool(num_threads, n) as blocks:
            patterns, pattern_shap, scatter, transpose = (
                (_patterns_par, _pattern_shap_par, _scatter_par, _transpose_par)
                if blocks
                else (_patterns, _pattern_shap, _scatter, _transpose)
            )
            blocks = blocks or 1
            patterns(
                x,
                f.node_start,
                f.node_count,
                f.split_feature,
                f.threshold,
                f.default_left,
                f.missing_type,
                blocks,
                inverse,
                keys,
                n_distinct,
            )
            sizes = n_distinct * f.feature_count
            start = np.zeros(f.n_trees, np.int64)
            np.cumsum(sizes[:-1], out=start[1:])
            values = np.zeros(int(sizes.sum()))
            pattern_shap(
                keys,
                n_distinct,
                start,
                f.leaf_start,
                f.leaf_count,
                f.leaf_value,
                f.leaf_side,
                f.path_start,
                f.path_length,
                f.entry_feature,
                f.entry_mask,
                f.entry_zero,
                f.feature_count,
                blocks,
                values,
            )
            scatter(
                inverse, start, f.feature_start, f.feature_count, f.features, values, blocks, out
            )
            # row-major, as LightGBM's: a row's sums then run in the same order in any block
            result = np.empty((n, f.n_features + 1))
            transpose(out, result)
        return result


def compile_kernels() -> None:
    """Compile (or load from the disk cache) every kernel, serial and parallel.

    For an image build or a first start: a tiny booster is explained once on one thread
    and once on two, so no client's score pays for the compilation.
    """
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 3))
    booster = lgb.train(
        {"objective": "binary", "verbosity": -1, "num_leaves": 4, "min_child_samples": 5},
        lgb.Dataset(X, (X[:, 0] > 0).astype(int)),
        num_boost_round=2,
    )
    kernel = TreeShap.from_booster(booster)
    kernel.contributions(X[:1])
    kernel.contributions(X, num_threads=2)
    predict_raw(kernel.forest, X[:1])
    predict_raw(kernel.forest, X, num_threads=2)
