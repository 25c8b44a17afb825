"""The champion's feature set in the database, and every stored client's probability.

``client_scores`` holds one probability per client and model version, for the client
search's score-band filters; ``db load`` and ``db score`` refresh it in chunks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine, delete, func, insert, select
from sqlalchemy.orm import Session, sessionmaker

from credit_scoring.db import models as m
from credit_scoring.db.load import decode_vectors
from credit_scoring.modeling.contracts import Scorer


class FeatureSetMissingError(LookupError):
    """No stored feature vectors match the model; the message says what to run."""


@dataclass(frozen=True)
class FeatureSetInfo:
    """A stored feature set: what decodes its vectors.

    Attributes
    ----------
    version : str
        The feature set's version: the id of the definitions its vectors were built with.
    columns : list of str
        The columns of its vectors, in their stored order.
    categories : dict of str to list of str
        The categories of each categorical column, in code order.
    """

    version: str
    columns: list[str]
    categories: dict[str, list[str]]


def feature_set_for(session: Session, scorer: Scorer) -> FeatureSetInfo:
    """The stored feature set ``scorer`` was trained on.

    The same version (same column definitions). A model without a recorded version
    (older, or a test double) gets the newest stored set that has every column it needs.

    Parameters
    ----------
    session : Session
        The database session.
    scorer : Scorer
        The model; its ``feature_set_version``, else its ``feature_names``, are matched.

    Returns
    -------
    FeatureSetInfo
        The matching set's version, columns and categories.

    Raises
    ------
    FeatureSetMissingError
        No stored set has the model's version, or (without a version) every column it
        needs; the message says what to run.
    """
    wanted = scorer.feature_set_version
    if wanted:
        row = session.get(m.FeatureSet, wanted)
        if row is None:
            raise FeatureSetMissingError(
                f"No stored feature vectors were built with the definitions the model was "
                f"trained on (feature set {wanted}): run `credit-scoring db load --data DIR` "
                "with the current feature definitions, or promote a model trained on them."
            )
        return FeatureSetInfo(row.version, list(row.columns), dict(row.categories))
    needed = set(scorer.feature_names)
    rows = session.execute(select(m.FeatureSet).order_by(m.FeatureSet.created_at.desc())).scalars()
    for row in rows:
        if needed <= set(row.columns):
            return FeatureSetInfo(row.version, list(row.columns), dict(row.categories))
    raise FeatureSetMissingError(
        "No stored feature vectors match the model's features: run "
        "`credit-scoring db load --data DIR` with the current feature definitions."
    )


def refresh_client_scores(
    engine: Engine,
    scorer: Scorer,
    *,
    chunk: int = 5_000,
    on_progress: Callable[[int, int], None] | None = None,
) -> int:
    """Store ``scorer``'s probability for every client with a vector of its feature set.

    In one transaction: the model version's previous scores (and its population summary,
    which :func:`credit_scoring.db.population.summarize` builds again) are deleted, then
    the vectors are read (by ranges of client ids), scored and inserted ``chunk`` at a
    time, with the model's threshold; memory is that of one chunk.

    Parameters
    ----------
    engine : Engine
        The database.
    scorer : Scorer
        The model whose scores are stored, under its ``model_version``.
    chunk : int, default=5_000
        Vectors read, scored and inserted at a time.
    on_progress : callable, optional
        Called with (clients scored so far, clients to score) after each chunk.

    Returns
    -------
    int
        The number of clients scored.

    Raises
    ------
    FeatureSetMissingError
        No stored feature set matches the model (:func:`feature_set_for`); nothing is
        changed.
    """
    sessions = sessionmaker(engine)
    names = list(scorer.feature_names)
    with sessions() as session, session.begin():
        info = feature_set_for(session, scorer)
        version = scorer.model_version
        session.execute(delete(m.ClientScore).where(m.ClientScore.model_version == version))
        # its population summary describes the scores being replaced (`db summarize`)
        session.execute(
            delete(m.PopulationSummary).where(m.PopulationSummary.model_version == version)
        )
        total = (
            session.execute(
                select(func.count())
                .select_from(m.FeatureVector)
                .where(m.FeatureVector.feature_set == info.version)
            ).scalar_one()
            if on_progress is not None
            else 0
        )
        fv, done, after = m.FeatureVector, 0, -1
        # by key ranges: a plain result is read whole by psycopg and PyMySQL (1.3 GB of
        # vectors at Kaggle size), whatever fetchmany asks
        while rows := session.execute(
            select(fv.sk_id_curr, fv.vector)
            .where(fv.feature_set == info.version, fv.sk_id_curr > after)
            .order_by(fv.sk_id_curr)
            .limit(chunk)
        ).all():
            after = int(rows[-1][0])
            frame = decode_vectors([r[1] for r in rows], info.columns, info.categories)
            if set(names) <= set(frame.columns):
                frame = frame[names]
            proba = scorer.predict_proba(frame)
            session.execute(
                insert(m.ClientScore),
                [
                    {
                        "sk_id_curr": int(r[0]),
                        "model_version": version,
                        "probability": float(p),
                        "threshold": float(scorer.threshold),
                    }
                    for r, p in zip(rows, proba, strict=True)
                ],
            )
            done += len(rows)
            if on_progress is not None:
                on_progress(done, total)
    return done
