"""Page: see `credit_scoring.dashboard.views.search`."""

from credit_scoring.dashboard.views import search

search.render()
