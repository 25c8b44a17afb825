"""Reasons in plain words (French and English) from feature metadata and contributions.

A reason is a group of features sharing a source column (``FeatureMeta.group``);
its text is the description of the group member that pushes hardest in the group's
direction (up for a reason against the client, down for one in favour), the client's value
formatted by unit, and where that value stands among the training population.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from credit_scoring.core import formatting
from credit_scoring.core import reason_codes as rc
from credit_scoring.core.results import Lang, Reason
from credit_scoring.features.categories import APPLICATION as CATEGORICAL
from credit_scoring.features.metadata import ESTIMATE_SUFFIXES, FeatureMeta

QUANTILE_LEVELS = np.linspace(0, 100, 101)
_UNIT_NAMES: dict[str, formatting.Unit] = {"days": "day", "years": "year", "months": "month"}
_MISSING = {"en": "not provided", "fr": "non renseigné"}
_YES_NO = {"en": ("no", "yes"), "fr": ("non", "oui")}


def population_quantiles(X: pd.DataFrame) -> dict[str, np.ndarray]:
    """Percentiles 0..100 of every numeric feature (missing values ignored).

    Parameters
    ----------
    X : DataFrame
        The training population's features.

    Returns
    -------
    dict of str to ndarray
        The 101 percentiles (:data:`QUANTILE_LEVELS`) of each numeric column that has a
        finite value; other columns are left out.
    """
    out: dict[str, np.ndarray] = {}
    for name in X.columns:
        if pd.api.types.is_numeric_dtype(X[name]):
            values = X[name].to_numpy(dtype=float)
            values = values[np.isfinite(values)]
            if values.size:
                out[name] = np.percentile(values, QUANTILE_LEVELS)
    return out


def percentiles_of(values: np.ndarray, quantiles: np.ndarray) -> np.ndarray:
    """Share of the population (in %) below each of ``values``: interpolated, ties counted half.

    The one definition; :func:`percentile_of` is its one-value case.

    Parameters
    ----------
    values : array-like of float
        The values placed.
    quantiles : ndarray
        The population's percentiles 0..100, increasing (:func:`population_quantiles`).

    Returns
    -------
    ndarray of float
        The percentile of each value, from 0 (below the minimum) to 100 (above the
        maximum); a value equal to some percentiles gets the middle of them.

    Examples
    --------
    >>> percentiles_of(np.array([-1.0, 5.0, 20.0]), np.linspace(0, 10, 101)).tolist()
    [0.0, 50.0, 100.0]
    """
    values = np.asarray(values, dtype=float)
    last = len(quantiles) - 1
    low = np.searchsorted(quantiles, values, side="left")
    high = np.searchsorted(quantiles, values, side="right")
    # the value is one of the percentiles (e.g. the many zeros of a count): half the ties
    tied = 100.0 * (low + high - 1) / 2 / last
    below = quantiles[np.minimum(np.maximum(low - 1, 0), last)]
    above = quantiles[np.minimum(low, last)]
    gap = above - below  # > 0 wherever the value falls strictly between two percentiles
    step = (values - below) / np.where(gap > 0, gap, 1.0)
    inside = 100.0 * (low - 1 + step) / last
    return np.where(high > low, tied, np.where(low == 0, 0.0, np.where(low > last, 100.0, inside)))


def percentile_of(value: float, quantiles: np.ndarray) -> float:
    """Share of the population (in %) below ``value``: interpolated, ties counted half.

    Parameters
    ----------
    value : float
        The value placed.
    quantiles : ndarray
        The population's percentiles 0..100, increasing (:func:`population_quantiles`).

    Returns
    -------
    float
        :func:`percentiles_of` of the one value.
    """
    return float(percentiles_of(np.array([value], dtype=float), quantiles)[0])


def _number(value: float, lang: Lang, decimals: int = 0) -> str:
    return formatting.number(value, lang, decimals)


def format_value(value: object, unit: str, lang: Lang = "fr") -> str:
    """The client's value in words fit for its unit (e.g. '12 400 jours', '35 %', 'oui').

    Parameters
    ----------
    value : object
        The value: a number, a string (a category, shown as is) or None/NaN (missing).
    unit : str
        The feature's unit (``FeatureMeta.unit``): ``"days"``, ``"years"`` and ``"months"``
        (shown as magnitudes: Kaggle counts days back as negatives), ``"hour"``,
        ``"share"`` (a fraction, shown in %), ``"currency"``, ``"ratio"``, ``"score"``,
        ``"count"``, ``"flag"``, ``"category"``; any other is a plain number.
    lang : {"fr", "en"}, default="fr"
        Language (and number format: French uses a narrow no-break space and a decimal comma).

    Returns
    -------
    str
        The value in words (``"non renseigné"`` / ``"not provided"`` when missing).

    Examples
    --------
    >>> format_value(12400, "days", "en")
    '12,400 days'
    >>> format_value(0.35, "share", "en")
    '35%'
    >>> format_value(1, "flag", "fr")
    'oui'
    """
    return formatting.quantity(value, unit, lang)


def position_phrase(percentile: float, lang: Lang = "fr") -> str:
    """Where a value stands: 'higher than 90% of clients', 'close to the median client'...

    Parameters
    ----------
    percentile : float
        The value's percentile in the population (:func:`percentile_of`).
    lang : {"fr", "en"}, default="fr"
        Language.

    Returns
    -------
    str
        From the 60th percentile up, higher than a share of clients rounded down to a
        tenth; from the 40th down, lower than one; in between, close to the median.

    Examples
    --------
    >>> position_phrase(95, "en")
    'higher than 90% of clients'
    >>> position_phrase(12, "en")
    'lower than 80% of clients'
    >>> position_phrase(50, "en")
    'close to the median client'
    """
    if percentile >= 60:
        share = int(percentile // 10 * 10)
        return (
            f"plus élevé que {share} % des clients"
            if lang == "fr"
            else f"higher than {share}% of clients"
        )
    if percentile <= 40:
        share = int((100 - percentile) // 10 * 10)
        return (
            f"plus bas que {share} % des clients"
            if lang == "fr"
            else f"lower than {share}% of clients"
        )
    return "proche du client médian" if lang == "fr" else "close to the median client"


def position_phrases(percentiles: np.ndarray, lang: Lang = "fr") -> np.ndarray:
    """:func:`position_phrase` of many percentiles at once.

    The phrase depends only on a tenth of the population, so it is worded once per tenth.

    Parameters
    ----------
    percentiles : array-like of float
        The values' percentiles in the population.
    lang : {"fr", "en"}, default="fr"
        Language.

    Returns
    -------
    ndarray of object
        The phrase of each percentile, in order.
    """
    p = np.asarray(percentiles, dtype=float)
    if p.size == 1:
        return np.array([position_phrase(float(p[0]), lang)], dtype=object)
    high, low = p >= 60, p <= 40
    key = np.where(high, p // 10 * 10, np.where(low, 1000 + (100 - p) // 10 * 10, -1.0)).astype(int)
    keys, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    words = np.array([position_phrase(float(p[i]), lang) for i in first], dtype=object)
    return words[inverse.reshape(-1)] if len(keys) else np.array([], dtype=object)


def reason_text(
    meta: FeatureMeta, value: object, quantiles: np.ndarray | None, lang: Lang = "fr"
) -> str:
    """'Description: value (position)', e.g. 'Late payments: 3 (higher than 90% of clients)'.

    Parameters
    ----------
    meta : FeatureMeta
        The feature's description and unit.
    value : object
        The client's value (:func:`format_value`).
    quantiles : ndarray or None
        The feature's population percentiles; the position is left out without them, for a
        missing value, a flag, a category, a string, or a constant feature.
    lang : {"fr", "en"}, default="fr"
        Language.

    Returns
    -------
    str
        The reason's text.
    """
    text = f"{meta.description(lang)}: {format_value(value, meta.unit, lang)}"
    missing = value is None or (isinstance(value, float) and math.isnan(value))
    if (
        quantiles is not None
        and not missing
        and meta.unit not in ("flag", "category")
        and not isinstance(value, str)
        and quantiles[0] < quantiles[-1]
    ):
        text += f" ({position_phrase(percentile_of(float(value), quantiles), lang)})"  # type: ignore[arg-type]
    return text


def group_matrix(
    feature_names: Sequence[str], metas: dict[str, FeatureMeta]
) -> tuple[list[str], np.ndarray]:
    """(group names, 0/1 matrix features x groups) to add contributions up by group.

    Parameters
    ----------
    feature_names : sequence of str
        The model's columns, in order.
    metas : dict of str to FeatureMeta
        The columns' metadata; a column without one is a group of its own name.

    Returns
    -------
    tuple of (list of str, ndarray)
        The groups in order of first appearance (``FeatureMeta.group``), and the matrix of
        shape (n_features, n_groups) with a 1 at each feature's group.

    Examples
    --------
    >>> groups, matrix = group_matrix(["a", "b"], {})
    >>> groups, matrix.tolist()
    (['a', 'b'], [[1.0, 0.0], [0.0, 1.0]])
    """
    groups: list[str] = []
    index: dict[str, int] = {}
    for name in feature_names:
        group = metas[name].group if name in metas else name
        if group not in index:
            index[group] = len(groups)
            groups.append(group)
    matrix = np.zeros((len(feature_names), len(groups)))
    for i, name in enumerate(feature_names):
        matrix[i, index[metas[name].group if name in metas else name]] = 1.0
    return groups, matrix


def _fallback_meta(name: str) -> FeatureMeta:
    return FeatureMeta(
        name=name, source="", description_en=name, description_fr=name, unit="number", group=name
    )


# counts of the values known in a fact (e.g. how many external scores): they say a value is
# missing, which the fact's own "missing" wording says better; never quoted as the reason
# (nor is an estimate, ``ESTIMATE_SUFFIXES``: an applicant is told facts of the file)
_MISSINGNESS_COUNTS = frozenset({"EXT_SOURCES_COUNT", "BUILDING_INFO_COUNT"})
# the loan-term model's estimates (LOAN_TERM_EST, LOAN_RATE_EST..., modeling/loan_terms.py)
# count for their fact but are never quoted: an applicant who gave 36 months must not read
# "estimated number of monthly payments: 54"; the fact quotes an amount of the file instead
_ESTIMATES = (*ESTIMATE_SUFFIXES, "_EST")


def _split_label(text: str, lang: Lang) -> tuple[str, str]:
    """'Income type: Pensioner' -> ('Income type', 'Pensioner') (one-hot descriptions)."""
    sep = " : " if lang == "fr" else ": "
    head, _, tail = text.partition(sep)
    return head.strip(), tail.strip()


class ReasonBuilder:
    """Reasons with catalogue codes: contributions summed per fact, worded for a person.

    Built once per model from its columns and their metadata. A feature group maps to a
    fact of :mod:`credit_scoring.core.reason_codes`; for a client a history table does not
    know, every group of that table maps to the table's absence fact instead, so a missing
    history is one reason ("No credit history with other lenders known to us"), never a
    blank value. The text quotes the fact's member feature that pushes hardest in the
    reason's direction among those the client has a value for; a categorical fact gives the
    client's own category ("Type de revenu : retraité"); a fact with no value at all gives
    the catalogue's wording of what is missing and how to supply it.

    Parameters
    ----------
    feature_names : sequence of str
        The model's columns, in the order of its contributions.
    metas : dict of str to FeatureMeta
        The columns' metadata (groups, units and descriptions).
    """

    def __init__(self, feature_names: Sequence[str], metas: dict[str, FeatureMeta]) -> None:
        self.feature_names = list(feature_names)
        self.metas = metas
        self.groups, self.matrix = group_matrix(self.feature_names, metas)
        self.members = [np.flatnonzero(col) for col in self.matrix.T]
        fact = [rc.code_for_group(g) for g in self.groups]
        tables = [rc.history_table(g) for g in self.groups]
        absent = [rc.HISTORY_ABSENCE[t] if t else f for f, t in zip(fact, tables, strict=True)]
        self.codes = sorted(set(fact) | set(absent))
        self.catalogue = {c: rc.CATALOGUE[c] for c in self.codes}
        index = {c: i for i, c in enumerate(self.codes)}
        self.fact = np.asarray([index[c] for c in fact])
        self.absent = np.asarray([index[c] for c in absent])
        # one presence column per absence fact: known when any feature of its tables is
        self.presence_codes = sorted({rc.HISTORY_ABSENCE[t] for t in tables if t})
        presence_index = {c: i for i, c in enumerate(self.presence_codes)}
        self.group_presence = np.asarray(
            [presence_index[rc.HISTORY_ABSENCE[t]] if t else -1 for t in tables]
        )
        self.presence_matrix = np.zeros((len(self.feature_names), len(self.presence_codes)))
        for g, p in enumerate(self.group_presence):
            if p >= 0:
                self.presence_matrix[self.members[g], p] = 1.0
        self.categorical = {
            g: True
            for g, name in enumerate(self.groups)
            if name in CATEGORICAL
            and all(
                self.metas.get(self.feature_names[j]) is not None
                and self.metas[self.feature_names[j]].unit in ("flag", "score")
                for j in self.members[g]
            )
        }
        self.quotable = np.asarray(
            [
                name not in _MISSINGNESS_COUNTS and not name.endswith(_ESTIMATES)
                for name in self.feature_names
            ]
        )
        self._prepare()

    def __setstate__(self, state: dict[str, object]) -> None:
        """Restore a pickled builder, preparing the layout older pickles lack."""
        self.__dict__.update(state)
        if "_group_order" not in state:  # pickled before the block layout existed
            self._prepare()

    def _prepare(self) -> None:
        """The layout the block methods work with, derived from the attributes above.

        Sums per group and per code as ``np.add.reduceat`` segments (added up in the same
        order whatever the number of rows, so one client and a block give the same numbers),
        and each code's candidate groups and member features (in group order).
        """
        n_codes = len(self.codes)
        self.group_of = np.asarray(np.argmax(self.matrix, axis=1), dtype=int)
        self._group_order = np.argsort(self.group_of, kind="stable")
        self._group_starts = np.searchsorted(
            self.group_of[self._group_order], np.arange(len(self.groups))
        )
        self._segments = []
        for code_of_group in (self.fact, self.absent):
            order = np.argsort(code_of_group, kind="stable")
            present = np.unique(code_of_group)
            starts = np.searchsorted(code_of_group[order], present)
            self._segments.append((order, starts, present))
        self.code_groups = [
            np.flatnonzero((self.fact == k) | (self.absent == k)) for k in range(n_codes)
        ]
        self.code_features = [
            np.concatenate([self.members[g] for g in groups]).astype(int)
            if len(groups)
            else np.array([], dtype=int)
            for groups in self.code_groups
        ]
        self.flag_members = {
            g: np.asarray(
                [j for j in self.members[g] if self.metas[self.feature_names[j]].unit == "flag"],
                dtype=int,
            )
            for g in self.categorical
        }

    def present(self, values: np.ndarray) -> np.ndarray:
        """(clients x groups) 1 where the group's history table knows the client.

        A history table knows a client when any feature of its groups has a value; the
        application's groups are always known.

        Parameters
        ----------
        values : ndarray
            The model's float matrix (or one row of it).

        Returns
        -------
        ndarray of bool, shape (n_clients, n_groups)
            Whether each group counts for its own fact (else for its table's absence).
        """
        values = np.atleast_2d(values)
        known = (~np.isnan(values)).astype(float) @ self.presence_matrix > 0
        out = np.ones((values.shape[0], len(self.groups)), dtype=bool)
        history = self.group_presence >= 0
        out[:, history] = known[:, self.group_presence[history]]
        return out

    def by_code(self, contrib: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(contributions summed per code, resolved code index per group), for many clients.

        A group counts for its fact when its history table knows the client
        (:meth:`present`), else for the table's absence fact.

        Parameters
        ----------
        contrib : ndarray
            The contributions, clients x features, without the bias column.
        values : ndarray
            The model's float matrix of the same clients.

        Returns
        -------
        totals : ndarray of shape (n_clients, n_codes)
            The contributions summed per code of :attr:`codes`.
        resolved : ndarray of int, shape (n_clients, n_groups)
            The index in :attr:`codes` that each group counts for.
        """
        contrib = np.atleast_2d(contrib)
        by_group = np.add.reduceat(contrib[:, self._group_order], self._group_starts, axis=1)
        present = self.present(values)
        totals = np.zeros((contrib.shape[0], len(self.codes)))
        # a group counts for its fact when its table knows the client, else for the absence
        for (order, starts, codes), part in zip(
            self._segments,
            (np.where(present, by_group, 0.0), np.where(present, 0.0, by_group)),
            strict=True,
        ):
            totals[:, codes] += np.add.reduceat(part[:, order], starts, axis=1)
        resolved = np.where(present, self.fact[None, :], self.absent[None, :])
        return totals, resolved

    def block(
        self,
        contrib: np.ndarray,
        values: np.ndarray,
        *,
        quantiles: dict[str, np.ndarray],
        labels: Mapping[int, Sequence[object] | Mapping[int, object]] | None = None,
        lang: Lang = "fr",
        top: int = 4,
        totals: np.ndarray | None = None,
        resolved: np.ndarray | None = None,
    ) -> ReasonBlock:
        """Top ``top`` facts raising (against) and lowering (for) each client's risk, worded.

        The one reason path of a block of clients, a single client being a block of one row.

        ``contrib`` (clients x features, without the bias) and ``values`` (the model's float
        matrix) are the block; ``labels`` gives, per feature index, the labels of its
        category codes (the categorical columns quote the client's label); ``totals`` and
        ``resolved`` are :meth:`by_code` of the block, if already known.

        Parameters
        ----------
        contrib : ndarray
            The contributions, clients x features, without the bias (one row for a client).
        values : ndarray
            The model's float matrix of the same clients.
        quantiles : dict of str to ndarray
            Population percentiles per feature (:func:`population_quantiles`).
        labels : mapping of int to sequence or mapping, optional
            Per feature index, the label of each category code.
        lang : {"fr", "en"}, default="fr"
            Language.
        top : int, default=4
            Most reasons on each side.
        totals : ndarray, optional
            The first array of :meth:`by_code` of the block, if already known.
        resolved : ndarray, optional
            The second array of :meth:`by_code` of the block, if already known (used only
            with ``totals``).

        Returns
        -------
        ReasonBlock
            The reasons of each client; a fact counts against when its sum is positive, for
            when it is negative, so a side may hold fewer than ``top``.
        """
        contrib, values = np.atleast_2d(contrib), np.atleast_2d(values)
        if totals is None or resolved is None:
            totals, resolved = self.by_code(contrib, values)
        totals, resolved = np.atleast_2d(totals), np.atleast_2d(resolved)
        n, n_codes = totals.shape
        width = min(top, n_codes)
        # strongest first; a fact counts against when it raises the risk, for when it lowers it
        order = np.stack(
            [
                np.argsort(-totals, axis=1, kind="stable")[:, :width],
                np.argsort(totals, axis=1, kind="stable")[:, :width],
            ],
            axis=1,
        )
        chosen = totals[np.arange(n)[:, None, None], order]
        valid = np.stack([chosen[:, 0] > 0, chosen[:, 1] < 0], axis=1)
        code = np.full((n, 2, top), -1, dtype=int)
        contribution = np.zeros((n, 2, top))
        code[:, :, :width] = np.where(valid, order, -1)
        contribution[:, :, :width] = np.where(valid, chosen, 0.0)
        out = ReasonBlock(
            builder=self,
            code=code,
            contribution=contribution,
            text=np.full((n, 2, top), "", dtype=object),
            value=np.full((n, 2, top), None, dtype=object),
            group=np.full((n, 2, top), -1, dtype=int),
            resolved=resolved,
        )
        rows, direction, slot = np.nonzero(code >= 0)
        codes = code[rows, direction, slot]
        by_code = np.argsort(codes, kind="stable")
        splits = np.flatnonzero(np.diff(codes[by_code])) + 1
        for part in np.split(by_code, splits) if len(by_code) else []:
            where = (rows[part], direction[part], slot[part])
            self._word(int(codes[part[0]]), where, contrib, values, out, quantiles, labels, lang)
        return out

    def _word(
        self,
        k: int,
        where: tuple[np.ndarray, np.ndarray, np.ndarray],
        contrib: np.ndarray,
        values: np.ndarray,
        out: ReasonBlock,
        quantiles: dict[str, np.ndarray],
        labels: Mapping[int, Sequence[object] | Mapping[int, object]] | None,
        lang: Lang,
    ) -> None:
        """Text, quoted group and value of code ``k`` at the ``where`` entries of ``out``.

        The member pushing hardest the reason's way among those the client has a value for
        (first in group order on a tie), vectorised over the rows with that code.
        """
        rows, direction, _ = where
        entry = self.catalogue[self.codes[k]]
        groups = self.code_groups[k]
        mine = out.resolved[rows[:, None], groups] == k
        out.group[where] = groups[np.argmax(mine, axis=1)]  # first group of the fact
        if entry.absence:
            out.text[where] = entry.label(lang)
            return
        members = self.code_features[k]
        usable = (
            (out.resolved[rows[:, None], self.group_of[members]] == k)
            & ~np.isnan(values[rows[:, None], members])
            & self.quotable[members]
        )
        sign = np.where(direction == 0, 1.0, -1.0)[:, None]
        strength = np.where(usable, sign * contrib[rows[:, None], members], -np.inf)
        lead = members[np.argmax(strength, axis=1)]
        quoted = usable.any(axis=1)
        out.text[where] = entry.missing(lang)
        lead_group = self.group_of[lead]
        for g in _distinct(lead_group[quoted]):
            at = np.flatnonzero(quoted & (lead_group == g))
            cell = (rows[at], where[1][at], where[2][at])
            out.group[cell] = g
            if int(g) in self.categorical:
                self._word_category(int(g), entry, cell, values, out, lang)
                continue
            for j in _distinct(lead[at]):
                sub = at[lead[at] == j]
                cell = (rows[sub], where[1][sub], where[2][sub])
                out.text[cell], out.value[cell] = self._quote(
                    int(j), values[cell[0], j], quantiles, labels, lang
                )

    def _word_category(
        self,
        g: int,
        entry: rc.ReasonCode,
        cell: tuple[np.ndarray, np.ndarray, np.ndarray],
        values: np.ndarray,
        out: ReasonBlock,
        lang: Lang,
    ) -> None:
        """Word a one-hot categorical fact: the client's category, or that it is missing.

        The text names the category ('Type de revenu : retraité'), or says it is missing
        when no flag of the group is set.
        """
        flags = self.flag_members[g]
        active = values[cell[0][:, None], flags] == 1.0
        found = active.any(axis=1)
        first = flags[np.argmax(active, axis=1)]
        sep = " : " if lang == "fr" else ": "
        texts, words = np.empty(len(first), dtype=object), np.empty(len(first), dtype=object)
        texts[:], words[:] = entry.missing(lang), None
        for j in _distinct(first[found]):
            head, label = _split_label(self.metas[self.feature_names[j]].description(lang), lang)
            at = found & (first == j)
            texts[at], words[at] = f"{head}{sep}{label}", label
        out.text[cell], out.value[cell] = texts, words

    def _quote(
        self,
        j: int,
        column: np.ndarray,
        quantiles: dict[str, np.ndarray],
        labels: Mapping[int, Sequence[object] | Mapping[int, object]] | None,
        lang: Lang,
    ) -> tuple[np.ndarray, np.ndarray]:
        """(texts, values quoted) of feature ``j`` for these clients' values (none missing).

        Each distinct value is worded once, its position among clients computed at once.

        Returns
        -------
        tuple of (ndarray, ndarray)
            The texts and the values quoted (a category's label), object arrays.
        """
        name = self.feature_names[j]
        meta = self.metas.get(name) or _fallback_meta(name)
        scale = quantiles.get(name)
        if labels is not None and j in labels:  # a categorical column: the client's label
            names = labels[j]
            shown = np.empty(len(column), dtype=object)
            shown[:] = [names[int(code)] for code in column]  # type: ignore[index]
            texts = np.empty(len(column), dtype=object)
            texts[:] = [_french(reason_text(meta, v, scale, lang), lang) for v in shown]
            return texts, shown
        # distinct bit patterns: -0.0 and 0.0 are worded apart, as one by one
        if len(column) == 1:  # one client (online): nothing to share
            distinct, inverse = column, np.zeros(1, dtype=int)
        else:
            bits = np.ascontiguousarray(column).view(np.int64)
            bits, inverse = np.unique(bits, return_inverse=True)
            distinct = bits.view(float)
        words = [format_value(float(v), meta.unit, lang) for v in distinct]
        head = _french(f"{meta.description(lang)}: ", lang)
        if scale is not None and meta.unit not in ("flag", "category") and scale[0] < scale[-1]:
            where = position_phrases(percentiles_of(distinct, scale), lang)
            texts = np.array([f"{head}{w} ({p})" for w, p in zip(words, where, strict=True)])
        else:
            texts = np.array([head + w for w in words])
        out = np.empty(len(column), dtype=object)
        out[:] = texts[inverse.reshape(-1)].tolist()
        return out, column.astype(object)

    def reasons(
        self,
        contrib: np.ndarray,
        values: np.ndarray,
        *,
        totals: np.ndarray,
        resolved: np.ndarray,
        quantiles: dict[str, np.ndarray],
        display: Sequence[object] | np.ndarray | None = None,
        lang: Lang = "fr",
        top: int = 4,
    ) -> tuple[list[Reason], list[Reason]]:
        """Top ``top`` facts raising (against) and lowering (for) one client's risk.

        The one-row case of :meth:`block`.

        Parameters
        ----------
        contrib : ndarray
            The client's contributions without the bias.
        values : ndarray
            The client's row of the model's float matrix.
        totals : ndarray
            The client's row of the first array of :meth:`by_code`.
        resolved : ndarray
            The client's row of the second array of :meth:`by_code`.
        quantiles : dict of str to ndarray
            Population percentiles per feature (:func:`population_quantiles`).
        display : sequence or ndarray, optional
            Per feature, a category label to quote in place of its code (a string), or
            anything else to quote the value.
        lang : {"fr", "en"}, default="fr"
            Language.
        top : int, default=4
            Most reasons on each side.

        Returns
        -------
        tuple of (list of Reason, list of Reason)
            The reasons against, then the reasons for, with their catalogue codes.
        """
        labels: dict[int, dict[int, object]] = {}
        if display is not None:
            for j, shown in enumerate(display):
                if isinstance(shown, str) and not np.isnan(values[j]):
                    labels[j] = {int(values[j]): shown}
        return self.block(
            contrib,
            values,
            quantiles=quantiles,
            labels=labels,
            lang=lang,
            top=top,
            totals=totals,
            resolved=resolved,
        ).reasons(0)


def _distinct(a: np.ndarray) -> np.ndarray:
    """``np.unique(a)``, without its cost on the few entries of one client."""
    return np.unique(a) if len(a) > 16 else np.array(sorted(set(a.tolist())), dtype=a.dtype)


def _french(text: str, lang: Lang) -> str:
    """French puts a space before the colon of 'Description : valeur'."""
    return text.replace(": ", " : ", 1) if lang == "fr" else text


@dataclass
class ReasonBlock:
    """The top reasons of a block of clients as arrays.

    ``[i, d, s]`` is client ``i``'s ``s``-th strongest reason against (``d = 0``) or for
    (``d = 1``) the client. Made by :meth:`ReasonBuilder.block`.

    Attributes
    ----------
    builder : ReasonBuilder
        The builder of the reasons (their codes, groups and features).
    code : ndarray of int, shape (n_clients, 2, top)
        Index into ``builder.codes``, -1 where there is no reason.
    contribution : ndarray of shape (n_clients, 2, top)
        The fact's contributions summed (log-odds).
    text : ndarray of object, shape (n_clients, 2, top)
        The reason's words (``""`` where there is none).
    value : ndarray of object, shape (n_clients, 2, top)
        The value quoted: a float, a label, or None.
    group : ndarray of int, shape (n_clients, 2, top)
        The feature group quoted (-1 where there is no reason).
    resolved : ndarray of int, shape (n_clients, n_groups)
        The code each group counts for.
    """

    builder: ReasonBuilder
    code: np.ndarray  # index into ``builder.codes``, -1 where there is no reason
    contribution: np.ndarray  # the fact's contributions summed (log-odds)
    text: np.ndarray  # the reason's words ("" where there is none)
    value: np.ndarray  # the value quoted: a float, a label, or None
    group: np.ndarray  # the feature group quoted (-1 where there is no reason)
    resolved: np.ndarray  # (clients x groups) the code each group counts for
    _features: dict[tuple[int, bytes], tuple[str, ...]] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        """The number of clients in the block."""
        return int(self.code.shape[0])

    def code_names(self) -> np.ndarray:
        """The catalogue codes as strings ("" where there is no reason).

        Returns
        -------
        ndarray of object, shape (n_clients, 2, top)
            The code of each entry of :attr:`code`.
        """
        names = np.array([*self.builder.codes, ""], dtype=object)
        return names[self.code]  # -1 picks the trailing ""

    def features(self, i: int, k: int) -> tuple[str, ...]:
        """The member features of code ``k`` for client ``i``, in group order.

        Parameters
        ----------
        i : int
            The client's position in the block.
        k : int
            The code's index in ``builder.codes``.

        Returns
        -------
        tuple of str
            The features of the groups that count for code ``k`` for this client (cached
            per code and pattern of groups).
        """
        b = self.builder
        mine = self.resolved[i, b.code_groups[k]] == k
        key = (k, mine.tobytes())
        if key not in self._features:
            self._features[key] = tuple(
                b.feature_names[j] for g in b.code_groups[k][mine] for j in b.members[int(g)]
            )
        return self._features[key]

    def reasons(self, i: int) -> tuple[list[Reason], list[Reason]]:
        """Client ``i``'s reasons against and for, as :class:`Reason` objects.

        Parameters
        ----------
        i : int
            The client's position in the block.

        Returns
        -------
        tuple of (list of Reason, list of Reason)
            The reasons against, then the reasons for, strongest first, with their codes.
        """
        b = self.builder
        out: tuple[list[Reason], list[Reason]] = ([], [])
        for d, direction in enumerate(("against", "for")):
            for s in range(self.code.shape[2]):
                k = int(self.code[i, d, s])
                if k < 0:
                    break
                value = self.value[i, d, s]
                out[d].append(
                    Reason(
                        group=b.groups[int(self.group[i, d, s])],
                        direction=direction,  # type: ignore[arg-type]
                        contribution=float(self.contribution[i, d, s]),
                        text=self.text[i, d, s],
                        features=self.features(i, k),
                        value=float(value) if isinstance(value, np.floating) else value,
                        code=b.codes[k],
                    )
                )
        return out
