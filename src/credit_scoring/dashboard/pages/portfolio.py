"""Page: see `credit_scoring.dashboard.views.portfolio`."""

from credit_scoring.dashboard.views import portfolio

portfolio.render()
