"""Tables of the operational database (SQLAlchemy 2 declarative, typed).

Every table name carries ``TABLE_PREFIX`` (empty by default) so that tests can
run side by side on one server; migrations create the same tables.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Double,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects import mysql
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from credit_scoring.config import ImportTimeSettings

TABLE_PREFIX = ImportTimeSettings().table_prefix

# Names constraints the same way on every backend so that migrations can refer to them.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s",
    "pk": "pk_%(table_name)s",
}


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


# Audit records keep microseconds and full doubles on every backend (MariaDB's DATETIME and
# FLOAT would round them), so that a record's hash computed at insert matches what is read back.
AuditTime = DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")
AuditFloat: Double[float] = Double()


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Client(Base):
    """A client as seen in their current application (identity and personal information)."""

    __tablename__ = f"{TABLE_PREFIX}clients"
    # Client search and population statistics read these columns of many clients: one
    # index holds them all, in id order, so that neither reads the table's rows (each
    # carries its whole application, about 3 KB) nor sorts what it finds.
    __table_args__ = (
        Index(
            f"ix_{TABLE_PREFIX}clients_population",
            "sk_id_curr",
            "gender",
            "contract_type",
            "age_years",
            "income_total",
            "amount_credit",
            "years_employed",
            "children",
            "target",
        ),
    )

    sk_id_curr: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    is_train: Mapped[bool] = mapped_column(Boolean, default=False)
    target: Mapped[int | None] = mapped_column(Integer)
    gender: Mapped[str | None] = mapped_column(String(8))
    age_years: Mapped[float | None] = mapped_column(Float)
    income_total: Mapped[float | None] = mapped_column(Float)
    contract_type: Mapped[str | None] = mapped_column(String(32))
    amount_credit: Mapped[float | None] = mapped_column(Float)
    family_status: Mapped[str | None] = mapped_column(String(64))
    children: Mapped[int | None] = mapped_column(Integer)
    education: Mapped[str | None] = mapped_column(String(64))
    income_type: Mapped[str | None] = mapped_column(String(64))
    occupation: Mapped[str | None] = mapped_column(String(64))
    years_employed: Mapped[float | None] = mapped_column(Float)
    owns_car: Mapped[bool | None] = mapped_column(Boolean)
    owns_realty: Mapped[bool | None] = mapped_column(Boolean)
    application_json: Mapped[str] = mapped_column(
        Text, doc="the full application row, Kaggle names"
    )


class Loan(Base):
    """The current application, bureau credits and previous applications, one row each."""

    __tablename__ = f"{TABLE_PREFIX}loans"
    __table_args__ = (Index(f"ix_{TABLE_PREFIX}loans_client", "sk_id_curr"),)

    # Natural key, so that loading the same folder twice writes the same rows.
    source: Mapped[str] = mapped_column(String(16), primary_key=True)  # application|bureau|previous
    loan_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    sk_id_curr: Mapped[int] = mapped_column(
        BigInteger, ForeignKey(f"{TABLE_PREFIX}clients.sk_id_curr")
    )
    contract_type: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str | None] = mapped_column(String(32))
    amount_credit: Mapped[float | None] = mapped_column(Float)
    amount_annuity: Mapped[float | None] = mapped_column(Float)
    days_start: Mapped[float | None] = mapped_column(Float)
    days_end: Mapped[float | None] = mapped_column(Float)


class Transaction(Base):
    """Monthly history summarised per client and source (POS, card, installments, bureau)."""

    __tablename__ = f"{TABLE_PREFIX}transactions"

    sk_id_curr: Mapped[int] = mapped_column(
        BigInteger, ForeignKey(f"{TABLE_PREFIX}clients.sk_id_curr"), primary_key=True
    )
    source: Mapped[str] = mapped_column(String(16), primary_key=True)
    months_balance: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    loans: Mapped[int] = mapped_column(Integer)
    balance: Mapped[float | None] = mapped_column(Float)
    payment: Mapped[float | None] = mapped_column(Float)
    max_days_past_due: Mapped[float | None] = mapped_column(Float)


class FeatureSet(Base):
    """A version of the feature table: column names, and categories of categorical columns."""

    __tablename__ = f"{TABLE_PREFIX}feature_sets"

    version: Mapped[str] = mapped_column(String(64), primary_key=True)
    columns: Mapped[list] = mapped_column(JSON)
    categories: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=_utcnow)


class FeatureVector(Base):
    """One client's feature row, float32 little-endian bytes in the order of its feature set."""

    __tablename__ = f"{TABLE_PREFIX}feature_vectors"

    sk_id_curr: Mapped[int] = mapped_column(
        BigInteger, ForeignKey(f"{TABLE_PREFIX}clients.sk_id_curr"), primary_key=True
    )
    feature_set: Mapped[str] = mapped_column(
        String(64), ForeignKey(f"{TABLE_PREFIX}feature_sets.version"), primary_key=True
    )
    vector: Mapped[bytes] = mapped_column(LargeBinary)
    vector_sha: Mapped[str | None] = mapped_column(
        String(64), doc="sha256 of feature set and vector: what a score log record points to"
    )


class FeatureVectorVersion(Base):
    """A feature vector that ``db load`` replaced: kept, so that every past score can be redone."""

    __tablename__ = f"{TABLE_PREFIX}feature_vector_versions"

    # No foreign key to clients: the version outlives a reload (or removal) of the client.
    sk_id_curr: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    feature_set: Mapped[str] = mapped_column(String(64), primary_key=True)
    vector_sha: Mapped[str] = mapped_column(String(64), primary_key=True)
    vector: Mapped[bytes] = mapped_column(LargeBinary)
    replaced_at: Mapped[datetime] = mapped_column(DateTime, default=_utcnow)


class ClientScore(Base):
    """The last probability served per client and model version (filters by score band)."""

    __tablename__ = f"{TABLE_PREFIX}client_scores"
    __table_args__ = (Index(f"ix_{TABLE_PREFIX}client_scores_version", "model_version"),)

    sk_id_curr: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    model_version: Mapped[str] = mapped_column(String(64), primary_key=True)
    probability: Mapped[float] = mapped_column(Float)
    threshold: Mapped[float] = mapped_column(Float)


class User(Base):
    __tablename__ = f"{TABLE_PREFIX}users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(
        Integer, default=0, doc="failed logins since the last success (any address)"
    )
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=_utcnow)
    token_version: Mapped[int] = mapped_column(
        Integer, default=0, doc="tokens carrying another version are refused (logout, disable...)"
    )
    last_failed_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)
    language: Mapped[str | None] = mapped_column(
        String(2), doc="the dashboard language the user last chose (fr, en); null: not chosen"
    )


class AuthEvent(Base):
    """Logins, failures, throttles, logouts and user administration (append-only, chained)."""

    __tablename__ = f"{TABLE_PREFIX}auth_events"
    __table_args__ = (Index(f"ix_{TABLE_PREFIX}auth_events_username", "username"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(AuditTime, default=_utcnow)
    event: Mapped[str] = mapped_column(String(16), doc="see security.AUTH_EVENTS")
    username: Mapped[str] = mapped_column(String(64), doc="the account concerned (as typed)")
    actor: Mapped[str | None] = mapped_column(String(64), doc="who did it, for admin actions")
    client_address: Mapped[str | None] = mapped_column(String(45))
    detail: Mapped[str | None] = mapped_column(String(255))
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    row_hash: Mapped[str | None] = mapped_column(String(64))


# New applicants become clients with ids from here on (Kaggle's SK_ID_CURR stay below 10^6,
# the synthetic generator's too): ``NEW_CLIENT_BASE + application id``.
NEW_CLIENT_BASE = 900_000_000
APPLICATION_STATUSES = ("scored", "referred", "decided", "withdrawn", "review")


class Application(Base):
    """A loan application: the unit of work, from intake to the letter.

    ``status`` moves ``scored`` -> ``referred`` (a senior decides) -> ``decided``, or to
    ``withdrawn``; a decided application goes to ``review`` when its applicant asks for a
    human review, and back to ``decided`` with the advisor's next decision. It is the only
    column that changes after insert (with ``decided_at``).
    The scores of an application are immutable rows of ``scores``; its decisions are rows
    of ``decisions`` that name the score the advisor saw.
    """

    __tablename__ = f"{TABLE_PREFIX}applications"
    __table_args__ = (
        UniqueConstraint(
            "entered_by", "idempotency_key", name=f"uq_{TABLE_PREFIX}applications_idem"
        ),
        Index(f"ix_{TABLE_PREFIX}applications_client", "sk_id_curr"),
        Index(f"ix_{TABLE_PREFIX}applications_status", "status", "entered_at"),
        Index(f"ix_{TABLE_PREFIX}applications_entered", "entered_at", "id"),
        # the queue's count by status reads this narrower index (a third of the other's size)
        Index(f"ix_{TABLE_PREFIX}applications_status_count", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sk_id_curr: Mapped[int] = mapped_column(BigInteger, doc="the client (new or known)")
    source: Mapped[str] = mapped_column(String(8), doc="intake (entered) or load (Kaggle file)")
    new_client: Mapped[bool] = mapped_column(Boolean, doc="no history with the lender at intake")
    contract_type: Mapped[str | None] = mapped_column(String(32))
    amount_credit: Mapped[float | None] = mapped_column(Float)
    amount_goods_price: Mapped[float | None] = mapped_column(Float)
    term_months: Mapped[int | None] = mapped_column(Integer)
    monthly_annuity: Mapped[float | None] = mapped_column(Float)
    declared: Mapped[dict] = mapped_column(JSON, doc="the form as entered, in the bank's terms")
    application_row: Mapped[dict] = mapped_column(JSON, doc="the same in Kaggle columns")
    entered_by: Mapped[str] = mapped_column(String(64))
    entered_at: Mapped[datetime] = mapped_column(AuditTime, default=_utcnow)
    status: Mapped[str] = mapped_column(String(16), default="scored")
    decided_at: Mapped[datetime | None] = mapped_column(AuditTime)
    idempotency_key: Mapped[str | None] = mapped_column(String(128))


class Score(Base):
    """One score of an application (append-only, chained): exactly what the advisor was shown."""

    __tablename__ = f"{TABLE_PREFIX}scores"
    __table_args__ = (Index(f"ix_{TABLE_PREFIX}scores_application", "application_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    application_id: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(AuditTime, default=_utcnow)
    username: Mapped[str] = mapped_column(String(64))
    model_name: Mapped[str] = mapped_column(String(128))
    model_version: Mapped[str] = mapped_column(String(64))
    feature_set: Mapped[str | None] = mapped_column(String(64))
    features_sha: Mapped[str | None] = mapped_column(String(64))
    inputs_digest: Mapped[str] = mapped_column(String(64))
    probability: Mapped[float] = mapped_column(AuditFloat)
    threshold: Mapped[float] = mapped_column(AuditFloat)
    model_decision: Mapped[str] = mapped_column(String(8), doc="grant or refuse, by the threshold")
    decision: Mapped[str] = mapped_column(String(8), doc="after the policy rules: or refer")
    grade: Mapped[str | None] = mapped_column(String(2))
    points: Mapped[float | None] = mapped_column(AuditFloat)
    policy_version: Mapped[str | None] = mapped_column(String(64))
    policy: Mapped[list] = mapped_column(JSON, doc="the rules that fired: code, outcome, texts")
    reasons: Mapped[list] = mapped_column(JSON, doc="reasons against then for, with their codes")
    lang: Mapped[str] = mapped_column(String(2), doc="the language the reasons are worded in")
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    row_hash: Mapped[str | None] = mapped_column(String(64))


class Decision(Base):
    """An advisor's final decision (append-only: triggers refuse UPDATE and DELETE; chained).

    A decision on an application names the score the advisor saw (``score_id``); decisions
    recorded before applications existed have neither.
    """

    __tablename__ = f"{TABLE_PREFIX}decisions"
    __table_args__ = (
        Index(f"ix_{TABLE_PREFIX}decisions_client", "sk_id_curr"),
        Index(f"ix_{TABLE_PREFIX}decisions_application", "application_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sk_id_curr: Mapped[int] = mapped_column(BigInteger)
    username: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(AuditTime, default=_utcnow)
    decision: Mapped[str] = mapped_column(String(8))
    model_decision: Mapped[str] = mapped_column(String(8))
    probability: Mapped[float] = mapped_column(AuditFloat)
    threshold: Mapped[float] = mapped_column(AuditFloat)
    model_version: Mapped[str] = mapped_column(String(64))
    override: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str | None] = mapped_column(Text)
    application_id: Mapped[int | None] = mapped_column(Integer)
    score_id: Mapped[int | None] = mapped_column(Integer)
    # a refusal against the model's grant: the advisor's category (lending.form.refusal)
    reason_category: Mapped[str | None] = mapped_column(String(32))
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    row_hash: Mapped[str | None] = mapped_column(String(64))


class ScoreLog(Base):
    """Every score served (append-only, chained): who, when, what inputs, which model, what came out."""

    __tablename__ = f"{TABLE_PREFIX}score_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(AuditTime, default=_utcnow)
    username: Mapped[str] = mapped_column(String(64))
    route: Mapped[str] = mapped_column(String(64))
    sk_id_curr: Mapped[int | None] = mapped_column(BigInteger)
    inputs_digest: Mapped[str] = mapped_column(String(64))
    model_version: Mapped[str] = mapped_column(String(64))
    threshold: Mapped[float] = mapped_column(AuditFloat)
    probability: Mapped[float] = mapped_column(AuditFloat)
    decision: Mapped[str] = mapped_column(String(8))
    reasons: Mapped[list] = mapped_column(JSON)
    features_sha: Mapped[str | None] = mapped_column(
        String(64), doc="the stored feature vector scored (feature_vectors or its versions)"
    )
    score_id: Mapped[int | None] = mapped_column(
        Integer, doc="the application's score (scores), when the score served is one"
    )
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    row_hash: Mapped[str | None] = mapped_column(String(64))


class DataAccessEvent(Base):
    """A read of a client's personal data or score (append-only, chained): who, when, what."""

    __tablename__ = f"{TABLE_PREFIX}data_access_events"
    __table_args__ = (Index(f"ix_{TABLE_PREFIX}data_access_events_client", "sk_id_curr"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(AuditTime, default=_utcnow)
    username: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    route: Mapped[str] = mapped_column(String(64))
    sk_id_curr: Mapped[int | None] = mapped_column(BigInteger)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    row_hash: Mapped[str | None] = mapped_column(String(64))


class AuditChainHead(Base):
    """The last link of each audit table's hash chain (updated with every append, under a lock)."""

    __tablename__ = f"{TABLE_PREFIX}audit_chain_heads"

    table_name: Mapped[str] = mapped_column(String(64), primary_key=True)
    records: Mapped[int] = mapped_column(BigInteger, default=0)
    last_id: Mapped[int] = mapped_column(BigInteger, default=0)
    last_hash: Mapped[str] = mapped_column(String(64))


class AuditSpoolProgress(Base):
    """How far each local spool segment has been written to the database (same transaction)."""

    __tablename__ = f"{TABLE_PREFIX}audit_spool_progress"

    segment: Mapped[str] = mapped_column(String(255), primary_key=True)
    shipped_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    shipped_records: Mapped[int] = mapped_column(BigInteger, default=0)


class ChampionHistory(Base):
    """Which model version was champion when (a row each time the served version changes)."""

    __tablename__ = f"{TABLE_PREFIX}champion_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    model_name: Mapped[str] = mapped_column(String(128))
    model_version: Mapped[str] = mapped_column(String(64))
    since: Mapped[datetime] = mapped_column(DateTime, default=_utcnow)


class Outcome(Base):
    """What became of a granted loan: defaulted or repaid, as observed on a date.

    Append-only and chained like the other audit tables: an outcome is a fact the lender
    learned; a correction is a new record with a later ``observed_on``, and the back-test
    reads each application's latest one.
    """

    __tablename__ = f"{TABLE_PREFIX}outcomes"
    __table_args__ = (Index(f"ix_{TABLE_PREFIX}outcomes_application", "application_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    application_id: Mapped[int] = mapped_column(Integer)
    sk_id_curr: Mapped[int] = mapped_column(BigInteger)
    defaulted: Mapped[bool] = mapped_column(Boolean)
    observed_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(AuditTime, default=_utcnow, doc="when loaded")
    source: Mapped[str] = mapped_column(String(255), doc="the file, 'api' or 'db load'")
    username: Mapped[str] = mapped_column(String(64))
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    row_hash: Mapped[str | None] = mapped_column(String(64))


class ShadowScore(Base):
    """The challenger's score of an application the champion scored: never shown, never deciding.

    Written in the background (:mod:`credit_scoring.lending.shadow`) beside the champion's
    score ``score_id``, so that the back-test compares both models on the same
    applications once their outcomes mature. Append-only and chained like the other
    audit tables.
    """

    __tablename__ = f"{TABLE_PREFIX}shadow_scores"
    __table_args__ = (Index(f"ix_{TABLE_PREFIX}shadow_scores_application", "application_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    application_id: Mapped[int] = mapped_column(Integer)
    score_id: Mapped[int] = mapped_column(Integer, doc="the champion's score it shadows")
    model_name: Mapped[str] = mapped_column(String(128))
    model_version: Mapped[str] = mapped_column(String(64))
    probability: Mapped[float] = mapped_column(AuditFloat)
    threshold: Mapped[float] = mapped_column(AuditFloat)
    model_decision: Mapped[str] = mapped_column(String(8), doc="grant or refuse, by the threshold")
    grade: Mapped[str | None] = mapped_column(String(2))
    created_at: Mapped[datetime] = mapped_column(AuditTime, default=_utcnow)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    row_hash: Mapped[str | None] = mapped_column(String(64))


class ApplicantAccessCode(Base):
    """A personal code giving an applicant access to their space (only its hash is kept).

    One code per letter (or per advisor's request); issuing one revokes the others of the
    application. ``failures`` counts wrong sign-ins on the application while this code was
    the valid one; at the setting's limit the code is revoked and an advisor issues another.
    """

    __tablename__ = f"{TABLE_PREFIX}applicant_access_codes"
    __table_args__ = (
        Index(f"ix_{TABLE_PREFIX}applicant_access_codes_application", "application_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    application_id: Mapped[int] = mapped_column(Integer)
    code_hash: Mapped[str] = mapped_column(String(255), doc="scrypt$n$r$p$salt$hash")
    issued_by: Mapped[str] = mapped_column(String(64), doc="the staff user who issued it")
    issued_at: Mapped[datetime] = mapped_column(AuditTime, default=_utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(AuditTime)
    revoked_reason: Mapped[str | None] = mapped_column(String(32), doc="reissued or failures")
    failures: Mapped[int] = mapped_column(Integer, default=0)


class ApplicantSession(Base):
    """A signed-in applicant's session: its token's id, until logout or expiry."""

    __tablename__ = f"{TABLE_PREFIX}applicant_sessions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, doc="the token's jti")
    application_id: Mapped[int] = mapped_column(Integer, doc="the application signed in with")
    code_id: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(AuditTime, default=_utcnow)
    expires_at: Mapped[datetime] = mapped_column(AuditTime)
    ended_at: Mapped[datetime | None] = mapped_column(AuditTime, doc="logout")


class ApplicantAccessEvent(Base):
    """Every applicant access: sign-in, failure, throttle, each read and write; and the codes
    staff issued (append-only, chained)."""

    __tablename__ = f"{TABLE_PREFIX}applicant_access_events"
    __table_args__ = (
        Index(f"ix_{TABLE_PREFIX}applicant_access_events_application", "application_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(AuditTime, default=_utcnow)
    application_id: Mapped[int | None] = mapped_column(
        Integer, doc="the application signed in with (as typed for a failure)"
    )
    session_id: Mapped[str | None] = mapped_column(String(32), doc="the applicant's session")
    actor: Mapped[str | None] = mapped_column(String(64), doc="a staff user (issued a code)")
    event: Mapped[str] = mapped_column(String(16), doc="see lending.applicant.EVENTS")
    route: Mapped[str | None] = mapped_column(String(64))
    target_id: Mapped[int | None] = mapped_column(Integer, doc="the application read or written")
    client_address: Mapped[str | None] = mapped_column(String(45))
    detail: Mapped[str | None] = mapped_column(String(255))
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    row_hash: Mapped[str | None] = mapped_column(String(64))


class ReviewRequest(Base):
    """An applicant's request for a human review of the decision (GDPR Art. 22(3)).

    Open until an advisor's grant or refusal on the application closes it.
    """

    __tablename__ = f"{TABLE_PREFIX}review_requests"
    __table_args__ = (Index(f"ix_{TABLE_PREFIX}review_requests_application", "application_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    application_id: Mapped[int] = mapped_column(Integer)
    requested_at: Mapped[datetime] = mapped_column(AuditTime, default=_utcnow)
    due_on: Mapped[date] = mapped_column(Date)
    comment: Mapped[str] = mapped_column(Text)
    attachments: Mapped[list] = mapped_column(JSON, doc="names of the documents to bring")
    status: Mapped[str] = mapped_column(String(8), default="open", doc="open or closed")
    closed_at: Mapped[datetime | None] = mapped_column(AuditTime)
    decision_id: Mapped[int | None] = mapped_column(Integer, doc="the decision that closed it")


class RectificationRequest(Base):
    """An applicant's "this is wrong" on one item of their data (GDPR Art. 16)."""

    __tablename__ = f"{TABLE_PREFIX}rectification_requests"
    __table_args__ = (
        Index(f"ix_{TABLE_PREFIX}rectification_requests_application", "application_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    application_id: Mapped[int] = mapped_column(Integer)
    item: Mapped[str] = mapped_column(String(64))
    comment: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(AuditTime, default=_utcnow)


class PopulationSummary(Base):
    """The population statistics of every combination of the client filters, ready to serve.

    One row per model version and cell (a combination of the filters of
    :mod:`credit_scoring.db.client_filters`, ``""`` for every client): the number of
    clients, of known outcomes and defaults, and each main feature's count, missing,
    mean, quantiles and histogram (``features``). ``model_version`` ``""`` is the
    population without scores (a version with no stored scores). Rebuilt by ``db
    summarize``, ``db load`` and ``db score``; a load deletes it in its transaction.
    Clients added since (ids above ``max_sk_id_curr``: new applicants) are counted in at
    read time (:mod:`credit_scoring.db.population`).
    """

    __tablename__ = f"{TABLE_PREFIX}population_summary"

    model_version: Mapped[str] = mapped_column(String(64), primary_key=True)
    cell: Mapped[str] = mapped_column(String(128), primary_key=True)
    n_clients: Mapped[int] = mapped_column(BigInteger)
    n_targets: Mapped[int] = mapped_column(BigInteger, doc="clients with a known outcome")
    n_defaults: Mapped[int] = mapped_column(BigInteger, doc="of which defaulted (TARGET 1)")
    features: Mapped[list] = mapped_column(
        JSON, doc="per main feature: count, missing, mean, quantiles, bin_edges, counts"
    )
    bins: Mapped[int] = mapped_column(Integer)
    max_sk_id_curr: Mapped[int | None] = mapped_column(
        BigInteger, doc="the largest client id when built (None: no client)"
    )
    built_at: Mapped[datetime] = mapped_column(DateTime, default=_utcnow)
