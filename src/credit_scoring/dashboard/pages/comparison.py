"""Page: see `credit_scoring.dashboard.views.comparison`."""

from credit_scoring.dashboard.views import comparison

comparison.render()
