"""Explanation: a stored client's exact TreeSHAP contributions, feature by feature."""

from __future__ import annotations

from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from credit_scoring.core.results import Lang
from credit_scoring.explain.probability import probability_steps
from credit_scoring.explain.reasons import format_value
from credit_scoring.features.metadata import FeatureMeta
from credit_scoring.lending import schemas as s
from credit_scoring.lending.form.codes import category_label
from credit_scoring.lending.services.features import FeatureStore
from credit_scoring.modeling.contracts import Scorer


class Explainer:
    """Every feature's contribution to a stored client's score, largest first.

    Parameters
    ----------
    scorer : Scorer
        The champion, whose exact contributions (log-odds) are shown.
    features : FeatureStore
        Where the stored client's feature vector is read.
    metas : dict of str to FeatureMeta
        Plain-words metadata of the features; a column it lacks takes the scorer's own
        (its derived columns), then its name.
    """

    def __init__(
        self, scorer: Scorer, features: FeatureStore, metas: dict[str, FeatureMeta]
    ) -> None:
        self.scorer = scorer
        self.features = features
        self.metas = metas

    def explanation(self, session: Session, sk_id_curr: int, lang: str) -> s.ExplanationOut:
        """A stored client's contributions, feature by feature, largest in absolute value first.

        The contributions are the champion's exact TreeSHAP values in log-odds (before
        calibration): with the bias they sum to the raw score. Each carries the feature's
        value (and the value in words), including the columns the champion derives itself
        (estimated loan term and rate), its description and group in ``lang``, and its step
        of probability of default (:func:`~credit_scoring.explain.probability.probability_steps`
        through the champion's calibration): from the base probability, the steps add up
        to the client's probability, the one its score shows.

        Parameters
        ----------
        session : Session
            The database session the client's vector is read with.
        sk_id_curr : int
            The stored client.
        lang : {"fr", "en"}
            Language of the features' descriptions.

        Returns
        -------
        ExplanationOut
            The client, the model version, the bias and every contribution but the bias.

        Raises
        ------
        NotFoundError
            The client, its feature vector or the champion's feature set is not stored
            (from :meth:`FeatureStore.client`).
        """
        features = self.features.client(session, sk_id_curr)
        contrib = self.scorer.contributions(features).iloc[0]
        # the champion may add columns of its own (estimated loan term and rate): their
        # values and descriptions come from it
        features = self.scorer.with_derived(features)
        items = []
        for name, value in contrib.items():
            if name == "bias":
                continue
            meta = self.metas.get(str(name)) or self.scorer.metas.get(str(name))
            raw = features[name].iloc[0] if name in features else None
            items.append(
                s.ContributionOut(
                    feature=str(name),
                    value=plain(raw),
                    contribution=float(value),
                    description=meta.description(lang) if meta else str(name),
                    group=meta.group if meta else str(name),
                    source=meta.source if meta else "application",
                    value_text=value_text(plain(raw), meta.unit if meta else "", lang),
                )
            )
        bias = float(contrib.get("bias", 0.0))
        steps = probability_steps(
            bias,
            {c.feature: c.contribution for c in items},
            to_probability=self.scorer.probability_of_log_odds,
        )
        by_name = steps.by_name()
        # the order the steps were added in: largest log-odds first, ties by name
        items = [
            c.model_copy(update={"step": by_name[c.feature]})
            for c in sorted(items, key=lambda c: (-abs(c.contribution), c.feature))
        ]
        return s.ExplanationOut(
            sk_id_curr=sk_id_curr,
            model_version=self.scorer.model_version,
            bias=bias,
            contributions=items,
            base_probability=steps.base,
            probability=steps.probability,
        )


def plain(value: Any) -> float | str | None:
    """A feature value as JSON shows it: a number, a category's label, or None if missing.

    Parameters
    ----------
    value : object
        A cell of a feature frame: a Python or NumPy number, a category, None or NaN.

    Returns
    -------
    float, str or None
        A float for a number (booleans and other values give their text), None for a
        missing one.

    Examples
    --------
    >>> import numpy as np
    >>> plain(np.int64(3)), plain(float("nan")), plain("Cash loans"), plain(None)
    (3.0, None, 'Cash loans', None)
    """
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float | int) and not isinstance(value, bool):
        return None if value != value else float(value)
    return str(value)


def value_text(value: float | str | None, unit: str, lang: str) -> str:
    """A feature's value in words: a category in plain words, a number by its unit.

    Returns
    -------
    str
        The value in ``lang`` ("not provided" when missing).

    Examples
    --------
    >>> value_text("XAP", "category", "en"), value_text(None, "days", "fr")
    ('not applicable', 'non renseigné')
    >>> value_text(1.0, "flag", "en"), value_text(-0.0004, "ratio", "fr")
    ('yes', '-0,0004')
    """
    language: Lang = "en" if lang == "en" else "fr"
    if isinstance(value, str) or unit == "category":
        return category_label(value, language)
    return format_value(value, unit, language)
