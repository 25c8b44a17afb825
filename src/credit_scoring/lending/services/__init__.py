"""The services behind the routes, one job each, wired once by the app factory.

- :class:`~.features.FeatureStore`: the champion's stored feature set and clients' vectors;
- :class:`~.scores.ScoreService`: scores of a feature row, an application, a stored client;
- :class:`~.explanations.Explainer`: a stored client's exact contributions;
- :class:`~.similar.SimilarClients`: nearest training clients and their default rate;
- :class:`~.what_if.WhatIf`: the score of a changed application.

Without a champion only the feature store exists, and routes that need a model answer 503
with ``model_error`` (see ``api.deps``).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from credit_scoring.config import Settings
from credit_scoring.features.metadata import FeatureMeta
from credit_scoring.lending.form import LenderTerms, lender_terms
from credit_scoring.lending.policy import Policy
from credit_scoring.lending.services.cache import LRU
from credit_scoring.lending.services.explanations import Explainer
from credit_scoring.lending.services.features import FeatureStore
from credit_scoring.lending.services.scores import ScoreService
from credit_scoring.lending.services.similar import SimilarClients
from credit_scoring.lending.services.what_if import WhatIf
from credit_scoring.modeling.contracts import Scorer


@dataclass(frozen=True)
class Services:
    """What the routes use, built once per champion (by :func:`build_services`).

    Attributes
    ----------
    features : FeatureStore
        The champion's stored feature set and clients' vectors; present without a champion
        too (``/health`` asks it why stored clients cannot be scored).
    scores : ScoreService or None
        Scores of a feature row, an application, a stored client; None without a champion.
    explainer : Explainer or None
        A stored client's contributions; None without a champion.
    similar : SimilarClients or None
        Nearest training clients; None without a champion.
    what_if : WhatIf or None
        Scores of a changed application; None without a champion.
    model_error : str or None
        Why no champion is loaded (the routes that need one answer 503 with it), or None.
    responses : LRU
        Ready-made route responses (the model report), keyed with the model version.
    """

    features: FeatureStore
    scores: ScoreService | None
    explainer: Explainer | None
    similar: SimilarClients | None
    what_if: WhatIf | None
    model_error: str | None
    responses: LRU  # ready-made route responses (the model report), by model version

    @property
    def scorer(self) -> Scorer | None:
        """The champion scorer, or None when no champion is loaded."""
        return self.scores.scorer if self.scores else None

    @property
    def version(self) -> str:
        """The champion's model version, or ``""`` when no champion is loaded."""
        return self.scores.version if self.scores else ""


def build_services(
    scorer: Scorer | None,
    sessions: sessionmaker[Session],
    *,
    model_error: str | None = None,
    metas: dict[str, FeatureMeta] | None = None,
    cache_size: int = 50_000,
    policy: Policy | None = None,
    terms: LenderTerms | None = None,
) -> Services:
    """The services of one champion (or none: ``model_error`` says why).

    Without a champion only the feature store is built; the other services are None and
    the routes that need them answer 503 with ``model_error``.

    Parameters
    ----------
    scorer : Scorer or None
        The champion, or None when it could not be loaded.
    sessions : sessionmaker of Session
        Database sessions, for scores read outside a request's session.
    model_error : str, optional
        Why ``scorer`` is None (shown by the routes and ``/health``).
    metas : dict of str to FeatureMeta, optional
        Plain-words metadata of the features (descriptions, groups, sources); by default
        none: explanations then fall back to the scorer's own and to the column names.
    cache_size : int, default=50_000
        Entries of the feature-vector cache and of the stored clients' score cache.
    policy : Policy, optional
        The credit committee's rules the what-if applies (default: the packaged file).
    terms : LenderTerms, optional
        The lender's rate and terms of the what-if's offers (default: the settings').

    Returns
    -------
    Services
        The services, wired to share one feature store.
    """
    metas = metas or {}
    features = FeatureStore(scorer, metas, cache_size=cache_size)
    if scorer is None:
        return Services(features, None, None, None, None, model_error, LRU(1_000))
    scores = ScoreService(scorer, features, sessions, cache_size=cache_size)
    return Services(
        features=features,
        scores=scores,
        explainer=Explainer(scorer, features, metas),
        similar=SimilarClients(scorer, features),
        what_if=WhatIf(
            scores,
            features,
            policy or Policy.load(),
            terms or lender_terms(Settings()),
        ),
        model_error=model_error,
        responses=LRU(1_000),
    )


__all__ = [
    "LRU",
    "Explainer",
    "FeatureStore",
    "ScoreService",
    "Services",
    "SimilarClients",
    "WhatIf",
    "build_services",
]
