"""Each loaded client's current Kaggle application becomes an application with its score.

Loaded clients and new applicants then look the same everywhere: an ``applications`` row
(``source="load"``) and its immutable, chained ``scores`` row, built by the same
builder as intake's (:func:`credit_scoring.lending.scoring.score_row`, same
``inputs_digest``) and written the way intake writes them (``audit_chain.append``),
scored by the one batch path
(:func:`credit_scoring.modeling.batch.score_reasons`) and checked by the credit
committee's policy rules.

Identity and idempotency
------------------------
A load application is the client's Kaggle application row (``clients.application_json``)
as it was loaded: its ``idempotency_key`` is ``load:<client>:<sha256 of the row>``.

- A client with no load application for its current row gets one, with its first score.
- A client whose row is unchanged keeps its application; it gets a new score only when
  the model version, the stored feature vector (``feature_vectors.vector_sha``) or the
  policy version differ from its latest score's, so loading twice writes nothing.
- A client whose Kaggle row changed (a reload with other values) gets a NEW application:
  an application is what the applicant asked for, and stored applications never change
  (only their status does). The older one stays, with its scores, as history.

Clients without a stored vector in the model's feature set are left out (they cannot be
scored). Work goes in chunks of clients read by key ranges, one transaction per chunk:
memory stays bounded at any size, API writers can append between two chunks, and a run
stopped half-way resumes where it stopped when run again.

As at intake, a new application whose score says ``refer`` is ``status="referred"`` (a
senior decides it), any other ``"scored"``; a re-score leaves the status alone and only
open applications (``scored``, ``referred``) are scored again: a decided or withdrawn one
keeps the score it was decided on. Reason texts are in French (``lang="fr"``);
``term_months`` is NULL (Kaggle states no term: the policy estimates it as credit /
annuity); ``declared`` is the Kaggle row in the bank's terms
(:func:`credit_scoring.lending.form.from_application_row`, dates counted back from
the day of the load), ``application_row`` the row itself.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from sqlalchemy import Connection, Engine, func, select

from credit_scoring.core.results import OPEN_STATUSES, Lang
from credit_scoring.db import audit_chain, bulk
from credit_scoring.db import models as m
from credit_scoring.db.load import decode_vectors, vector_sha
from credit_scoring.lending.form import from_application_row
from credit_scoring.lending.policy import PolicyHit, policy_facts
from credit_scoring.lending.scoring import ModelScore, score_row
from credit_scoring.lending.shadow import shadow_loaded
from credit_scoring.modeling.batch import reason_records, score_reasons
from credit_scoring.modeling.contracts import Scorer
from credit_scoring.modeling.scorer import ChampionScorer

SOURCE = "load"
LANG: Lang = "fr"
REASONS = 4  # reasons against and for kept per score
HISTORY_SOURCES = ("bureau", "previous")  # loans rows that make a client known to the lender
Progress = Callable[[int, int], None]  # (clients done, clients in all)


class PolicyRules(Protocol):
    """What is used of :class:`credit_scoring.lending.policy.Policy`."""

    version: str

    def evaluate_many(self, facts: Sequence[dict[str, Any]]) -> list[list[PolicyHit]]:
        """The rules that fire on the facts of each application."""
        ...


@dataclass(frozen=True)
class LoadApplicationsReport:
    """What :func:`load_applications` did.

    Attributes
    ----------
    clients : int
        Clients with a stored vector in the model's feature set (all were looked at).
    created : int
        Applications created (each with its first score).
    scored : int
        Scores written: ``created`` plus re-scores of unchanged applications.
    feature_set : str
        The feature set whose vectors were scored.
    """

    clients: int
    created: int
    scored: int
    feature_set: str

    @property
    def rescored(self) -> int:
        """Scores written for applications that already existed."""
        return self.scored - self.created


@dataclass(frozen=True)
class _FeatureSet:
    version: str
    columns: list[str]
    categories: dict[str, list[str]]


def model_feature_set(conn: Connection, needed: Sequence[str], version: str = "") -> _FeatureSet:
    """The stored feature set of ``version`` (the champion's), as the API serves it; without
    a version, the newest stored set that has every column in ``needed``.

    Raises
    ------
    LookupError
        No stored feature set fits (the message says what to run).
    """
    if version:
        found = conn.execute(
            select(m.FeatureSet.columns, m.FeatureSet.categories).where(
                m.FeatureSet.version == version
            )
        ).first()
        if found is None:
            raise LookupError(
                f"No stored feature vectors were built with the definitions the model was "
                f"trained on (feature set {version}): run `credit-scoring db load --data DIR` "
                "with the current feature definitions."
            )
        return _FeatureSet(version, list(found[0]), dict(found[1] or {}))
    rows = conn.execute(
        select(m.FeatureSet.version, m.FeatureSet.columns, m.FeatureSet.categories).order_by(
            m.FeatureSet.created_at.desc()
        )
    ).all()
    for version, columns, categories in rows:
        if set(needed) <= set(columns):
            return _FeatureSet(version, list(columns), dict(categories or {}))
    raise LookupError(
        "No stored feature vectors match the model's features: run "
        "`credit-scoring db load --data DIR` with the current feature definitions."
    )


def row_key(sk_id_curr: int, row: dict[str, Any]) -> str:
    """The idempotency key of a client's load application: client and hash of its row."""
    text = json.dumps(row, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return f"{SOURCE}:{sk_id_curr}:{hashlib.sha256(text.encode()).hexdigest()}"


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _text(value: Any, size: int) -> str | None:
    return str(value)[:size] if value is not None else None


def declared_of(row: dict[str, Any], today: date) -> dict[str, Any]:
    """A Kaggle application row in the bank's terms, shaped like the intake form."""
    applicant, loan = from_application_row(row, today=today)
    return {"applicant": applicant.model_dump(mode="json"), "loan": loan}


def application_values(
    sk_id_curr: int,
    row: dict[str, Any],
    *,
    new_client: bool,
    username: str,
    decision: str,
    today: date,
    key: str | None = None,
) -> dict[str, Any]:
    """The ``applications`` row of a client's Kaggle application row, scored ``decision``
    (``key``: its :func:`row_key`, when already computed)."""
    return {
        "sk_id_curr": sk_id_curr,
        "source": SOURCE,
        "new_client": new_client,
        "contract_type": _text(row.get("NAME_CONTRACT_TYPE"), 32),
        "amount_credit": _number(row.get("AMT_CREDIT")),
        "amount_goods_price": _number(row.get("AMT_GOODS_PRICE")),
        "term_months": None,
        "monthly_annuity": _number(row.get("AMT_ANNUITY")),
        "declared": declared_of(row, today),
        "application_row": row,
        "entered_by": username,
        "status": "referred" if decision == "refer" else "scored",
        "idempotency_key": key or row_key(sk_id_curr, row),
    }


@dataclass
class _Client:
    sk_id_curr: int
    row: dict[str, Any]
    key: str
    features_sha: str
    vector: bytes = b""  # read only when the client is scored (or has no stored sha)
    application_id: int | None = None  # the existing application of this row, if any


def _chunk(
    conn: Connection, info: _FeatureSet, after: int, size: int
) -> list[tuple[int, str, str | None]]:
    """The next clients after ``after``: (id, application row, stored vector's sha)."""
    fv, c = m.FeatureVector, m.Client
    return [
        (int(r[0]), r[1], r[2])
        for r in conn.execute(
            select(c.sk_id_curr, c.application_json, fv.vector_sha)
            .join(fv, fv.sk_id_curr == c.sk_id_curr)
            .where(fv.feature_set == info.version, c.sk_id_curr > after)
            .order_by(c.sk_id_curr)
            .limit(size)
        ).all()
    ]


def _vectors(conn: Connection, info: _FeatureSet, ids: list[int]) -> dict[int, bytes]:
    """The stored vectors of these clients in the feature set."""
    if not ids:
        return {}
    fv = m.FeatureVector
    rows = conn.execute(
        select(fv.sk_id_curr, fv.vector).where(
            fv.feature_set == info.version, fv.sk_id_curr.in_(ids)
        )
    ).all()
    return {int(i): bytes(blob) for i, blob in rows}


def _existing(conn: Connection, ids: list[int]) -> dict[str, tuple[int, str]]:
    """Load applications of these clients: idempotency key -> (application id, status)."""
    a = m.Application
    rows = conn.execute(
        select(a.idempotency_key, a.id, a.status).where(a.source == SOURCE, a.sk_id_curr.in_(ids))
    ).all()
    return {str(key): (int(app_id), status) for key, app_id, status in rows if key is not None}


def _latest_scores(conn: Connection, app_ids: list[int]) -> dict[int, tuple[Any, ...]]:
    """(model version, features sha, policy version) of each application's latest score."""
    if not app_ids:
        return {}
    s = m.Score
    last = (
        select(func.max(s.id).label("id"))
        .where(s.application_id.in_(app_ids))
        .group_by(s.application_id)
        .subquery()
    )
    rows = conn.execute(
        select(s.application_id, s.model_version, s.features_sha, s.policy_version).join(
            last, last.c.id == s.id
        )
    ).all()
    return {int(r[0]): tuple(r[1:]) for r in rows}


def _known_clients(conn: Connection, ids: list[int]) -> set[int]:
    loans = m.Loan
    return set(
        conn.execute(
            select(loans.sk_id_curr)
            .where(loans.sk_id_curr.in_(ids), loans.source.in_(HISTORY_SOURCES))
            .distinct()
        ).scalars()
    )


def _scores(
    scorer: ChampionScorer,
    policy: PolicyRules,
    info: _FeatureSet,
    todo: list[_Client],
    username: str,
) -> list[dict[str, Any]]:
    """The ``scores`` rows of these clients' applications (``application_id`` of the new
    ones still None)."""
    features = decode_vectors([c.vector for c in todo], info.columns, info.categories)
    features.insert(0, "SK_ID_CURR", [c.sk_id_curr for c in todo])
    frame, reasons = score_reasons(scorer, features, lang=LANG, top=REASONS)
    all_hits = policy.evaluate_many([policy_facts(c.row, None) for c in todo])
    out = []
    for i, (client, hits) in enumerate(zip(todo, all_hits, strict=True)):
        model = ModelScore(
            model_name=scorer.model_name,
            model_version=scorer.model_version,
            probability=float(frame["probability"].iat[i]),
            threshold=float(scorer.threshold),
            decision=str(frame["decision"].iat[i]),  # type: ignore[arg-type]
            grade=str(frame["grade"].iat[i]) or None,
            points=float(frame["points"].iat[i]),
            reasons=reason_records(*reasons[i]),
        )
        row = score_row(
            model,
            hits,
            policy_version=policy.version,
            row=client.row,
            feature_set=info.version,
            features_sha=client.features_sha,
            username=username,
            lang=LANG,
        )
        out.append({"application_id": client.application_id, **row})
    return out


def _load_chunk(
    conn: Connection,
    scorer: ChampionScorer,
    policy: PolicyRules,
    info: _FeatureSet,
    rows: list[tuple[int, str, str | None]],
    username: str,
    challenger: Scorer | None = None,
) -> tuple[int, int]:
    """Create and score what this chunk of clients needs; (applications created, scores).

    Vectors are read for the clients scored only: a rerun with nothing to do reads
    application rows and shas."""
    bulk.compress_fast(conn)
    unsigned = _vectors(conn, info, [i for i, _, sha in rows if sha is None])
    clients = []
    for sk_id_curr, application_json, sha in rows:
        row = json.loads(application_json)
        vector = unsigned.get(sk_id_curr, b"")
        clients.append(
            _Client(
                sk_id_curr,
                row,
                row_key(sk_id_curr, row),
                sha or vector_sha(info.version, vector),
                vector,
            )
        )
    existing = _existing(conn, [c.sk_id_curr for c in clients])
    status = {}
    for client in clients:
        found = existing.get(client.key)
        if found is not None:
            client.application_id = found[0]
            status[found[0]] = found[1]
    latest = _latest_scores(conn, list(status))
    wanted = (scorer.model_version, policy.version)
    todo, new = [], []
    for client in clients:
        if client.application_id is None:
            new.append(client)
            todo.append(client)
            continue
        last = latest.get(client.application_id)
        if status[client.application_id] not in OPEN_STATUSES:
            continue  # decided or withdrawn: keeps the score it was decided on
        if last is None or (last[0], last[2]) != wanted or last[1] != client.features_sha:
            todo.append(client)
    if not todo:
        return 0, 0
    stored = _vectors(conn, info, [c.sk_id_curr for c in todo if not c.vector])
    for client in todo:
        client.vector = client.vector or stored[client.sk_id_curr]
    scores = _scores(scorer, policy, info, todo, username)
    if new:
        known = _known_clients(conn, [c.sk_id_curr for c in new])
        decisions = {c.key: row["decision"] for c, row in zip(todo, scores, strict=True)}
        today = date.today()
        bulk.insert_dicts(
            conn,
            m.Application.__table__,  # type: ignore[arg-type]
            [
                application_values(
                    c.sk_id_curr,
                    c.row,
                    new_client=c.sk_id_curr not in known,
                    username=username,
                    decision=decisions[c.key],
                    today=today,
                    key=c.key,
                )
                for c in new
            ],
        )
        a = m.Application
        made = dict(
            conn.execute(
                select(a.idempotency_key, a.id).where(
                    a.entered_by == username, a.idempotency_key.in_([c.key for c in new])
                )
            ).all()
        )
        for client in new:
            client.application_id = int(made[client.key])
        for client, row in zip(todo, scores, strict=True):
            row["application_id"] = client.application_id
    audit_chain.append(conn, "scores", scores)
    if challenger is not None:  # the challenger in the shadow (lending/shadow.py)
        features = decode_vectors([c.vector for c in todo], info.columns, info.categories)
        shadow_loaded(conn, challenger, features, [int(c.application_id or 0) for c in todo])
    return len(new), len(todo)


def load_applications(
    engine: Engine,
    scorer: ChampionScorer,
    *,
    policy: PolicyRules,
    username: str = "db-load",
    chunk: int = 5_000,
    on_progress: Progress | None = None,
    challenger: Scorer | None = None,
) -> LoadApplicationsReport:
    """Give every stored client an application for its current Kaggle row, with its score.

    Idempotent (see the module docstring): a client whose row, vector, model and policy
    are unchanged gets nothing new.

    Parameters
    ----------
    engine : Engine
        The operational database, at the current revision.
    scorer : ChampionScorer
        The champion; its ``model_name`` and ``model_version`` are stored with each score.
    policy : PolicyRules
        The credit committee's rules (:meth:`credit_scoring.lending.policy.Policy.load`).
    username : str
        Who the applications are entered by and the scores written by.
    chunk : int
        Clients per transaction.
    on_progress : callable, optional
        Called after each chunk with (clients done, clients in all).
    challenger : Scorer, optional
        The challenger: each score written is also scored by it, in the shadow
        (:func:`credit_scoring.lending.shadow.shadow_loaded`).

    Returns
    -------
    LoadApplicationsReport
        Clients looked at, applications created, scores written.

    Raises
    ------
    LookupError
        No stored feature set has the model's columns.
    """
    with engine.connect() as conn:
        info = model_feature_set(conn, scorer.feature_names, scorer.feature_set_version)
        total = conn.execute(
            select(func.count())
            .select_from(m.FeatureVector)
            .join(m.Client, m.Client.sk_id_curr == m.FeatureVector.sk_id_curr)
            .where(m.FeatureVector.feature_set == info.version)
        ).scalar_one()
    after, done, created, scored = -1, 0, 0, 0
    if on_progress:
        on_progress(0, total)
    while True:
        with engine.begin() as conn:
            rows = _chunk(conn, info, after, chunk)
            if not rows:
                break
            made, written = _load_chunk(conn, scorer, policy, info, rows, username, challenger)
        after = rows[-1][0]
        done, created, scored = done + len(rows), created + made, scored + written
        if on_progress:
            on_progress(done, total)
    return LoadApplicationsReport(done, created, scored, info.version)
