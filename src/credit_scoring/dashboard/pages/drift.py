"""Page: see `credit_scoring.dashboard.views.drift`."""

from credit_scoring.dashboard.views import drift

drift.render()
