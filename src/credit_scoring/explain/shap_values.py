"""Exact TreeSHAP contributions from LightGBM (``pred_contrib=True``) and global plots."""

from __future__ import annotations

from pathlib import Path

import lightgbm as lgb
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd


def tree_contributions(
    booster: lgb.Booster, X: pd.DataFrame, *, num_threads: int = 1
) -> pd.DataFrame:
    """Per-feature contributions in log-odds plus a 'bias' column; rows sum to the raw score.

    Parameters
    ----------
    booster : lightgbm.Booster
        The trained booster.
    X : DataFrame
        The booster's input, its columns in training order.
    num_threads : int, default=1
        LightGBM threads.

    Returns
    -------
    DataFrame
        The exact TreeSHAP contributions (``pred_contrib=True``): one column per column of
        ``X`` and ``"bias"``, indexed as ``X``; a row sums to the raw log-odds.
    """
    values = booster.predict(X, pred_contrib=True, num_threads=num_threads)
    return pd.DataFrame(np.asarray(values), columns=[*X.columns, "bias"], index=X.index)


def global_importance(contrib: pd.DataFrame) -> pd.Series:
    """Mean absolute contribution per feature, largest first.

    Parameters
    ----------
    contrib : DataFrame
        Contributions with a ``"bias"`` column (:func:`tree_contributions`).

    Returns
    -------
    Series
        The mean of each feature's absolute contributions (``"bias"`` left out), by feature
        name, in decreasing order.

    Examples
    --------
    >>> contrib = pd.DataFrame({"a": [1.0, -3.0], "b": [0.5, 0.5], "bias": [9.0, 9.0]})
    >>> global_importance(contrib).to_dict()
    {'a': 2.0, 'b': 0.5}
    """
    return contrib.drop(columns="bias").abs().mean().sort_values(ascending=False)


def _numeric_colour(values: pd.Series) -> np.ndarray:
    numeric = (
        pd.to_numeric(values, errors="coerce")
        if not isinstance(values.dtype, pd.CategoricalDtype)
        else values.cat.codes.where(values.notna()).astype(float)
    )
    return numeric.rank(pct=True).to_numpy(dtype=float)


def plot_bar(importance: pd.Series, path: Path, *, top: int = 20) -> Path:
    """Bar chart of the global importance of the ``top`` features, saved as an image.

    Parameters
    ----------
    importance : Series
        Mean absolute contributions, largest first (:func:`global_importance`).
    path : Path
        The image file to write (its format from the suffix, e.g. ``.png``).
    top : int, default=20
        Features shown, the most important at the top.

    Returns
    -------
    Path
        ``path``.
    """
    head = importance.head(top)[::-1]
    fig, ax = plt.subplots(figsize=(7, 0.3 * len(head) + 1.2))
    ax.barh(head.index, head.to_numpy(), color="C0")
    ax.set(xlabel="mean |SHAP value| (log-odds)", title="Global importance (TreeSHAP)")
    ax.tick_params(axis="y", labelsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_beeswarm(
    contrib: pd.DataFrame,
    X: pd.DataFrame,
    importance: pd.Series,
    path: Path,
    *,
    top: int = 20,
    seed: int = 0,
) -> Path:
    """Beeswarm of the contributions of the ``top`` features, saved as an image.

    One point per client and feature, jittered vertically, coloured by the rank of the
    client's value (grey where it is missing).

    Parameters
    ----------
    contrib : DataFrame
        Contributions, one column per feature (:func:`tree_contributions`).
    X : DataFrame
        The feature values of the same clients (categories coloured by their codes).
    importance : Series
        Mean absolute contributions, largest first (:func:`global_importance`).
    path : Path
        The image file to write.
    top : int, default=20
        Features shown, the most important at the top.
    seed : int, default=0
        Seed of the vertical jitter (the same plot on every run).

    Returns
    -------
    Path
        ``path``.
    """
    names = list(importance.head(top).index)[::-1]
    rng = np.random.default_rng(seed)
    fig, ax = plt.subplots(figsize=(8, 0.35 * len(names) + 1.5))
    for row, name in enumerate(names):
        shap = contrib[name].to_numpy()
        colour = _numeric_colour(X[name])
        jitter = rng.normal(0, 0.12, size=shap.size).clip(-0.35, 0.35)
        missing = np.isnan(colour)
        ax.scatter(shap[missing], row + jitter[missing], s=3, c="lightgrey", alpha=0.5)
        points = ax.scatter(
            shap[~missing],
            row + jitter[~missing],
            s=3,
            c=colour[~missing],
            cmap="coolwarm",
            vmin=0,
            vmax=1,
            alpha=0.6,
        )
    ax.axvline(0, color="k", lw=0.6)
    ax.set_yticks(range(len(names)), names, fontsize=7)
    ax.set(xlabel="SHAP value (log-odds; > 0 raises the default risk)", title="TreeSHAP beeswarm")
    fig.colorbar(points, ax=ax, label="feature value (rank; grey = missing)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_dependence(contrib: pd.DataFrame, X: pd.DataFrame, feature: str, path: Path) -> Path:
    """Dependence plot of one feature: its contribution against its value, saved as an image.

    Parameters
    ----------
    contrib : DataFrame
        Contributions, one column per feature (:func:`tree_contributions`).
    X : DataFrame
        The feature values of the same clients (a categorical feature is drawn by its codes).
    feature : str
        The feature plotted.
    path : Path
        The image file to write.

    Returns
    -------
    Path
        ``path``.
    """
    fig, ax = plt.subplots(figsize=(5.5, 4))
    values = X[feature]
    if isinstance(values.dtype, pd.CategoricalDtype):
        values = values.cat.codes.where(values.notna())
    ax.scatter(values.to_numpy(dtype=float), contrib[feature].to_numpy(), s=3, alpha=0.4)
    ax.axhline(0, color="k", lw=0.6)
    ax.set(xlabel=feature, ylabel="SHAP value (log-odds)", title=f"Dependence: {feature}")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def global_plots(
    contrib: pd.DataFrame, X: pd.DataFrame, out_dir: Path, *, dependence_top: int = 6
) -> tuple[pd.Series, list[Path]]:
    """Bar, beeswarm and dependence plots for the top features; returns the importance too.

    Parameters
    ----------
    contrib : DataFrame
        Contributions with a ``"bias"`` column (:func:`tree_contributions`).
    X : DataFrame
        The feature values of the same clients.
    out_dir : Path
        The folder of the images (created if needed): ``shap_bar.png``,
        ``shap_beeswarm.png`` and ``shap_dependence_<i>.png``.
    dependence_top : int, default=6
        Dependence plots drawn, one per most important feature.

    Returns
    -------
    tuple of (Series, list of Path)
        The global importance (:func:`global_importance`) and the images written.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    importance = global_importance(contrib)
    paths = [
        plot_bar(importance, out_dir / "shap_bar.png"),
        plot_beeswarm(contrib, X, importance, out_dir / "shap_beeswarm.png"),
    ]
    for i, name in enumerate(importance.head(dependence_top).index):
        paths.append(plot_dependence(contrib, X, name, out_dir / f"shap_dependence_{i + 1}.png"))
    return importance, paths
