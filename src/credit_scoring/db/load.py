"""Bulk load of a prepared Kaggle folder and its feature table into the operational database.

One transaction for the whole load: a failure leaves the database as it was.
Idempotent: rows have natural keys (client id, loan id per source, client+source+month),
and the clients being loaded are first cleared, so loading twice gives the same rows.
Feature vectors are versioned: a vector that a load replaces (changed data, or a new
feature set) is first copied to ``feature_vector_versions``, so that the vector behind
any past score (``score_log.features_sha``) can always be read back.
History is stored as loans (bureau credits, previous applications) plus a MONTHLY
summary per client and source (POS, card, installments, bureau) rather than every raw row.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import duckdb
import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, delete, insert, select

from credit_scoring.core.kaggle import DAYS_PER_YEAR
from credit_scoring.data.loading import PreparedData
from credit_scoring.db import models as m
from credit_scoring.features.batch import feature_metadata
from credit_scoring.features.metadata import feature_set_version

CHUNK = 5_000
Progress = Callable[[str, int, int], None]  # (step, done, total)


@dataclass
class LoadReport:
    rows: dict[str, int] = field(default_factory=dict)
    feature_set: str | None = None


def _none(value: object) -> object:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def _records(df: pd.DataFrame) -> list[dict]:
    clean = df.astype(object).where(df.notna(), None)
    return clean.to_dict("records")


def _applications(prepared: PreparedData) -> pd.DataFrame:
    frames = []
    for table, is_train in (("application_train", True), ("application_test", False)):
        if prepared.has(table):
            frame = prepared.read(table)
            frame["_is_train"] = is_train
            frames.append(frame)
    apps = pd.concat(frames, ignore_index=True)
    if "TARGET" not in apps:
        apps["TARGET"] = np.nan
    return apps


def client_rows(apps: pd.DataFrame) -> pd.DataFrame:
    """Personal information columns of ``clients`` from Kaggle application rows."""

    def col(name: str) -> pd.Series:
        return apps[name] if name in apps else pd.Series(np.nan, index=apps.index)

    employed = col("DAYS_EMPLOYED")
    kaggle = apps.drop(columns=["_is_train"], errors="ignore")
    return pd.DataFrame(
        {
            "sk_id_curr": apps["SK_ID_CURR"].astype("int64"),
            "is_train": apps["_is_train"].astype(bool),
            "target": col("TARGET").astype("Float64"),
            "gender": col("CODE_GENDER"),
            "age_years": (-col("DAYS_BIRTH") / DAYS_PER_YEAR).round(2),
            "income_total": col("AMT_INCOME_TOTAL"),
            "contract_type": col("NAME_CONTRACT_TYPE"),
            "amount_credit": col("AMT_CREDIT"),
            "family_status": col("NAME_FAMILY_STATUS"),
            "children": col("CNT_CHILDREN").astype("Float64"),
            "education": col("NAME_EDUCATION_TYPE"),
            "income_type": col("NAME_INCOME_TYPE"),
            "occupation": col("OCCUPATION_TYPE"),
            "years_employed": (-employed.where(employed <= 0) / DAYS_PER_YEAR).round(2),
            "owns_car": col("FLAG_OWN_CAR").map({"Y": True, "N": False}),
            "owns_realty": col("FLAG_OWN_REALTY").map({"Y": True, "N": False}),
            "application_json": kaggle.to_json(orient="records", lines=True).splitlines(),
        }
    )


def client_row(application: dict[str, Any], *, is_train: bool = False) -> dict[str, Any]:
    """The ``clients`` row of ONE Kaggle application row (a new applicant): the same
    columns as :func:`client_rows`, without a one-row frame's cost."""

    def num(name: str) -> float | None:
        value = application.get(name)
        try:
            value = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return None
        return None if np.isnan(value) else value

    def flag(name: str) -> bool | None:
        return {"Y": True, "N": False}.get(application.get(name))  # type: ignore[arg-type]

    birth, employed, children = num("DAYS_BIRTH"), num("DAYS_EMPLOYED"), num("CNT_CHILDREN")
    target = num("TARGET")
    return {
        "sk_id_curr": int(application["SK_ID_CURR"]),
        "is_train": is_train,
        "target": None if target is None else int(target),
        "gender": application.get("CODE_GENDER"),
        "age_years": None if birth is None else round(-birth / DAYS_PER_YEAR, 2),
        "income_total": num("AMT_INCOME_TOTAL"),
        "contract_type": application.get("NAME_CONTRACT_TYPE"),
        "amount_credit": num("AMT_CREDIT"),
        "family_status": application.get("NAME_FAMILY_STATUS"),
        "children": None if children is None else int(children),
        "education": application.get("NAME_EDUCATION_TYPE"),
        "income_type": application.get("NAME_INCOME_TYPE"),
        "occupation": application.get("OCCUPATION_TYPE"),
        "years_employed": (
            None if employed is None or employed > 0 else round(-employed / DAYS_PER_YEAR, 2)
        ),
        "owns_car": flag("FLAG_OWN_CAR"),
        "owns_realty": flag("FLAG_OWN_REALTY"),
        "application_json": json.dumps(
            {k: v for k, v in application.items() if k != "_is_train"}, default=str
        ),
    }


def _q(prepared: PreparedData, table: str) -> str:
    return "read_parquet('" + str(prepared.parquet[table]).replace("'", "''") + "')"


def loan_rows(prepared: PreparedData, apps: pd.DataFrame) -> pd.DataFrame:
    frames = [
        pd.DataFrame(
            {
                "source": "application",
                "loan_id": apps["SK_ID_CURR"],
                "sk_id_curr": apps["SK_ID_CURR"],
                "contract_type": apps.get("NAME_CONTRACT_TYPE"),
                "status": "Current application",
                "amount_credit": apps.get("AMT_CREDIT"),
                "amount_annuity": apps.get("AMT_ANNUITY"),
                "days_start": 0.0,
                "days_end": np.nan,
            }
        )
    ]
    con = duckdb.connect()
    try:
        queries = {
            "bureau": "SELECT 'bureau' AS source, SK_ID_BUREAU AS loan_id, SK_ID_CURR AS sk_id_curr, "
            "CREDIT_TYPE AS contract_type, CREDIT_ACTIVE AS status, "
            "AMT_CREDIT_SUM AS amount_credit, AMT_ANNUITY AS amount_annuity, "
            "DAYS_CREDIT AS days_start, DAYS_CREDIT_ENDDATE AS days_end FROM {src}",
            "previous_application": "SELECT 'previous' AS source, SK_ID_PREV AS loan_id, SK_ID_CURR AS sk_id_curr, "
            "NAME_CONTRACT_TYPE AS contract_type, NAME_CONTRACT_STATUS AS status, "
            "AMT_CREDIT AS amount_credit, AMT_ANNUITY AS amount_annuity, "
            "DAYS_DECISION AS days_start, DAYS_TERMINATION AS days_end FROM {src}",
        }
        for table, sql in queries.items():
            if prepared.has(table):
                frames.append(con.execute(sql.format(src=_q(prepared, table))).df())
    finally:
        con.close()
    return pd.concat([f for f in frames if len(f)], ignore_index=True)


_MONTHLY = {
    "POS_CASH_balance": "SELECT SK_ID_CURR AS sk_id_curr, 'pos' AS source, MONTHS_BALANCE AS "
    "months_balance, count(DISTINCT SK_ID_PREV) AS loans, sum(CNT_INSTALMENT_FUTURE) AS balance, "
    "NULL::DOUBLE AS payment, max(SK_DPD) AS max_days_past_due FROM {src} GROUP BY 1, 3",
    "credit_card_balance": "SELECT SK_ID_CURR, 'card', MONTHS_BALANCE, count(DISTINCT SK_ID_PREV), "
    "sum(AMT_BALANCE), sum(AMT_PAYMENT_TOTAL_CURRENT), max(SK_DPD) FROM {src} GROUP BY 1, 3",
    "installments_payments": "SELECT SK_ID_CURR, 'installments', CAST(floor(DAYS_INSTALMENT / 30) "
    "AS INTEGER) AS mb, count(DISTINCT SK_ID_PREV), sum(AMT_INSTALMENT), sum(AMT_PAYMENT), "
    "max(greatest(DAYS_ENTRY_PAYMENT - DAYS_INSTALMENT, 0)) FROM {src} GROUP BY 1, 3",
}
# Bureau months: status 1..5 = months late; days past due approximated as months x 30.
_BUREAU_MONTHLY = (
    "SELECT b.SK_ID_CURR, 'bureau', bb.MONTHS_BALANCE, count(DISTINCT bb.SK_ID_BUREAU), NULL::DOUBLE, "
    "NULL::DOUBLE, max(CASE WHEN bb.STATUS IN ('1','2','3','4','5') THEN CAST(bb.STATUS AS INTEGER) * 30 "
    "ELSE 0 END) FROM {bb} bb JOIN {b} b USING (SK_ID_BUREAU) GROUP BY 1, 3"
)


def transaction_rows(prepared: PreparedData) -> pd.DataFrame:
    parts = []
    con = duckdb.connect()
    try:
        for table, sql in _MONTHLY.items():
            if prepared.has(table):
                parts.append(sql.format(src=_q(prepared, table)))
        if prepared.has("bureau_balance") and prepared.has("bureau"):
            parts.append(
                _BUREAU_MONTHLY.format(bb=_q(prepared, "bureau_balance"), b=_q(prepared, "bureau"))
            )
        if not parts:
            return pd.DataFrame(
                columns=[
                    "sk_id_curr",
                    "source",
                    "months_balance",
                    "loans",
                    "balance",
                    "payment",
                    "max_days_past_due",
                ]
            )
        return con.execute(" UNION ALL ".join(parts)).df()
    finally:
        con.close()


def vector_sha(feature_set: str, blob: bytes) -> str:
    """The id of one stored vector: sha256 of its feature set and its bytes."""
    return hashlib.sha256(feature_set.encode() + bytes(blob)).hexdigest()


def _vector_matrix(features: pd.DataFrame, columns: list[str]) -> np.ndarray:
    values = np.empty((len(features), len(columns)), dtype=np.float32)
    for j, name in enumerate(columns):
        series = features[name]
        if isinstance(series.dtype, pd.CategoricalDtype):
            codes = series.cat.codes.to_numpy().astype(np.float32)
            codes[codes < 0] = np.nan
            values[:, j] = codes
        else:
            values[:, j] = pd.to_numeric(series, errors="coerce").to_numpy(
                np.float32, na_value=np.nan
            )
    return values


def encode_vector(
    features: pd.DataFrame, columns: list[str], categories: dict[str, list[str]]
) -> bytes:
    """The first row of a feature frame as stored: float32 bytes in ``columns`` order,
    a categorical value as its code in ``categories`` (what :func:`decode_vector` reads).

    For one row (an application): the numeric columns in one block conversion, then the
    few categorical ones (the column-wise :func:`_vector_matrix` costs ~0.1 ms a column).
    """
    sub = features.iloc[:1].reindex(columns=columns)
    values = np.full(len(columns), np.nan, dtype=np.float64)
    numeric = [j for j, name in enumerate(columns) if name not in categories]
    block = sub.iloc[:, numeric]
    try:
        values[numeric] = block.to_numpy(dtype=np.float64, na_value=np.nan)[0]
    except (TypeError, ValueError):
        values[numeric] = block.apply(pd.to_numeric, errors="coerce").to_numpy(np.float64)[0]
    for j, name in enumerate(columns):
        cats = categories.get(name)
        if cats is not None:
            value = sub[name].iloc[0]
            if value in cats:
                values[j] = cats.index(value)
    return values.astype(np.float32).tobytes()


def _insert_frame(
    conn: Connection,
    table: type[m.Base],
    frame: pd.DataFrame,
    step: str,
    on_progress: Progress | None,
) -> int:
    total = len(frame)
    for start in range(0, total, CHUNK):
        conn.execute(insert(table), _records(frame.iloc[start : start + CHUNK]))
        if on_progress:
            on_progress(step, min(start + CHUNK, total), total)
    return total


def _keep_replaced_vectors(
    conn: Connection, ids: np.ndarray, incoming: dict[tuple[int, str], str]
) -> int:
    """Copy to ``feature_vector_versions`` the stored vectors of ``ids`` this load replaces.

    ``incoming`` maps (client, feature set) to the sha of the vector being loaded; a stored
    vector with the same sha is not replaced. Returns the number of versions kept.
    """
    fv, kept = m.FeatureVector, 0
    versions = m.FeatureVectorVersion
    for start in range(0, len(ids), CHUNK):
        chunk = [int(i) for i in ids[start : start + CHUNK]]
        stored = conn.execute(
            select(fv.sk_id_curr, fv.feature_set, fv.vector_sha).where(fv.sk_id_curr.in_(chunk))
        ).all()
        replaced = [r for r in stored if r[2] is None or incoming.get((r[0], r[1])) != r[2]]
        if not replaced:
            continue
        rows = conn.execute(
            select(fv.sk_id_curr, fv.feature_set, fv.vector).where(
                fv.sk_id_curr.in_(sorted({r[0] for r in replaced}))
            )
        ).all()
        wanted = {(r[0], r[1]) for r in replaced}
        candidates = {
            (r[0], r[1], vector_sha(r[1], r[2])): r[2] for r in rows if (r[0], r[1]) in wanted
        }
        known = set(
            conn.execute(
                select(versions.sk_id_curr, versions.feature_set, versions.vector_sha).where(
                    versions.sk_id_curr.in_(sorted({k[0] for k in candidates}))
                )
            ).all()
        )
        new = [
            {"sk_id_curr": k[0], "feature_set": k[1], "vector_sha": k[2], "vector": blob}
            for k, blob in candidates.items()
            if k not in known
        ]
        if new:
            conn.execute(insert(versions), new)
            kept += len(new)
    return kept


def _clear(conn: Connection, ids: np.ndarray) -> None:
    """Remove what is stored for these clients (children first), so that a reload rewrites them."""
    for start in range(0, len(ids), CHUNK):
        chunk = [int(i) for i in ids[start : start + CHUNK]]
        for table in (m.FeatureVector, m.Transaction, m.Loan, m.Client):
            conn.execute(delete(table).where(table.sk_id_curr.in_(chunk)))


def load_prepared(
    engine: Engine,
    prepared: PreparedData,
    features: pd.DataFrame | None,
    *,
    on_progress: Progress | None = None,
) -> LoadReport:
    """Load clients, loans, monthly transactions and feature vectors in ONE transaction."""
    prepared.raise_for_errors()
    apps = _applications(prepared)
    clients = client_rows(apps)
    loans = loan_rows(prepared, apps)
    loans = loans[loans["sk_id_curr"].isin(clients["sk_id_curr"])]
    months = transaction_rows(prepared)
    months = months[months["sk_id_curr"].isin(clients["sk_id_curr"])]
    report = LoadReport()
    vectors = _vectors(features, clients) if features is not None else None
    with engine.begin() as conn:
        ids = clients["sk_id_curr"].to_numpy()
        incoming = {} if vectors is None else vectors.shas()
        report.rows["feature_vector_versions"] = _keep_replaced_vectors(conn, ids, incoming)
        _clear(conn, ids)
        # the population summary describes the clients as they were: gone with them
        # (``db load`` builds it again, `credit-scoring db summarize` too)
        conn.execute(delete(m.PopulationSummary))
        report.rows["clients"] = _insert_frame(conn, m.Client, clients, "clients", on_progress)
        report.rows["loans"] = _insert_frame(conn, m.Loan, loans, "loans", on_progress)
        report.rows["transactions"] = _insert_frame(
            conn, m.Transaction, months, "transactions", on_progress
        )
        if vectors is not None:
            report.feature_set = _load_features(conn, vectors, on_progress)
            report.rows["feature_vectors"] = len(vectors.ids)
    return report


@dataclass
class _Vectors:
    """The feature vectors of a load, encoded once (float32 rows and shas) before writing."""

    version: str
    columns: list[str]
    categories: dict[str, list[str]]
    ids: np.ndarray
    values: np.ndarray  # one float32 row per client: its bytes are the stored vector
    digests: list[str]

    def shas(self) -> dict[tuple[int, str], str]:
        return {(int(i), self.version): d for i, d in zip(self.ids, self.digests, strict=True)}


def _vectors(features: pd.DataFrame, clients: pd.DataFrame) -> _Vectors:
    features = features[features["SK_ID_CURR"].isin(clients["sk_id_curr"])]
    columns = [c for c in features.columns if c not in ("SK_ID_CURR", "TARGET")]
    version = feature_set_version(columns, feature_metadata())
    categories = {
        c: [str(v) for v in features[c].cat.categories]
        for c in columns
        if isinstance(features[c].dtype, pd.CategoricalDtype)
    }
    values = _vector_matrix(features, columns)
    prefix = version.encode()
    digests = [hashlib.sha256(prefix + row.tobytes()).hexdigest() for row in values]
    return _Vectors(
        version, columns, categories, features["SK_ID_CURR"].to_numpy(np.int64), values, digests
    )


def _load_features(conn: Connection, vectors: _Vectors, on_progress: Progress | None) -> str:
    version = vectors.version
    exists = conn.execute(
        select(m.FeatureSet.version).where(m.FeatureSet.version == version)
    ).first()
    if exists is None:
        conn.execute(
            insert(m.FeatureSet),
            [{"version": version, "columns": vectors.columns, "categories": vectors.categories}],
        )
    total = len(vectors.ids)
    for start in range(0, total, CHUNK):
        end = min(start + CHUNK, total)
        conn.execute(
            insert(m.FeatureVector),
            [
                {
                    "sk_id_curr": int(vectors.ids[i]),
                    "feature_set": version,
                    "vector": vectors.values[i].tobytes(),
                    "vector_sha": vectors.digests[i],
                }
                for i in range(start, end)
            ],
        )
        if on_progress:
            on_progress("feature vectors", end, total)
    return version


def decode_vector(
    blob: bytes, columns: list[str], categories: dict[str, list[str]]
) -> pd.DataFrame:
    """One stored vector back to a one-row feature frame (categoricals restored)."""
    values = np.frombuffer(blob, dtype=np.float32).astype(np.float64)
    if not categories:
        return pd.DataFrame(values[None, :], columns=columns)
    # one float block and the categorical columns, joined once (setting columns one by one
    # on a wide frame splits its block each time)
    position = {name: j for j, name in enumerate(columns)}
    numeric = [name for name in columns if name not in categories]
    floats = pd.DataFrame(values[[position[n] for n in numeric]][None, :], columns=numeric)
    cats = pd.DataFrame(
        {
            name: pd.Categorical.from_codes(
                [-1 if np.isnan(values[position[name]]) else int(values[position[name]])],
                categories=labels,
            )
            for name, labels in categories.items()
            if name in position
        }
    )
    return pd.concat([floats, cats], axis=1)[columns]


def decode_vectors(
    blobs: list[bytes], columns: list[str], categories: dict[str, list[str]]
) -> pd.DataFrame:
    """Many stored vectors back to a feature frame, one row each (categoricals restored)."""
    matrix = np.vstack([np.frombuffer(b, dtype=np.float32) for b in blobs])
    frame = pd.DataFrame(matrix.astype(np.float64), columns=columns)
    for name, cats in categories.items():
        codes = frame[name].fillna(-1).astype(int)
        frame[name] = pd.Categorical.from_codes(codes, categories=cats)
    return frame


def application_dict(client: m.Client) -> dict[str, object]:
    return {k: _none(v) for k, v in json.loads(client.application_json).items()}
