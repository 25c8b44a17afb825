"""The FastAPI application: ``create_app(settings)``; model, explainer and caches load in the lifespan."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from credit_scoring.api import errors
from credit_scoring.api.body_limit import BodySizeLimit
from credit_scoring.api.deps import UserStates
from credit_scoring.api.observability import Metrics, TimingMiddleware
from credit_scoring.api.routes import ROUTERS
from credit_scoring.api.throttle import HashingSlots, LoginThrottle
from credit_scoring.config import Settings, get_settings
from credit_scoring.db import models as m
from credit_scoring.db.session import get_engine, redact, scrub
from credit_scoring.lending.applications import ApplicationService
from credit_scoring.lending.audit import AuditSpool
from credit_scoring.lending.form import lender_terms
from credit_scoring.lending.policy import Policy
from credit_scoring.lending.services import Services, build_services
from credit_scoring.lending.services.features import load_feature_metadata
from credit_scoring.lending.shadow import ShadowScorer
from credit_scoring.modeling.contracts import Scorer
from credit_scoring.modeling.load_errors import ModelLoadError

log = logging.getLogger(__name__)
ChampionLoader = Callable[[Settings], Scorer]


def _default_loader(settings: Settings) -> Scorer:
    from credit_scoring.registry import load_champion

    return load_champion(settings)


def _default_challenger(settings: Settings) -> Scorer | None:
    from credit_scoring.registry import load_challenger

    return load_challenger(settings)


def _start_shadow(
    loader: Callable[[Settings], Scorer | None],
    settings: Settings,
    sessions: sessionmaker[Session],
) -> ShadowScorer | None:
    """The challenger's background scorer when a model holds the alias, else None.

    A challenger that cannot be loaded is logged: the API runs without shadow scoring.
    """
    try:
        challenger = loader(settings)
    except Exception as exc:
        log.warning(
            "challenger not loaded, no shadow scoring: %s",
            scrub(f"{type(exc).__name__}: {exc}", settings),
        )
        return None
    if challenger is None:
        return None
    shadow = ShadowScorer(challenger, sessions)
    shadow.start()
    log.info("challenger %s scores in the shadow", challenger.model_version)
    return shadow


def _default_report(settings: Settings) -> dict:
    from credit_scoring.registry import champion_report

    return champion_report(settings)


def _load_scorer(loader: ChampionLoader, settings: Settings) -> tuple[Scorer | None, str | None]:
    try:
        return loader(settings), None
    except ModelLoadError as exc:  # written for people: what is missing and what to run
        log.warning("model not loaded: %s", scrub(str(exc), settings))
        return None, scrub(str(exc), settings)
    except Exception as exc:  # any other failure: the API still starts, /health says why
        log.warning("model not loaded: %s", scrub(f"{type(exc).__name__}: {exc}", settings))
        return None, (
            "the champion model could not be loaded (an unexpected error): the API log "
            "of this start says why; `credit-scoring model list` shows the registered versions."
        )


def _warm_up_scorer(scorer: object) -> None:
    """Load the champion's compiled TreeSHAP now, so that no request pays for it."""
    warm_up = getattr(scorer, "warm_up", None)  # a test's stand-in scorer may have none
    if warm_up is None:
        return
    try:
        warm_up()
    except Exception as exc:  # the first score is slower, nothing else
        log.warning("scorer not warmed up: %s", exc)


def _warm_up_features() -> None:
    """Compile the per-request feature queries now, so that no request pays for it."""
    try:
        from credit_scoring.features.online import warm_up

        warm_up()
    except Exception as exc:  # the first /predict_default is slower, nothing else
        log.warning("feature queries not prepared ahead: %s", exc)


def _record_champion(services: Services, sessions: sessionmaker[Session]) -> None:
    """Append to champion_history when the served version differs from the last one recorded."""
    scorer = services.scorer
    if scorer is None:
        return
    try:
        with sessions() as session, session.begin():
            last = session.execute(
                select(m.ChampionHistory).order_by(m.ChampionHistory.id.desc()).limit(1)
            ).scalar_one_or_none()
            if last is None or last.model_version != scorer.model_version:
                session.add(
                    m.ChampionHistory(
                        model_name=scorer.model_name, model_version=scorer.model_version
                    )
                )
    except Exception as exc:  # database down at start: served anyway, recorded next start
        log.warning("champion history not recorded: %s", type(exc).__name__)


def _check_feature_set(services: Services, sessions: sessionmaker[Session]) -> None:
    """Say at start-up when the database holds no vectors of the champion's feature set."""
    try:
        with sessions() as session:
            problem = services.features.problem(session)
    except Exception as exc:  # database down at start: /health says so
        log.warning("feature set not checked: %s", type(exc).__name__)
        return
    if problem:
        log.error("stored clients cannot be scored: %s", problem)


def create_app(
    settings: Settings | None = None, *, load_scorer: ChampionLoader | None = None
) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Read from the state, so that a test may swap settings or loader before startup.
        settings: Settings = app.state.settings
        loader: ChampionLoader = app.state.load_scorer
        engine = get_engine(settings.resolved_database_url)
        scorer, error = _load_scorer(loader, settings)
        metas = {}
        try:
            metas = load_feature_metadata()
        except Exception as exc:  # descriptions fall back to feature names
            log.warning("feature metadata not loaded: %s", exc)
        if scorer is not None:
            _warm_up_scorer(scorer)
            _warm_up_features()
        sessions = sessionmaker(engine, expire_on_commit=False)
        policy = Policy.load()
        services = build_services(
            scorer,
            sessions,
            model_error=error,
            metas=metas,
            policy=policy,
            terms=lender_terms(settings),
        )
        _record_champion(services, sessions)
        _check_feature_set(services, sessions)
        app.state.engine = engine
        app.state.sessions = sessions
        app.state.services = services
        # The rules read once: intake, decisions, offers and GET /policy use this same copy.
        app.state.policy = policy
        app.state.applications = (
            ApplicationService(services.scores, services.features, settings, policy)
            if services.scores is not None
            else None
        )
        # The challenger scores in the shadow only where the champion scores applications.
        app.state.shadow = (
            _start_shadow(app.state.load_challenger, settings, sessions)
            if app.state.applications is not None
            else None
        )
        if app.state.applications is not None:
            app.state.applications.shadow = app.state.shadow
        # One durable writer for every spooled audit table.
        app.state.audit = AuditSpool(
            engine,
            settings.resolved_audit_spool_dir,
            backlog_max=settings.audit_backlog_max,
        )
        app.state.user_states = UserStates(app.state.sessions, settings.auth_cache_seconds)
        app.state.login_throttle = LoginThrottle(settings)
        app.state.hashing_slots = HashingSlots(settings)
        log.info(
            "API ready: database %s, model %s",
            redact(settings.resolved_database_url),
            scorer.model_version if scorer else f"not loaded ({error})",
        )
        try:
            yield
        finally:
            if app.state.shadow is not None:
                app.state.shadow.close()
            app.state.audit.close()

    app = FastAPI(
        title="Credit scoring API",
        version="1",
        lifespan=lifespan,
        description="Scores, reasons, clients and decisions. Log in at /auth/token.",
    )
    app.state.settings = settings or get_settings()
    app.state.load_scorer = load_scorer or _default_loader
    app.state.load_challenger = _default_challenger  # None: no challenger alias
    app.state.load_report = _default_report  # the champion's report for GET /model
    app.state.metrics = Metrics()
    app.add_middleware(TimingMiddleware, metrics=app.state.metrics)
    app.add_middleware(BodySizeLimit, max_bytes=app.state.settings.max_body_bytes)
    for router in ROUTERS:
        app.include_router(router)

    errors.install(app)
    return app
