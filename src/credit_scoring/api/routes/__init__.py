"""Route modules, one per area; ``ROUTERS`` is what the app includes."""

from credit_scoring.api.routes import (
    applicant,
    applications,
    audit,
    auth,
    clients,
    decisions,
    drift,
    health,
    model,
    outcomes,
    population,
    scoring,
    users,
)

ROUTERS = (
    health.router,
    auth.router,
    clients.router,
    scoring.router,
    population.router,
    decisions.router,
    applications.intake_router,
    applications.router,
    applicant.router,
    applicant.staff_router,
    model.router,
    drift.router,
    users.router,
    audit.router,
    outcomes.router,
)
